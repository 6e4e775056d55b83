/** `containsOnly`: true when the record's value is a list of items all from (an empty list is). */
import { defineOperator } from './operator.js'

export const containsOnly = defineOperator({
  name: 'containsOnly',
  valueKind: 'list',
  describe: 'contains only items from',
  doc: 'is a list of items all from (an empty list is)',
  actual: { type: 'array', says: 'works on lists' },
  holds: (actual, expected) => Array.isArray(actual) && Array.isArray(expected) && actual.every((a) => expected.includes(a)),
  given: (expected) =>
    Array.isArray(expected) ? (actual) => Array.isArray(actual) && actual.every((x) => expected.includes(x)) : undefined,
})
