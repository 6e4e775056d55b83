/**
 * `dateOnOrAfter`: true when the record's value is a date on or after the value's
 * (a date-time counts by its first ten characters); anything else never is.
 */
import { laterOf } from './dates.js'
import { defineOperator } from './operator.js'

export const dateOnOrAfter = defineOperator({
  name: 'dateOnOrAfter',
  valueKind: 'date',
  describe: 'is on or after',
  doc: "is a date on or after the value's (a date-time counts by its first ten characters); anything else never is",
  jsonRulesEngine: '(none of this name)',
  order: 170,
  neighbour: 'dateAfter',
  overlap: 'interval',
  sample: { on: ['date'] },
  hint: ['on or after', 'before'],
  actual: { type: 'string', says: 'compares dates' },
  holds(actual, expected) {
    const o = laterOf(actual, expected)
    return o === 'left' || o === 'same'
  },
})
