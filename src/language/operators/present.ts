/** `present`: true when the record's value is present and not empty (true), or missing, blank or empty (false). */
import { isPresent } from '../values.js'
import { defineOperator } from './operator.js'

export const present = defineOperator({
  name: 'present',
  valueKind: 'boolean',
  describe: 'is present (non-empty)',
  doc: `is present and not empty (\`true\`), or missing, blank or empty (\`false\`)`,
  judgesMissing: true,
  holds: (actual, expected) => isPresent(actual) === (expected === true),
  given: (expected) => (typeof expected === 'boolean' ? (expected ? isPresent : (actual) => !isPresent(actual)) : undefined),
})
