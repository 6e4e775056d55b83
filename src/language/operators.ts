/**
 * The operators a policy may use. One definition serves both evaluators (json-rules-engine and the
 * compiled closures), so they cannot disagree about what an operator means.
 */
import type { Condition } from '../model.js'

/** What kind of value an operator expects on its right-hand side (checked by the validator). */
export type ValueKind = 'scalar' | 'list' | 'number' | 'boolean' | 'date' | 'condition'

export interface OperatorDefinition {
  name: string
  valueKind: ValueKind
  /** Sentence fragment for messages and docs: "<fact> <describe> <value>". */
  describe: string
}

export const OPERATORS: Readonly<Record<string, OperatorDefinition>> = Object.freeze({
  equal: { name: 'equal', valueKind: 'scalar', describe: 'equals' },
  notEqual: { name: 'notEqual', valueKind: 'scalar', describe: 'differs from' },
  in: { name: 'in', valueKind: 'list', describe: 'is one of' },
  notIn: { name: 'notIn', valueKind: 'list', describe: 'is none of' },
  lessThan: { name: 'lessThan', valueKind: 'number', describe: 'is less than' },
  lessThanInclusive: { name: 'lessThanInclusive', valueKind: 'number', describe: 'is at most' },
  greaterThan: { name: 'greaterThan', valueKind: 'number', describe: 'is greater than' },
  greaterThanInclusive: { name: 'greaterThanInclusive', valueKind: 'number', describe: 'is at least' },
  present: { name: 'present', valueKind: 'boolean', describe: 'is present (non-empty)' },
  containsAny: { name: 'containsAny', valueKind: 'list', describe: 'contains at least one of' },
  containsOnly: { name: 'containsOnly', valueKind: 'list', describe: 'contains only items from' },
  someMatch: { name: 'someMatch', valueKind: 'condition', describe: 'has an element matching' },
  noneMatch: { name: 'noneMatch', valueKind: 'condition', describe: 'has no element matching' },
  dateBefore: { name: 'dateBefore', valueKind: 'date', describe: 'is before' },
  dateOnOrBefore: { name: 'dateOnOrBefore', valueKind: 'date', describe: 'is on or before' },
  dateAfter: { name: 'dateAfter', valueKind: 'date', describe: 'is after' },
  dateOnOrAfter: { name: 'dateOnOrAfter', valueKind: 'date', describe: 'is on or after' },
})

export const isOperator = (name: string): boolean => Object.prototype.hasOwnProperty.call(OPERATORS, name)

/** The list matches: their value is a condition on each element, their actual value the matching elements. */
export const isListMatch = (op: string): op is 'someMatch' | 'noneMatch' => op === 'someMatch' || op === 'noneMatch'

/**
 * A condition as both compilers take it at the top of a check or a list match: a lone leaf is wrapped
 * in `all` (json-rules-engine wants a group there), so both report the same trees.
 */
export const asGroup = (c: Condition): Condition => ('operator' in c ? { all: [c] } : c)

/** The fact every policy can use besides the record's own top-level fields: the decision date. */
export const AS_OF_FACT = 'asOf'

/** Inside a list match, the fact that holds the element (json-rules-engine's name for it). */
export const ITEM_FACT = '$item'

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

/**
 * Compares a resolved left-hand side with a resolved right-hand side. A missing left-hand side
 * (undefined or null) never satisfies any operator except `present: false`.
 * List operators (someMatch/noneMatch) are not handled here: their left side is the count of matches.
 */
export function compare(operator: string, actual: unknown, expected: unknown): boolean {
  if (operator === 'present') return isPresent(actual) === (expected === true)
  if (actual === undefined || actual === null) return false
  switch (operator) {
    case 'equal':
      return isScalar(actual) && actual === expected
    case 'notEqual':
      return isScalar(actual) && actual !== expected
    case 'in':
      return isScalar(actual) && Array.isArray(expected) && expected.includes(actual)
    case 'notIn':
      return isScalar(actual) && Array.isArray(expected) && !expected.includes(actual)
    case 'lessThan':
      return typeof actual === 'number' && typeof expected === 'number' && actual < expected
    case 'lessThanInclusive':
      return typeof actual === 'number' && typeof expected === 'number' && actual <= expected
    case 'greaterThan':
      return typeof actual === 'number' && typeof expected === 'number' && actual > expected
    case 'greaterThanInclusive':
      return typeof actual === 'number' && typeof expected === 'number' && actual >= expected
    case 'containsAny':
      return Array.isArray(actual) && Array.isArray(expected) && actual.some((a) => expected.includes(a))
    case 'containsOnly':
      return Array.isArray(actual) && Array.isArray(expected) && actual.every((a) => expected.includes(a))
    case 'dateBefore':
    case 'dateOnOrBefore':
    case 'dateAfter':
    case 'dateOnOrAfter': {
      const a = calendarDate(actual)
      const b = calendarDate(expected)
      if (a === undefined || b === undefined) return false
      if (operator === 'dateBefore') return a < b
      if (operator === 'dateOnOrBefore') return a <= b
      if (operator === 'dateAfter') return a > b
      return a >= b
    }
    default:
      return false
  }
}
