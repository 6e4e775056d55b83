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
  boundaries: [
    ['2026-12-02', '2026-12-01', true],
    ['2026-12-01', '2026-12-01', false],
    ['2026-11-30', '2026-12-01', false],
    ['2026-12-02', undefined, false],
    ['2026-12-01T23:59:59Z', '2026-12-01', false],
    ['2026-12-02T00:00:00Z', '2026-12-01', true],
    [undefined, '2026-12-01', false],
    ['later', '2026-12-01', false],
  ],
  holds: (actual, expected) => laterOf(actual, expected) === 'left',
})
