/**
 * `dateOnOrBefore`: true when the record's value is a date on or before the value's
 * (a date-time counts by its first ten characters); anything else never is.
 */
import { laterOf } from './dates.js'
import { defineOperator } from './operator.js'

export const dateOnOrBefore = defineOperator({
  name: 'dateOnOrBefore',
  valueKind: 'date',
  describe: 'is on or before',
  doc: "is a date on or before the value's (a date-time counts by its first ten characters); anything else never is",
  jsonRulesEngine: '(none of this name)',
  order: 150,
  neighbour: 'dateBefore',
  overlap: 'interval',
  sample: { on: ['date'] },
  hint: ['on or before', 'after'],
  actual: { type: 'string', says: 'compares dates' },
  holds(actual, expected) {
    const o = laterOf(actual, expected)
    return o === 'right' || o === 'same'
  },
})
