/**
 * A bounded search for a record two `appliesTo` conditions both claim, for conditions the exact search
 * (overlap.ts) cannot decide: list matches, `asOf`, fact operands. Candidates start from the record
 * schema (its required fields filled with values it accepts), then vary each field the conditions read
 * over the values they name, a value either side of each number or date, empty and one-element lists,
 * and absence. Fields are varied few at a time first (none, then one, then two...), in one fixed order,
 * up to a cap; a candidate both conditions hold for and every record schema accepts is a witness.
 */
import { calendarNamed } from '../calendar/calendars.js'
import { holdsFor } from '../language/evaluate.js'
import { AS_OF_FACT, isListMatch, isOperator, OPERATORS, strictCalendarDate } from '../language/operators.js'
import { parsePath } from '../language/paths.js'
import type { Condition, JsonSchema, LeafCondition, RecordSchema } from '../model.js'
import { schemaAt, schemaTypes } from '../schemas.js'
import { compileRecordSchema } from './record-schema.js'

/** Candidate records tried at most (each with its decision date): past it the answer is "not decided". */
export const MAX_CANDIDATES = 10_000
/** Elements tried at most per list a list match reads. */
const MAX_ELEMENTS = 32

export interface WitnessContext {
  /** The record schemas a witness must meet (both policies', once each). */
  schemas: readonly RecordSchema[]
  /** The calendars of the two conditions' working-day operands. */
  calendars: readonly [string, string]
  /** The first day both policies are in effect, and the first day one of them no longer is (none: open). */
  from: string
  until?: string | undefined
  /** Candidates tried at most (default MAX_CANDIDATES). */
  cap?: number
  /** Fields the first candidate holds (the exact search's witness), over the schema's filled-in record. */
  seed?: Record<string, unknown>
}

export type WitnessSearch =
  | { witness: Record<string, unknown>; asOf: string; reads: Path[]; readsAsOf: boolean }
  | { none: true }
  | { undecided: 'cap' | 'schema'; tried: number }

export type Path = readonly (string | number)[]

/** A place the search varies: a field (path from the record's root) or the decision date. */
interface Slot {
  path: Path | 'asOf'
  /** Candidates in order; the first is the default every other slot sees. */
  values: unknown[]
}

const DATE = /^\d{4}-\d{2}-\d{2}$/
const dayShift = (date: string, days: number): string =>
  new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10)

/** A string a schema's pattern and lengths accept, from a few stock ones (a pattern is not generated from). */
function stockString(s: JsonSchema, from: string): string | undefined {
  const min = typeof s.minLength === 'number' ? s.minLength : 0
  const max = typeof s.maxLength === 'number' ? s.maxLength : Infinity
  if (s.format === 'date') return from
  if (s.format === 'date-time') return `${from}T00:00:00Z`
  if (s.format === 'email') return 'someone@example.com'
  if (s.format === 'uri' || s.format === 'url') return 'https://example.com/'
  let pattern: RegExp | undefined
  try {
    pattern = typeof s.pattern === 'string' ? new RegExp(s.pattern, 'u') : undefined
  } catch {
    pattern = undefined
  }
  const stock = ['x', 'X', 'AA', 'A1', 'a', '1', 'x-1', 'example', 'x'.repeat(Math.max(min, 1))]
  return stock.find((v) => v.length >= min && v.length <= max && (pattern === undefined || pattern.test(v)))
}

