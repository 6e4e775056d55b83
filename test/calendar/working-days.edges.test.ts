/**
 * The working-day calendar at its edges, with sources written for the purpose: holidays whose local
 * day is 23 or 25 hours long (a daylight-saving change), half days, a source listing its holidays out
 * of order, the last supported day, and the bound on remembered addWorkingDays answers.
 */
import { describe, expect, it, vi } from 'vitest'
import { createWorkingDayCalendar, InvalidDateError, type HolidayRecord } from '../../src/calendar/working-days.js'

const calendarOf = (records: (year: number) => readonly HolidayRecord[]) => createWorkingDayCalendar({ source: { getHolidays: records } })
const hours = (h: number) => h * 3_600_000
/** A holiday record from local midnight of `date`, lasting `h` hours by its start and end instants. */
const lasting = (date: string, h: number): HolidayRecord => {
  const start = new Date(`${date}T05:00:00Z`)
  return { date: `${date} 00:00:00`, type: 'public', start, end: new Date(start.getTime() + hours(h)) }
}

describe('holidays across a daylight-saving change', () => {
  it('count a 25-hour local day (clocks back) as that one day, not the next', () => {
    const cal = calendarOf((y) => (y === 2026 ? [lasting('2026-11-02', 25)] : []))
    expect(cal.holidays(2026)).toEqual(['2026-11-02'])
    expect(cal.isWorkingDay('2026-11-03')).toBe(true)
  })

  it('count a 23-hour local day (clocks forward) as that one day', () => {
    const cal = calendarOf((y) => (y === 2026 ? [lasting('2026-03-09', 23)] : []))
    expect(cal.holidays(2026)).toEqual(['2026-03-09'])
  })

  it('count two days with a change inside them (47 or 49 hours) as two days', () => {
    for (const h of [47, 49]) {
      const cal = calendarOf((y) => (y === 2026 ? [lasting('2026-11-02', h)] : []))
      expect(cal.holidays(2026), `${h} h`).toEqual(['2026-11-02', '2026-11-03'])
    }
  })

  it('do not snap a duration more than an hour from whole days: 26 hours reach the next midnight', () => {
    const cal = calendarOf((y) => (y === 2026 ? [lasting('2026-11-02', 26)] : []))
    expect(cal.holidays(2026)).toEqual(['2026-11-02', '2026-11-03'])
  })

  it('take a holiday whose end is not after its start as one day', () => {
    for (const h of [0, -5]) {
      const cal = calendarOf((y) => (y === 2026 ? [lasting('2026-11-02', h)] : []))
      expect(cal.holidays(2026), `${h} h`).toEqual(['2026-11-02'])
    }
  })
})

describe('half-day holidays', () => {
  it('make no day non-working when they end before midnight', () => {
    const cal = calendarOf((y) =>
      y === 2026 ? [lasting('2026-12-24', 12), { ...lasting('2026-12-31', 13), date: '2026-12-31 12:00' }] : [],
    )
    expect(cal.holidays(2026)).toEqual(['2026-12-24'])
    expect(cal.isWorkingDay('2026-12-31')).toBe(true)
  })

  it('starting at noon without an end, cover the next midnight only', () => {
    const cal = calendarOf((y) => (y === 2026 ? [{ date: '2026-04-01 12:00:00', type: 'public' }] : []))
    expect(cal.isWorkingDay('2026-04-01')).toBe(true)
    expect(cal.isWorkingDay('2026-04-02')).toBe(false)
    expect(cal.holidays(2026)).toEqual(['2026-04-02'])
  })
})

describe('a holiday source listing its holidays out of order', () => {
  it('gives each year its holidays sorted by date, across the day number 10,000 (1997-05-19)', () => {
    const cal = calendarOf((y) => [
      { date: `${y}-12-25`, type: 'public' },
      { date: `${y}-07-04`, type: 'public' },
      { date: `${y}-01-01`, type: 'public' },
      { date: `${y}-01-01`, type: 'public' },
    ])
    expect(cal.holidays(1997)).toEqual(['1997-01-01', '1997-07-04', '1997-12-25'])
    expect(cal.holidays(2026)).toEqual(['2026-01-01', '2026-12-25']) // Saturday 2026-07-04 is no weekday holiday
  })
})

describe('the last supported day', () => {
  const cal = calendarOf(() => [])

  it('answers up to 9999-12-31 and refuses to walk past it', () => {
    expect(cal.addWorkingDays('9999-12-30', 1)).toBe('9999-12-31')
    expect(cal.isWorkingDay('9999-12-31')).toBe(true) // a Friday
    expect(cal.workingDaysBetween('9999-12-24', '9999-12-31')).toBe(5)
    const err = (() => {
      try {
        cal.addWorkingDays('9999-12-31', 1)
      } catch (e) {
        return e
      }
    })()
    expect(err).toBeInstanceOf(InvalidDateError)
    expect((err as Error).message).toBe('Date 10000-01-03 is outside the supported years 1–9999')
  })

  it('counts from the first supported day, a Monday', () => {
    expect(cal.isWorkingDay('0001-01-01')).toBe(true)
    expect(cal.workingDaysBetween('0001-01-01', '0001-01-08')).toBe(5)
    expect(cal.workingDaysBetween('0001-01-08', '0001-01-01')).toBe(-5)
  })
})

describe('remembered addWorkingDays answers', () => {
  it('are forgotten when 10,000 are kept, and each answer stays right', () => {
    const cal = calendarOf(() => [])
    const clear = vi.spyOn(Map.prototype, 'clear')
    try {
      const day = (i: number) => new Date(Date.UTC(2000, 0, 1 + i)).toISOString().slice(0, 10)
      // 10,000 different questions are kept without a clear; a question asked again is answered from memory
      for (let i = 0; i < 10_000; i++) expect(cal.addWorkingDays(day(i), 0)).toBe(day(i))
      expect(cal.addWorkingDays(day(0), 0)).toBe(day(0))
      expect(clear).not.toHaveBeenCalled()
      // the 10,001st clears them, once
      expect(cal.addWorkingDays('2026-11-27', 1)).toBe('2026-11-30')
      expect(clear).toHaveBeenCalledTimes(1)
      expect(cal.addWorkingDays(day(5), 0)).toBe(day(5))
      expect(clear).toHaveBeenCalledTimes(1)
    } finally {
      clear.mockRestore()
    }
  })
})
