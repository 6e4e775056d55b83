/**
 * Named working-day calendars: the `calendar:` of a policy.
 *
 *  - `US` (the default): the federal holidays of 5 U.S.C. 6103 on their observed days, from
 *    business-days-js plus the observed Veterans Day (see `withObservedVeteransDay`). It is
 *    `usWorkingDays` itself: naming it loads nothing; business-days-js (and date-holidays under it,
 *    ~200–300 ms to import) is loaded only for a year outside 2000–2050 (see `federalSource` in working-days.ts).
 *  - `US-XX` (XX a date-holidays US state, e.g. `US-CA`): business-days-js with `{ state }` plus the
 *    same Veterans Day correction, i.e. `createWorkingDayCalendar({ state })`. Chosen over plain
 *    date-holidays so that a state calendar is exactly the federal one's source and rules plus the
 *    state's own holidays (business-days-js is date-holidays `US`/state filtered to `public`), and
 *    so that the Veterans Day substitute, which date-holidays types `bank` in every state too, is
 *    not lost.
 *  - any other date-holidays country code (`GB`, `DE`, …) or COUNTRY-REGION code (`GB-ENG`, `GB-SCT`,
 *    `DE-BY`, …), spelt exactly as date-holidays does: Monday–Friday minus that place's date-holidays
 *    holidays of type `public` (`bank`, `optional`, `school` and `observance` days are working days).
 *    In date-holidays 3.37 the UK bank holidays (New Year, Good Friday, Easter Monday, early May,
 *    spring and summer bank holidays, Christmas, Boxing Day and their substitute days) are all
 *    typed `public`. `GB` is the country-level list: it has no summer bank holiday (last Monday of
 *    August in England, Wales and Northern Ireland, first Monday in Scotland) and does have Easter
 *    Monday (not a Scottish bank holiday); name `GB-ENG`, `GB-WLS`, `GB-SCT` or `GB-NIR` for a
 *    nation's full list.
 *
 * Validating a non-US name loads date-holidays (synchronously); a calendar's holidays are then read
 * once per year on first use. Calendars are cached: one instance per name per process.
 */
import { createRequire } from 'node:module'
import { CollabgateError } from '../errors.js'
import { editDistance } from '../suggest.js'
import {
  createWorkingDayCalendar,
  usWorkingDays,
  type HolidayRecord,
  type HolidaySource,
  type WorkingDayCalendar,
} from './working-days.js'

/** The calendar of a policy that names none. */
export const DEFAULT_CALENDAR = 'US'

/** A calendar name that is neither `US` nor a date-holidays country / COUNTRY-REGION code. */
export class UnknownCalendarError extends CollabgateError {
  declare readonly code: 'E_UNKNOWN_CALENDAR'
  /** the rejected name */
  readonly calendar: unknown

  constructor(calendar: unknown, message: string) {
    super('E_UNKNOWN_CALENDAR', message)
    this.calendar = calendar
  }
}

/** The part of date-holidays' `Holidays` class this module uses. */
interface HolidaysInstance {
  getHolidays(year: number): readonly HolidayRecord[]
  getCountries(): Record<string, string>
  getStates(country: string): Record<string, string> | undefined
}
type HolidaysClass = new (country?: string, state?: string) => HolidaysInstance

// loaded on first use (date-holidays costs ~0.2–0.3 s to import), through require like business-days-js
// in working-days.ts so that the ESM and CJS builds both get date-holidays' CJS build, the same
// instance business-days-js uses.
let dateHolidaysModule: unknown
function holidaysClass(): HolidaysClass {
  dateHolidaysModule ??= createRequire(import.meta.url)('date-holidays')
  const imported: unknown = dateHolidaysModule
  if (typeof imported === 'function') return imported as HolidaysClass
  const inner = (imported as { default?: unknown } | null)?.default
  if (typeof inner === 'function') return inner as HolidaysClass
  throw new TypeError('date-holidays: could not resolve the Holidays class export')
}

