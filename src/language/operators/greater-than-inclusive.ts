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
  holds: (actual, expected) => typeof actual === 'number' && typeof expected === 'number' && actual >= expected,
  given: (expected) =>
    typeof expected === 'number' ? (actual) => typeof actual === 'number' && actual >= expected : undefined,
  emit: (a, e) => `(typeof ${a} === 'number' && ${a} >= ${e})`,
})
