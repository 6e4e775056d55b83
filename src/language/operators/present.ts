/** `present`: true when the record's value with true: is there and not empty, so not absent, null, a blank string (spaces, tabs, U+00A0) or an empty list ({}, 0 and false are present); with false: the opposite. */
import { isPresent } from '../values.js'
import { defineOperator } from './operator.js'

export const present = defineOperator({
  name: 'present',
  valueKind: 'boolean',
  describe: 'is present (non-empty)',
  doc: `with \`true\`: is there and not empty, so not absent, null, a blank string (spaces, tabs, U+00A0) or an empty list (\`{}\`, \`0\` and \`false\` are present); with \`false\`: the opposite`,
  jsonRulesEngine: '(none of this name)',
  judgesMissing: true,
  holds: (actual, expected) => isPresent(actual) === (expected === true),
  given: (expected) => (typeof expected === 'boolean' ? (expected ? isPresent : (actual) => !isPresent(actual)) : undefined),
})
