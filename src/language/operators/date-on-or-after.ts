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
  boundaries: [
    ['2026-12-01', '2026-12-01', true],
    ['2026-12-02', '2026-12-01', true],
    ['2026-11-30', '2026-12-01', false],
    [20261202, '2026-12-01', false],
    ['2026-12-01T00:00:00+14:00', '2026-12-01', true],
    ['2026-11-30T23:59:59Z', '2026-12-01', false],
    [undefined, '2026-12-01', false],
    [null, '2026-12-01', false],
  ],
  holds(actual, expected) {
    const o = laterOf(actual, expected)
    return o === 'left' || o === 'same'
  },
})
