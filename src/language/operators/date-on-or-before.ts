/** `dateOnOrBefore`: true when the record's value is a calendar date on or before. */
import { laterOf } from './dates.js'
import { defineOperator } from './operator.js'

export const dateOnOrBefore = defineOperator({
  name: 'dateOnOrBefore',
  valueKind: 'date',
  describe: 'is on or before',
  doc: 'is a calendar date on or before',
  actual: { type: 'string', says: 'compares dates' },
  holds(actual, expected) {
    const o = laterOf(actual, expected)
    return o === 'right' || o === 'same'
  },
})
