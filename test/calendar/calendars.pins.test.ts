/**
 * Exact texts and suggestions of unknown calendar names, the catalogue read from date-holidays
 * (sorted, case-insensitive lookups, regions with mixed-case codes) and how date-holidays' export
 * is resolved. Several checks use a fresh load of calendars.ts: its catalogue and date-holidays
 * handle are cached per process, so only a fresh module builds them inside the test that asks.
 */
import { describe, expect, it, vi } from 'vitest'
import { calendarNamed, knownCalendars, unknownCalendar, unknownCalendarMessage } from '../../src/calendar/calendars.js'
import { withStandIn } from './stand-in.js'
import { thrown } from './thrown.js'

type CalendarsModule = typeof import('../../src/calendar/calendars.js')

const HINT_START =
  'a calendar is US (the default, U.S. federal holidays) or a country code (case-sensitive, as date-holidays spells it) from '
const HINT_END = ', or COUNTRY-REGION for a region of one, e.g. GB-SCT.'
const hintOf = (known: readonly string[]) => `${HINT_START}${known.join(', ')}${HINT_END}`

const DE_REGIONS = 'DE-BB, DE-BE, DE-BW, DE-BY, DE-HB, DE-HE, DE-HH, DE-MV, DE-NI, DE-NW, DE-RP, DE-SH, DE-SL, DE-SN, DE-ST, DE-TH'
const US_REGIONS =
  'US-AK, US-AL, US-AR, US-AZ, US-CA, US-CO, US-CT, US-DC, US-DE, US-FL, US-GA, US-HI, US-IA, US-ID, US-IL, US-IN, US-KS, ' +
  'US-KY, US-LA, US-MA, US-MD, US-ME, US-MI, US-MN, US-MO, US-MS, US-MT, US-NC, US-ND, US-NE, US-NH, US-NJ, US-NM, US-NV, ' +
  'US-NY, US-OH, US-OK, US-OR, US-PA, US-RI, US-SC, US-SD, US-TN, US-TX, US-UT, US-VA, US-VT, US-WA, US-WI, US-WV, US-WY'

