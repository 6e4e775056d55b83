/**
 * `notEqual`: true when the record's value is a string, number or boolean
 * other than the value; an absent value, a list or an object never is.
 */
import { isScalar } from '../values.js'
import { defineOperator } from './operator.js'

export const notEqual = defineOperator({
  name: 'notEqual',
  valueKind: 'scalar',
  describe: 'differs from',
  doc: 'is a string, number or boolean other than the value; an absent value, a list or an object never is',
  jsonRulesEngine: `its \`notEqual\` holds for an absent value, a list or an object`,
  order: 20,
  symbol: '≠',
  negation: 'equal',
  overlap: 'set',
  sample: { on: ['string', 'number', 'boolean'] },
  hint: ['other than', 'equal to'],
  boundaries: [
    ['CA', 'US', true],
    ['US', 'US', false],
    [undefined, 'US', false],
    [null, 'US', false],
    [['CA'], 'US', false],
    [{}, 'US', false],
    [2, 1, true],
    [1, 1, false],
    ['1', 1, true],
    [false, true, true],
  ],
  holds: (actual, expected) => isScalar(actual) && actual !== expected,
  given: (expected) => (isScalar(expected) ? (actual) => actual !== expected && isScalar(actual) : undefined),
  emit: (a, e) =>
    `(${a} !== ${e} && (typeof ${a} === 'string' || typeof ${a} === 'number' || typeof ${a} === 'boolean'))`,
})
