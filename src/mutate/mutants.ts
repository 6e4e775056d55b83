/**
 * Mutants of a policy: copies of the validated Policy in memory, each with one small change of the
 * kind a policy author makes by mistake (a threshold off by one, `>=` for `>`, a list member dropped,
 * a condition deleted, two outcomes swapped). Nothing is written to disk; each mutant keeps the JSON
 * pointer of what it changed, so it is reported at the file:line:col the loader recorded for it.
 */
import type {
  Check,
  Condition,
  DateOperand,
  LeafCondition,
  Policy,
  PolicyRecord,
  Rule,
  SourceLocation,
} from '../model.js'
import { AS_OF_FACT, isListMatch, OPERATORS, strictCalendarDate } from '../language/operators.js'
import { escapePointerToken, parsePath, resolveSegments } from '../language/paths.js'
import { schemaAt, schemaTypes, type JsonSchema } from '../schemas.js'
import { TEMPLATE_PATTERN, TEMPLATE_SPECIALS } from '../language/template.js'
import { withDerivedFacts } from '../validate/derived.js'
import { derivedMutants, type DerivedMutationOperator } from './derived-mutants.js'

/** The kinds of change a mutant makes. */
export type MutationOperator =
  | 'threshold'
  | 'comparison'
  | 'negation'
  | 'list-member-removed'
  | 'list-member-added'
  | 'condition-removed'
  | 'all-any'
  | 'not-removed'
  | 'outcome'
  | 'outcome-order'
  | 'default-outcome'
  | 'working-days'
  | 'date'
  | 'sibling-path'
  | 'applies-to'
  | 'effective'
  | 'review-decided'
  | 'calendar'
  | 'required-field'
  | 'message'
  | DerivedMutationOperator

export interface Mutant {
  /**
   * The change in words, unique within its policy version (`ONB-STRENGTH: applicant.clientsServed.sellers >= 50 → >=
   * 51`).
   */
  description: string
  operator: MutationOperator
  /** The rule it belongs to; undefined for a change to the whole policy (outcome order, default, review clock). */
  rule?: string
  /** Index of that rule in `policy.rules`: only that rule's result can differ from the original's. */
  ruleIndex?: number
  /** Whether the review clock changed (the only non-rule change that is not in buildDecision). */
  reviewChanged?: true
  /** Every rule and the review clock may decide otherwise (the calendar changed): all are compiled again. */
  whole?: true
  /** Which policy judges a record, or whether it is refused, may change: the cases' calls are replayed. */
  route?: true
  /** The change drops `field` from the record schema's `required` at `at` (a JSON pointer): every call judges it. */
  recordSchema?: { field: string; at: string }
  /** Whether a derived fact changed: any rule may read it, so the whole policy is judged again. */
  derivedChanged?: true
  /** JSON pointer of what changed in the policy document. */
  pointer: string
  location: SourceLocation
  /** The policy with this one change. */
  policy: Policy
  /** For a change of routing (not of the record schema): the policy's document with the change, for the validator. */
  document?: Record<string, unknown>
}

/** Values the cases' records hold, by where they are read: plausible members to add to a list. */
export type ObservedValues = (
  fact: string | undefined,
  path: string | undefined,
  list?: { fact: string; path?: string },
) => unknown[]

type Step = string | number
type Locate = (pointer: string) => SourceLocation

// each operator file says how a mutant writes it and what it is swapped for (src/language/operators/)
const asciiSymbol = (op: string): string | undefined => OPERATORS[op]?.asciiSymbol
const neighbourOf = (op: string): string | undefined => OPERATORS[op]?.neighbour
const negationOf = (op: string): string | undefined => OPERATORS[op]?.negation

/** A copy of `value` with the node at `steps` replaced; everything off the path is shared. */
function replaceAt(value: unknown, steps: readonly Step[], node: unknown): unknown {
  if (steps.length === 0) return node
  const [head, ...rest] = steps
  if (Array.isArray(value)) {
    const copy = [...value]
    copy[head as number] = replaceAt(copy[head as number], rest, node)
    return copy
  }
  const obj = value as Record<string, unknown>
  return { ...obj, [head!]: replaceAt(obj[head!], rest, node) }
}

