/** `greaterThan`: true when the record's value is a number greater than. */
import { defineOperator } from './operator.js'

export const greaterThan = defineOperator({
  name: 'greaterThan',
  valueKind: 'number',
  describe: 'is greater than',
  doc: 'is a number greater than',
  actual: { type: 'number', says: 'compares numbers' },
  holds: (actual, expected) => typeof actual === 'number' && typeof expected === 'number' && actual > expected,
  given: (expected) => (typeof expected === 'number' ? (actual) => typeof actual === 'number' && actual > expected : undefined),
})
