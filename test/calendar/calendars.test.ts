import Module, { createRequire } from 'node:module'
import { readFileSync } from 'node:fs'
import { beforeEach, describe, it, expect, vi } from 'vitest'
import {
  calendarNamed,
  DEFAULT_CALENDAR,
  knownCalendars,
  UnknownCalendarError,
  unknownCalendarMessage,
} from '../../src/calendar/calendars.js'
import { createWorkingDayCalendar, usWorkingDays, type HolidayRecord, type WorkingDayCalendar } from '../../src/calendar/working-days.js'
import { CollabgateError } from '../../src/errors.js'
import { thrown } from './thrown.js'

// Loaded with require (not a static import) so that this file itself does not preload anything.
type BDays = { getHolidays(year: number): HolidayRecord[]; check(date: string): boolean }
const requireHere = createRequire(import.meta.url)
function businessDays(options?: { state?: string }): BDays {
  const imported: unknown = requireHere('business-days-js')
  const factory = (typeof imported === 'function' ? imported : (imported as { default: unknown }).default) as (o?: {
    state?: string
  }) => BDays
  return factory(options)
}

// The code UnknownCalendarError carries today; becomes 'E_UNKNOWN_CALENDAR' when errors.ts gets it.
const UNKNOWN_CALENDAR_CODE = 'E_UNKNOWN_CALENDAR'

function eachDay(from: string, to: string): string[] {
  const out: string[] = []
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += 86_400_000) {
    out.push(new Date(t).toISOString().slice(0, 10))
  }
  return out
}

const isWeekend = (d: string) => [0, 6].includes(new Date(`${d}T00:00:00Z`).getUTCDay())

describe('US (default) calendar', () => {
  let us: WorkingDayCalendar
  // built in each test, not while the file is collected: npm run mutation counts code run then as reached by every test
  beforeEach(() => {
    us = calendarNamed('US')
  })

  it('is the default and is usWorkingDays itself', () => {
    expect(DEFAULT_CALENDAR).toBe('US')
    expect(us).toBe(usWorkingDays)
    expect(calendarNamed(DEFAULT_CALENDAR)).toBe(usWorkingDays)
  })

  it('observes Veterans Day on the Friday before a Saturday and the Monday after a Sunday', () => {
    expect(us.isWorkingDay('2023-11-10')).toBe(false) // Fri; Nov 11 2023 is a Saturday
    expect(us.isWorkingDay('2028-11-10')).toBe(false) // Fri; Nov 11 2028 is a Saturday
    expect(us.isWorkingDay('2029-11-12')).toBe(false) // Mon; Nov 11 2029 is a Sunday
    expect(us.holidays(2023)).toContain('2023-11-10')
    expect(us.holidays(2028)).toContain('2028-11-10')
    expect(us.holidays(2029)).toContain('2029-11-12')
    expect(us.addWorkingDays('2023-11-09', 1)).toBe('2023-11-13')
    expect(us.addWorkingDays('2029-11-09', 1)).toBe('2029-11-13')
    // business-days-js leaves these days out of its public list (date-holidays types them `bank`)
    const bDays = businessDays()
    for (const d of ['2023-11-10', '2028-11-10', '2029-11-12']) {
      expect(bDays.getHolidays(Number(d.slice(0, 4))).map((h) => h.date.slice(0, 10))).not.toContain(d)
      expect(bDays.check(d)).toBe(true)
    }
  })

  it('keeps Veterans Day on Nov 11 itself when it is a weekday, with no extra day', () => {
    for (const d of ['2024-11-11', '2025-11-11', '2026-11-11', '2027-11-11', '2030-11-11']) {
      expect([d, us.isWorkingDay(d)]).toEqual([d, false])
    }
    for (const d of ['2024-11-08', '2024-11-12', '2026-11-10', '2026-11-12']) {
      expect([d, us.isWorkingDay(d)]).toEqual([d, true])
    }
  })

  it('differs from the business-days-js list over 2023–2030 by exactly the observed Veterans Days', () => {
    const raw = businessDays()
    const old = createWorkingDayCalendar({ source: { getHolidays: (y) => raw.getHolidays(y) } })
    const added: string[] = []
    const removed: string[] = []
    for (let year = 2023; year <= 2030; year++) {
      const before = new Set(old.holidays(year))
      const after = new Set(us.holidays(year))
      for (const d of after) if (!before.has(d)) added.push(d)
      for (const d of before) if (!after.has(d)) removed.push(d)
    }
    expect(added.sort()).toEqual(['2023-11-10', '2028-11-10', '2029-11-12'])
    expect(removed).toEqual([])
    // and day by day, straight from business-days-js' list (weekends excluded)
    const listed = new Set<string>()
    for (let year = 2023; year <= 2030; year++) for (const h of raw.getHolidays(year)) listed.add(h.date.slice(0, 10))
    const differ = eachDay('2023-01-01', '2030-12-31').filter((d) => us.isWorkingDay(d) !== (!isWeekend(d) && !listed.has(d)))
    expect(differ).toEqual(['2023-11-10', '2028-11-10', '2029-11-12'])
  })

  it('US-CA: business-days-js state holidays plus the observed Veterans Day', () => {
    const ca = calendarNamed('US-CA')
    expect(ca.holidays(2026)).toContain('2026-03-31') // César Chávez Day
    expect(ca.holidays(2026)).toContain('2026-11-27') // day after Thanksgiving
    expect(ca.holidays(2026)).not.toContain('2026-10-12') // no Columbus Day
    expect(ca.isWorkingDay('2023-11-10')).toBe(false)
    expect(ca.isWorkingDay('2029-11-12')).toBe(false)
    expect(ca.isWorkingDay('2026-11-11')).toBe(false)
    expect(calendarNamed('US-NY').isWorkingDay('2028-11-10')).toBe(false)
  })
})

