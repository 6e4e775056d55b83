/**
 * ajv-formats' full `date` format without its regular expression: the record validators and the date operators
 * check every date of every record, and a match array per date was a tenth of deciding one.
 */

// days per month, February of a common year (index 0 unused), as ajv-formats counts them
const DAYS = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

/** The ASCII digit at `i` as a number, or -1 (`\d` without the `u` flag is ASCII 0-9 only). */
function digitAt(s: string, i: number): number {
  const d = s.charCodeAt(i) - 48
  return d >= 0 && d <= 9 ? d : -1
}

/** Two ASCII digits at `i` as a number, or -1. */
function pairAt(s: string, i: number): number {
  const a = digitAt(s, i)
  const b = digitAt(s, i + 1)
  return a < 0 || b < 0 ? -1 : a * 10 + b
}

/**
 * Whether `s` is a date as ajv-formats' full `date` says: /^(\d\d\d\d)-(\d\d)-(\d\d)$/ and a day that exists in
 * its month (29 February in a leap year of the proleptic Gregorian calendar). Property-tested against it.
 */
export function isFullDate(s: string): boolean {
  if (s.length !== 10 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45) return false
  const century = pairAt(s, 0)
  const within = pairAt(s, 2)
  const month = pairAt(s, 5)
  const day = pairAt(s, 8)
  if (century < 0 || within < 0 || month < 1 || month > 12 || day < 1) return false
  const year = century * 100 + within
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)
  return day <= (month === 2 && leap ? 29 : DAYS[month]!)
}
