/**
 * `lessThan`: true when the record's value is a number (a numeric string is not) less than the value; an absent value
 * never is.
 */
import { defineOperator } from './operator.js'

export const lessThan = defineOperator({
  name: 'lessThan',
  valueKind: 'number',
  describe: 'is less than',
  doc: 'is a number (a numeric string is not) less than the value; an absent value never is',
  jsonRulesEngine: `its \`lessThan\` takes numeric strings (\`"49"\` is less than 50)`,
  order: 50,
  symbol: '<',
  asciiSymbol: '<',
  neighbour: 'lessThanInclusive',
  overlap: 'interval',
  sample: { on: ['number'] },
  hint: ['less than', 'at least'],
  actual: { type: 'number', says: 'compares numbers' },
  boundaries: [
    [49, 50, true],
    [50, 50, false],
    [51, 50, false],
    ['49', 50, false],
    [undefined, 50, false],
    [null, 50, false],
    [49.9999, 50, true],
    [-1, 0, true],
    [0, 0, false],
    [true, 50, false],
    [1, '3', false],
  ],
  holds: (actual, expected) => typeof actual === 'number' && typeof expected === 'number' && actual < expected,
  given: (expected) =>
    typeof expected === 'number' ? (actual) => typeof actual === 'number' && actual < expected : undefined,
  emit: (a, e) => `(typeof ${a} === 'number' && ${a} < ${e})`,
})
