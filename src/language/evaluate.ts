/**
 * A condition judged against one record by walking it, with the meaning both evaluators give it
 * (compile/closures.ts, the json-rules-engine path): for checks made a few thousand times at most, where
 * compiling each condition is not worth it (validate's search for a record two markets both claim).
 * A test holds it equal to compileTest on the operators, paths, list matches and date operands.
 */
import type { WorkingDayCalendar } from '../calendar/working-days.js'
import type { Condition, LeafCondition } from '../model.js'
import { AS_OF_FACT, calendarDate, comparer, isListMatch, isOperator, OPERATORS } from './operators.js'
import { resolvePath } from './paths.js'

/** A path applied as json-rules-engine's almanac applies one: only to an object; any other value comes back as is. */
const applyPath = (value: unknown, path: string | undefined): unknown =>
  value !== null && typeof value === 'object' ? resolvePath(value, path) : value

/** A fact then its path: the record's own field, `asOf`, or the list element (a leaf with no fact, inside a match). */
function read(
  fact: string | undefined,
  path: string | undefined,
  record: Readonly<Record<string, unknown>>,
  asOf: string,
  item: { value: unknown } | undefined,
): unknown {
  if (fact === undefined) return item === undefined ? undefined : applyPath(item.value, path)
  if (fact === AS_OF_FACT) return applyPath(asOf, path)
  return applyPath(Object.hasOwn(record, fact) ? record[fact] : undefined, path)
}

/** A date operand: a literal, a {fact, path} / {path} reference, or {addWorkingDays, to}. */
function dateOperand(
  v: unknown,
  record: Readonly<Record<string, unknown>>,
  asOf: string,
  item: { value: unknown } | undefined,
  calendar: WorkingDayCalendar,
): unknown {
  if (!v || typeof v !== 'object') return v
  const o = v as { fact?: string; path?: string; addWorkingDays?: number; to?: unknown }
  if (o.addWorkingDays === undefined) return read(o.fact, o.path, record, asOf, item)
  const date = calendarDate(dateOperand(o.to, record, asOf, item, calendar))
  if (date === undefined) return undefined
  try {
    return calendar.addWorkingDays(date, o.addWorkingDays)
  } catch (err) {
    // a date the calendar cannot represent (past 9999) is no date at all, as in both evaluators
    if ((err as { code?: unknown }).code === 'E_INVALID_DATE') return undefined
    throw err
  }
}

/**
 * Whether `record` meets `c` on `asOf`: all/any/not (an empty group holds), list matches over the
 * record's lists, date operands read from the record, asOf or the calendar. An unknown operator never holds.
 */
export function holdsFor(
  c: Condition,
  record: Readonly<Record<string, unknown>>,
  asOf: string,
  calendar: WorkingDayCalendar,
  item?: { value: unknown },
): boolean {
  if ('all' in c) return c.all.every((x) => holdsFor(x, record, asOf, calendar, item))
  if ('any' in c) return c.any.length === 0 || c.any.some((x) => holdsFor(x, record, asOf, calendar, item))
  if ('not' in c) return !holdsFor(c.not, record, asOf, calendar, item)
  const leaf: LeafCondition = c
  const actual = read(leaf.fact, leaf.path, record, asOf, item)
  if (isListMatch(leaf.operator)) {
    if (!Array.isArray(actual)) return false
    const where = leaf.value as Condition
    const found = actual.some((value: unknown) => holdsFor(where, record, asOf, calendar, { value }))
    return leaf.operator === 'someMatch' ? found : !found
  }
  const dated = isOperator(leaf.operator) && OPERATORS[leaf.operator]!.valueKind === 'date'
  const expected = dated ? dateOperand(leaf.value, record, asOf, item, calendar) : leaf.value
  return comparer(leaf.operator)(actual, expected)
}
