/** `equal`: true when the record's value equals. */
import { isScalar } from '../values.js'
import { defineOperator } from './operator.js'

export const equal = defineOperator({
  name: 'equal',
  valueKind: 'scalar',
  describe: 'equals',
  doc: 'equals',
  holds: (actual, expected) => isScalar(actual) && actual === expected,
  strictlyEquals: (expected) => (isScalar(expected) ? { value: expected } : undefined),
  given: (expected) => (isScalar(expected) ? (actual) => actual === expected : undefined),
})
