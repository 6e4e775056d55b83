/**
 * The generated evaluator: each validated policy version compiled into one JavaScript function, the way ajv
 * generates validators, and cached by the policy's digest. The generated code does the boolean pass only; a
 * check that fails is explained by the compiled closures' `explain` (closures.ts), so evidence and messages are
 * built only for failed checks, and from the very same trees: the decisions are the closures' own.
 *
 * What becomes code, and how (README, "Generated evaluator"):
 * - names in the code (variables, functions) are made here from counters, never from policy text;
 * - every value from the policy (a fact name, a path segment, a compared value, a day count) enters the code
 *   through literal() (./literal.ts) alone: a JSON literal, which can be data and nothing else;
 * - everything else the code calls (operators without an emitter, the derived-fact deriver, explanations,
 *   the calendar) is passed to the generated factory as an argument, never written into the code as text.
 */
import { calendarNamed } from '../calendar/calendars.js'
import type { WorkingDayCalendar } from '../calendar/working-days.js'
import { CollabgateError } from '../errors.js'
import {
  AS_OF_FACT,
  asGroup,
  calendarDate,
  comparer,
  comparison,
  isListMatch,
  operatorOf,
} from '../language/operators.js'
import { parsePath } from '../language/paths.js'
import type { CheckEvaluation, RuleResult } from './result.js'
import type { Condition, LeafCondition, Policy, PolicyRecord, ReviewStatus } from '../model.js'
import {
  compileClosures,
  compileElementTest,
  compileExplain,
  workingDaysAfter,
  type SyncEvaluator,
} from './closures.js'
import { deriverOf } from './derived.js'
import { literal } from './literal.js'

/** What the generated factory returns: the boolean pass of every rule, and the review clock. */
interface Generated {
  evaluate(record: PolicyRecord, asOf: string): RuleResult[]
  review(record: PolicyRecord, asOf: string): ReviewStatus | undefined
}
type Factory = (args: readonly unknown[]) => Generated

/** Generated factories by policy digest, with the source they were made from (checked before reuse). */
const cache = new Map<string, { source: string; factory: Factory }>()
const CACHE_LIMIT = 1000
const counts = { made: 0, hits: 0 }

/** Collects the generated source: hoisted functions and constants, and the arguments the factory receives. */
class Emitter {
  readonly args: unknown[] = []
  readonly lines: string[] = []
  private next = 0

  constructor(readonly calendar: WorkingDayCalendar) {}

  /** A fresh name: a letter and a counter, nothing of the policy. */
  name(prefix: string): string {
    return `${prefix}${this.next++}`
  }

  /** A run-time value handed to the factory (a function, a frozen result), bound to a name once. */
  arg(value: unknown): string {
    const name = `a${this.args.length}`
    this.lines.push(`const ${name} = args[${this.args.length}];`)
    this.args.push(value)
    return name
  }

  /** A value from the policy: a literal in place when it is a scalar, else a constant made once. */
  constant(value: unknown): string {
    if (value === null || typeof value !== 'object') return literal(value)
    const name = this.name('k')
    this.lines.push(`const ${name} = ${literal(value)};`)
    return name
  }
}

/** Statements that leave in `v` a fact's value, then its path: as closures.ts's valueReader reads it. */
function readInto(v: string, fact: string | undefined, path: string | undefined, inElement: boolean): string {
  let read: string
  if (fact === undefined) read = `let ${v} = ${inElement ? 'item' : 'undefined'};`
  else if (fact === AS_OF_FACT) read = `let ${v} = asOf;`
  else read = `let ${v} = hop.call(record, ${literal(fact)}) ? record[${literal(fact)}] : undefined;`
  return read + pathInto(v, path)
}

/** A path applied as json-rules-engine's almanac applies one: to an object only, own properties only. */
function pathInto(v: string, path: string | undefined): string {
  const segments = path ? parsePath(path) : []
  const isObject = `${v} !== null && typeof ${v} === "object"`
  if (segments === undefined) return `if (${isObject}) ${v} = undefined;`
  if (segments.length === 0) return ''
  const steps = segments.map((s, i) => {
    const step =
      typeof s === 'number'
        ? `${v} = isArray(${v}) ? ${v}[${literal(s)}] : undefined;`
        : `${v} = isArray(${v}) || !hop.call(${v}, ${literal(s)}) ? undefined : ${v}[${literal(s)}];`
    // the first step runs on an object; a later one finds nothing in a value that is no object
    return i === 0 ? step : `if (${isObject}) ${step} else ${v} = undefined;`
  })
  return `if (${isObject}) { ${steps.join(' ')} }`
}

