/**
 * `containsOnly`: true when the record's value is a list whose items are all in the value (an empty list is); an
 * absent value or a non-list never is.
 */
import { defineOperator } from './operator.js'

export const containsOnly = defineOperator({
  name: 'containsOnly',
  valueKind: 'list',
  describe: 'contains only items from',
  doc: 'is a list whose items are all in the value (an empty list is); an absent value or a non-list never is',
  jsonRulesEngine: '(none of this name)',
  order: 110,
  negation: 'containsAny',
  sample: { on: ['strings'] },
  hint: ['without items', undefined],
  actual: { type: 'array', says: 'works on lists' },
  boundaries: [
    [['a'], ['a', 'b'], true],
    [['a', 'c'], ['a', 'b'], false],
    [[], ['a'], true],
    ['a', ['a'], false],
    [undefined, ['a'], false],
    [['a'], 'abc', false],
  ],
  holds: (actual, expected) =>
    Array.isArray(actual) && Array.isArray(expected) && actual.every((a) => expected.includes(a)),
  given: (expected) =>
    Array.isArray(expected)
      ? (actual) => Array.isArray(actual) && actual.every((x) => expected.includes(x))
      : undefined,
})
