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
  boundaries: [
    ['2026-11-30', '2026-12-01', true],
    ['2026-12-01', '2026-12-01', false],
    ['2026-12-02', '2026-12-01', false],
    ['2026-11-30T23:59:59-05:00', '2026-12-01', true],
    ['soon', '2026-12-01', false],
    [undefined, '2026-12-01', false],
    // the same day with a time is not before it, whatever the zone
    ['2026-12-01T00:00:00Z', '2026-12-01', false],
    ['2026-12-01T00:00:00+14:00', '2026-12-01', false],
    [null, '2026-12-01', false],
    [20261130, '2026-12-01', false],
  ],
  holds: (actual, expected) => laterOf(actual, expected) === 'right',
})