const pointerOf = (base: string, steps: readonly Step[]) =>
  base + steps.map((s) => '/' + escapePointerToken(String(s))).join('')

const plain = (v: unknown): string =>
  Array.isArray(v) ? `[${v.map(plain).join(', ')}]` : typeof v === 'string' ? v : JSON.stringify(v)

/** How a leaf's left side reads: `applicant.clientsServed.sellers`, `incidents[].type`, `asOf`. */
function nameOf(leaf: { fact?: string; path?: string }, list?: string): string {
  const path = (leaf.path ?? '').replace(/^\$\.?/, '')
  if (leaf.fact === undefined || leaf.fact === '$item') return `${list ?? ''}[]${path ? '.' + path : ''}`
  return path ? `${leaf.fact}.${path}` : leaf.fact
}

function dateText(v: unknown, list?: string): string {
  if (typeof v === 'string') return v
  const o = v as { fact?: string; path?: string; addWorkingDays?: number; to?: unknown }
  if (o && typeof o === 'object' && o.addWorkingDays !== undefined)
    return `${o.addWorkingDays} working days after ${dateText(o.to, list)}`
  return nameOf(o, list)
}

/** A condition in a few words: a comparison whole, a group by its first member (`all(a, …)`). */
function brief(c: Condition, list?: string): string {
  if ('all' in c || 'any' in c) {
    const kind = 'all' in c ? 'all' : 'any'
    const members = 'all' in c ? c.all : c.any
    return `${kind}(${members.length > 0 ? brief(members[0]!, list) : ''}${members.length > 1 ? ', …' : ''})`
  }
  if ('not' in c) return `not(${brief(c.not, list)})`
  return leafText(c, c.operator, c.value, list)
}

function leafText(leaf: LeafCondition, op: string, value: unknown, list?: string): string {
  const name = nameOf(leaf, list)
  const sym = asciiSymbol(op) ?? op
  if (isListMatch(op)) return `${name} ${op}(${brief(value as Condition, nameOf(leaf, list))})`
  if (OPERATORS[op]?.valueKind === 'date') return `${name} ${op} ${dateText(value, list)}`
  return `${name} ${sym} ${plain(value)}`
}

/** What is on the right of the `→`: the new operator and value, as the leaf would read. */
const rhs = (leaf: LeafCondition, op: string, value: unknown, list?: string) => {
  const full = leafText(leaf, op, value, list)
  return full.slice(nameOf(leaf, list).length + 1)
}

function decimals(n: number): number {
  const s = String(n)
  const i = s.indexOf('.')
  return i < 0 ? 0 : s.length - i - 1
}

function shiftDate(date: string, days: number): string | undefined {
  const t = Date.parse(`${date}T00:00:00Z`)
  if (Number.isNaN(t)) return undefined
  const out = new Date(t + days * 86_400_000).toISOString().slice(0, 10)
  return strictCalendarDate(out) ? out : undefined
}

interface Emit {
  (operator: MutationOperator, steps: readonly Step[], node: unknown, at: readonly Step[], change: string): void
}

/** Everything a leaf's mutants need to know about where it reads. */
interface LeafScope {
  root: JsonSchema
  /** Inside someMatch/noneMatch: the list's schema, name and where it is read. */
  list?: { schema: JsonSchema | undefined; name: string; fact: string; path?: string }
  observed: ObservedValues
}

function fieldSchema(leaf: { fact?: string; path?: string }, scope: LeafScope): JsonSchema | undefined {
  const segments = leaf.path === undefined ? [] : parsePath(leaf.path)
  if (!segments) return undefined
  if (leaf.fact === AS_OF_FACT) return { type: 'string' }
  if (leaf.fact === undefined) return scope.list ? schemaAt(scope.root, scope.list.schema, [0, ...segments]) : undefined
  return schemaAt(scope.root, scope.root, [leaf.fact, ...segments])
}

/**
 * The same-typed fields beside the one a path ends at (`security.encryptionInTransit` → `security.encryptionAtRest`).
 */
