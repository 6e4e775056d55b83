/**
 * What values mean to the operators: which strings are calendar dates, what counts as present,
 * what a scalar is. One definition for the validator, both evaluators and every operator.
 */

import * as ajvFormats from 'ajv-formats/dist/formats.js'
import { isFullDate } from '../date-format.js'

// The record schemas' own formats (ajv-formats' full `date` and `date-time`): a string is a date here
// exactly when a record schema's date field would accept it, so no schema-valid date is refused later.
const formats = (ajvFormats as unknown as { fullFormats: Record<string, unknown> }).fullFormats
const asCheck = (f: unknown): ((s: string) => boolean) =>
  typeof f === 'function' ? (f as (s: string) => boolean) : (f as { validate: (s: string) => boolean }).validate
// ajv-formats' `date` without its regular expression, same verdicts (test/validate/date-format.test.ts)
const isDate = isFullDate
const isDateTime = asCheck(formats['date-time'])

/**
 * The calendar date (YYYY-MM-DD) of a date or an RFC 3339 date-time (the form the record schemas
 * accept: 0000–9999, a time with seconds and a zone), or undefined if it is neither. A date-time
 * counts by the date it is written with: the time and zone are not converted.
 */
export function calendarDate(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined
  return (value.length === 10 ? isDate(value) : isDateTime(value)) ? value.slice(0, 10) : undefined
}

/** A plain calendar date 'YYYY-MM-DD' (no time part) that exists, or undefined. */
export function strictCalendarDate(value: unknown): string | undefined {
  return typeof value === 'string' && value.length === 10 ? calendarDate(value) : undefined
}

/**
 * A blank string: every character is Unicode White_Space or Default_Ignorable_Code_Point (spaces, line
 * breaks, U+3000, zero-width and format characters such as U+200B and U+FEFF), so nothing in it shows.
 */
const BLANK = /^[\p{White_Space}\p{Default_Ignorable_Code_Point}]*$/u

/** True when a value counts as present: not missing, not null, not a blank string (BLANK), not an empty list. */
export function isPresent(value: unknown): boolean {
  if (value === undefined || value === null) return false
  if (typeof value === 'string') {
    // a visible ASCII first character is never blank: no regular expression for the common case
    const c = value.length > 0 ? value.charCodeAt(0) : 0
    return (c > 32 && c < 127) || !BLANK.test(value)
  }
  if (Array.isArray(value)) return value.length > 0
  return true
}

export const isScalar = (v: unknown): v is string | number | boolean =>
  typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean'
