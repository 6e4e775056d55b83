/**
 * Derived facts, computed from the record (and asOf, and the policy's calendar) once per decision,
 * before either evaluator reads the record: the record each evaluator sees is the record with the
 * derived facts added as top-level fields. So both evaluators read them alike, as they read any fact.
 *
 * Meaning (docs/authoring.md, "Derived facts"):
 * - arithmetic is exact on the numbers' decimal text (scaled BigInt); divide and ratio keep `places`
 *   decimal places (DERIVED_PLACES by default), round `places` (0 by default), half away from zero;
 * - a missing input (absent, null, not a number, not a date, not a list) makes the derived fact missing,
 *   unless the operand gives a `default`; so does a division by zero and a result no double holds;
 * - a derived fact replaces a record field of the same name (validate refuses a name the schema has).
 */
import { calendarNamed } from '../calendar/calendars.js'
import type { WorkingDayCalendar } from '../calendar/working-days.js'
import * as dec from '../language/decimal.js'
import { AS_OF_FACT, calendarDate } from '../language/operators.js'
import { parsePath, resolveSegments, type PathSegment } from '../language/paths.js'
import type { Condition, DerivedFact, DerivedOperand, Policy, PolicyRecord } from '../model.js'

/** closures.ts's compiler of a condition on a list element (passed in: closures.ts imports this module). */
export type ElementTestCompiler = (
  condition: Condition,
  calendar: WorkingDayCalendar,
) => (record: PolicyRecord, asOf: string, item: unknown) => boolean

type Decimal = dec.Decimal
/** A derived value: a decimal, a whole number (counts, days, sums of whole numbers), or missing. */
type Value = Decimal | number | undefined

/** The longest span workingDays counts, in calendar days (100 years): a longer one is missing (bounded cost). */
export const MAX_WORKING_DAY_SPAN = 36_525

/** One operand, compiled: where it reads and how it is shown. */
interface Operand {
  literal?: Decimal
  /** The literal as a number, and the default as one, for the whole-number fast path. */
  number?: number
  defaultNumber?: number
  fact?: string
  segments?: PathSegment[]
  each?: PathSegment[]
  default?: Decimal
  /** How evidence names it: `applicant.clientsServed.sellers`, `incidents[].amount`, `2`. */
  label: string
}

interface CompiledFact {
  fact: DerivedFact
  operands: Operand[]
  where?: (record: PolicyRecord, asOf: string, item: unknown) => boolean
}

/** Derived facts of one policy, compiled once. */
export interface Deriver {
  /** The record with the derived facts added (the record itself when the policy declares none). */
  derive(record: PolicyRecord, asOf: string): PolicyRecord
  /** How each derived fact was computed for this record, by name, e.g. `sum(a 30, b 30) = 60`. */
  traces(record: PolicyRecord, asOf: string): ReadonlyMap<string, string>
}

const identity: Deriver = { derive: (record) => record, traces: () => new Map() }
const derivers = new WeakMap<Policy, Deriver>()

function label(o: DerivedOperand): string {
  if (typeof o === 'number') return String(o)
  const path = (o.path ?? '').replace(/^\$\.?/, '')
  const base = path ? `${o.fact}.${path}` : o.fact
  if (o.each === undefined) return base
  const each = o.each.replace(/^\$\.?/, '')
  return `${base}[]${each ? '.' + each : ''}`
}

function compileOperand(o: DerivedOperand): Operand {
  if (typeof o === 'number') return { literal: dec.toDecimal(o)!, number: o, label: label(o) }
  const out: Operand = { fact: o.fact, segments: parsePath(o.path ?? '$') ?? [], label: label(o) }
  if (o.each !== undefined) out.each = parsePath(o.each) ?? []
  if (o.default !== undefined) {
    out.default = dec.toDecimal(o.default)!
    out.defaultNumber = o.default
  }
  return out
}

/** The compiled derived facts of a policy (remembered per policy). */
export function deriverOf(policy: Policy, compileElementTest: ElementTestCompiler): Deriver {
  if (!policy.derived || policy.derived.length === 0) return identity
  let d = derivers.get(policy)
  if (!d) {
    d = compileDerived(policy.derived, calendarNamed(policy.calendar), compileElementTest)
    derivers.set(policy, d)
  }
  return d
}