function siblingPaths(leaf: LeafCondition, scope: LeafScope): string[] {
  const segments = leaf.path === undefined ? undefined : parsePath(leaf.path)
  if (!segments || segments.length === 0 || leaf.fact === AS_OF_FACT) return []
  const last = segments[segments.length - 1]
  if (typeof last !== 'string') return []
  const parentSegments = segments.slice(0, -1)
  const parent =
    leaf.fact === undefined
      ? scope.list
        ? schemaAt(scope.root, scope.list.schema, [0, ...parentSegments])
        : undefined
      : schemaAt(scope.root, scope.root, [leaf.fact, ...parentSegments])
  const own = fieldSchema(leaf, scope)
  const props = parent?.properties as Record<string, JsonSchema> | undefined
  if (!props || !own) return []
  const typeKey = (s: JsonSchema | undefined) =>
    [...schemaTypes(s)].sort().join('|') + (s?.type === 'integer' ? ':int' : '')
  const want = typeKey(own)
  if (want === '' || want === 'object') return []
  const prefix = '$' + parentSegments.map((s) => (typeof s === 'number' ? `[${s}]` : `.${s}`)).join('')
  return Object.keys(props)
    .filter((k) => k !== last && k !== '$schema' && /^[A-Za-z_][A-Za-z0-9_]*$/.test(k))
    .filter((k) => typeKey(schemaAt(scope.root, parent, [k])) === want)
    .map((k) => `${prefix}.${k}`)
}

function leafMutants(leaf: LeafCondition, steps: readonly Step[], scope: LeafScope, emit: Emit): void {
  const op = leaf.operator
  const def = OPERATORS[op]
  if (!def) return
  const list = scope.list?.name
  const before = leafText(leaf, op, leaf.value, list)
  const to = (newOp: string, value: unknown) => `${before} → ${rhs(leaf, newOp, value, list)}`
  // a numeric threshold, moved to just either side (1 for an integer field, a tenth of the last digit otherwise)
  if (def.valueKind === 'number' && typeof leaf.value === 'number') {
    const v = leaf.value
    const schema = fieldSchema(leaf, scope)
    const integer =
      schema?.type === 'integer' || (Array.isArray(schema?.type) && (schema.type as string[]).includes('integer'))
    const step = integer && Number.isInteger(v) ? 1 : 10 ** -(decimals(v) + 1)
    for (const moved of [v - step, v + step]) {
      const n = Number(moved.toFixed(decimals(v) + (integer ? 0 : 1)))
      emit('threshold', steps, { ...leaf, value: n }, [...steps, 'value'], to(op, n))
    }
  }
  const neighbour = neighbourOf(op)
  if (neighbour)
    emit('comparison', steps, { ...leaf, operator: neighbour }, [...steps, 'operator'], to(neighbour, leaf.value))
  const negation = negationOf(op)
  if (negation)
    emit('negation', steps, { ...leaf, operator: negation }, [...steps, 'operator'], to(negation, leaf.value))
  // list values: each member removed, and each plausible one (the
  // schema's enum, the values the cases' records hold) added
  if (def.valueKind === 'list' && Array.isArray(leaf.value)) {
    const values = leaf.value as unknown[]
    values.forEach((member, k) => {
      const rest = values.filter((_, i) => i !== k)
      emit(
        'list-member-removed',
        steps,
        { ...leaf, value: rest },
        [...steps, 'value', k],
        `${before}: without ${plain(member)}`,
      )
    })
    const schema = fieldSchema(leaf, scope)
    const enumOf = (s: JsonSchema | undefined) => (Array.isArray(s?.enum) ? (s.enum as unknown[]) : [])
    const itemSchema = schema?.items as JsonSchema | undefined
    const candidates = [
      ...enumOf(schema),
      ...enumOf(itemSchema && schemaAt(scope.root, itemSchema, [])),
      ...scope.observed(leaf.fact, leaf.path, scope.list),
    ]
    const seen = new Set<unknown>(values)
    for (const c of candidates) {
      if (seen.has(c) || !['string', 'number', 'boolean'].includes(typeof c)) continue
      seen.add(c)
      emit(
        'list-member-added',
        steps,
        { ...leaf, value: [...values, c] },
        [...steps, 'value'],
        `${before}: with ${plain(c)} added`,
      )
    }
  }
  // dates: a literal ± 1 day, a working-day count ± 1
  if (def.valueKind === 'date') dateMutants(leaf, leaf.value, [], steps, before, emit)
  // the path pointed at a sibling field of the same type
  for (const sibling of siblingPaths(leaf, scope)) {
    const moved = { ...leaf, path: sibling }
    emit('sibling-path', steps, moved, [...steps, 'path'], `${before} → ${leafText(moved, op, leaf.value, list)}`)
  }
  // inside a list match: the element condition, mutated like any other
  if (def.valueKind === 'condition' && leaf.value && typeof leaf.value === 'object' && leaf.fact !== undefined) {
    const name = nameOf(leaf)
    const listSchema = schemaAt(scope.root, scope.root, [leaf.fact, ...(parsePath(leaf.path ?? '$') ?? [])])
    const inner: LeafScope = {
      ...scope,
      list: { schema: listSchema, name, fact: leaf.fact, ...(leaf.path !== undefined ? { path: leaf.path } : {}) },
    }
    conditionMutants(leaf.value as Condition, [...steps, 'value'], inner, emit)
  }
}

