/**
 * `equal`: true when the record's value is the same string, number or boolean
 * (strictly: 1 is not "1"); an absent value, a list or an object never is.
 */
import { isScalar } from '../values.js'
import { defineOperator } from './operator.js'

export const equal = defineOperator({
  name: 'equal',
  valueKind: 'scalar',
  describe: 'equals',
  doc:
    `is the same string, number or boolean (strictly: \`1\` is not \`"1"\`); an absent value, a list or an ` +
    `object never is`,
  jsonRulesEngine: `its \`equal\` is \`===\` on anything: a list or an object is compared by identity`,
  order: 10,
  symbol: '=',
  negation: 'notEqual',
  overlap: 'set',
  sample: { on: ['string', 'number', 'boolean', 'date'] },
  hint: ['equal to', 'other than'],
  boundaries: [
    ['US', 'US', true],
    ['CA', 'US', false],
    [1, 1, true],
    [1, '1', false],
    [undefined, 'US', false],
    [null, null, false],
    [['US'], 'US', false],
    [true, true, true],
    [false, true, false],
    [0, false, false],
  ],
  holds: (actual, expected) => isScalar(actual) && actual === expected,
  // Stryker disable next-line ArrowFunction: test/mutation/equivalent.md#strict-equals
  strictlyEquals: (expected) => (isScalar(expected) ? { value: expected } : undefined),
  given: (expected) => (isScalar(expected) ? (actual) => actual === expected : undefined),
  emit: (a, e) => `(${a} === ${e})`,
})
