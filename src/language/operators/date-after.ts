/** `dateAfter`: true when the record's value is a calendar date after. */
import { laterOf } from './dates.js'
import { defineOperator } from './operator.js'

export const dateAfter = defineOperator({
  name: 'dateAfter',
  valueKind: 'date',
  describe: 'is after',
  doc: 'is a calendar date after',
  actual: { type: 'string', says: 'compares dates' },
  holds: (actual, expected) => laterOf(actual, expected) === 'left',
})