/** A value a (sub)schema accepts where one is easy to make: const, enum, examples, default, or by type. */
export function exampleOf(
  root: JsonSchema,
  given: JsonSchema | undefined,
  from: string,
  budget = { nodes: 2_000 },
  depth = 0,
): unknown {
  const s = schemaAt(root, given, [])
  // a schema that requires itself (`$ref` loops) would make a record without end: depth and size are bounded
  if (s === undefined || depth > 12 || budget.nodes-- <= 0) return undefined
  if ('const' in s) return s.const
  if (Array.isArray(s.enum) && s.enum.length > 0) return s.enum[0]
  if (Array.isArray(s.examples) && s.examples.length > 0) return s.examples[0]
  if ('default' in s) return s.default
  for (const key of ['anyOf', 'oneOf'] as const) {
    const options = s[key]
    if (Array.isArray(options) && options.length > 0) {
      // the first alternative, with what the schema says beside it (`type: string, anyOf: [{format: date}, …]`)
      const { [key]: _alternatives, ...beside } = s
      return exampleOf(root, { ...beside, ...(options[0] as JsonSchema) }, from, budget, depth + 1)
    }
  }
  const types = [...schemaTypes(s)]
  const type = types.find((t) => t !== 'null') ?? types[0] ?? (s.properties ? 'object' : undefined)
  switch (type) {
    case 'object': {
      const out: Record<string, unknown> = {}
      const props = (s.properties ?? {}) as Record<string, JsonSchema>
      for (const key of Array.isArray(s.required) ? (s.required as string[]) : []) {
        const value = exampleOf(root, Object.hasOwn(props, key) ? props[key] : {}, from, budget, depth + 1)
        out[key] = value === undefined ? 'x' : value
      }
      return out
    }
    case 'array': {
      const n = typeof s.minItems === 'number' ? Math.min(s.minItems, 10) : 0
      return Array.from({ length: n }, () =>
        exampleOf(root, s.items as JsonSchema | undefined, from, budget, depth + 1),
      )
    }
    case 'string':
      return stockString(s, from)
    case 'number': {
      const low =
        typeof s.minimum === 'number'
          ? s.minimum
          : typeof s.exclusiveMinimum === 'number'
            ? Math.floor(s.exclusiveMinimum) + 1
            : 0
      return typeof s.maximum === 'number' && low > s.maximum ? s.maximum : low
    }
    case 'boolean':
      return false
    case 'null':
      return null
    default:
      return undefined
  }
}

/** What the conditions read, found by walking them: fields with the constants compared to them, and lists. */
interface Reads {
  /** By path key: the path and the constants compared to it. */
  fields: Map<string, { path: Path; constants: unknown[]; dated: boolean }>
  /** Lists a list match reads, by path key: the element conditions, the element fields and constants. */
  lists: Map<string, { path: Path; wheres: { op: string; where: Condition }[]; inner: Reads }>
  /** Lists containsAny / containsOnly compare, by path key, with their values. */
  scalarLists: Map<string, { path: Path; values: unknown[] }>
  asOf: unknown[]
  readsAsOf: boolean
}

const emptyReads = (): Reads => ({
  fields: new Map(),
  lists: new Map(),
  scalarLists: new Map(),
  asOf: [],
  readsAsOf: false,
})
const keyOf = (path: Path): string => JSON.stringify(path)

/** The path a fact and JSONPath lead to; undefined for a path the search does not follow. */
function pathOf(fact: string | undefined, path: string | undefined): Path | undefined {
  const segments = parsePath(path === undefined || path === '' ? '$' : path)
  if (segments === undefined) return undefined
  return fact === undefined ? segments : [fact, ...segments]
}

function addField(reads: Reads, path: Path, constants: readonly unknown[], dated: boolean): void {
  const field = reads.fields.get(keyOf(path)) ?? { path, constants: [], dated: false }
  field.constants.push(...constants)
  field.dated ||= dated
  reads.fields.set(keyOf(path), field)
}

