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
  boundaries: [
    ['2026-12-01', '2026-12-01', true],
    ['2026-11-30', '2026-12-01', true],
    ['2026-12-02', '2026-12-01', false],
    ['2026-02-30', '2026-12-01', false],
    ['2026-12-01T23:59:59Z', '2026-12-01', true],
    ['2026-12-01T23:59:59-12:00', '2026-12-01', true],
    ['2026-12-02T00:00:00Z', '2026-12-01', false],
    [undefined, '2026-12-01', false],
    [null, '2026-12-01', false],
    [20261201, '2026-12-01', false],
  ],
  holds(actual, expected) {
    const o = laterOf(actual, expected)
    return o === 'right' || o === 'same'
  },
})
