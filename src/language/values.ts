/**
 * What values mean to the operators: which strings are calendar dates, what counts as present,
 * what a scalar is. One definition for the validator, both evaluators and every operator.
 */

// RFC 3339 allows 't' and a space as the date-time separator
const DATE_PREFIX = /^(\d{4})-(\d{2})-(\d{2})(?:$|[Tt ])/

/** The calendar date (YYYY-MM-DD) of a date or date-time string, or undefined if it is not one. */
export function calendarDate(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined
  const m = DATE_PREFIX.exec(value)
  if (!m) return undefined
  const y = Number(m[1])
  const mo = Number(m[2])
  const d = Number(m[3])
  // years 0000-0099 were never dates here (Date.UTC reads them as 1900-1999); kept so answers do not change
  if (y < 100 || mo < 1 || mo > 12 || d < 1) return undefined
  if (d > (mo === 2 && (y % 4 === 0 ? y % 100 !== 0 || y % 400 === 0 : false) ? 29 : DAYS_IN_MONTH[mo - 1]!)) return undefined
  return value.slice(0, 10)
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

/** A plain calendar date 'YYYY-MM-DD' (no time part) that exists, or undefined. */
export function strictCalendarDate(value: unknown): string | undefined {
  return typeof value === 'string' && value.length === 10 ? calendarDate(value) : undefined
}

/** True when a value counts as present: not missing, not null, not a blank string, not an empty list. */
export function isPresent(value: unknown): boolean {
  if (value === undefined || value === null) return false
  if (typeof value === 'string') {
    // a visible ASCII first character is never whitespace: no trim(), which copies the string
    const c = value.length > 0 ? value.charCodeAt(0) : 0
    return (c > 32 && c < 127) || value.trim().length > 0
  }
  if (Array.isArray(value)) return value.length > 0
  return true
}

export const isScalar = (v: unknown): v is string | number | boolean =>
  typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean'