function dateMutants(
  leaf: LeafCondition,
  operand: unknown,
  at: readonly Step[],
  steps: readonly Step[],
  before: string,
  emit: Emit,
): void {
  const valueSteps = [...steps, 'value', ...at]
  const withOperand = (o: unknown) => ({ ...leaf, value: at.length === 0 ? o : replaceAt(leaf.value, at, o) })
  if (typeof operand === 'string') {
    for (const d of [-1, 1]) {
      const shifted = shiftDate(operand, d)
      if (shifted) emit('date', steps, withOperand(shifted), valueSteps, `${before}: ${operand} → ${shifted}`)
    }
    return
  }
  const o = operand as DateOperand
  if (o && typeof o === 'object' && 'addWorkingDays' in o) {
    for (const d of [-1, 1]) {
      const n = o.addWorkingDays + d
      if (n < 0) continue
      emit(
        'working-days',
        steps,
        withOperand({ ...o, addWorkingDays: n }),
        [...valueSteps, 'addWorkingDays'],
        `${before}: ${o.addWorkingDays} → ${n} working days`,
      )
    }
    dateMutants(leaf, o.to, [...at, 'to'], steps, before, emit)
  }
}

function conditionMutants(c: Condition, steps: readonly Step[], scope: LeafScope, emit: Emit): void {
  const list = scope.list?.name
  if ('all' in c || 'any' in c) {
    const kind = 'all' in c ? 'all' : 'any'
    const members = 'all' in c ? c.all : c.any
    if (members.length > 1) {
      members.forEach((m, k) => {
        emit(
          'condition-removed',
          steps,
          { [kind]: members.filter((_, i) => i !== k) },
          [...steps, kind, k],
          `removed from ${kind}: ${brief(m, list)}`,
        )
      })
      const other = kind === 'all' ? 'any' : 'all'
      emit('all-any', steps, { [other]: members }, [...steps, kind], `${brief(c, list)} → ${other}`)
    }
    members.forEach((m, k) => conditionMutants(m, [...steps, kind, k], scope, emit))
    return
  }
  if ('not' in c) {
    emit('not-removed', steps, c.not, [...steps, 'not'], `not(${brief(c.not, list)}) → ${brief(c.not, list)}`)
    conditionMutants(c.not, [...steps, 'not'], scope, emit)
    return
  }
  leafMutants(c, steps, scope, emit)
}

/** A rule with one check replaced. */
function withCheck(policy: Policy, r: number, k: number, check: Check): Policy {
  const rules = [...policy.rules]
  const rule = rules[r]!
  const checks = [...rule.checks]
  checks[k] = check
  rules[r] = { ...rule, checks } as Rule
  return { ...policy, rules }
}

