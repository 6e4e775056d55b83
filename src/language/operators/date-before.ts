/** `dateBefore`: true when the record's value is a calendar date before. */
import { laterOf } from './dates.js'
import { defineOperator } from './operator.js'

export const dateBefore = defineOperator({
  name: 'dateBefore',
  valueKind: 'date',
  describe: 'is before',
  doc: 'is a calendar date before',
  actual: { type: 'string', says: 'compares dates' },
  holds: (actual, expected) => laterOf(actual, expected) === 'right',
})
