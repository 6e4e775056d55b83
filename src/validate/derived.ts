/**
 * Checks a policy's `derived:` facts: each name new (no record fact, no asOf), each operand a number
 * (or list, or date) the record schema has or another derived fact, the dependencies a graph without
 * a cycle. Returns the facts in the order they are computed and the record schema the rules are checked
 * against: the record's own, with each derived fact added as a top-level field of its type.
 */
import type { ProblemCode, ProblemDetails } from '../errors.js'
import { MAX_PLACES } from '../language/decimal.js'
import { AS_OF_FACT, ITEM_FACT } from '../language/operators.js'
import { escapePointerToken, parsePath } from '../language/paths.js'
import type { Condition, DerivedFact, DerivedOperand, DerivedOperation, JsonSchema } from '../model.js'
import { schemaAt, schemaTypes } from '../schemas.js'
import { knownNamesHint } from '../suggest.js'

type Raw = Record<string, unknown>
type Add = (code: ProblemCode, pointer: string, message: string, details?: ProblemDetails) => void
/** validate/policy.ts's checkCondition, passed in (it imports this module). */
type Scope = { element?: JsonSchema }
type CheckCondition = (c: Raw, pointer: string, scope: Scope, recordSchema: JsonSchema, add: Add) => void

/** What each operation takes: how many operands, of which kind. */
const ARITY: Readonly<Record<DerivedOperation, { min: number; max: number; kind: 'number' | 'list' | 'date' }>> = {
  count: { min: 1, max: 1, kind: 'list' },
  sum: { min: 1, max: 100, kind: 'number' },
  min: { min: 1, max: 100, kind: 'number' },
  max: { min: 1, max: 100, kind: 'number' },
  add: { min: 2, max: 100, kind: 'number' },
  multiply: { min: 2, max: 100, kind: 'number' },
  subtract: { min: 2, max: 2, kind: 'number' },
  divide: { min: 2, max: 2, kind: 'number' },
  ratio: { min: 2, max: 2, kind: 'number' },
  round: { min: 1, max: 1, kind: 'number' },
  workingDays: { min: 2, max: 2, kind: 'date' },
  days: { min: 2, max: 2, kind: 'date' },
}

export const DERIVED_OPERATIONS = Object.keys(ARITY) as DerivedOperation[]

/** Operations whose operands may be lists read element by element (`each`). */
const AGGREGATES: ReadonlySet<DerivedOperation> = new Set(['sum', 'min', 'max'])

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/

/** The record schema with each derived fact added as a top-level field (integer or number). */
export function withDerivedFacts(schema: JsonSchema, derived: readonly DerivedFact[] | undefined): JsonSchema {
  if (!derived || derived.length === 0) return schema
  const properties: Record<string, unknown> = { ...((schema.properties as Raw | undefined) ?? {}) }
  for (const f of derived) properties[f.name] = { type: integral(f, schema, derived) ? 'integer' : 'number' }
  return { ...schema, properties }
}

/** Whether a derived fact is always a whole number (counts, days, whole sums of whole numbers). */
function integral(f: DerivedFact, schema: JsonSchema, all: readonly DerivedFact[], depth = 0): boolean {
  if (f.operation === 'count' || f.operation === 'workingDays' || f.operation === 'days') return true
  if (f.operation === 'round') return (f.places ?? 0) === 0
  if (f.operation === 'divide' || f.operation === 'ratio' || depth > all.length) return false
  return f.operands.every((o) => {
    if (typeof o === 'number') return Number.isInteger(o)
    if (o.default !== undefined && !Number.isInteger(o.default)) return false
    const other = all.find((x) => x.name === o.fact)
    if (other) return integral(other, schema, all, depth + 1)
    const segments = [o.fact, ...(parsePath(o.path ?? '$') ?? [])]
    let s = schemaAt(schema, schema, segments)
    if (o.each !== undefined) s = schemaAt(schema, s, [0, ...(parsePath(o.each) ?? [])])
    return s?.type === 'integer'
  })
}

