/**
 * US working-day calendar backed by `business-days-js`.
 *
 * A working day is a Monday–Friday that is not a US public holiday, where the
 * holidays (including observed "substitute" days, e.g. Saturday 2026-07-04 →
 * Friday 2026-07-03) are the entries `business-days-js`' `getHolidays(year)`
 * returns (it keeps only date-holidays entries of type `public`;
 * `optional`/`observance` entries such as Christmas Eve or the day after
 * Thanksgiving are working days, just as in `bDays.check()`), PLUS the observed
 * Veterans Day (5 U.S.C. 6103 observed-day rule: Nov 11 on a Saturday is observed on Friday
 * Nov 10, on a Sunday on Monday Nov 12, e.g. 2023-11-10, 2028-11-10,
 * 2029-11-12). date-holidays types that substitute day `bank`, so
 * business-days-js' public list (and `check()`) leaves it out; see
 * `withObservedVeteransDay`. Pass an explicit `source` for the raw library list.
 *
 * `business-days-js` is slow per call (check ≈ 0.8 ms, addDays ≈ 8.5 ms), so it
 * is asked once per calendar year (`getHolidays(year)`), lazily, and every
 * question is then answered from an in-memory per-year set using pure UTC
 * calendar-date arithmetic (no local time zone is ever involved).
 *
 * Agreement with `bDays.check()`: identical for every day with the federal
 * (default) calendar, except the observed Veterans Day above and where
 * `check()` contradicts the library's own holiday list:
 *  - `check()` only looks at the FIRST date-holidays entry of a day, so in years
 *    where Christmas falls on a Saturday the observed Friday Dec 24 (e.g.
 *    2021-12-24, 2027-12-24, 2032-12-24) — which is listed first as the
 *    `optional` "Christmas Eve" — is reported as a business day. This calendar
 *    treats it as the holiday that `getHolidays()` says it is.
 *  - `check()` evaluates every date at midnight America/New_York, so for states
 *    in other time zones (e.g. `ca`) it reports the day AFTER each holiday as the
 *    holiday. This calendar uses the holiday's own calendar date.
 */
import { createRequire } from 'node:module'
import { CollabgateError } from '../errors.js'
import { ownOptions } from '../own.js'
import { US_FEDERAL_HOLIDAYS } from '../generated/us-federal-holidays.js'

export interface WorkingDayCalendar {
  /** true for a Monday–Friday that is not a (public, observed) holiday */
  isWorkingDay(date: string): boolean
  /**
   * date + n working days; the start date itself is not counted (as business-days-js addDays) ; n >= 0 integer; n = 0
   * returns the date itself
   */
  addWorkingDays(date: string, n: number): string
  /** number of working days in (from, to] (start excluded, end included), negative if to < from */
  workingDaysBetween(from: string, to: string): number
  /** the non-working holidays of a year as sorted 'YYYY-MM-DD' strings (weekends not included) */
  holidays(year: number): readonly string[]
  /** the name of the (non-working, weekday) holiday on a date, e.g. "Thanksgiving Day"; undefined on any other day */
  holidayName(date: string): string | undefined
}

/**
 * One holiday as returned by business-days-js / date-holidays `getHolidays()`.
 * Only `date` is required: a date-holidays local date string such as
 * "2026-07-03 00:00:00" (wall-clock time in the holiday's own time zone) or a
 * plain "2026-07-03". Entries whose `type` is present and not "public" are
 * ignored. When `start`/`end` are present they give the duration (default one
 * day); like date-holidays' `isHoliday`, a day counts as a holiday when the
 * holiday is in effect at its midnight (so a "14:00" half-day holiday does not
 * make that day non-working).
 */
export interface HolidayRecord {
  readonly date: string
  readonly type?: string | undefined
  readonly name?: string | undefined
  readonly start?: Date | string | number | undefined
  readonly end?: Date | string | number | undefined
}

/** Where the calendar gets its holidays from; called at most once per year per calendar. */
export interface HolidaySource {
  getHolidays(year: number): readonly HolidayRecord[]
}

export interface WorkingDayCalendarOptions {
  /** two-letter US state (e.g. "pa") for state public holidays; default: federal holidays */
  state?: string | undefined
  /**
   * holiday provider; defaults to business-days-js (`businessDays({ state }).getHolidays`) with the
   * observed Veterans Day added (`withObservedVeteransDay`). Overrides `state`; used as given (no correction).
   */
  source?: HolidaySource | undefined
}

export class InvalidDateError extends CollabgateError {
  declare readonly code: 'E_INVALID_DATE'
  /** the rejected input */
  readonly value: unknown

  constructor(message: string, value: unknown) {
    super('E_INVALID_DATE', message)
    this.value = value
  }
}