type Facts = readonly DerivedFact[]

function compileDerived(facts: Facts, calendar: WorkingDayCalendar, elementTest: ElementTestCompiler): Deriver {
  const compiled: CompiledFact[] = facts.map((fact) => {
    const c: CompiledFact = { fact, operands: fact.operands.map(compileOperand) }
    if (fact.where) c.where = elementTest(fact.where, calendar)
    return c
  })
  const names = new Set(facts.map((f) => f.name))

  /** Every derived value of a record, in order; `trace` (when given) collects how each operand read. */
  const compute = (record: PolicyRecord, asOf: string, trace?: Map<string, string>): Map<string, Value> => {
    const values = new Map<string, Value>()
    // conditions inside a count's where read the record with the facts derived so far
    let view: PolicyRecord | undefined
    for (const c of compiled) {
      const shown: string[] | undefined = trace ? [] : undefined
      const read = (o: Operand): unknown => {
        if (o.literal) return o.literal
        if (o.fact === AS_OF_FACT) return asOf
        if (names.has(o.fact!)) return values.get(o.fact!)
        return resolveSegments(record, [o.fact!, ...o.segments!])
      }
      const value = evaluate(c, read, shown, record, asOf, calendar, () => (view ??= withValues(record, values, names)))
      view = undefined
      values.set(c.fact.name, value)
      if (trace) trace.set(c.fact.name, `${c.fact.operation}(${shown!.join(', ')}) = ${show(value)}`)
    }
    return values
  }

  return {
    derive(record, asOf) {
      return withValues(record, compute(record, asOf), names)
    },
    traces(record, asOf) {
      const trace = new Map<string, string>()
      compute(record, asOf, trace)
      return trace
    },
  }
}

/** A copy of the record with the derived values set (a missing one absent), record fields of those names dropped. */
function withValues(record: PolicyRecord, values: ReadonlyMap<string, Value>, names: ReadonlySet<string>) {
  // null prototype: a `__proto__` key of the record stays a plain key of the copy
  const out = Object.create(null) as PolicyRecord
  for (const key of Object.keys(record)) if (!names.has(key)) out[key] = record[key]
  for (const [name, v] of values) {
    if (v === undefined) continue
    out[name] = typeof v === 'number' ? v : dec.toNumber(v)
  }
  return out
}

function show(v: unknown): string {
  if (v === undefined) return '(missing)'
  return isDecimal(v) ? dec.decimalText(v) : typeof v === 'number' ? String(v) : JSON.stringify(v)
}

function isDecimal(v: unknown): v is Decimal {
  return v !== null && typeof v === 'object' && typeof (v as Decimal).units === 'bigint'
}

/** A value read as a decimal: a decimal (a literal or derived fact), or a finite number of the record. */
function asDecimal(v: unknown): Decimal | undefined {
  return isDecimal(v) ? v : dec.toDecimal(v)
}

function evaluate(
  c: CompiledFact,
  read: (o: Operand) => unknown,
  shown: string[] | undefined,
  record: PolicyRecord,
  asOf: string,
  calendar: WorkingDayCalendar,
  view: () => PolicyRecord,
): Value {
  const { fact, operands } = c
  const op = fact.operation
  if (op === 'count') {
    const list = read(operands[0]!)
    const n = Array.isArray(list) ? countOf(list, c.where, view(), asOf) : undefined
    shown?.push(`${operands[0]!.label}${Array.isArray(list) ? ` ${n} of ${list.length}` : ' (missing)'}`)
    return n
  }
  if (op === 'workingDays' || op === 'days') {
    const [from, to] = operands.map((o) => {
      const date = calendarDate(read(o))
      shown?.push(`${o.label} ${date ?? '(missing)'}`)
      return date
    })
    if (from === undefined || to === undefined) return undefined
    const n = op === 'days' ? daysBetween(from, to) : workingDaysBetween(calendar, from, to)
    return n
  }
  // whole numbers add exactly as doubles while the sum stays safe: no decimal needed (the common case)
  if (shown === undefined && WHOLE.has(op)) {
    const n = wholeArithmetic(op, operands, read)
    if (n !== undefined) return n
  }
  // numbers: every operand read (and shown) before any is judged, so evidence lists them all
  const nums: (Decimal | undefined)[] = []
  for (const o of operands) {
    const v = read(o)
    if (o.each !== undefined) {
      const list = Array.isArray(v) ? v.map((x) => asDecimal(resolveSegments(x, o.each!))) : undefined
      shown?.push(`${o.label} ${list ? (list.length === 0 ? '(none)' : list.map(show).join(' ')) : '(missing)'}`)
      if (!list || list.some((x) => x === undefined)) nums.push(undefined)
      else nums.push(...list)
      continue
    }
    const d = asDecimal(v)
    if (d === undefined && o.default !== undefined) {
      shown?.push(`${o.label} (missing, default ${dec.decimalText(o.default)})`)
      nums.push(o.default)
      continue
    }
    if (!o.literal) shown?.push(`${o.label} ${show(d)}`)
    else shown?.push(o.label)
    nums.push(d)
  }
  if (nums.some((x) => x === undefined)) return undefined
  const result = arithmetic(op, nums as Decimal[], fact.places)
  // a result no double holds (1e300 × 1e300) is no number at all
  return result === undefined || !Number.isFinite(dec.toNumber(result)) ? undefined : result
}

