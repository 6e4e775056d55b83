/**
 * `someMatch`: true when the record's value is a list with an element
 * that meets the condition; an absent value or a non-list never is.
 */
import { defineOperator } from './operator.js'

export const someMatch = defineOperator({
  name: 'someMatch',
  valueKind: 'condition',
  describe: 'has an element matching',
  doc: 'is a list with an element that meets the condition; an absent value or a non-list never is',
  jsonRulesEngine: '(none of this name)',
  order: 120,
  negation: 'noneMatch',
  sample: { on: ['strings', 'objects'] },
  hint: [undefined, 'without elements'],
  actual: { type: 'array', says: 'works on lists' },
  boundaries: [
    [[{ id: 1 }], true, true],
    [[], true, false],
    [undefined, true, false],
  ],
  holds: (actual, _expected) => Array.isArray(actual) && actual.length > 0,
})
