/**
 * `noneMatch`: true when the record's value is a list with no element that meets
 * the condition (an empty list has none); an absent value or a non-list never is.
 */
import { defineOperator } from './operator.js'

export const noneMatch = defineOperator({
  name: 'noneMatch',
  valueKind: 'condition',
  describe: 'has no element matching',
  doc:
    'is a list with no element that meets the condition (an empty list has none); an absent value or a non-list ' +
    'never is',
  jsonRulesEngine: '(none of this name)',
  order: 130,
  negation: 'someMatch',
  sample: { on: ['strings', 'objects'] },
  hint: ['without elements', undefined],
  actual: { type: 'array', says: 'works on lists' },
  boundaries: [
    [[], true, true],
    [[{ id: 1 }], true, false],
    [undefined, true, false],
  ],
  holds: (actual, _expected) => Array.isArray(actual) && actual.length === 0,
})