const MS_PER_DAY = 86_400_000
const MIN_YEAR = 1
const MAX_YEAR = 9999

// Date part 'YYYY-MM-DD', optionally followed by an ISO time (and offset). The time and
// offset are deliberately ignored: the first 10 chars are taken as the calendar date as
// written, never converted to UTC or local time.
const TIME = String.raw`(?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d+)?)?`
const OFFSET = String.raw`(?:Z|[+-](?:[01]\d|2[0-3]):?[0-5]\d)`
const DATE_RE = new RegExp(String.raw`^(\d{4})-(\d{2})-(\d{2})(?:[T ]${TIME}${OFFSET}?)?$`)

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value)
  try {
    return `${String(value)} (${value === null ? 'null' : typeof value})`
  } catch {
    return `(${typeof value})`
  }
}

/** Days since 1970-01-01 of a UTC calendar date, or undefined if the date does not exist. */
function dayNumberOf(year: number, month: number, day: number): number | undefined {
  const d = new Date(0)
  d.setUTCFullYear(year, month - 1, day) // setUTCFullYear: no 0–99 → 1900s mapping, unlike Date.UTC
  // Every date that does not exist is caught by these two: a month outside 1–12 moves it into another
  // year, and a day outside the month changes the day of the month (so no month comparison is needed).
  if (d.getUTCFullYear() !== year || d.getUTCDate() !== day) {
    return undefined
  }
  return d.getTime() / MS_PER_DAY
}

function yearOf(dayNumber: number): number {
  return new Date(dayNumber * MS_PER_DAY).getUTCFullYear()
}

function formatDay(dayNumber: number): string {
  const d = new Date(dayNumber * MS_PER_DAY)
  const y = String(d.getUTCFullYear()).padStart(4, '0')
  const m = String(d.getUTCMonth() + 1).padStart(2, '0')
  const dd = String(d.getUTCDate()).padStart(2, '0')
  return `${y}-${m}-${dd}`
}

/** 0 = Sunday … 6 = Saturday (1970-01-01 was a Thursday). */
function weekdayOf(dayNumber: number): number {
  return (((dayNumber + 4) % 7) + 7) % 7
}

function isWeekend(dayNumber: number): boolean {
  const w = weekdayOf(dayNumber)
  return w === 0 || w === 6
}

function parseDay(value: unknown, what = 'date'): number {
  if (typeof value === 'string') {
    const m = DATE_RE.exec(value)
    if (m) {
      const year = Number(m[1])
      if (year >= MIN_YEAR) {
        const n = dayNumberOf(year, Number(m[2]), Number(m[3]))
        if (n !== undefined) return n
      }
    }
  }
  throw new InvalidDateError(
    `Invalid ${what} ${describe(value)}: expected an ISO calendar date 'YYYY-MM-DD' (years ` +
      `${String(MIN_YEAR).padStart(4, '0')}–${MAX_YEAR})`,
    value,
  )
}

function parseCount(value: unknown): number {
  // Number.isSafeInteger and Number.isInteger are false for anything that is not a number
  if (Number.isSafeInteger(value) && (value as number) >= 0) return value as number
  throw new InvalidDateError(`Invalid number of working days ${describe(value)}: expected an integer >= 0`, value)
}

function parseYear(value: unknown): number {
  if (Number.isInteger(value) && (value as number) >= MIN_YEAR && (value as number) <= MAX_YEAR) {
    return value as number
  }
  throw new InvalidDateError(`Invalid year ${describe(value)}: expected an integer ${MIN_YEAR}–${MAX_YEAR}`, value)
}

const HOLIDAY_DATE_RE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?/

/** Day numbers (within `year`) on which a holiday record is in effect at midnight. */
function coveredDays(record: HolidayRecord, year: number): number[] {
  const m = typeof record.date === 'string' ? HOLIDAY_DATE_RE.exec(record.date) : null
  const day = m ? dayNumberOf(Number(m[1]), Number(m[2]), Number(m[3])) : undefined
  if (!m || day === undefined) {
    throw new TypeError(`Holiday source returned an invalid date ${describe(record.date)} for year ${year}`)
  }
  // Work in "local wall-clock" milliseconds: the date string is the holiday's local start.
  const startWall = day * MS_PER_DAY + (Number(m[4] ?? 0) * 60 + Number(m[5] ?? 0)) * 60_000 + Number(m[6] ?? 0) * 1000
  let duration = MS_PER_DAY
  // without both a start and an end (or with an unreadable one) ms is NaN, and the holiday lasts one day
  const ms = new Date(record.end ?? Number.NaN).getTime() - new Date(record.start ?? Number.NaN).getTime()
  if (Number.isFinite(ms) && ms > 0) {
    // A DST change makes a local day 23 h or 25 h long: snap to whole days within an hour.
    const days = Math.round(ms / MS_PER_DAY)
    duration = days >= 1 && Math.abs(ms - days * MS_PER_DAY) <= 3_600_000 ? days * MS_PER_DAY : ms
  }
  const endWall = startWall + duration
  const out: number[] = []
  for (let d = Math.ceil(startWall / MS_PER_DAY); d * MS_PER_DAY < endWall; d++) {
    // date-holidays' getHolidays(year)/isHoliday only relate a year's entries to that year's dates
    if (yearOf(d) === year) out.push(d)
  }
  return out
}

