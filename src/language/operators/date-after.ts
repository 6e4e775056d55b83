/**
 * `dateAfter`: true when the record's value is a date after the value's (a
 * date-time counts by its first ten characters); anything else never is.
 */
import { laterOf } from './dates.js'
import { defineOperator } from './operator.js'

export const dateAfter = defineOperator({
  name: 'dateAfter',
  valueKind: 'date',
  describe: 'is after',
  doc: "is a date after the value's (a date-time counts by its first ten characters); anything else never is",
  jsonRulesEngine: '(none of this name)',
  order: 160,
  neighbour: 'dateOnOrAfter',
  overlap: 'interval',
  sample: { on: ['date'] },
  hint: ['after', 'on or before'],
  actual: { type: 'string', says: 'compares dates' },
  holds: (actual, expected) => laterOf(actual, expected) === 'left',
})
