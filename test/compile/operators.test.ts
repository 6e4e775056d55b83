import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { calendarDate, strictCalendarDate } from '../../src/language/operators.js'

/** Whether a day exists in the proleptic Gregorian calendar (setUTCFullYear: no 0–99 → 1900s mapping). */
function exists(y: number, mo: number, d: number): boolean {
  const t = new Date(0)
  t.setUTCFullYear(y, mo - 1, d)
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d
}
const pad = (n: number, width: number) => String(n).padStart(width, '0')

describe('calendarDate', () => {
  // one definition with the record schemas: a date or an RFC 3339 date-time (seconds and a zone), years 0000–9999
  it('accepts exactly the days that exist, alone or in a date-time with seconds and a zone', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 9999 }),
        fc.integer({ min: 0, max: 13 }),
        fc.integer({ min: 0, max: 32 }),
        fc.constantFrom('', 'T10:00:00Z', ' 10:00:00+05:30', 't23:59:59.5z', ' 10:00', 'T10:00:00', 'T25:00:00Z', ' Ltd'),
        (y, mo, d, time) => {
          const text = `${pad(y, 4)}-${pad(mo, 2)}-${pad(d, 2)}`
          const timeOk = ['', 'T10:00:00Z', ' 10:00:00+05:30', 't23:59:59.5z'].includes(time)
          expect(calendarDate(text + time)).toBe(exists(y, mo, d) && timeOk ? text : undefined)
        },
      ),
      { numRuns: 3000, seed: 20261125 },
    )
  })

  it('knows the century rules of February 29', () => {
    expect(calendarDate('2024-02-29')).toBe('2024-02-29')
    expect(calendarDate('2000-02-29')).toBe('2000-02-29')
    expect(calendarDate('2100-02-29')).toBeUndefined()
    expect(calendarDate('2023-02-29')).toBeUndefined()
    expect(calendarDate('2026-04-31')).toBeUndefined()
  })

  it('refuses what is not a date', () => {
    for (const v of [
      undefined,
      null,
      20261125,
      '',
      '2026-1-05',
      '2026-11-25x',
      '26-11-25',
      '2026-00-10',
      '2026-13-01',
      '2026-11-00',
      '2026-01-02 Ltd',
    ]) {
      expect(calendarDate(v), String(v)).toBeUndefined()
    }
    expect(strictCalendarDate('2026-11-25T00:00:00Z')).toBeUndefined()
    expect(strictCalendarDate('2026-11-25')).toBe('2026-11-25')
  })
})