/** Every mutant of one policy version, in the order of the file. */
export function policyMutants(
  policy: Policy,
  locate: Locate,
  observed: ObservedValues = () => [],
  /** Whether to mutate the record schema too (once per schema: its mutants change every policy that uses it). */
  recordSchema = true,
  /** Values the records of every case hold (routed ones too): the values a market's appliesTo may be changed to. */
  routed: ObservedValues = observed,
): Mutant[] {
  const out: Mutant[] = []
  // rules read derived facts as record fields of their type (an integer threshold moves by 1)
  const root = withDerivedFacts(policy.record.schema.schema, policy.derived)
  policy.rules.forEach((rule, r) => {
    rule.checks.forEach((check, k) => {
      const sameOutcome = rule.checks.filter((x) => x.outcome === check.outcome).length
      const label =
        rule.checks.length === 1
          ? rule.id
          : sameOutcome === 1
            ? `${rule.id} [${check.outcome}]`
            : `${rule.id} [check ${k + 1}]`
      const base = `${check.pointer}/require`
      const emit: Emit = (operator, steps, node, at, change) => {
        const require = replaceAt(check.require, steps, node) as Condition
        const pointer = pointerOf(base, at)
        out.push({
          description: `${label}: ${change}`,
          operator,
          rule: rule.id,
          ruleIndex: r,
          pointer,
          location: locate(pointer),
          policy: withCheck(policy, r, k, { ...check, require }),
        })
      }
      conditionMutants(check.require, [], { root, observed }, emit)
      // the outcome the check objects with, replaced by each other declared outcome
      for (const o of policy.outcomes) {
        if (o === check.outcome) continue
        const pointer = `${check.pointer}/outcome`
        out.push({
          description: `${label}: outcome ${check.outcome} → ${o}`,
          operator: 'outcome',
          rule: rule.id,
          ruleIndex: r,
          pointer,
          location: locate(pointer),
          policy: withCheck(policy, r, k, { ...check, outcome: o }),
        })
      }
    })
  })
  for (const m of derivedMutants(policy, locate)) out.push({ ...m, derivedChanged: true })
  // the severity order: two adjacent outcomes swapped
  for (let i = 0; i + 1 < policy.outcomes.length; i++) {
    const outcomes = [...policy.outcomes]
    ;[outcomes[i], outcomes[i + 1]] = [outcomes[i + 1]!, outcomes[i]!]
    const pointer = `/outcomes/${i}`
    out.push({
      description:
        `outcomes: ${policy.outcomes[i]} before ${policy.outcomes[i + 1]} → ${outcomes[i]} before ` +
        `${outcomes[i + 1]}`,
      operator: 'outcome-order',
      pointer,
      location: locate(pointer),
      policy: { ...policy, outcomes },
    })
  }
  for (const o of policy.outcomes) {
    if (o === policy.defaultOutcome) continue
    out.push({
      description: `default: ${policy.defaultOutcome} → ${o}`,
      operator: 'default-outcome',
      pointer: '/default',
      location: locate('/default'),
      policy: { ...policy, defaultOutcome: o },
    })
  }
  const review = policy.review
  if (review) {
    for (const d of [-1, 1]) {
      const n = review.workingDays + d
      if (n < 0) continue
      out.push({
        description: `review: ${review.workingDays} → ${n} working days`,
        operator: 'working-days',
        reviewChanged: true,
        pointer: '/review/workingDays',
        location: locate('/review/workingDays'),
        policy: { ...policy, review: { ...review, workingDays: n } },
      })
    }
  }
  out.push(
    ...routeMutants(policy, locate, routed, recordSchema),
    ...clockMutants(policy, locate, observed),
    ...messageMutants(policy, locate),
  )
  // two mutants worded alike (the same change in two places) are told apart by a number
  const seen = new Map<string, number>()
  for (const m of out) {
    const n = (seen.get(m.description) ?? 0) + 1
    seen.set(m.description, n)
    if (n > 1) m.description += ` (#${n})`
  }
  return out
}

/** The values a set of records holds where a leaf reads (list elements' values one by one). */
export function observedIn(records: readonly PolicyRecord[]): ObservedValues {
  return (fact, path, list) => {
    const segments = path === undefined ? [] : (parsePath(path) ?? [])
    const out: unknown[] = []
    const add = (v: unknown) => {
      if (Array.isArray(v)) for (const x of v) out.push(x)
      else if (v !== undefined) out.push(v)
    }
    for (const record of records) {
      if (list && (fact === undefined || fact === '$item')) {
        const items = resolveSegments(record, [
          list.fact,
          ...(list.path === undefined ? [] : (parsePath(list.path) ?? [])),
        ])
        if (Array.isArray(items)) for (const item of items) add(resolveSegments(item, segments))
      } else if (fact !== undefined && fact !== AS_OF_FACT) add(resolveSegments(record, [fact, ...segments]))
    }
    return out
  }
}