describe('date-holidays calendars', () => {
  it('GB-ENG: the England and Wales bank holidays (gov.uk lists) are non-working, substitutes included', () => {
    const eng = calendarNamed('GB-ENG')
    expect(eng.holidays(2026)).toEqual([
      '2026-01-01', // New Year's Day
      '2026-04-03', // Good Friday
      '2026-04-06', // Easter Monday
      '2026-05-04', // Early May bank holiday
      '2026-05-25', // Spring bank holiday
      '2026-08-31', // Summer bank holiday
      '2026-12-25', // Christmas Day (Fri)
      '2026-12-28', // Boxing Day (substitute day, Mon)
    ])
    expect(eng.holidays(2027)).toEqual([
      '2027-01-01',
      '2027-03-26',
      '2027-03-29',
      '2027-05-03',
      '2027-05-31',
      '2027-08-30',
      '2027-12-27', // Christmas Day (substitute day)
      '2027-12-28', // Boxing Day (substitute day)
    ])
    expect(eng.isWorkingDay('2026-12-28')).toBe(false)
    expect(eng.isWorkingDay('2026-12-29')).toBe(true)
    expect(eng.isWorkingDay('2027-12-27')).toBe(false)
    expect(eng.isWorkingDay('2027-12-28')).toBe(false)
    expect(eng.isWorkingDay('2027-12-29')).toBe(true)
    expect(eng.isWorkingDay('2026-11-26')).toBe(true) // US Thanksgiving is not a GB holiday
  })

  it('GB: the country-level list, every nation-wide bank holiday but no summer bank holiday (it differs by nation)', () => {
    const gb = calendarNamed('GB')
    expect(gb.holidays(2026)).toEqual(['2026-01-01', '2026-04-03', '2026-04-06', '2026-05-04', '2026-05-25', '2026-12-25', '2026-12-28'])
    expect(gb.isWorkingDay('2026-12-25')).toBe(false)
    expect(gb.isWorkingDay('2026-12-28')).toBe(false)
    expect(gb.isWorkingDay('2027-12-27')).toBe(false)
    expect(gb.isWorkingDay('2027-12-28')).toBe(false)
    expect(gb.isWorkingDay('2026-08-31')).toBe(true) // England's summer bank holiday: name GB-ENG for it
  })

  it('GB-SCT: 2 January, St Andrew’s Day and its substitute, the August summer holiday, no Easter Monday', () => {
    const sct = calendarNamed('GB-SCT')
    expect(sct.holidays(2026)).toEqual([
      '2026-01-01',
      '2026-01-02', // 2 January
      '2026-04-03',
      '2026-05-04',
      '2026-05-25',
      '2026-08-03', // Summer bank holiday, first Monday in August
      '2026-11-30', // St Andrew's Day (Mon)
      '2026-12-25',
      '2026-12-28',
    ])
    expect(sct.isWorkingDay('2025-12-01')).toBe(false) // St Andrew's Day (Sun 2025-11-30) substitute
    expect(sct.isWorkingDay('2024-12-02')).toBe(false) // St Andrew's Day (Sat 2024-11-30) substitute
    expect(sct.isWorkingDay('2027-01-04')).toBe(false) // 2 January (Sat 2027-01-02) substitute
    expect(sct.isWorkingDay('2026-04-06')).toBe(true) // Easter Monday is not a Scottish bank holiday
    expect(sct.isWorkingDay('2026-08-31')).toBe(true)
    expect(calendarNamed('GB-ENG').isWorkingDay('2026-01-02')).toBe(true)
  })

  it('adds working days across GB bank holidays', () => {
    const eng = calendarNamed('GB-ENG')
    expect(eng.addWorkingDays('2026-08-28', 1)).toBe('2026-09-01') // over Mon 08-31 summer bank holiday
    expect(calendarNamed('US').addWorkingDays('2026-08-28', 1)).toBe('2026-08-31')
    expect(eng.addWorkingDays('2026-04-02', 1)).toBe('2026-04-07') // Good Friday, Easter Monday
    expect(eng.addWorkingDays('2026-12-24', 1)).toBe('2026-12-29') // Christmas, substitute Boxing Day
    expect(eng.addWorkingDays('2027-12-24', 1)).toBe('2027-12-29') // both substitutes
    expect(eng.addWorkingDays('2026-12-23', 7)).toBe('2027-01-06') // 24, 29, 30, 31, Jan 4, 5, 6 (Jan 1 holiday)
    expect(eng.workingDaysBetween('2026-12-23', '2027-01-06')).toBe(7)
    expect(calendarNamed('GB-SCT').addWorkingDays('2026-07-31', 1)).toBe('2026-08-04')
  })

  it('DE-BY: public holidays only (Christmas Eve is typed `bank` and stays a working day)', () => {
    const by = calendarNamed('DE-BY')
    expect(by.isWorkingDay('2026-01-06')).toBe(false) // Epiphany
    expect(by.isWorkingDay('2026-06-04')).toBe(false) // Corpus Christi
    expect(by.isWorkingDay('2026-12-24')).toBe(true) // Heiliger Abend: `bank`
    expect(by.isWorkingDay('2026-11-18')).toBe(true) // Buß- und Bettag: `school` in Bavaria
    expect(calendarNamed('DE-BB').isWorkingDay('2026-01-06')).toBe(true)
  })
})

