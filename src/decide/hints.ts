/**
 * Hints that say what would pass: for each failing reason, the smallest changes to the record that
 * make its rule pass. They are read off the rule's condition tree (an `all` needs every failing
 * member changed, an `any` its cheapest alternative, a `not` its member made false) and each is
 * checked by evaluating the rule again on the record with the changes applied: one that does not make
 * the rule pass is never shown. Fields a policy marks `fixed` are never proposed for change, and a rule
 * with `disclose: false` only hears which details to add or remove. Computed only when asked for.
 */
import type { SyncEvaluator } from '../compile/closures.js'
import type { ConditionResult } from '../compile/result.js'
import type { Decision, Hint, HintChange, HintWant, LeafCondition, Policy, PolicyRecord, Rule } from '../model.js'
import { AS_OF_FACT, calendarDate, isListMatch, isScalar, ITEM_FACT, OPERATORS } from '../language/operators.js'
import { fieldName, parsePath, type PathSegment } from '../language/paths.js'
import { elementRef } from './evidence.js'

/** Alternatives kept per condition: enough for `any` of a few members, bounded for wide trees. */
const MAX_ALTERNATIVES = 4

/** A set of changes that, made together, is meant to make a condition come out as wanted. */
type Alternative = HintChange[]

interface Limits {
  fixed: readonly string[]
  disclose: boolean
}

/** The wants that name no value of the rule: all an undisclosed rule's hints may say. */
const UNDISCLOSED: ReadonlySet<HintWant> = new Set<HintWant>(['present', 'absent'])

/** Whether a field lies inside, or holds, a field the policy marks fixed. */
function isFixed(field: string, fixed: readonly string[]): boolean {
  return fixed.some((f) => field === f || field.startsWith(`${f}.`) || f.startsWith(`${field}.`))
}

type LeafResult = Extract<ConditionResult, { kind: 'leaf' }>

/** The one change that makes a leaf come out as `want`, or undefined when no hint may say it. */
function leafChange(node: LeafResult, want: boolean, limits: Limits): HintChange | undefined {
  const leaf: LeafCondition = node.leaf
  // the decision date and list elements are not the record's to change
  if (leaf.fact === undefined || leaf.fact === AS_OF_FACT || leaf.fact === ITEM_FACT) return undefined
  const path = leaf.path ?? '$'
  if (parsePath(path) === undefined || isFixed(fieldName(leaf.fact, path), limits.fixed)) return undefined
  const present = leaf.value === want ? 'present' : 'absent'
  const wanted = leaf.operator === 'present' ? present : OPERATORS[leaf.operator]?.hint?.[want ? 0 : 1]
  if (wanted === undefined || (!limits.disclose && !UNDISCLOSED.has(wanted))) return undefined
  const change: HintChange = { fact: leaf.fact, path, want: wanted }
  const list = isListMatch(leaf.operator)
  if (wanted === 'without elements') {
    if (!Array.isArray(node.actual) || node.actual.length === 0) return undefined
    change.value = node.actual.map(elementRef)
  } else if (wanted === 'without items') {
    if (!Array.isArray(node.actual) || !Array.isArray(leaf.value)) return undefined
    const allowed = leaf.value
    const only = leaf.operator === 'containsOnly'
    const remove = node.actual.filter((x) => allowed.includes(x) !== only)
    // containsOnly: the items it does not allow; containsAny made false: the items it names
    if (remove.length === 0) return undefined
    change.value = remove
  } else if (wanted !== 'present' && wanted !== 'absent') {
    const value = leaf.operator.startsWith('date') ? calendarDate(node.expected) : leaf.value
    if (value === undefined) return undefined
    change.value = value
  }
  if (!list) {
    if (node.actual === undefined || node.actual === null) change.missing = true
    else change.actual = node.actual
  }
  return change
}

/** What an alternative costs: each change one, a removal two (taking a detail away is the last thing to ask). */
const cost = (a: Alternative): number => a.reduce((n, c) => n + (c.want === 'absent' ? 2 : 1), 0)
const cheapestFirst = (x: Alternative, y: Alternative): number => cost(x) - cost(y)

/** Every way (cheapest first, at most MAX_ALTERNATIVES) to make a condition come out as `want`. */
function alternatives(node: ConditionResult, want: boolean, limits: Limits): Alternative[] {
  if (node.passed === want) return [[]]
  if (node.kind === 'leaf') {
    const change = leafChange(node, want, limits)
    return change ? [[change]] : []
  }
  if (node.op === 'not') return alternatives(node.children[0]!, !want, limits)
  // an empty group holds whatever it is asked: nothing in the record changes it
  if (node.children.length === 0) return []
  const every = (node.op === 'all') === want
  if (every) {
    let combined: Alternative[] = [[]]
    for (const child of node.children) {
      const ways = alternatives(child, want, limits)
      if (ways.length === 0) return []
      combined = combined.flatMap((a) => ways.map((w) => [...a, ...w]))
      combined.sort(cheapestFirst)
      combined = combined.slice(0, MAX_ALTERNATIVES)
    }
    return combined
  }
  const ways = node.children.flatMap((child) => alternatives(child, want, limits))
  // sort is stable: alternatives of equal cost keep the policy's order
  return ways.sort(cheapestFirst).slice(0, MAX_ALTERNATIVES)
}