/** A calendar's neighbour: a region's country, or a region of a country (its first-listed holidays differ). */
const NEIGHBOURS: Readonly<Record<string, string>> = {
  US: 'US-DC',
  GB: 'GB-ENG',
  DE: 'DE-BE',
  CA: 'CA-ON',
  AU: 'AU-NSW',
}

/**
 * The calendar a mutant uses instead of `name`, or undefined when it has no known neighbour. Known
 * without loading the holiday catalogue: a valid region's country is valid, and so is every table entry.
 */
export function neighbourCalendar(name: string): string | undefined {
  const dash = name.indexOf('-')
  return dash > 0 ? name.slice(0, dash) : Object.hasOwn(NEIGHBOURS, name) ? NEIGHBOURS[name] : undefined
}

/** Whether a condition (or a date operand inside one) counts working days. */
const countsWorkingDays = (node: unknown): boolean =>
  Array.isArray(node)
    ? node.some(countsWorkingDays)
    : !!node && typeof node === 'object' && ('addWorkingDays' in node || Object.values(node).some(countsWorkingDays))

/** Mutants of which records a policy judges: its market (`appliesTo`), effective window, record schema's `required`. */
function routeMutants(policy: Policy, locate: Locate, observed: ObservedValues, recordSchema: boolean): Mutant[] {
  const out: Mutant[] = []
  const push = (operator: MutationOperator, description: string, pointer: string, mutant: Policy) => {
    // a routing mutant changes the market and the dates only, which the document holds as the policy does
    const { appliesTo: _market, ...rest } = policy.document
    const market = mutant.appliesTo === undefined ? {} : { appliesTo: mutant.appliesTo }
    const document = { ...rest, effective: mutant.effective, ...market }
    out.push({ description, operator, route: true, pointer, location: locate(pointer), policy: mutant, document })
  }
  const applies = policy.appliesTo
  if (policy.primary && applies) {
    const { appliesTo: _dropped, ...fallback } = policy
    push('applies-to', `appliesTo: ${brief(applies)} → dropped (the fallback)`, '/appliesTo', fallback as Policy)
    const negated = { ...policy, appliesTo: { not: applies } }
    push('applies-to', `appliesTo: ${brief(applies)} → not(…)`, '/appliesTo', negated)
    const root = policy.record.schema.schema
    const emit: Emit = (operator, steps, node, at, change) => {
      const pointer = pointerOf('/appliesTo', at)
      const appliesTo = replaceAt(applies, steps, node) as Condition
      push(operator, `appliesTo: ${change}`, pointer, { ...policy, appliesTo })
    }
    conditionMutants(applies, [], { root, observed }, emit)
    valueMutants(applies, [], observed, emit)
  }
  for (const key of ['from', 'until'] as const) {
    const date = policy.effective[key]
    if (date === undefined) continue
    for (const d of [-1, 1]) {
      const shifted = shiftDate(date, d)
      if (shifted === undefined) continue
      const effective = { ...policy.effective, [key]: shifted }
      push('effective', `effective ${key}: ${date} → ${shifted}`, `/effective/${key}`, { ...policy, effective })
    }
  }
  const schema = policy.record.schema
  const walk = (node: unknown, steps: readonly Step[]): void => {
    if (Array.isArray(node)) return node.forEach((x, i) => walk(x, [...steps, i]))
    if (!node || typeof node !== 'object') return
    const required = (node as { required?: unknown }).required
    if (Array.isArray(required)) {
      required.forEach((field, k) => {
        if (typeof field !== 'string') return
        const changed = replaceAt(
          schema.schema,
          [...steps, 'required'],
          required.filter((_, i) => i !== k),
        ) as JsonSchema
        const pointer = pointerOf('', [...steps, 'required', k])
        const record = {
          ...policy.record,
          // its own digest: validators are compiled once per digest
          schema: { ...schema, digest: `${schema.digest}-mutant${pointer.replace(/\W/g, '.')}`, schema: changed },
        }
        out.push({
          description: `record schema ${schema.subject}@${schema.version}: ${field} no longer required at ${pointer}`,
          operator: 'required-field',
          route: true,
          recordSchema: { field, at: pointerOf('', [...steps, 'required']) },
          pointer,
          location: schema.location,
          policy: { ...policy, record },
        })
      })
    }
    for (const [k, v] of Object.entries(node)) if (!['required', 'enum', 'const'].includes(k)) walk(v, [...steps, k])
  }
  if (recordSchema) walk(schema.schema, [])
  return out
}