const WHOLE: ReadonlySet<DerivedFact['operation']> = new Set(['sum', 'add', 'subtract', 'min', 'max'])

/** sum, add, subtract, min or max of safe whole numbers, when every operand and step is one; else undefined. */
function wholeArithmetic(op: DerivedFact['operation'], operands: readonly Operand[], read: (o: Operand) => unknown) {
  let acc = 0
  for (let i = 0; i < operands.length; i++) {
    const o = operands[i]!
    if (o.each !== undefined) return undefined
    let v = o.literal ? o.number : read(o)
    if ((v === undefined || v === null || typeof v !== 'number') && o.default !== undefined) v = o.defaultNumber
    if (typeof v !== 'number' || !Number.isSafeInteger(v)) return undefined
    if (i === 0) acc = v
    else if (op === 'subtract') acc -= v
    else if (op === 'min') acc = Math.min(acc, v)
    else if (op === 'max') acc = Math.max(acc, v)
    else acc += v
    // past 2^53 a double is no longer exact: the decimal path takes over
    if (!Number.isSafeInteger(acc)) return undefined
  }
  // 0 - 0 may be -0, which is 0
  return acc + 0
}

function arithmetic(op: DerivedFact['operation'], xs: Decimal[], places: number | undefined): Decimal | undefined {
  switch (op) {
    case 'sum':
    case 'add':
      return xs.reduce(dec.add, { units: 0n, scale: 0 })
    case 'subtract':
      return dec.subtract(xs[0]!, xs[1]!)
    case 'multiply':
      return xs.reduce(dec.multiply, { units: 1n, scale: 0 })
    case 'min':
      return xs.length === 0 ? undefined : xs.reduce((a, b) => (dec.compare(b, a) < 0 ? b : a))
    case 'max':
      return xs.length === 0 ? undefined : xs.reduce((a, b) => (dec.compare(b, a) > 0 ? b : a))
    case 'divide':
    case 'ratio':
      return dec.divide(xs[0]!, xs[1]!, places ?? dec.DERIVED_PLACES)
    default: // round: the validator allows no other operation here
      return dec.round(xs[0]!, places ?? 0)
  }
}

function countOf(list: readonly unknown[], where: CompiledFact['where'], record: PolicyRecord, asOf: string): number {
  if (!where) return list.length
  let n = 0
  for (const item of list) if (where(record, asOf, item)) n++
  return n
}

const DAY_MS = 86_400_000

function dayNumber(date: string): number {
  return Math.round(Date.parse(`${date}T00:00:00Z`) / DAY_MS)
}

function daysBetween(from: string, to: string): number | undefined {
  const n = dayNumber(to) - dayNumber(from)
  return Number.isFinite(n) ? n : undefined
}

function workingDaysBetween(calendar: WorkingDayCalendar, from: string, to: string): number | undefined {
  const span = daysBetween(from, to)
  if (span === undefined || Math.abs(span) > MAX_WORKING_DAY_SPAN) return undefined
  try {
    return calendar.workingDaysBetween(from, to)
  } catch (err) {
    // a date the calendar cannot represent is no date, as for addWorkingDays
    if ((err as { code?: unknown }).code === 'E_INVALID_DATE') return undefined
    throw err
  }
}
