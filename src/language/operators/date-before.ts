/**
 * `dateBefore`: true when the record's value is a date before the value's (a date-time
 * counts by its first ten characters, time and zone ignored); anything else never is.
 */
import { laterOf } from './dates.js'
import { defineOperator } from './operator.js'

export const dateBefore = defineOperator({
  name: 'dateBefore',
  valueKind: 'date',
  describe: 'is before',
  doc:
    "is a date before the value's (a date-time counts by its first ten characters, time and zone ignored); " +
    'anything else never is',
  jsonRulesEngine: '(none of this name)',
  order: 140,
  neighbour: 'dateOnOrBefore',
  overlap: 'interval',
  sample: { on: ['date'] },
  hint: ['before', 'on or after'],
  actual: { type: 'string', says: 'compares dates' },
  holds: (actual, expected) => laterOf(actual, expected) === 'right',
})