/** `equal`/`notEqual` leaves compared with another value the cases' records hold (a market's country changed). */
function valueMutants(c: Condition, steps: readonly Step[], observed: ObservedValues, emit: Emit): void {
  if ('all' in c || 'any' in c) {
    const kind = 'all' in c ? 'all' : 'any'
    ;('all' in c ? c.all : c.any).forEach((m, k) => valueMutants(m, [...steps, kind, k], observed, emit))
    return
  }
  if ('not' in c) return valueMutants(c.not, [...steps, 'not'], observed, emit)
  if ((c.operator !== 'equal' && c.operator !== 'notEqual') || !['string', 'number'].includes(typeof c.value)) return
  const other = observed(c.fact, c.path).find((v) => typeof v === typeof c.value && v !== c.value)
  if (other === undefined) return
  const before = leafText(c, c.operator, c.value)
  emit('applies-to', steps, { ...c, value: other }, [...steps, 'value'], `${before} → ${rhs(c, c.operator, other)}`)
}

/** Mutants of the review clock's `decided` condition and of the working-day calendar. */
function clockMutants(policy: Policy, locate: Locate, observed: ObservedValues): Mutant[] {
  const out: Mutant[] = []
  const review = policy.review
  if (review) {
    const root = policy.record.schema.schema
    const emit: Emit = (_operator, steps, node, at, change) => {
      const pointer = pointerOf('/review/decided', at)
      const decided = replaceAt(review.decided, steps, node) as Condition
      out.push({
        description: `review decided: ${change}`,
        operator: 'review-decided',
        reviewChanged: true,
        pointer,
        location: locate(pointer),
        policy: { ...policy, review: { ...review, decided } },
      })
    }
    conditionMutants(review.decided, [], { root, observed }, emit)
  }
  const other = review || countsWorkingDays(policy.rules) ? neighbourCalendar(policy.calendar) : undefined
  if (other !== undefined) {
    out.push({
      description: `calendar: ${policy.calendar} → ${other}`,
      operator: 'calendar',
      whole: true,
      pointer: '/calendar',
      location: locate('/calendar'),
      policy: { ...policy, calendar: other },
    })
  }
  return out
}

/** A message's field references, each swapped with another of its message (else the next one the policy quotes). */
function messageMutants(policy: Policy, locate: Locate): Mutant[] {
  const out: Mutant[] = []
  const refsOf = (message: string) =>
    [...message.matchAll(TEMPLATE_PATTERN)]
      .map((m) => ({ name: m[1]!.trim(), index: m.index, length: m[0].length }))
      .filter((r) => !TEMPLATE_SPECIALS.has(r.name))
  const checks = policy.rules.flatMap((rule, r) => rule.checks.map((check, k) => ({ rule, r, check, k })))
  checks.forEach(({ rule, r, check, k }, at) => {
    const refs = refsOf(check.message)
    refs.forEach((ref, i) => {
      const own = [...refs.slice(i + 1), ...refs.slice(0, i)].find((x) => x.name !== ref.name)
      let other = own?.name
      for (let j = 1; other === undefined && j < checks.length; j++)
        other = refsOf(checks[(at + j) % checks.length]!.check.message).find((x) => x.name !== ref.name)?.name
      if (other === undefined) return
      const message = check.message.slice(0, ref.index) + `{{ ${other} }}` + check.message.slice(ref.index + ref.length)
      const label = rule.checks.length === 1 ? rule.id : `${rule.id} [check ${k + 1}]`
      const pointer = `${check.pointer}/message`
      out.push({
        description: `${label}: message {{ ${ref.name} }} → {{ ${other} }}`,
        operator: 'message',
        rule: rule.id,
        ruleIndex: r,
        pointer,
        location: locate(pointer),
        policy: withCheck(policy, r, k, { ...check, message }),
      })
    })
  })
  return out
}