describe('names', () => {
  it('knows US, country codes and COUNTRY-REGION codes, case-sensitively', () => {
    for (const name of ['US', 'GB', 'GB-ENG', 'GB-SCT', 'GB-WLS', 'GB-NIR', 'DE', 'DE-BY', 'US-CA', 'US-DC', 'CK-Rarotonga']) {
      expect([name, unknownCalendarMessage(name)]).toEqual([name, undefined])
    }
    for (const name of ['gb', 'Gb', 'gb-eng', 'GB-eng', 'US-ca', 'de-BY', 'GB-', '-GB', 'GB--ENG', 'GB-ENG-X', ' GB']) {
      expect([name, typeof unknownCalendarMessage(name)]).toEqual([name, 'string'])
    }
  })

  it('knownCalendars() lists the country codes, sorted, as a fresh array', () => {
    const known = knownCalendars()
    expect(known).toEqual([...known].sort())
    expect(known).toEqual(expect.arrayContaining(['US', 'GB', 'DE', 'FR', 'JP']))
    expect(known.every((c) => /^[A-Z]{2}$/.test(c))).toBe(true)
    expect(known.length).toBeGreaterThan(150)
    known.pop()
    expect(knownCalendars()).not.toEqual(known)
  })

  const cases: [name: string, suggestion: string | undefined][] = [
    ['UK', 'GB'],
    ['XX', undefined],
    ['us', 'US'],
    ['', undefined],
    ['GB-ZZ', 'GB'],
    ['__proto__', undefined],
    ['constructor', undefined],
    ['USA', 'US'],
    ['gb-sct', 'GB-SCT'],
    ['GB_SCT', 'GB-SCT'],
    ['UK-SCT', 'GB-SCT'],
    ['GB-SCO', 'GB-SCT'],
    ['US-ca', 'US-CA'],
    ['US-', 'US'],
    ['DE-BAY', 'DE-BY'],
    ['toString', undefined],
    ['hasOwnProperty', undefined],
  ]

  it.each(cases)('unknown name %j: message suggests %s', (name, suggestion) => {
    const message = unknownCalendarMessage(name)
    expect(message).toBeTypeOf('string')
    expect(message).toMatch(new RegExp(`^Unknown working-day calendar ${JSON.stringify(name).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`))
    if (suggestion === undefined) expect(message).not.toContain('did you mean')
    else expect(message).toContain(`(did you mean "${suggestion}"?`)
    expect(message).toContain('AD, AE, ')
    expect(message).toContain(', GB, ')
    expect(message).toContain('COUNTRY-REGION')
    expect(message).toContain('e.g. GB-SCT')
    expect(message).not.toContain('\n')
    expect(message).toMatch(/[^.]\.$/)

    const err = thrown(() => calendarNamed(name))
    expect(err).toBeInstanceOf(UnknownCalendarError)
    expect(err).toBeInstanceOf(CollabgateError)
    expect((err as UnknownCalendarError).code).toBe(UNKNOWN_CALENDAR_CODE)
    expect((err as UnknownCalendarError).name).toBe('UnknownCalendarError')
    expect((err as UnknownCalendarError).message).toBe(message)
    expect((err as UnknownCalendarError).calendar).toBe(name)
  })

  it('lists a country’s regions when the region part is unknown', () => {
    expect(unknownCalendarMessage('GB-ZZ')).toContain("GB's regions are GB-ALD, GB-ENG, GB-NIR, GB-SCT, GB-WLS")
  })

  it('rejects non-string names with a code', () => {
    for (const name of [undefined, null, 1, {}, ['US']]) {
      expect(unknownCalendarMessage(name as unknown as string)).toMatch(/^Unknown working-day calendar /)
      const err = thrown(() => calendarNamed(name as unknown as string))
      expect(err).toBeInstanceOf(UnknownCalendarError)
      expect((err as UnknownCalendarError).code).toBe(UNKNOWN_CALENDAR_CODE)
    }
  })
})

