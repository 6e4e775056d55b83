/** `notIn`: true when the record's value is none of (a missing value, a list or an object never is). */
import { isScalar } from '../values.js'
import { defineOperator } from './operator.js'

export const notIn = defineOperator({
  name: 'notIn',
  valueKind: 'list',
  describe: 'is none of',
  doc: 'is none of (a missing value, a list or an object never is)',
  holds: (actual, expected) => isScalar(actual) && Array.isArray(expected) && !expected.includes(actual),
  given: (expected) => (Array.isArray(expected) ? (actual) => isScalar(actual) && !expected.includes(actual) : undefined),
})
