/**
 * `notIn`: true when the record's value is a string, number or boolean not in the list; an absent value, a list or an
 * object never is.
 */
import { isScalar } from '../values.js'
import { defineOperator } from './operator.js'

export const notIn = defineOperator({
  name: 'notIn',
  valueKind: 'list',
  describe: 'is none of',
  doc: 'is a string, number or boolean not in the list; an absent value, a list or an object never is',
  jsonRulesEngine: `its \`notIn\` holds for an absent value, a list or an object`,
  order: 40,
  negation: 'in',
  overlap: 'set',
  sample: { on: ['string', 'boolean'] },
  hint: ['none of', 'one of'],
  boundaries: [
    ['shop', ['seller'], true],
    ['seller', ['seller'], false],
    [undefined, ['seller'], false],
    [['shop'], ['seller'], false],
    [null, ['seller'], false],
    ['1', [1, 2], true],
    [2, [1, 2], false],
    ['z', 'abc', false],
  ],
  holds: (actual, expected) => isScalar(actual) && Array.isArray(expected) && !expected.includes(actual),
  given: (expected) =>
    Array.isArray(expected) ? (actual) => isScalar(actual) && !expected.includes(actual) : undefined,
  emit: (a, e) =>
    `((typeof ${a} === 'string' || typeof ${a} === 'number' || typeof ${a} === 'boolean') && !${e}.includes(${a}))`,
})