describe('cache', () => {
  it('returns one frozen instance per name', () => {
    const gb = calendarNamed('GB')
    expect(calendarNamed('GB')).toBe(gb)
    expect(calendarNamed('GB-ENG')).toBe(calendarNamed('GB-ENG'))
    expect(calendarNamed('GB-ENG')).not.toBe(gb)
    expect(calendarNamed('US-CA')).toBe(calendarNamed('US-CA'))
    expect(calendarNamed('US')).toBe(calendarNamed('US'))
    expect(Object.isFrozen(gb)).toBe(true)
    expect(Object.isFrozen(calendarNamed('US'))).toBe(true)
  })
})

describe('cold start', () => {
  const HOLIDAY_LIBRARIES = /^(date-holidays|business-days-js|dayjs)(\/|$)/

  it('naming US loads neither holiday library, nor do questions on 2000–2050; a year outside them does', async () => {
    vi.resetModules()
    const moduleWithLoad = Module as unknown as { _load: (request: string, ...rest: unknown[]) => unknown }
    const load = vi.spyOn(moduleWithLoad, '_load')
    try {
      // fresh instances of calendars.ts and working-days.ts (nothing cached from the tests above)
      const calendars = await import('../../src/calendar/calendars.js')
      const workingDays = await import('../../src/calendar/working-days.js')
      expect(workingDays.usWorkingDays).not.toBe(usWorkingDays)
      const requested = () => load.mock.calls.map((call) => call[0]).filter((r) => HOLIDAY_LIBRARIES.test(r))

      expect(calendars.unknownCalendarMessage('US')).toBeUndefined()
      expect(calendars.unknownCalendarMessage(calendars.DEFAULT_CALENDAR)).toBeUndefined()
      const us = calendars.calendarNamed('US')
      expect(us).toBe(workingDays.usWorkingDays)
      expect(requested()).toEqual([])

      expect(us.isWorkingDay('2023-11-10')).toBe(false) // the observed Veterans Day, from the precomputed table
      expect(us.addWorkingDays('2026-11-20', 7)).toBe('2026-12-02')
      expect(requested()).toEqual([])
      expect(us.isWorkingDay('2051-11-10')).toBe(false) // a year the table does not hold: loads business-days-js
      expect(requested()).toContain('business-days-js')
    } finally {
      load.mockRestore()
    }
  })

  it('the calendar modules import the holiday libraries only lazily (no static import)', () => {
    for (const file of ['calendars.ts', 'working-days.ts']) {
      const source = readFileSync(new URL(`../../src/calendar/${file}`, import.meta.url), 'utf8')
      expect([file, /^\s*import\s+(?!type\b)[^;]*from\s+['"](date-holidays|business-days-js|dayjs)['"]/m.test(source)]).toEqual([
        file,
        false,
      ])
      expect([file, /\bimport\(\s*['"](date-holidays|business-days-js)['"]/.test(source)]).toEqual([file, false])
    }
  })
})
