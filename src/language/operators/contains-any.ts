/**
 * `containsAny`: true when the record's value is a list with an item equal to an item of the value; an empty list, an
 * absent value or a non-list never is.
 */
import { defineOperator } from './operator.js'

export const containsAny = defineOperator({
  name: 'containsAny',
  valueKind: 'list',
  describe: 'contains at least one of',
  doc: 'is a list with an item equal to an item of the value; an empty list, an absent value or a non-list never is',
  jsonRulesEngine: `(none of this name; its \`contains\` takes one item)`,
  order: 100,
  negation: 'containsOnly',
  sample: { on: ['strings'] },
  hint: ['containing one of', 'without items'],
  actual: { type: 'array', says: 'works on lists' },
  boundaries: [
    [['a', 'b'], ['b'], true],
    [['a'], ['b'], false],
    [[], ['b'], false],
    ['b', ['b'], false],
    [undefined, ['b'], false],
    [['a'], 'abc', false],
  ],
  holds: (actual, expected) =>
    Array.isArray(actual) && Array.isArray(expected) && actual.some((a) => expected.includes(a)),
  given: (expected) =>
    Array.isArray(expected) ? (actual) => Array.isArray(actual) && actual.some((x) => expected.includes(x)) : undefined,
})