/** Checks `derived:` and returns its facts in dependency order (undefined when the policy declares none). */
export function checkDerived(
  raw: unknown,
  schema: JsonSchema,
  add: Add,
  checkCondition: CheckCondition,
): { derived: DerivedFact[] | undefined; schema: JsonSchema } {
  if (raw === undefined) return { derived: undefined, schema }
  const entries = Object.entries(raw as Raw)
  const names = entries.map(([name]) => name)
  const recordFacts = Object.keys((schema.properties as object | undefined) ?? {}).filter((k) => k !== '$schema')
  const facts: DerivedFact[] = []
  for (const [name, value] of entries) {
    const pointer = `/derived/${escapePointerToken(name)}`
    if (!NAME.test(name) || name === AS_OF_FACT) {
      add('E_DERIVED_NAME', pointer, `derived fact '${name}' needs a name of letters, digits and _ that is not asOf`)
      continue
    }
    if (recordFacts.includes(name)) {
      add('E_DERIVED_NAME', pointer, `derived fact '${name}' has the name of a field of the record`, {
        hint: 'rename it: a derived fact never hides a record fact',
        params: { name },
      })
      continue
    }
    const fact = parseFact(name, value as Raw, pointer, add)
    if (fact) facts.push(fact)
  }
  const byName = new Map(facts.map((f) => [f.name, f]))
  // the schema the operands and conditions see: derived facts are numbers, typed once their graph is known
  const provisional: JsonSchema = {
    ...schema,
    properties: {
      ...((schema.properties as Raw | undefined) ?? {}),
      ...Object.fromEntries(facts.map((f) => [f.name, { type: 'number' }])),
    },
  }
  const deps = new Map<string, string[]>()
  for (const f of facts) deps.set(f.name, checkOperands(f, schema, provisional, names, byName, add, checkCondition))
  const order = dependencyOrder(facts, deps, add)
  // after a cycle the rules still know the names: no second problem for each rule that reads one
  if (!order) return { derived: undefined, schema: provisional }
  return { derived: order, schema: withDerivedFacts(schema, order) }
}

function parseFact(name: string, o: Raw, pointer: string, add: Add): DerivedFact | undefined {
  const ops = DERIVED_OPERATIONS.filter((k) => k in o)
  if (ops.length !== 1) {
    add(
      'E_SCHEMA',
      pointer,
      ops.length === 0
        ? `derived fact '${name}' needs one of ${DERIVED_OPERATIONS.join(', ')}`
        : `derived fact '${name}' has ${ops.join(' and ')}; it takes exactly one computation`,
    )
    return undefined
  }
  const operation = ops[0]!
  const arity = ARITY[operation]
  const given = o[operation]
  const operands = (Array.isArray(given) ? given : [given]) as DerivedOperand[]
  const at = `${pointer}/${operation}`
  if (operands.length < arity.min || operands.length > arity.max) {
    const wants = arity.min === arity.max ? `${arity.min}` : `${arity.min} to ${arity.max}`
    add('E_BAD_VALUE', at, `${operation} takes ${wants} operand(s), got ${operands.length}`)
    return undefined
  }
  if (o.where !== undefined && operation !== 'count') add('E_SCHEMA', `${pointer}/where`, `where belongs to count only`)
  const divides = operation === 'divide' || operation === 'ratio' || operation === 'round'
  if (o.places !== undefined && !divides)
    add('E_SCHEMA', `${pointer}/places`, `places belongs to divide, ratio and round, not ${operation}`)
  const places = o.places as number
  if (o.places !== undefined && (!Number.isInteger(places) || places < 0 || places > MAX_PLACES))
    add('E_BAD_VALUE', `${pointer}/places`, `places is a whole number from 0 to ${MAX_PLACES}`)
  const fact: DerivedFact = { name, operation, operands, pointer }
  if (o.where !== undefined) fact.where = o.where as Condition
  if (typeof o.places === 'number') fact.places = o.places
  return fact
}