/** Walks a condition; `inner` is set inside a list match (a leaf with no fact reads the element there). */
function collect(c: Condition, top: Reads, inner: Reads | undefined): void {
  if ('all' in c) return c.all.forEach((x) => collect(x, top, inner))
  if ('any' in c) return c.any.forEach((x) => collect(x, top, inner))
  if ('not' in c) return collect(c.not, top, inner)
  const leaf: LeafCondition = c
  const at = leaf.fact === undefined ? inner : top
  if (at === undefined) return
  const def = isOperator(leaf.operator) ? OPERATORS[leaf.operator]! : undefined
  const dated = def?.valueKind === 'date'
  const operand = dated && leaf.value !== null && typeof leaf.value === 'object' ? leaf.value : undefined
  const constants = operand ? [] : Array.isArray(leaf.value) ? leaf.value : [leaf.value]
  if (operand) collectOperand(operand as Record<string, unknown>, top, inner)
  if (leaf.fact === AS_OF_FACT) {
    top.readsAsOf = true
    top.asOf.push(...constants)
    return
  }
  const path = pathOf(leaf.fact, leaf.path)
  if (path === undefined) return
  if (isListMatch(leaf.operator)) {
    const list = at.lists.get(keyOf(path)) ?? { path, wheres: [], inner: emptyReads() }
    list.wheres.push({ op: leaf.operator, where: leaf.value as Condition })
    collect(leaf.value as Condition, top, list.inner)
    at.lists.set(keyOf(path), list)
  } else if (def?.valueKind === 'list' && def.actual?.type === 'array') {
    const list = at.scalarLists.get(keyOf(path)) ?? { path, values: [] }
    list.values.push(...constants)
    at.scalarLists.set(keyOf(path), list)
  } else addField(at, path, constants, dated)
}

/** A date operand's reads: `{fact, path}`, `{path}` (the element) or `{addWorkingDays, to}`. */
function collectOperand(o: Record<string, unknown>, top: Reads, inner: Reads | undefined): void {
  if (o.addWorkingDays !== undefined) {
    const to = o.to
    if (to !== null && typeof to === 'object') collectOperand(to as Record<string, unknown>, top, inner)
    return
  }
  const fact = typeof o.fact === 'string' ? o.fact : undefined
  if (fact === AS_OF_FACT) {
    top.readsAsOf = true
    return
  }
  const at = fact === undefined ? inner : top
  const path = pathOf(fact, typeof o.path === 'string' ? o.path : undefined)
  if (at !== undefined && path !== undefined && path.length > 0) addField(at, path, [], true)
}

/** Values for one field: its default, absence, the constants, either side of each number and date, another value. */
function fieldValues(
  base: unknown,
  constants: readonly unknown[],
  schema: JsonSchema | undefined,
  dated: boolean,
  from: string,
) {
  const out: unknown[] = [base, undefined, ...constants]
  const numbers = [...new Set(constants.filter((c): c is number => typeof c === 'number'))].sort((x, y) => x - y)
  numbers.forEach((n, i) => out.push(n - 1, n + 1, ...(i > 0 ? [(numbers[i - 1]! + n) / 2] : [])))
  const dates = [...new Set(constants.filter((c): c is string => typeof c === 'string' && DATE.test(c)))].sort()
  for (const d of dates) out.push(dayShift(d, -1), dayShift(d, 1))
  if (dated) out.push(from, dayShift(from, -1), dayShift(from, 1))
  out.push('another value')
  const types = schemaTypes(schema)
  if (Array.isArray(schema?.enum)) out.push(...(schema.enum as unknown[]))
  if (types.has('boolean')) out.push(true, false)
  const fits = (v: unknown) =>
    v === undefined || types.size === 0 || types.has(v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v)
  return unique(out.filter(fits))
}

