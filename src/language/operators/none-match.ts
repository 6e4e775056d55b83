/** `noneMatch`: true when the record's value is a list with no element matching. */
import { defineOperator } from './operator.js'

export const noneMatch = defineOperator({
  name: 'noneMatch',
  valueKind: 'condition',
  describe: 'has no element matching',
  doc: 'is a list with no element matching',
  actual: { type: 'array', says: 'works on lists' },
  holds: (actual, _expected) => Array.isArray(actual) && actual.length === 0,
})