/** Statements that leave in `v` a date operand: a literal, a reference, or working days after one (dateReader). */
function dateInto(e: Emitter, v: string, value: unknown, inElement: boolean): string {
  if (!value || typeof value !== 'object') return `let ${v} = ${e.constant(value)};`
  const o = value as { fact?: string; path?: string; addWorkingDays?: number; to?: unknown }
  if (o.addWorkingDays === undefined) return readInto(v, o.fact, o.path, inElement)
  const to = e.name('w')
  return (
    dateInto(e, to, o.to, inElement) +
    `let ${v} = calendarDate(${to});` +
    `${v} = ${v} === undefined ? undefined : workingDaysAfter(calendar, ${v}, ${literal(o.addWorkingDays)});`
  )
}

/** Record fields read once per check: a field's name, and the check function's local holding its value. */
type Shared = ReadonlyMap<string, string>
const NONE_SHARED: Shared = new Map()

/** A condition as one JavaScript expression over `record`, `asOf` and `item` (and the check's shared fields). */
function condition(e: Emitter, c: Condition, inElement: boolean, shared: Shared = NONE_SHARED): string {
  const of = (x: Condition) => condition(e, x, inElement, shared)
  if ('all' in c) return c.all.length === 0 ? 'true' : `(${c.all.map(of).join(' && ')})`
  if ('any' in c) return c.any.length === 0 ? 'true' : `(${c.any.map(of).join(' || ')})`
  if ('not' in c) return `!${of(c.not)}`
  return leaf(e, c, inElement, shared)
}

/**
 * How often a condition's comparisons read each record field outside list elements: a check reads a field that
 * two of them read once (checks such as "required details" read one object ten times).
 */
function fieldsRead(c: Condition, counts: Map<string, number>): Map<string, number> {
  if ('all' in c) for (const x of c.all) fieldsRead(x, counts)
  else if ('any' in c) for (const x of c.any) fieldsRead(x, counts)
  else if ('not' in c) fieldsRead(c.not, counts)
  else if (c.fact !== undefined && c.fact !== AS_OF_FACT) counts.set(c.fact, (counts.get(c.fact) ?? 0) + 1)
  return counts
}

/** The fields two of a condition's comparisons read, each read once into a local, as readInto reads them. */
function sharedReads(e: Emitter, c: Condition): { shared: Shared; reads: string } {
  const shared = new Map<string, string>()
  let reads = ''
  for (const [fact, n] of fieldsRead(c, new Map())) {
    if (n < 2) continue
    const local = e.name('s')
    shared.set(fact, local)
    reads += `const ${local} = hop.call(record, ${literal(fact)}) ? record[${literal(fact)}] : undefined; `
  }
  return { shared, reads }
}

/** A check as a hoisted function: the fields two comparisons read are read once. */
function checkFunction(e: Emitter, require: Condition): string {
  const fn = e.name('c')
  const { shared, reads } = sharedReads(e, require)
  e.lines.push(`function ${fn}(record, asOf, item) { ${reads}return ${condition(e, require, false, shared)}; }`)
  return fn
}

/** A leaf as a hoisted function of its own (V8 inlines it), called from the condition's expression. */
function leaf(e: Emitter, c: LeafCondition, inElement: boolean, shared: Shared): string {
  const def = operatorOf(c)
  const fn = e.name('l')
  // a field the check read already comes in as `f`; the leaf then applies only its path
  const local = !inElement && c.fact !== undefined ? shared.get(c.fact) : undefined
  const read = local === undefined ? readInto('v', c.fact, c.path, inElement) : `let v = f;` + pathInto('v', c.path)
  let body: string
  if (isListMatch(c.operator)) body = listMatch(e, c, c.operator, inElement, read)
  else if (def.valueKind === 'date') {
    body = read + dateInto(e, 'w', c.value, inElement)
    body += `return ${e.arg(comparer(c.operator))}(v, w);`
  } else {
    body = read
    // an operator offers its emitter; without one, its closure (the compiled evaluator's) is called
    body += def.emit
      ? `return ${def.emit('v', e.constant(c.value))};`
      : `return ${e.arg(comparison(c.operator, c.value))}(v);`
  }
  if (local === undefined) {
    e.lines.push(`function ${fn}(record, asOf, item) { ${body} }`)
    return `${fn}(record, asOf, item)`
  }
  e.lines.push(`function ${fn}(record, asOf, item, f) { ${body} }`)
  return `${fn}(record, asOf, item, ${local})`
}