/** Values in order, each once (by JSON: a list or object value is compared by content). */
function unique(values: readonly unknown[]): unknown[] {
  const seen = new Set<string>()
  return values.filter((v) => {
    const key = v === undefined ? 'undefined' : JSON.stringify(v)
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
}

/** A copy of `base` with `value` at `path` (undefined: removed); missing parents are made as the schema makes them. */
function setAt(base: unknown, path: Path, value: unknown, make: (at: Path) => unknown): unknown {
  if (path.length === 0) return value
  const [head, ...rest] = path
  const isObject = (v: unknown): v is object => v !== null && typeof v === 'object'
  const made = isObject(base) ? base : make([])
  const parent = isObject(made) ? made : {}
  const copy = (Array.isArray(parent) ? [...(parent as unknown[])] : { ...parent }) as Record<string | number, unknown>
  const child = Object.hasOwn(copy, head!) ? copy[head!] : undefined
  const next = setAt(child === undefined && rest.length > 0 ? make([head!]) : child, rest, value, (at) =>
    make([head!, ...at]),
  )
  if (next === undefined) delete copy[head!]
  else own(copy, head!, next)
  return copy
}

/** The slots of one level of reads (the record, or one list element) under a schema and its default value. */
function slotsOf(
  reads: Reads,
  root: JsonSchema,
  at: JsonSchema | undefined,
  base: unknown,
  ctx: WitnessContext,
): Slot[] {
  const valueAt = (path: Path): unknown => {
    let v = base
    for (const k of path)
      v = v !== null && typeof v === 'object' && Object.hasOwn(v, k) ? (v as Record<string, unknown>)[k] : undefined
    return v
  }
  const slots: Slot[] = []
  for (const f of reads.fields.values()) {
    if (f.path.length === 0) continue
    const schema = schemaAt(root, at, f.path)
    slots.push({ path: f.path, values: fieldValues(valueAt(f.path), f.constants, schema, f.dated, ctx.from) })
  }
  for (const l of reads.scalarLists.values()) {
    const values = [valueAt(l.path), undefined, [], ...unique(l.values).map((v) => [v]), unique(l.values)]
    slots.push({ path: l.path, values: unique(values) })
  }
  for (const l of reads.lists.values()) {
    const listSchema = schemaAt(root, at, l.path)
    const itemSchema = schemaAt(root, listSchema, [0])
    const item = exampleOf(root, itemSchema, ctx.from) ?? {}
    const inner = slotsOf(l.inner, root, itemSchema, item, ctx)
    const make = (path: Path) => exampleOf(root, schemaAt(root, itemSchema, path), ctx.from)
    const elements: unknown[] = []
    for (const pick of assignments(inner, MAX_ELEMENTS)) elements.push(build(item, inner, pick, make))
    // one element meeting each someMatch, together: two matches of one list may need two elements
    const calendar = calendarNamed(ctx.calendars[0])
    const meets = l.wheres
      .filter((w) => w.op === 'someMatch')
      .map((w) => elements.find((e) => holdsFor(w.where, {}, ctx.from, calendar, { value: e })))
      .filter((e) => e !== undefined)
    const values = [valueAt(l.path), undefined, [], ...elements.map((e) => [e]), unique(meets)]
    slots.push({ path: l.path, values: unique(values) })
  }
  // a slot with one candidate never varies: left out, so every subset the enumeration visits yields a record
  return slots.filter((slot) => slot.values.length > 1)
}

/** Sets an own property: a field named `__proto__` is a field, never the object's prototype. */
const own = (o: Record<string | number, unknown>, key: string | number, value: unknown): void => {
  Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true })
}

/** `base` with `over`'s fields put in it, objects merged key by key. */
function merge(base: unknown, over: unknown): unknown {
  const plain = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v)
  if (over === undefined) return base
  if (!plain(base) || !plain(over)) return over
  const out: Record<string, unknown> = { ...base }
  for (const [k, v] of Object.entries(over)) own(out, k, merge(Object.hasOwn(out, k) ? out[k] : undefined, v))
  return out
}

/** The values of a record at some paths, as a record of those alone (for a message: what the conditions read). */
export function fieldsAt(record: Record<string, unknown>, paths: readonly Path[]): Record<string, unknown> {
  let out: unknown = {}
  for (const path of paths) {
    let v: unknown = record
    for (const k of path)
      v = v !== null && typeof v === 'object' && Object.hasOwn(v, k) ? (v as Record<string, unknown>)[k] : undefined
    if (v !== undefined) out = setAt(out, path, v, () => ({}))
  }
  return out as Record<string, unknown>
}

/** A value with each slot's picked candidate set in it. */
function build(base: unknown, slots: readonly Slot[], pick: readonly number[], make: (at: Path) => unknown): unknown {
  let out = base
  slots.forEach((slot, i) => {
    if (slot.path !== 'asOf' && pick[i] !== 0) out = setAt(out, slot.path, slot.values[pick[i]!], make)
  })
  return out
}

