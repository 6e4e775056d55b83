/**
 * `in`: true when the record's value is a string, number or boolean in the list; an absent value, a list or an object
 * never is.
 */
import { isScalar } from '../values.js'
import { defineOperator } from './operator.js'

export const isIn = defineOperator({
  name: 'in',
  valueKind: 'list',
  describe: 'is one of',
  doc: 'is a string, number or boolean in the list; an absent value, a list or an object never is',
  jsonRulesEngine: `its \`in\` is \`indexOf\` on anything`,
  order: 30,
  negation: 'notIn',
  overlap: 'set',
  sample: { on: ['string', 'number'] },
  hint: ['one of', 'none of'],
  boundaries: [
    ['seller', ['seller', 'partner'], true],
    ['shop', ['seller'], false],
    [undefined, ['seller'], false],
    [['seller'], ['seller'], false],
    [null, ['seller'], false],
    [1, [1, 2], true],
    ['1', [1, 2], false],
    // a string value is no list, even one that contains the text
    ['a', 'abc', false],
    // a missing value is in no list, even one that holds null
    [null, [null, 'a'], false],
  ],
  holds: (actual, expected) => isScalar(actual) && Array.isArray(expected) && expected.includes(actual),
  given: (expected) =>
    Array.isArray(expected) ? (actual) => isScalar(actual) && expected.includes(actual) : undefined,
  // the list holds scalars only, so includes() is false for anything else, as isScalar would say
  emit: (a, e) => `${e}.includes(${a})`,
})
