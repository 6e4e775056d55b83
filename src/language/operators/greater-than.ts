/**
 * `greaterThan`: true when the record's value is a number (a numeric string is not) greater than the value; an absent
 * value never is.
 */
import { defineOperator } from './operator.js'

export const greaterThan = defineOperator({
  name: 'greaterThan',
  valueKind: 'number',
  describe: 'is greater than',
  doc: 'is a number (a numeric string is not) greater than the value; an absent value never is',
  jsonRulesEngine: `its \`greaterThan\` takes numeric strings`,
  order: 70,
  symbol: '>',
  asciiSymbol: '>',
  neighbour: 'greaterThanInclusive',
  overlap: 'interval',
  sample: { on: ['number'] },
  hint: ['more than', 'at most'],
  actual: { type: 'number', says: 'compares numbers' },
  boundaries: [
    [51, 50, true],
    [50, 50, false],
    [49, 50, false],
    [undefined, 50, false],
    [null, 50, false],
    [50.0001, 50, true],
    ['51', 50, false],
    [0, 0, false],
    [5, '3', false],
  ],
  holds: (actual, expected) => typeof actual === 'number' && typeof expected === 'number' && actual > expected,
  given: (expected) =>
    typeof expected === 'number' ? (actual) => typeof actual === 'number' && actual > expected : undefined,
  emit: (a, e) => `(typeof ${a} === 'number' && ${a} > ${e})`,
})