function listMatch(
  e: Emitter,
  c: LeafCondition,
  op: 'someMatch' | 'noneMatch',
  inElement: boolean,
  read: string,
): string {
  // the validator refuses list matches inside list matches; this guards direct callers
  if (inElement) throw new CollabgateError('E_INVALID_ARGUMENT', 'list matches cannot be nested')
  const matches = e.name('m')
  const where = condition(e, asGroup(c.value as Condition), true)
  e.lines.push(`function ${matches}(record, asOf, item) { return ${where}; }`)
  const some = op === 'someMatch'
  return (
    read +
    `if (!isArray(v)) return false;` +
    `for (let k = 0; k < v.length; k++) if (${matches}(record, asOf, v[k])) return ${some};` +
    `return ${!some};`
  )
}

/**
 * A failed check's explanation as a hoisted function building the very tree closures.ts's explain builds (the same
 * leaf and value objects, the same order); undefined when some leaf is a list match or a date comparison, which
 * keep the closures' explain.
 */
function explainer(e: Emitter, c: Condition): string | undefined {
  const fn = e.name('x')
  if ('all' in c || 'any' in c) {
    const op = 'all' in c ? 'all' : 'any'
    const members = 'all' in c ? c.all : c.any
    const children: string[] = []
    for (const m of members) {
      const child = explainer(e, m)
      if (child === undefined) return undefined
      children.push(child)
    }
    const names = children.map((_, k) => `t${k}`)
    // json-rules-engine: an empty group holds, whether all or any
    const passed = names.length === 0 ? 'true' : names.map((t) => `${t}.passed`).join(op === 'all' ? ' && ' : ' || ')
    const calls = children.map((child, k) => `const t${k} = ${child}(record, asOf, item);`).join(' ')
    e.lines.push(
      `function ${fn}(record, asOf, item) { ${calls} return { kind: "group", op: ${literal(op)}, ` +
        `passed: ${passed}, children: [${names.join(', ')}] }; }`,
    )
    return fn
  }
  if ('not' in c) {
    const child = explainer(e, c.not)
    if (child === undefined) return undefined
    e.lines.push(
      `function ${fn}(record, asOf, item) { const t = ${child}(record, asOf, item);` +
        ` return { kind: "group", op: "not", passed: !t.passed, children: [t] }; }`,
    )
    return fn
  }
  if (isListMatch(c.operator) || operatorOf(c).valueKind === 'date') return undefined
  const expected = e.arg(c.value)
  e.lines.push(
    `function ${fn}(record, asOf, item) { ${readInto('v', c.fact, c.path, false)}` +
      ` return { kind: "leaf", leaf: ${e.arg(c)}, passed: ${e.arg(comparer(c.operator))}(v, ${expected}),` +
      ` actual: v, expected: ${expected} }; }`,
  )
  return fn
}

/** The review clock, as closures.ts's reviewClock, with each start value's dates remembered. */
function review(e: Emitter, policy: Policy): string {
  const r = policy.review
  if (!r) return `function review() { return undefined; }`
  const { shared, reads } = sharedReads(e, asGroup(r.decided))
  const decided = condition(e, asGroup(r.decided), false, shared)
  const datesOf = e.arg(rememberedDates(e.calendar, r.workingDays))
  // calendarDate gives undefined for anything but text: only text is looked up
  return (
    `function review(record, asOf) { const item = undefined;` +
    readInto('v', r.from.fact, r.from.path, false) +
    `if (typeof v !== "string") return undefined; const d = ${datesOf}(v); if (d === undefined) return undefined;` +
    `const submittedAt = d[0], dueBy = d[1]; ${reads}` +
    `return { submittedAt, dueBy, overdue: !${decided} && asOf > dueBy }; }`
  )
}

/**
 * A start value's calendar date and that date + n working days, remembered per value (undefined when either is
 * none): a calendar's answer never changes, and asking it costs the most; one lookup answers both.
 */
function rememberedDates(
  calendar: WorkingDayCalendar,
  days: number,
): (value: string) => readonly [string, string] | undefined {
  const known = new Map<string, readonly [string, string] | null>()
  return (value) => {
    const hit = known.get(value)
    if (hit !== undefined) return hit ?? undefined
    const submittedAt = calendarDate(value)
    const dueBy = submittedAt === undefined ? undefined : workingDaysAfter(calendar, submittedAt, days)
    const dates = submittedAt === undefined || dueBy === undefined ? null : ([submittedAt, dueBy] as const)
    // Stryker disable next-line ConditionalExpression,EqualityOperator: test/mutation/equivalent.md#generated-1
    if (known.size >= 4096) known.clear()
    known.set(value, dates)
    return dates ?? undefined
  }
}

