/** `present`: with true, the value is there and not empty (values.ts says which strings are blank); false: not. */
import { isPresent } from '../values.js'
import { defineOperator } from './operator.js'

export const present = defineOperator({
  name: 'present',
  valueKind: 'boolean',
  describe: 'is present (non-empty)',
  doc:
    'with `true`: is there and not empty, so not absent, null, a blank string (every character Unicode White_Space ' +
    'or Default_Ignorable_Code_Point: spaces, tabs, line breaks, U+00A0, U+3000, U+200B, U+FEFF) or an empty list ' +
    '(`{}`, `0` and `false` are present); with `false`: the opposite',
  jsonRulesEngine: '(none of this name)',
  order: 90,
  overlap: 'presence',
  sample: { on: ['string', 'number', 'boolean', 'date', 'strings', 'objects', 'object'] },
  judgesMissing: true,
  boundaries: [
    ['a', true, true],
    [' x', true, true],
    ['', true, false],
    ['   ', true, false],
    ['\u00a0', true, false],
    [[], true, false],
    [[0], true, true],
    [{}, true, true],
    [0, true, true],
    [false, true, true],
    [undefined, true, false],
    [null, false, true],
    ['', false, true],
    ['a', false, false],
    ['\t', true, false],
    [' \t\n ', true, false],
    [' \t\n ', false, true],
    ['  a', true, true],
  ],
  holds: (actual, expected) => isPresent(actual) === (expected === true),
  given: (expected) =>
    typeof expected === 'boolean' ? (expected ? isPresent : (actual) => !isPresent(actual)) : undefined,
})