/** The part of business-days-js' `businessDays()` factory this module uses. */
type BusinessDaysFactory = (options?: { state?: string }) => {
  getHolidays(year?: string | number | Date): readonly HolidayRecord[]
}

// business-days-js ships ESM ("module") and UMD ("main") builds with CJS typings; depending on
// the loader / module resolution the default import is the factory itself or a namespace
// holding it under `default`, so resolve it at runtime instead of trusting either typing.
// loaded on first use: business-days-js (date-holidays) costs ~0.2 s to import, which every CLI start paid
let businessDaysModule: unknown
function resolveFactory(): BusinessDaysFactory {
  businessDaysModule ??= createRequire(import.meta.url)('business-days-js')
  const imported: unknown = businessDaysModule
  if (typeof imported === 'function') return imported as BusinessDaysFactory
  const inner = (imported as { default?: unknown } | null)?.default
  if (typeof inner === 'function') return inner as BusinessDaysFactory
  throw new TypeError('business-days-js: could not resolve the businessDays() factory export')
}

function businessDaysSource(state: string | undefined): HolidaySource {
  let bDays: ReturnType<BusinessDaysFactory>
  try {
    // an own `state` always: business-days-js would read a polluted Object.prototype.state from `{}`
    bDays = resolveFactory()({ state })
  } catch (err) {
    // business-days-js throws plain strings, e.g. "zz is not a US state."
    if (err instanceof Error) throw err
    throw new RangeError(`business-days-js: ${String(err)}`, { cause: err })
  }
  return { getHolidays: (year) => bDays.getHolidays(year) }
}

function countsAsHoliday(record: HolidayRecord): boolean {
  return record.type === undefined || record.type === 'public'
}

/**
 * Adds the observed Veterans Day to a US holiday source: when the source lists a (public) holiday on
 * Nov 11 and that day is a Saturday, Friday Nov 10 is a holiday too; a Sunday, Monday Nov 12
 * (the observed-day rules for the holidays of 5 U.S.C. 6103, as for every other federal holiday).
 * business-days-js' `getHolidays()`
 * keeps only date-holidays' `public` entries, and date-holidays types this substitute day `bank`
 * ("Veterans Day (substitute day)"), so the library's list leaves it out although every other
 * federal holiday's observed day is there. The substitute is derived from the source's own Nov 11
 * entry, so a calendar without Veterans Day gets none. Wraps the source, never patches the library.
 */
export function withObservedVeteransDay(inner: HolidaySource): HolidaySource {
  return {
    getHolidays(year) {
      const list = inner.getHolidays(year)
      // NaN for a year that is not a whole number: no weekday, so no substitute
      const nov11 = dayNumberOf(year, 11, 11) ?? Number.NaN
      const weekday = weekdayOf(nov11)
      const observed = weekday === 6 ? nov11 - 1 : weekday === 0 ? nov11 + 1 : undefined
      if (observed === undefined) return list
      const date = formatDay(nov11)
      const holiday = list.find((r) => countsAsHoliday(r) && typeof r.date === 'string' && r.date.slice(0, 10) === date)
      if (holiday === undefined) return list
      const substitute: HolidayRecord = {
        date: `${formatDay(observed)} 00:00:00`,
        type: 'public',
        name: `${holiday.name ?? 'Veterans Day'} (substitute day)`,
      }
      return [...list, substitute]
    },
  }
}

interface YearData {
  readonly year: number
  readonly first: number // day number of Jan 1
  readonly last: number // day number of Dec 31
  readonly holidayDays: ReadonlySet<number> // weekday holidays only
  readonly holidays: readonly string[]
  readonly names: ReadonlyMap<number, string> // weekday holidays' names, two on one day joined by " / "
}

