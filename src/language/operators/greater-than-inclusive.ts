/**
 * `greaterThanInclusive`: true when the record's value is a number (a numeric string is not) at least the value; an
 * absent value never is.
 */
import { defineOperator } from './operator.js'

export const greaterThanInclusive = defineOperator({
  name: 'greaterThanInclusive',
  valueKind: 'number',
  describe: 'is at least',
  doc: 'is a number (a numeric string is not) at least the value; an absent value never is',
  jsonRulesEngine: `its \`greaterThanInclusive\` takes numeric strings`,
  order: 80,
  symbol: '≥',
  asciiSymbol: '>=',
  neighbour: 'greaterThan',
  overlap: 'interval',
  sample: { on: ['number'] },
  hint: ['at least', 'less than'],
  actual: { type: 'number', says: 'compares numbers' },
  boundaries: [
    [50, 50, true],
    [50.0001, 50, true],
    [49.9999, 50, false],
    ['50', 50, false],
    [undefined, 50, false],
    [null, 50, false],
    [51, 50, true],
    [0, 0, true],
    [5, '3', false],
  ],
  holds: (actual, expected) => typeof actual === 'number' && typeof expected === 'number' && actual >= expected,
  given: (expected) =>
    typeof expected === 'number' ? (actual) => typeof actual === 'number' && actual >= expected : undefined,
  emit: (a, e) => `(typeof ${a} === 'number' && ${a} >= ${e})`,
})