/** name → the exact `message` of its problem and the suggested name (none: no "did you mean"). */
const SUGGESTIONS: [name: string, message: string, suggestion: string | undefined][] = [
  ['XX', 'Unknown working-day calendar "XX"', undefined],
  ['', 'Unknown working-day calendar ""', undefined],
  ['   ', 'Unknown working-day calendar "   "', undefined],
  ['-GB', 'Unknown working-day calendar "-GB"', undefined],
  ['UK', 'Unknown working-day calendar "UK" (did you mean "GB"?)', 'GB'],
  ['us', 'Unknown working-day calendar "us" (did you mean "US"?)', 'US'],
  [' GB', 'Unknown working-day calendar " GB" (did you mean "GB"?)', 'GB'], // trimmed
  ['GB-', 'Unknown working-day calendar "GB-" (did you mean "GB"?)', 'GB'], // an empty region: the country, no region list
  ['gb_sct', 'Unknown working-day calendar "gb_sct" (did you mean "GB-SCT"?)', 'GB-SCT'],
  ['GB___SCT', 'Unknown working-day calendar "GB___SCT" (did you mean "GB-SCT"?)', 'GB-SCT'], // a run of separators is one '-'
  ['GB \t_ SCT', 'Unknown working-day calendar "GB \\t_ SCT" (did you mean "GB-SCT"?)', 'GB-SCT'],
  ['de-by', 'Unknown working-day calendar "de-by" (did you mean "DE-BY"?)', 'DE-BY'], // BB, BE, BW are one letter away
  ['ck-rarotonga', 'Unknown working-day calendar "ck-rarotonga" (did you mean "CK-Rarotonga"?)', 'CK-Rarotonga'],
  ['UK-SCT', 'Unknown working-day calendar "UK-SCT" (did you mean "GB-SCT"?)', 'GB-SCT'],
  ['USA-CA', 'Unknown working-day calendar "USA-CA" (did you mean "US-CA"?)', 'US-CA'], // CO, GA, LA, … are one letter away
  ['EL', 'Unknown working-day calendar "EL" (did you mean "GR"?)', 'GR'], // Greece's EU code
  ['usa_ca', 'Unknown working-day calendar "usa_ca" (did you mean "US-CA"?)', 'US-CA'],
  ['GB-SCO', 'Unknown working-day calendar "GB-SCO" (did you mean "GB-SCT"?)', 'GB-SCT'], // a substitution
  ['GB-CST', 'Unknown working-day calendar "GB-CST" (did you mean "GB-SCT"?)', 'GB-SCT'], // a transposition
  ['GB-ALW', 'Unknown working-day calendar "GB-ALW" (did you mean "GB-ALD"?)', 'GB-ALD'],
  ['DE-BAY', 'Unknown working-day calendar "DE-BAY" (did you mean "DE-BY"?)', 'DE-BY'], // an insertion
  ['DE-RQ', 'Unknown working-day calendar "DE-RQ" (did you mean "DE-RP"?)', 'DE-RP'], // a two-letter region, one unique neighbour
  ['DE-BX', `Unknown working-day calendar "DE-BX" (did you mean "DE"? DE's regions are ${DE_REGIONS})`, 'DE'], // BB, BE, BW, BY: no unique one
  ['DE-Y', `Unknown working-day calendar "DE-Y" (did you mean "DE"? DE's regions are ${DE_REGIONS})`, 'DE'], // one letter: not compared (BY)
  ['GB-ZZ', `Unknown working-day calendar "GB-ZZ" (did you mean "GB"? GB's regions are GB-ALD, GB-ENG, GB-NIR, GB-SCT, GB-WLS)`, 'GB'],
  ['US-QQ', `Unknown working-day calendar "US-QQ" (did you mean "US"? US's regions are ${US_REGIONS})`, 'US'], // sorted
  ['AE-ZZ', 'Unknown working-day calendar "AE-ZZ" (did you mean "AE"? AE has no regions)', 'AE'],
]

function expectSuggestions(cal: CalendarsModule): void {
  const hint = hintOf(cal.knownCalendars())
  for (const [name, message, suggestion] of SUGGESTIONS) {
    const expected = suggestion === undefined ? { message, hint } : { message, hint, suggestion }
    // toStrictEqual: no `suggestion` key at all when there is none
    expect([name, cal.unknownCalendar(name)]).toStrictEqual([name, expected])
    expect([name, cal.unknownCalendarMessage(name)]).toEqual([name, `${message}: ${hint}`])
  }
}

describe('unknown calendar names: exact problem texts', () => {
  it('the hint names US, the known country codes in order and the COUNTRY-REGION form', () => {
    const known = knownCalendars()
    expect(known.slice(0, 3)).toEqual(['AD', 'AE', 'AG'])
    expect(known).toContain('GB')
    expect(unknownCalendar('XX')?.hint).toBe(hintOf(known))
    expect(unknownCalendar('XX')?.hint.startsWith(`${HINT_START}AD, AE, AG, `)).toBe(true)
  })

  it('suggest the known name meant: case, separators, aliases, one edit away, else the country and its regions', () => {
    expectSuggestions({ knownCalendars, unknownCalendar, unknownCalendarMessage } as CalendarsModule)
  })

  it('known names have no problem, in any spelling date-holidays uses', () => {
    for (const name of ['US', 'GB', 'GB-SCT', 'DE-BY', 'US-CA', 'CK-Rarotonga', 'AE']) {
      expect([name, unknownCalendar(name), unknownCalendarMessage(name)]).toEqual([name, undefined, undefined])
    }
  })

  it('quote a non-string name with its type, and suggest nothing', () => {
    const cases: [unknown, string][] = [
      [undefined, 'undefined (undefined)'],
      [null, 'null (null)'],
      [1, '1 (number)'],
      [true, 'true (boolean)'],
      [{}, '[object Object] (object)'],
      [['US'], 'US (object)'],
    ]
    const hint = hintOf(knownCalendars())
    for (const [name, quoted] of cases) {
      const message = `Unknown working-day calendar ${quoted}`
      expect(unknownCalendar(name as string)).toStrictEqual({ message, hint })
      const err = thrown(() => calendarNamed(name as string)) as Error & { code: string; calendar: unknown }
      expect([err.name, err.code, err.message, err.calendar]).toEqual([
        'UnknownCalendarError',
        'E_UNKNOWN_CALENDAR',
        `${message}: ${hint}`,
        name,
      ])
    }
  })
})