export function createWorkingDayCalendar(given: WorkingDayCalendarOptions = {}): WorkingDayCalendar {
  const options = ownOptions(given)
  const source = options.source ?? withObservedVeteransDay(businessDaysSource(options.state))
  const years = new Map<number, YearData>()
  let current: YearData | undefined // the most recently used year, for day-by-day loops

  const added = new Map<string, string>() // recent addWorkingDays answers, by "date+n"

  function loadYear(year: number): YearData {
    let data = years.get(year)
    if (data === undefined) {
      const holidayDays = new Set<number>()
      const names = new Map<number, string>()
      for (const record of source.getHolidays(year)) {
        if (!countsAsHoliday(record)) continue
        // a name is data from the holiday library: only a non-empty string is kept
        const name = typeof record.name === 'string' && record.name.trim() !== '' ? record.name : 'Holiday'
        for (const d of coveredDays(record, year)) {
          if (isWeekend(d)) continue
          holidayDays.add(d)
          const known = names.get(d)
          if (known === undefined) names.set(d, name)
          else if (!known.split(' / ').includes(name)) names.set(d, `${known} / ${name}`)
        }
      }
      const sorted = [...holidayDays].sort((a, b) => a - b)
      data = {
        year,
        first: dayNumberOf(year, 1, 1)!,
        last: dayNumberOf(year, 12, 31)!,
        holidayDays,
        holidays: Object.freeze(sorted.map(formatDay)),
        names,
      }
      years.set(year, data)
    }
    return data
  }

  function isWorkingDayNumber(d: number): boolean {
    if (isWeekend(d)) return false
    // Stryker disable next-line ConditionalExpression,EqualityOperator: test/mutation/equivalent.md#year-guard
    if (current === undefined || d < current.first || d > current.last) {
      const year = yearOf(d)
      // only walking forward past 9999-12-31 leaves the years: every date is parsed from year 1 on and walked forward
      if (year > MAX_YEAR) {
        throw new InvalidDateError(`Date ${formatDay(d)} is outside the supported years ${MIN_YEAR}–${MAX_YEAR}`, d)
      }
      current = loadYear(year)
    }
    return !current.holidayDays.has(d)
  }

  /** working days in (a, b], for a <= b */
  function countForward(a: number, b: number): number {
    let count = 0
    for (let d = a + 1; d <= b; d++) {
      if (isWorkingDayNumber(d)) count++
    }
    return count
  }

  return {
    isWorkingDay(date) {
      return isWorkingDayNumber(parseDay(date))
    },
    addWorkingDays(date, n) {
      // decisions ask the same (date, n) again and again (submission and incident dates): answers are remembered
      const key = typeof date === 'string' && typeof n === 'number' ? `${date}+${n}` : undefined
      const known = key && added.get(key)
      if (known !== undefined) return known
      let d = parseDay(date)
      let remaining = parseCount(n)
      while (remaining > 0) {
        d++
        if (isWorkingDayNumber(d)) remaining--
      }
      const result = formatDay(d)
      if (added.size >= 10_000) added.clear()
      added.set(key!, result) // parseDay and parseCount accepted date and n: a string and a number, so key is set
      return result
    },
    workingDaysBetween(from, to) {
      const a = parseDay(from, 'from date')
      const b = parseDay(to, 'to date')
      // countForward is 0 unless its first day is the earlier one; never -0 (0 - 0 is 0)
      return countForward(a, b) - countForward(b, a)
    },
    holidays(year) {
      return loadYear(parseYear(year)).holidays
    },
    holidayName(date) {
      const d = parseDay(date)
      return loadYear(yearOf(d)).names.get(d)
    },
  }
}

/**
 * The federal holidays: the years 2000–2050 from a table of business-days-js' own answers (written down and checked
 * against the library by test/calendar/us-federal-table.test.ts), other years from the library, loaded only then:
 * importing it (and date-holidays under it) was about 40% of a one-record `decide`.
 */
function federalSource(): HolidaySource {
  let library: HolidaySource | undefined
  const { from, to, years } = US_FEDERAL_HOLIDAYS
  return {
    getHolidays(year) {
      const days = year >= from && year <= to ? years[year] : undefined
      if (days !== undefined) return days.map(([date, name]) => ({ date, name }))
      library ??= withObservedVeteransDay(businessDaysSource(undefined))
      return library.getHolidays(year)
    },
  }
}

let defaultCalendar: WorkingDayCalendar | undefined
const getDefaultCalendar = (): WorkingDayCalendar =>
  (defaultCalendar ??= createWorkingDayCalendar({ source: federalSource() }))

/**
 * Federal (no state) US working-day calendar, with the observed Veterans Day; business-days-js is
 * loaded only for a year outside the precomputed 2000–2050. This is the `US` calendar of `calendarNamed()`.
 */
export const usWorkingDays: WorkingDayCalendar = Object.freeze({
  isWorkingDay: (date: string) => getDefaultCalendar().isWorkingDay(date),
  addWorkingDays: (date: string, n: number) => getDefaultCalendar().addWorkingDays(date, n),
  workingDaysBetween: (from: string, to: string) => getDefaultCalendar().workingDaysBetween(from, to),
  holidays: (year: number) => getDefaultCalendar().holidays(year),
  holidayName: (date: string) => getDefaultCalendar().holidayName(date),
})