const REMOVE = Symbol('remove')

/** A value equal to none of `list`, of the list's kind; undefined when there is none (both booleans listed). */
function outside(list: readonly unknown[]): unknown {
  if (list.length > 0 && list.every((v) => typeof v === 'boolean'))
    return list.includes(true) ? (list.includes(false) ? undefined : false) : true
  if (list.length > 0 && list.every((v) => typeof v === 'number')) return Math.max(...(list as number[])) + 1
  for (let n = 0; n <= list.length; n++) {
    const candidate = n === 0 ? 'other' : `other-${n}`
    if (!list.includes(candidate)) return candidate
  }
  return undefined
}

/** The nearest tidy number past `v` towards `step`: a whole number's neighbour, else one step of its last decimal. */
function past(v: number, step: 1 | -1): number {
  const decimals = Number.isInteger(v) ? 0 : (/\.(\d+)$/.exec(String(v))?.[1]?.length ?? -1)
  if (decimals < 0 || decimals > 10) return v + step
  const next = Number((v + step * 10 ** -decimals).toFixed(decimals))
  return step > 0 ? (next > v ? next : v + 1) : next < v ? next : v - 1
}

/** `date` moved by `days` calendar days; undefined outside 0000–9999. */
function shiftDate(date: string, days: number): string | undefined {
  const t = new Date(`${date}T00:00:00Z`)
  t.setUTCDate(t.getUTCDate() + days)
  const year = t.getUTCFullYear()
  if (!(year >= 0 && year <= 9999)) return undefined
  const two = (n: number) => String(n).padStart(2, '0')
  return `${String(year).padStart(4, '0')}-${two(t.getUTCMonth() + 1)}-${two(t.getUTCDate())}`
}

/** A date written the way the record already writes it: a date-time keeps its time and zone. */
const likeActual = (date: string | undefined, actual: unknown): string | undefined =>
  date !== undefined && typeof actual === 'string' && actual.length > 10 && calendarDate(actual) !== undefined
    ? date + actual.slice(10)
    : date

const sameJson = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b)

/** The value a change gives the field (REMOVE: none), from what the field holds now; undefined when none can. */
function valueFor(change: HintChange, current: unknown): unknown {
  const v = change.value
  switch (change.want) {
    case 'present':
      return Array.isArray(current) ? ['x'] : 'x'
    case 'absent':
      return REMOVE
    case 'equal to':
      return v
    case 'other than':
      return isScalar(v) ? outside([v]) : undefined
    case 'one of':
      return Array.isArray(v) ? v[0] : undefined
    case 'none of':
      return Array.isArray(v) ? outside(v) : undefined
    case 'at least':
    case 'at most':
      return v
    case 'more than':
    case 'less than':
      return typeof v === 'number' ? past(v, change.want === 'more than' ? 1 : -1) : undefined
    case 'on or before':
    case 'on or after':
      return typeof v === 'string' ? likeActual(v, current) : undefined
    case 'before':
    case 'after':
      return typeof v === 'string' ? likeActual(shiftDate(v, change.want === 'after' ? 1 : -1), current) : undefined
    case 'containing one of':
      return Array.isArray(v) && v.length > 0 ? [...(Array.isArray(current) ? current : []), v[0]] : undefined
    case 'without items':
      return Array.isArray(current) && Array.isArray(v) ? current.filter((x) => !v.includes(x)) : undefined
    case 'without elements':
      if (!Array.isArray(current) || !Array.isArray(v)) return undefined
      return current.filter((x) => !v.some((r) => sameJson(elementRef(x), r)))
  }
}

const ownValue = (o: object, key: PathSegment): unknown =>
  Object.prototype.hasOwnProperty.call(o, key) ? (o as Record<PathSegment, unknown>)[key] : undefined

/** Sets an own property even when its name is `__proto__`: a copy's prototype never changes. */
function put(o: object, key: PathSegment, value: unknown): void {
  Object.defineProperty(o, key, { value, writable: true, enumerable: true, configurable: true })
}