interface Catalogue {
  /** country code → its region codes (sorted) */
  readonly regions: ReadonlyMap<string, readonly string[]>
  /** country codes, sorted */
  readonly countries: readonly string[]
  /** every known name (US, countries, COUNTRY-REGION) by its upper-case spelling */
  readonly byUpperCase: ReadonlyMap<string, string>
}

let catalogue: Catalogue | undefined
function getCatalogue(): Catalogue {
  return (catalogue ??= readCatalogue())
}

function readCatalogue(): Catalogue {
  const hd = new (holidaysClass())()
  const regions = new Map<string, readonly string[]>()
  const byUpperCase = new Map<string, string>([[DEFAULT_CALENDAR, DEFAULT_CALENDAR]])
  for (const country of Object.keys(hd.getCountries()).sort()) {
    const codes = Object.keys(hd.getStates(country) ?? {}).sort()
    regions.set(country, Object.freeze(codes))
    byUpperCase.set(country.toUpperCase(), country)
    for (const region of codes) byUpperCase.set(`${country}-${region}`.toUpperCase(), `${country}-${region}`)
  }
  return { regions, countries: Object.freeze([...regions.keys()]), byUpperCase }
}

function splitName(name: string): { country: string; region: string | undefined } {
  const dash = name.indexOf('-')
  return dash === -1
    ? { country: name, region: undefined }
    : { country: name.slice(0, dash), region: name.slice(dash + 1) }
}

function isKnown(name: string): boolean {
  const { country, region } = splitName(name)
  const regions = getCatalogue().regions.get(country)
  if (regions === undefined) return false
  return region === undefined || regions.includes(region)
}

/** Country codes people write that are not the ISO 3166-1 / date-holidays code. */
const ALIASES: ReadonlyMap<string, string> = new Map([
  ['UK', 'GB'],
  ['USA', 'US'],
  ['EL', 'GR'],
])

// optimal string alignment: a swapped pair of letters is one edit
const distance = (a: string, b: string): number => editDistance(a, b, true)

/** The closest known region code (distance 1, unique), compared case-insensitively. */
function closeRegion(region: string, regions: readonly string[]): string | undefined {
  if (region.length < 2) return undefined
  const close = regions.filter((r) => distance(region.toUpperCase(), r.toUpperCase()) <= 1)
  return close.length === 1 ? close[0] : undefined
}

interface Suggestion {
  /** a known name the input probably meant */
  readonly name?: string
  /** a known country whose regions to list, when the region part is not one of them */
  readonly country?: string
}

function suggest(input: string): Suggestion {
  const { byUpperCase, regions } = getCatalogue()
  const normalised = input
    .trim()
    .replace(/[\s_]+/g, '-')
    .toUpperCase()
  const exact = byUpperCase.get(normalised)
  if (exact !== undefined) return { name: exact } // different case or separator: `us`, `gb_sct`, `GB SCT`
  const split = splitName(normalised)
  const region = split.region
  const country = ALIASES.get(split.country) ?? byUpperCase.get(split.country) ?? split.country
  const countryRegions = regions.get(country)
  if (countryRegions === undefined) return {}
  if (region === undefined || region === '') return { name: country } // `UK`, `USA`, `GB-`
  const known = byUpperCase.get(`${country}-${region}`.toUpperCase()) // `UK-SCT`
  if (known !== undefined) return { name: known }
  const close = closeRegion(region, countryRegions) // `GB-SCO`, `DE-BAY`
  if (close !== undefined) return { name: `${country}-${close}` }
  return { name: country, country } // `GB-ZZ`: the country, and its regions
}

function quote(value: unknown): string {
  return typeof value === 'string'
    ? JSON.stringify(value)
    : `${String(value)} (${value === null ? 'null' : typeof value})`
}

/**
 * Undefined when `name` is a known calendar; otherwise a one-sentence message saying it is unknown,
 * with a "did you mean" when a known name is close (`UK` → `GB`, `us` → `US`, `GB-SCO` → `GB-SCT`)
 * and the list of known calendars. Synchronous; `US` loads nothing, any other name loads date-holidays.
 */
