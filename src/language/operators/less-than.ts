/** `lessThan`: true when the record's value is a number less than. */
import { defineOperator } from './operator.js'

export const lessThan = defineOperator({
  name: 'lessThan',
  valueKind: 'number',
  describe: 'is less than',
  doc: 'is a number less than',
  actual: { type: 'number', says: 'compares numbers' },
  holds: (actual, expected) => typeof actual === 'number' && typeof expected === 'number' && actual < expected,
  given: (expected) => (typeof expected === 'number' ? (actual) => typeof actual === 'number' && actual < expected : undefined),
})