/** A copy of `container` with `value` at `segments` (objects on the way copied or made); undefined when it cannot. */
function placed(container: unknown, segments: readonly PathSegment[], value: unknown): unknown {
  const [head, ...rest] = segments
  if (head === undefined) return value
  const isArray = Array.isArray(container)
  const isObject = container !== null && typeof container === 'object' && !isArray
  if (typeof head === 'number' ? !isArray : container !== undefined && !isObject) return undefined
  if (container === undefined && (typeof head === 'number' || value === REMOVE)) return undefined
  const copy: object = isArray ? [...(container as unknown[])] : {}
  // own keys copied one by one with put: an own `__proto__` key stays a key
  if (isObject) for (const k of Object.keys(container)) put(copy, k, ownValue(container, k))
  const inner = placed(container === undefined ? undefined : ownValue(container as object, head), rest, value)
  if (inner === undefined) return undefined
  if (inner === REMOVE) {
    if (typeof head === 'number') return undefined
    delete (copy as Record<string, unknown>)[head]
  } else put(copy, head, inner)
  return copy
}

/**
 * The record with a hint's changes made, in order, each as the hint says (a threshold met exactly, the
 * first allowed value, a date written as the record writes dates, `x` for a detail to add); the record
 * itself is not changed. Undefined when a change cannot be made (a path through a value that is no object).
 */
export function applyHint(record: PolicyRecord, hint: Hint): PolicyRecord | undefined {
  let out: unknown = record
  for (const change of hint.changes) {
    const segments = parsePath(change.path)
    if (segments === undefined) return undefined
    const all = [change.fact, ...segments]
    let current: unknown = out
    for (const s of all) current = current !== null && typeof current === 'object' ? ownValue(current, s) : undefined
    const value = valueFor(change, current)
    if (value === undefined) return undefined
    out = placed(out, all, value)
    if (out === undefined) return undefined
  }
  return out as PolicyRecord
}

/** Whether every check of the rule at `index` holds for `record`. */
function rulePasses(evaluator: SyncEvaluator, record: PolicyRecord, asOf: string, index: number): boolean {
  return evaluator.evaluateSync(record, asOf)[index]!.checks.every((c) => c.passed)
}

/**
 * What a rule's hints may propose: the policy's fixed fields and the rule's; the rule's disclose, else the policy's.
 */
function limitsOf(policy: Policy, rule: Rule): Limits {
  return {
    fixed: [...(policy.hints?.fixed ?? []), ...(rule.hints?.fixed ?? [])],
    disclose: (rule.hints?.disclose ?? policy.hints?.disclose) !== false,
  }
}

/** The last change to each field, in the order the fields were first changed: the record they make is the same. */
function lastPerField(changes: readonly HintChange[]): HintChange[] {
  const byField = new Map<string, HintChange>()
  for (const c of changes) {
    const key = `${c.fact}\u0000${c.path}`
    byField.delete(key)
    byField.set(key, c)
  }
  return [...byField.values()]
}

/** The smallest changes found that make the rule at `index` pass, checked by evaluating it again; undefined: none. */
export function hintFor(
  policy: Policy,
  evaluator: SyncEvaluator,
  record: PolicyRecord,
  asOf: string,
  index: number,
): Hint | undefined {
  const rule = policy.rules[index]!
  const limits = limitsOf(policy, rule)
  let current = record
  const made: HintChange[] = []
  // each failing check in turn, on the record as the changes so far left it; a check is fixed at most once
  for (let round = 0; round < rule.checks.length; round++) {
    const checks = evaluator.explainRuleSync(current, asOf, index)
    const failing = checks.find((c) => !c.tree.passed)
    if (!failing) break
    let next: { record: PolicyRecord; changes: HintChange[] } | undefined
    for (const way of alternatives(failing.tree, true, limits)) {
      const changed = applyHint(current, { changes: way })
      if (!changed) continue
      const after = evaluator.explainRuleSync(changed, asOf, index)
      if (after[checks.indexOf(failing)]!.tree.passed) {
        next = { record: changed, changes: way }
        break
      }
    }
    if (!next) return undefined
    current = next.record
    made.push(...next.changes)
  }
  const hint: Hint = { changes: lastPerField(made) }
  if (hint.changes.length === 0) return undefined
  // the check that makes a hint shown: the rule, decided again on the record with exactly these changes, passes
  const proof = applyHint(record, hint)
  return proof && rulePasses(evaluator, proof, asOf, index) ? hint : undefined
}

/** Adds to each reason of `decision` the hint that makes its rule pass, where one is found. */
export function addHints(decision: Decision, policy: Policy, evaluator: SyncEvaluator, record: PolicyRecord): void {
  for (const reason of decision.reasons) {
    const index = policy.rules.findIndex((r) => r.id === reason.rule)
    if (index < 0) continue
    const hint = hintFor(policy, evaluator, record, decision.asOf, index)
    if (hint) reason.hint = hint
  }
}