export function unknownCalendarMessage(name: string): string | undefined {
  const unknown = unknownCalendar(name)
  return unknown && `${unknown.message}: ${unknown.hint}`
}

/**
 * Undefined when `name` is a known calendar; otherwise what a problem says of it: `message` (unknown,
 * with a "did you mean" when a known name is close), `hint` (what a calendar name is, and the known
 * ones) and the suggested name.
 */
export function unknownCalendar(name: string): { message: string; hint: string; suggestion?: string } | undefined {
  if (name === DEFAULT_CALENDAR) return undefined
  if (typeof name === 'string' && isKnown(name)) return undefined
  const hint = typeof name === 'string' ? suggest(name) : {}
  let didYouMean = ''
  if (hint.name !== undefined) {
    didYouMean = ` (did you mean "${hint.name}"?`
    if (hint.country !== undefined) {
      // Stryker disable next-line ArrayDeclaration: test/mutation/equivalent.md#hint-country
      const codes = getCatalogue().regions.get(hint.country) ?? []
      didYouMean +=
        codes.length === 0
          ? ` ${hint.country} has no regions`
          : ` ${hint.country}'s regions are ${codes.map((r) => `${hint.country}-${r}`).join(', ')}`
    }
    didYouMean += ')'
  }
  const result: { message: string; hint: string; suggestion?: string } = {
    message: `Unknown working-day calendar ${quote(name)}${didYouMean}`,
    hint:
      `a calendar is ${DEFAULT_CALENDAR} (the default, U.S. federal holidays) or a country code (case-sensitive, ` +
      `as date-holidays spells it) from ${knownCalendars().join(', ')}, or COUNTRY-REGION for a region of one, e.g. ` +
      `GB-SCT.`,
  }
  if (hint.name !== undefined) result.suggestion = hint.name
  return result
}

/**
 * The regions of a country-level calendar name (`GB` → GB-ENG, GB-NIR, …) whose own holidays differ from the
 * country's list; empty for a region's name or a country without regions. Loads date-holidays.
 */
export function regionsOfCountry(name: string): string[] {
  if (typeof name !== 'string' || name.includes('-')) return []
  return (getCatalogue().regions.get(name) ?? []).map((r) => `${name}-${r}`)
}

/** The known country codes, sorted (each also usable as COUNTRY-REGION, e.g. GB-SCT). Loads date-holidays. */
export function knownCalendars(): string[] {
  return [...getCatalogue().countries]
}

/** date-holidays' holidays for a country (and region), created on the first year asked for. */
function dateHolidaysSource(country: string, region: string | undefined): HolidaySource {
  let hd: HolidaysInstance | undefined
  return {
    getHolidays(year) {
      // an undefined region is none: date-holidays takes `new Holidays('GB', undefined)` as `new Holidays('GB')`
      hd ??= new (holidaysClass())(country, region)
      return hd.getHolidays(year)
    },
  }
}

const calendars = new Map<string, WorkingDayCalendar>([[DEFAULT_CALENDAR, usWorkingDays]])

/**
 * The working-day calendar of a name (see the module comment), one instance per name per process.
 * `calendarNamed('US')` is `usWorkingDays` and loads nothing.
 * @throws UnknownCalendarError (code `E_UNKNOWN_CALENDAR`) for an unknown name
 */
export function calendarNamed(name: string): WorkingDayCalendar {
  const cached = calendars.get(name) // undefined for a non-string name too: the keys are strings
  if (cached !== undefined) return cached
  const message = unknownCalendarMessage(name)
  if (message !== undefined) throw new UnknownCalendarError(name, message)
  const { country, region } = splitName(name)
  const calendar = Object.freeze(
    // plain 'US' never gets here (the map holds it from the start): region is a state
    country === 'US'
      ? createWorkingDayCalendar({ state: region }) // business-days-js + observed Veterans Day
      : createWorkingDayCalendar({ source: dateHolidaysSource(country, region) }),
  )
  calendars.set(name, calendar)
  return calendar
}
