/** What the date operators share: both sides read as calendar dates, compared as written. */
import { calendarDate } from '../values.js'

/** Which side is the later calendar date, 'same', or undefined when either side is not a date. */
export function laterOf(actual: unknown, expected: unknown): 'left' | 'right' | 'same' | undefined {
  const a = calendarDate(actual)
  const b = calendarDate(expected)
  if (a === undefined || b === undefined) return undefined
  return a < b ? 'right' : a > b ? 'left' : 'same'
}
