/**
 * `lessThanInclusive`: true when the record's value is a number (a numeric string is not) at most the value; an
 * absent value never is.
 */
import { defineOperator } from './operator.js'

export const lessThanInclusive = defineOperator({
  name: 'lessThanInclusive',
  valueKind: 'number',
  describe: 'is at most',
  doc: 'is a number (a numeric string is not) at most the value; an absent value never is',
  jsonRulesEngine: `its \`lessThanInclusive\` takes numeric strings`,
  order: 60,
  symbol: '≤',
  asciiSymbol: '<=',
  neighbour: 'lessThan',
  overlap: 'interval',
  sample: { on: ['number'] },
  hint: ['at most', 'more than'],
  actual: { type: 'number', says: 'compares numbers' },
  boundaries: [
    [50, 50, true],
    [49.5, 50, true],
    [50.5, 50, false],
    [51, 50, false],
    [null, 50, false],
    [undefined, 50, false],
    ['50', 50, false],
    [0, 0, true],
    [1, '3', false],
  ],
  holds: (actual, expected) => typeof actual === 'number' && typeof expected === 'number' && actual <= expected,
  given: (expected) =>
    typeof expected === 'number' ? (actual) => typeof actual === 'number' && actual <= expected : undefined,
  emit: (a, e) => `(typeof ${a} === 'number' && ${a} <= ${e})`,
})