/**
 * Every assignment of candidates to slots, fewest slots off their default first (none, then each one,
 * then each two...), in a fixed order; at most `cap` of them.
 */
function* assignments(slots: readonly Slot[], cap: number): Generator<number[]> {
  const n = slots.length
  let given = 0
  for (let k = 0; k <= n; k++) {
    // each k-subset of slots, in lexicographic order, with every non-default candidate of each
    const subset = Array.from({ length: k }, (_, i) => i)
    while (true) {
      const varied = subset.every((i) => slots[i]!.values.length > 1)
      if (varied) {
        const pick = new Array<number>(n).fill(0)
        for (const i of subset) pick[i] = 1
        while (true) {
          if (given++ >= cap) return
          yield [...pick]
          let j = k - 1
          while (j >= 0 && pick[subset[j]!] === slots[subset[j]!]!.values.length - 1) pick[subset[j--]!] = 1
          if (j < 0) break
          pick[subset[j]!]!++
        }
      }
      let i = k - 1
      while (i >= 0 && subset[i] === n - k + i) i--
      if (i < 0) break
      subset[i]!++
      for (let j = i + 1; j < k; j++) subset[j] = subset[j - 1]! + 1
    }
  }
}

/** The decision dates tried: the first shared day, then each date asOf is compared with and either side of it. */
function asOfValues(reads: Reads, ctx: WitnessContext): unknown[] {
  const dates = reads.asOf.flatMap((d) => {
    const day = strictCalendarDate(d)
    return day === undefined ? [] : [day, dayShift(day, -1), dayShift(day, 1)]
  })
  const inEffect = (d: string) => d >= ctx.from && (ctx.until === undefined || d < ctx.until)
  return unique([ctx.from, ...dates.filter(inEffect)])
}

/** A record both conditions hold for that every schema accepts, none among all candidates, or not decided. */
export function searchWitness(a: Condition, b: Condition, ctx: WitnessContext): WitnessSearch {
  const root = ctx.schemas[0]!.schema
  const reads = emptyReads()
  collect(a, reads, undefined)
  collect(b, reads, undefined)
  const base = merge(exampleOf(root, root, ctx.from) ?? {}, ctx.seed)
  const make = (path: Path) => exampleOf(root, schemaAt(root, root, path), ctx.from)
  const slots: Slot[] = slotsOf(reads, root, root, base, ctx)
  const dates = reads.readsAsOf ? asOfValues(reads, ctx) : []
  if (dates.length > 1) slots.push({ path: 'asOf', values: dates })
  const validators = ctx.schemas
    .map((s) => compileRecordSchema(s))
    .flatMap((v) => ('validate' in v ? [v.validate] : []))
  const [calA, calB] = [calendarNamed(ctx.calendars[0]), calendarNamed(ctx.calendars[1])]
  const cap = ctx.cap ?? MAX_CANDIDATES
  const asOfAt = slots.findIndex((s) => s.path === 'asOf')
  let tried = 0
  let claimed = 0
  // one past the cap: its arrival says the candidates were not all tried
  for (const pick of assignments(slots, cap + 1)) {
    if (tried === cap) return { undecided: 'cap', tried }
    tried++
    const record = build(base, slots, pick, make)
    if (record === null || typeof record !== 'object' || Array.isArray(record)) continue
    const asOf = asOfAt < 0 ? ctx.from : (slots[asOfAt]!.values[pick[asOfAt]!] as string)
    const r = record as Record<string, unknown>
    if (!holdsFor(a, r, asOf, calA) || !holdsFor(b, r, asOf, calB)) continue
    claimed++
    if (!validators.every((v) => v(r))) continue
    const paths = [...reads.fields.values(), ...reads.scalarLists.values(), ...reads.lists.values()].map((f) => f.path)
    return { witness: r, asOf, reads: paths.filter((path) => path.length > 0), readsAsOf: reads.readsAsOf }
  }
  return claimed > 0 ? { undecided: 'schema', tried } : { none: true }
}