/** The generated source of a policy, and the values its factory takes. */
export function generateSource(policy: Policy): { source: string; args: unknown[] } {
  const calendar = calendarNamed(policy.calendar)
  const e = new Emitter(calendar)
  const prelude = ['hop', 'isArray', 'calendarDate', 'workingDaysAfter', 'calendar', 'derive']
  const { derive } = deriverOf(policy, compileElementTest)
  const given = [
    // called as hop.call(object, key), which V8 compiles inline (a wrapper function was not)
    Object.prototype.hasOwnProperty,
    Array.isArray,
    calendarDate,
    workingDaysAfter,
    calendar,
    derive,
  ]
  prelude.forEach((name, i) => e.lines.push(`const ${name} = args[${i}];`))
  e.args.push(...given)
  const body: string[] = []
  policy.rules.forEach((rule, r) => {
    const passed = rule.checks.map((check) => Object.freeze({ check, passed: true }) as CheckEvaluation)
    const allPassed = e.arg(Object.freeze({ rule, checks: Object.freeze([...passed]) }))
    // not frozen: the code copies it (slice() of a frozen array is V8's slow path) and never hands it out
    const passedList = e.arg(passed)
    const ruleArg = e.arg(rule)
    body.push(`r = undefined;`)
    rule.checks.forEach((check, k) => {
      const test = checkFunction(e, asGroup(check.require))
      // generated when it can be: calling a closure per node of every failed check's tree cost more than the tree
      const explain = explainer(e, asGroup(check.require)) ?? e.arg(compileExplain(check.require, calendar))
      body.push(
        `if (!${test}(record, asOf, undefined)) { if (r === undefined) r = ${passedList}.slice();` +
          ` r[${k}] = { check: ${e.arg(check)}, passed: false, tree: ${explain}(record, asOf, undefined) }; }`,
      )
    })
    body.push(`out[${r}] = r === undefined ? ${allPassed} : { rule: ${ruleArg}, checks: r };`)
  })
  const derived = policy.derived !== undefined && policy.derived.length > 0
  const clock = review(e, policy) // before e.lines is read: the clock's condition adds functions to it
  const source = [
    ...e.lines,
    clock,
    `function evaluate(given, asOf) {`,
    derived ? `const record = derive(given, asOf);` : `const record = given;`,
    `const out = new Array(${literal(policy.rules.length)}); let r;`,
    ...body,
    `return out; }`,
    `return { evaluate, review };`,
  ].join('\n')
  return { source, args: e.args }
}

/** The factory of a source: from the cache when the same digest made the same source, else made (and kept). */
function factoryOf(digest: string, source: string): Factory {
  const hit = cache.get(digest)
  if (hit && hit.source === source) {
    counts.hits++
    return hit.factory
  }
  // the source holds no policy text but JSON literals (see literal.ts): this is the one place code is made
  const factory = new Function('args', source) as Factory
  counts.made++
  // Stryker disable next-line ConditionalExpression,EqualityOperator: test/mutation/equivalent.md#generated-2
  if (cache.size >= CACHE_LIMIT) cache.clear()
  cache.set(digest, { source, factory })
  return factory
}

/** The cache's size, and how many functions were generated or found in it (for tests). */
export const generatedCache = (): { entries: number; made: number; hits: number } => ({
  entries: cache.size,
  ...counts,
})

/**
 * Compiles a validated policy into one generated function (cached by digest): evaluateSync and reviewSync run
 * the generated code; explanations are the compiled closures' (`closures`, when the caller has them already),
 * which the generated code calls on failure.
 */
export function compileGenerated(policy: Policy, closures: SyncEvaluator = compileClosures(policy)): SyncEvaluator {
  const { source, args } = generateSource(policy)
  const generated = factoryOf(policy.digest, source)(args)
  const evaluateSync = generated.evaluate
  return {
    evaluateSync,
    reviewSync: generated.review,
    explainSync: closures.explainSync,
    explainRuleSync: closures.explainRuleSync,
    evaluate: (record, asOf) => {
      try {
        return Promise.resolve(evaluateSync(record, asOf))
      } catch (err) {
        return Promise.reject(err instanceof Error ? err : new Error(String(err)))
      }
    },
  }
}