describe('the catalogue, built fresh from date-holidays', () => {
  it('gives the same suggestions and known names when built inside the test', async () => {
    vi.resetModules()
    const fresh = await import('../../src/calendar/calendars.js')
    expect(fresh.knownCalendars()).toEqual(knownCalendars())
    expectSuggestions(fresh)
  })
})

describe('resolving date-holidays’ export', () => {
  /** calendars.ts loaded afresh while `require('date-holidays')` gives `exports`. */
  const loadWith = withStandIn<CalendarsModule>('date-holidays', () => import('../../src/calendar/calendars.js'))

  const made: unknown[][] = []
  /** A stand-in Holidays class: countries and regions listed out of order, a mixed-case country code. */
  class FakeHolidays {
    readonly args: unknown[]
    constructor(...args: unknown[]) {
      this.args = args
      made.push(args)
    }
    getCountries(): Record<string, string> {
      return { ZA: 'Zed', Xk: 'Ex', AB: 'Ab' }
    }
    getStates(country: string): Record<string, string> | undefined {
      return country === 'AB' ? { Q2: 'q', Mixed: 'm', C1: 'c' } : country === 'ZA' ? {} : undefined
    }
    getHolidays(year: number): { date: string; type: string }[] {
      return [{ date: `${year}-03-02 00:00:00`, type: 'public' }]
    }
  }

  it('takes a namespace’s default export, sorts its countries and regions and looks names up case-insensitively', async () => {
    made.length = 0
    const cal = await loadWith({ default: FakeHolidays })
    expect(cal.knownCalendars()).toEqual(['AB', 'Xk', 'ZA'])
    expect(cal.unknownCalendar('AB-ZZ')?.message).toBe(
      `Unknown working-day calendar "AB-ZZ" (did you mean "AB"? AB's regions are AB-C1, AB-Mixed, AB-Q2)`,
    )
    expect(cal.unknownCalendar('xk')?.suggestion).toBe('Xk')
    expect(cal.unknownCalendar('ab_mixed')?.suggestion).toBe('AB-Mixed')
    expect(cal.unknownCalendar('Xk')).toBeUndefined()
    expect(cal.calendarNamed('AB-Q2').holidays(2026)).toEqual(['2026-03-02'])
    expect(cal.calendarNamed('ZA').holidays(2027)).toEqual(['2027-03-02']) // a Tuesday
    expect(made).toStrictEqual([[], ['AB', 'Q2'], ['ZA', undefined]]) // no region: date-holidays reads undefined as none
    // US is known (and suggested for `us`) whatever date-holidays lists
    expect(cal.unknownCalendar('US')).toBeUndefined()
    expect(cal.unknownCalendar('us')?.suggestion).toBe('US')
    expect(cal.unknownCalendar('ab')?.suggestion).toBe('AB')
  })

  it('fails with a TypeError naming date-holidays when neither the module nor its default is a class', async () => {
    for (const exports of [{}, null, { default: {} }]) {
      const cal = await loadWith(exports)
      const err = thrown(() => cal.calendarNamed('GB'))
      expect(err).toBeInstanceOf(TypeError)
      expect((err as Error).message).toBe('date-holidays: could not resolve the Holidays class export')
    }
  })
})