/** Checks each operand of a fact against the record schema; returns the derived facts it reads. */
function checkOperands(
  f: DerivedFact,
  schema: JsonSchema,
  provisional: JsonSchema,
  names: readonly string[],
  byName: ReadonlyMap<string, DerivedFact>,
  add: Add,
  checkCondition: CheckCondition,
): string[] {
  const deps: string[] = []
  const kind = ARITY[f.operation].kind
  const reads = kind === 'list' ? 'a list' : 'dates'
  const single = f.operation === 'count' || f.operation === 'round'
  f.operands.forEach((o, i) => {
    const at = single ? `${f.pointer}/${f.operation}` : `${f.pointer}/${f.operation}/${i}`
    if (typeof o === 'number') {
      if (kind !== 'number') add('E_BAD_VALUE', at, `${f.operation} reads ${reads}, not a number`)
      return
    }
    if (!o || typeof o !== 'object' || typeof o.fact !== 'string') {
      add('E_BAD_VALUE', at, 'an operand is a number or {fact, path}')
      return
    }
    if (o.each !== undefined && !AGGREGATES.has(f.operation))
      add('E_SCHEMA', `${at}/each`, `each belongs to sum, min and max, not ${f.operation}`)
    if (o.default !== undefined && (kind !== 'number' || o.each !== undefined))
      add('E_SCHEMA', `${at}/default`, 'default belongs to a number operand read without each')
    if (byName.has(o.fact)) {
      deps.push(o.fact)
      if (o.path !== undefined || o.each !== undefined)
        add('E_UNKNOWN_PATH', `${at}/path`, `derived fact '${o.fact}' is a number; it has no path`)
      if (kind !== 'number') add('E_BAD_VALUE', at, `${f.operation} reads ${reads}; '${o.fact}' is a number`)
      return
    }
    if (o.fact === AS_OF_FACT) {
      const fits = kind === 'date' && o.path === undefined
      if (!fits) add('E_BAD_VALUE', at, `asOf is a date: ${f.operation} cannot read it`)
      return
    }
    const fields = (schema.properties as object | undefined) ?? {}
    if (!Object.prototype.hasOwnProperty.call(fields, o.fact) || o.fact === '$schema' || o.fact === ITEM_FACT) {
      const known = [...Object.keys(fields).filter((k) => k !== '$schema'), ...names]
      add('E_UNKNOWN_FACT', `${at}/fact`, `unknown fact '${o.fact}'`, {
        hint: knownNamesHint(o.fact, known, 'the record and the derived facts have'),
        params: { fact: o.fact, known },
      })
      return
    }
    const segments = o.path === undefined ? [] : parsePath(o.path)
    let target = segments ? schemaAt(schema, schema, [o.fact, ...segments]) : undefined
    if (!target) {
      add('E_UNKNOWN_PATH', `${at}/path`, `the record's '${o.fact}' has no field at '${String(o.path)}'`)
      return
    }
    if (o.each !== undefined) {
      const inner = parsePath(o.each)
      target = inner && schemaTypes(target).has('array') ? schemaAt(schema, target, [0, ...inner]) : undefined
      if (!target) {
        add('E_UNKNOWN_PATH', `${at}/each`, `'${o.each}' is no field of the elements of ${o.fact} ${o.path ?? '$'}`)
        return
      }
    }
    const types = schemaTypes(target)
    const want = kind === 'list' ? 'array' : kind === 'date' ? 'string' : 'number'
    if (types.size > 0 && !types.has(want)) {
      const said = kind === 'list' ? 'a list' : kind === 'date' ? 'a date' : 'a number'
      const name = o.path === undefined ? o.fact : `${o.fact} ${o.path}`
      add('E_BAD_VALUE', at, `${f.operation} reads ${said}, but ${name} is ${[...types].join('/')}`)
    }
    if (f.operation === 'count' && f.where !== undefined) {
      const element = schemaAt(schema, target, [0]) ?? {}
      checkCondition(f.where as unknown as Raw, `${f.pointer}/where`, { element }, provisional, add)
      for (const name of readFacts(f.where)) if (byName.has(name)) deps.push(name)
    }
  })
  return deps
}

/** The top-level facts a condition names (leaves and date operands). */
export function readFacts(c: Condition, out: string[] = []): string[] {
  if ('all' in c) c.all.forEach((x) => readFacts(x, out))
  else if ('any' in c) c.any.forEach((x) => readFacts(x, out))
  else if ('not' in c) readFacts(c.not, out)
  else {
    if (c.fact !== undefined) out.push(c.fact)
    const walk = (v: unknown): void => {
      if (!v || typeof v !== 'object' || Array.isArray(v)) return
      const o = v as Raw
      if (typeof o.fact === 'string') out.push(o.fact)
      if ('operator' in o || 'all' in o || 'any' in o || 'not' in o) readFacts(o as unknown as Condition, out)
      else walk(o.to)
    }
    walk(c.value)
  }
  return out
}

/** The facts ordered so each comes after those it reads; a cycle is reported once, as its path. */
type Deps = ReadonlyMap<string, string[]>

function dependencyOrder(facts: readonly DerivedFact[], deps: Deps, add: Add): DerivedFact[] | undefined {
  const byName = new Map(facts.map((f) => [f.name, f]))
  const state = new Map<string, 'visiting' | 'done'>()
  const order: DerivedFact[] = []
  let cyclic = false
  const visit = (name: string, path: string[]): void => {
    const s = state.get(name)
    if (s === 'done') return
    if (s === 'visiting') {
      const loop = [...path.slice(path.indexOf(name)), name]
      cyclic = true
      const message = `derived facts read each other in a loop: ${loop.join(' → ')}`
      add('E_DERIVED_CYCLE', byName.get(name)!.pointer, message, { params: { cycle: loop } })
      return
    }
    state.set(name, 'visiting')
    for (const d of deps.get(name) ?? []) {
      visit(d, [...path, name])
      if (cyclic) return
    }
    state.set(name, 'done')
    order.push(byName.get(name)!)
  }
  for (const f of facts) {
    visit(f.name, [])
    if (cyclic) return undefined
  }
  return order
}
