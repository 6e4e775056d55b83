/** `dateOnOrAfter`: true when the record's value is a calendar date on or after. */
import { laterOf } from './dates.js'
import { defineOperator } from './operator.js'

export const dateOnOrAfter = defineOperator({
  name: 'dateOnOrAfter',
  valueKind: 'date',
  describe: 'is on or after',
  doc: 'is a calendar date on or after',
  actual: { type: 'string', says: 'compares dates' },
  holds(actual, expected) {
    const o = laterOf(actual, expected)
    return o === 'left' || o === 'same'
  },
})
