/** `containsAny`: true when the record's value is a list with at least one of. */
import { defineOperator } from './operator.js'

export const containsAny = defineOperator({
  name: 'containsAny',
  valueKind: 'list',
  describe: 'contains at least one of',
  doc: 'is a list with at least one of',
  actual: { type: 'array', says: 'works on lists' },
  holds: (actual, expected) => Array.isArray(actual) && Array.isArray(expected) && actual.some((a) => expected.includes(a)),
  given: (expected) =>
    Array.isArray(expected) ? (actual) => Array.isArray(actual) && actual.some((x) => expected.includes(x)) : undefined,
})
