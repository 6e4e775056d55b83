/** `notEqual`: true when the record's value differs from (a missing value, a list or an object never does). */
import { isScalar } from '../values.js'
import { defineOperator } from './operator.js'

export const notEqual = defineOperator({
  name: 'notEqual',
  valueKind: 'scalar',
  describe: 'differs from',
  doc: 'differs from (a missing value, a list or an object never does)',
  holds: (actual, expected) => isScalar(actual) && actual !== expected,
  given: (expected) => (isScalar(expected) ? (actual) => actual !== expected && isScalar(actual) : undefined),
})
