/** `in`: true when the record's value is one of. */
import { isScalar } from '../values.js'
import { defineOperator } from './operator.js'

export const isIn = defineOperator({
  name: 'in',
  valueKind: 'list',
  describe: 'is one of',
  doc: 'is one of',
  holds: (actual, expected) => isScalar(actual) && Array.isArray(expected) && expected.includes(actual),
  given: (expected) => (Array.isArray(expected) ? (actual) => isScalar(actual) && expected.includes(actual) : undefined),
})
