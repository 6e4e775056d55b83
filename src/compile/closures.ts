/**
 * The synchronous compiled evaluator: the same validated condition tree that engine.ts hands to
 * json-rules-engine, compiled once into plain closures (no eval, no new Function). Each condition
 * becomes two functions: a fast boolean `test` that short-circuits and allocates nothing, and an
 * `explain` that builds the ConditionResult tree json-rules-engine would report. `explain` runs only
 * for checks that did not pass, so a record that meets every rule costs one boolean walk.
 *
 * It mirrors compileEngine exactly (test/compile/closures*.test.ts proves it with fast-check):
 * - a fact is the record's own top-level field, or `asOf` (always the decision date);
 * - a path is applied only to an object value; a non-object fact is returned as is (json-rules-engine's
 *   almanac does the same), an absent one stays undefined;
 * - `all`/`any` evaluate every member in the explanation, an empty group holds;
 * - someMatch/noneMatch see the matching elements as their actual value and `true` as expected;
 * - a working-day date past 9999-12-31 is no date (undefined), in both.
 */
import { calendarNamed } from '../calendar/calendars.js'
import type { WorkingDayCalendar } from '../calendar/working-days.js'
import type { CheckEvaluation, ConditionResult, Evaluator, RuleResult } from './result.js'
import type { Check, Condition, LeafCondition, Policy, PolicyRecord, ReviewStatus, Rule } from '../model.js'
import {
  AS_OF_FACT,
  asGroup,
  calendarDate,
  comparer,
  comparison,
  isListMatch,
  operatorOf,
} from '../language/operators.js'
import { parsePath, resolveSegments } from '../language/paths.js'
import { CollabgateError } from '../errors.js'
import { deriverOf } from './derived.js'

/** Reads a value for one record; `item` is the list element inside someMatch/noneMatch. */
type Read = (record: PolicyRecord, asOf: string, item: unknown) => unknown
type Test = (record: PolicyRecord, asOf: string, item: unknown) => boolean
type Explain = (record: PolicyRecord, asOf: string, item: unknown) => ConditionResult

interface Compiled {
  test: Test
  explain: Explain
}

/** An evaluator that answers synchronously; it also satisfies the promise-based Evaluator. */
export interface SyncEvaluator extends Evaluator {
  evaluateSync(record: PolicyRecord, asOf: string): RuleResult[]
  /** The review clock's state for a record, when the policy declares one and the record has its date. */
  reviewSync(record: PolicyRecord, asOf: string): ReviewStatus | undefined
  /** Every check of every rule explained, passed or not: the condition trees with their values. */
  explainSync(record: PolicyRecord, asOf: string): { rule: Rule; checks: { check: Check; tree: ConditionResult }[] }[]
  /** The checks of the policy's rule at `index` explained: hints re-check one rule, not all. */
  explainRuleSync(record: PolicyRecord, asOf: string, index: number): { check: Check; tree: ConditionResult }[]
}

const hasOwn = (o: object, key: string): boolean => Object.prototype.hasOwnProperty.call(o, key)
const readNothing: Read = () => undefined
const readItem: Read = (_r, _a, item) => item
const readAsOf: Read = (_r, asOf) => asOf

/**
 * What a path does to a value, the way json-rules-engine's almanac applies one: only to an object
 * (own properties only); any other value comes back as it is. An unsupported path finds nothing in an
 * object. One- and two-field paths, the common shape, are unrolled; the answers are resolveSegments'.
 */
function pathReader(path: string | undefined): ((value: unknown) => unknown) | undefined {
  const segments = path ? parsePath(path) : []
  if (segments === undefined) return (v) => (v !== null && typeof v === 'object' ? undefined : v)
  // Stryker disable next-line ConditionalExpression: test/mutation/equivalent.md#closures-1
  if (segments.length === 0) return undefined // `$` or no path: the value itself
  const [k1, k2] = segments
  // the unrolled reader below is resolveSegments' answer made faster: sending more paths to the general reader
  // changes no answer (each mutator that applies to the line: ConditionalExpression, EqualityOperator, LogicalOperator,
  // StringLiteral)
  // Stryker disable next-line all: test/mutation/equivalent.md#closures-2
  if (segments.length > 2 || typeof k1 !== 'string' || (k2 !== undefined && typeof k2 !== 'string')) {
    return (v) => (v !== null && typeof v === 'object' ? resolveSegments(v, segments) : v)
  }
  return (v) => {
    if (v === null || typeof v !== 'object') return v
    if (Array.isArray(v) || !hasOwn(v, k1)) return undefined
    const w = (v as Record<string, unknown>)[k1]
    if (k2 === undefined) return w
    return w !== null && typeof w === 'object' && !Array.isArray(w) && hasOwn(w, k2)
      ? (w as Record<string, unknown>)[k2]
      : undefined
  }
}

/**
 * Reads a fact, then its path: the record's own top-level field, `asOf` (always the decision date), or
 * the list element inside someMatch/noneMatch (a leaf with no fact; undefined outside one).
 */
function valueReader(fact: string | undefined, path: string | undefined, inElement: boolean): Read {
  const take = pathReader(path)
  // without a path, no call to take: these run for every leaf of every record; a fact named `$item` is a record field
  if (fact === undefined) return !inElement ? readNothing : take ? (_r, _a, item) => take(item) : readItem
  if (fact === AS_OF_FACT) return take ? (_r, asOf) => take(asOf) : readAsOf
  const field = (record: PolicyRecord) => (hasOwn(record, fact) ? record[fact] : undefined)
  return take ? (record) => take(field(record)) : field
}

/**
 * date + n working days of a calendar; a date the calendar cannot represent (past 9999) is no date at all. Shared
 * with engine.ts.
 */
export function workingDaysAfter(calendar: WorkingDayCalendar, date: string, days: number): string | undefined {
  try {
    return calendar.addWorkingDays(date, days)
  } catch (err) {
    if ((err as { code?: unknown }).code === 'E_INVALID_DATE') return undefined
    throw err
  }
}

/** A date operand: a literal, a {fact, path} / {path} reference, or {addWorkingDays, to}. */
function dateReader(v: unknown, inElement: boolean, calendar: WorkingDayCalendar): Read {
  // a literal (a date string or any other value that is no object) is the operand itself
  if (!v || typeof v !== 'object') return () => v
  const o = v as { fact?: string; path?: string; addWorkingDays?: number; to?: unknown }
  if (o.addWorkingDays !== undefined) {
    const days = o.addWorkingDays
    const to = dateReader(o.to, inElement, calendar)
    return (r, a, i) => {
      const date = calendarDate(to(r, a, i))
      // Stryker disable next-line ConditionalExpression: test/mutation/equivalent.md#closures-3
      return date === undefined ? undefined : workingDaysAfter(calendar, date, days)
    }
  }
  return valueReader(o.fact, o.path, inElement)
}

function compileCondition(c: Condition, inElement: boolean, calendar: WorkingDayCalendar): Compiled {
  if ('all' in c)
    return group(
      'all',
      c.all.map((x) => compileCondition(x, inElement, calendar)),
    )
  if ('any' in c)
    return group(
      'any',
      c.any.map((x) => compileCondition(x, inElement, calendar)),
    )
  if ('not' in c) {
    const inner = compileCondition(c.not, inElement, calendar)
    return {
      test: (r, a, i) => !inner.test(r, a, i),
      explain: (r, a, i) => {
        const child = inner.explain(r, a, i)
        return { kind: 'group', op: 'not', passed: !child.passed, children: [child] }
      },
    }
  }
  return compileLeaf(c, inElement, calendar)
}

function group(op: 'all' | 'any', members: Compiled[]): Compiled {
  const tests = members.map((m) => m.test)
  const n = tests.length
  const explains = members.map((m) => m.explain)
  const all = op === 'all'
  // one loop, no callbacks: every failed check of every record is explained here
  const explain: Explain = (r, a, i) => {
    const children: ConditionResult[] = []
    // json-rules-engine: an empty group holds, whether all or any
    let passed = all || n === 0
    for (let k = 0; k < n; k++) {
      const child = explains[k]!(r, a, i)
      children.push(child)
      passed = all ? passed && child.passed : passed || child.passed
    }
    return { kind: 'group', op, passed, children }
  }
  // Stryker disable next-line ConditionalExpression: test/mutation/equivalent.md#closures-4
  if (n === 1) return { test: tests[0]!, explain }
  if (op === 'all') {
    return {
      test: (r, a, i) => {
        for (let k = 0; k < n; k++) if (!tests[k]!(r, a, i)) return false
        return true
      },
      explain,
    }
  }
  return {
    test: (r, a, i) => {
      if (n === 0) return true
      for (let k = 0; k < n; k++) if (tests[k]!(r, a, i)) return true
      return false
    },
    explain,
  }
}

function compileLeaf(leaf: LeafCondition, inElement: boolean, calendar: WorkingDayCalendar): Compiled {
  const op = leaf.operator
  const def = operatorOf(leaf)
  if (isListMatch(op)) return compileListMatch(leaf, op, inElement, calendar)
  const left = valueReader(leaf.fact, leaf.path, inElement)
  // the operator is looked up here, once, not per record
  const meets = comparer(op)
  const isDate = def.valueKind === 'date'
  if (!isDate) {
    const expected = leaf.value
    const holds = comparison(op, expected)
    const same = def.strictlyEquals?.(expected)
    return {
      // Stryker disable next-line ConditionalExpression: test/mutation/equivalent.md#closures-5
      test: same ? (r, a, i) => left(r, a, i) === same.value : (r, a, i) => holds(left(r, a, i)),
      explain: (r, a, i) => {
        const actual = left(r, a, i)
        return { kind: 'leaf', leaf, passed: meets(actual, expected), actual, expected }
      },
    }
  }
  const right = dateReader(leaf.value, inElement, calendar)
  return {
    test: (r, a, i) => meets(left(r, a, i), right(r, a, i)),
    explain: (r, a, i) => {
      const actual = left(r, a, i)
      const expected = right(r, a, i)
      return { kind: 'leaf', leaf, passed: meets(actual, expected), actual, expected }
    },
  }
}

function compileListMatch(
  leaf: LeafCondition,
  op: 'someMatch' | 'noneMatch',
  inElement: boolean,
  calendar: WorkingDayCalendar,
): Compiled {
  // the validator refuses list matches inside list matches; this guards direct callers
  if (inElement) throw new CollabgateError('E_INVALID_ARGUMENT', 'list matches cannot be nested')
  // Stryker disable next-line BooleanLiteral: test/mutation/equivalent.md#closures-6
  const items = valueReader(leaf.fact, leaf.path, false)
  const where = leaf.value as Condition
  const matches = compileCondition(asGroup(where), true, calendar).test
  const some = op === 'someMatch'
  return {
    test: (r, a) => {
      const list = items(r, a, undefined)
      if (!Array.isArray(list)) return false
      for (let k = 0; k < list.length; k++) if (matches(r, a, list[k])) return some
      return !some
    },
    explain: (r, a) => {
      const list = items(r, a, undefined)
      const found = Array.isArray(list) ? list.filter((item) => matches(r, a, item)) : undefined
      const passed = found !== undefined && (some ? found.length > 0 : found.length === 0)
      return { kind: 'leaf', leaf, passed, actual: found, expected: true }
    },
  }
}

interface CompiledCheck {
  check: Check
  test: Test
  explain: Explain
  /** Shared, frozen result for the common case: the check passed. */
  passed: CheckEvaluation
}

/**
 * A condition as one fast test of a record (recognising a record's kind, a market's appliesTo, a review's `decided`).
 */
export function compileTest(
  condition: Condition,
  calendarName = 'US',
): (record: PolicyRecord, asOf: string) => boolean {
  const test = compileCondition(asGroup(condition), false, calendarNamed(calendarName)).test
  return (record, asOf) => test(record, asOf, undefined)
}

/** A condition on a list element (a derived count's `where`), read as inside someMatch. */
export function compileElementTest(condition: Condition, calendar: WorkingDayCalendar): Test {
  return compileCondition(asGroup(condition), true, calendar).test
}

/** A check's condition explained as the closures explain it: the generated evaluator's failure path. */
export function compileExplain(condition: Condition, calendar: WorkingDayCalendar): Explain {
  return compileCondition(asGroup(condition), false, calendar).explain
}

/** Compiles a validated policy into closures, once; evaluate() then runs synchronously per record. */
export function compileClosures(policy: Policy): SyncEvaluator {
  const calendar = calendarNamed(policy.calendar)
  // derived facts are added to the record once per decision, then read like its own fields
  const { derive } = deriverOf(policy, compileElementTest)
  const rules = policy.rules.map((rule) => {
    const checks: CompiledCheck[] = rule.checks.map((check) => {
      const compiled = compileCondition(asGroup(check.require), false, calendar)
      return { check, test: compiled.test, explain: compiled.explain, passed: Object.freeze({ check, passed: true }) }
    })
    const allPassed: RuleResult = Object.freeze({
      rule,
      checks: Object.freeze(checks.map((c) => c.passed)) as CheckEvaluation[],
    })
    return { rule, checks, allPassed }
  })

  const evaluateSync = (given: PolicyRecord, asOf: string): RuleResult[] => {
    const record = derive(given, asOf)
    // Stryker disable next-line ArrayDeclaration: test/mutation/equivalent.md#closures-7
    const out: RuleResult[] = new Array<RuleResult>(rules.length)
    for (let r = 0; r < rules.length; r++) {
      const compiled = rules[r]!
      let results: CheckEvaluation[] | undefined
      for (let k = 0; k < compiled.checks.length; k++) {
        const c = compiled.checks[k]!
        if (c.test(record, asOf, undefined)) continue
        results ??= compiled.checks.map((x) => x.passed)
        results[k] = { check: c.check, passed: false, tree: c.explain(record, asOf, undefined) }
      }
      out[r] = results ? { rule: compiled.rule, checks: results } : compiled.allPassed
    }
    return out
  }

  return {
    evaluateSync,
    reviewSync: reviewClock(policy, calendar),
    explainSync: (given, asOf) => {
      const record = derive(given, asOf)
      return rules.map(({ rule, checks }) => ({
        rule,
        checks: checks.map((c) => ({ check: c.check, tree: c.explain(record, asOf, undefined) })),
      }))
    },
    explainRuleSync: (given, asOf, index) => {
      const record = derive(given, asOf)
      return rules[index]!.checks.map((c) => ({ check: c.check, tree: c.explain(record, asOf, undefined) }))
    },
    evaluate: (record, asOf) => {
      try {
        return Promise.resolve(evaluateSync(record, asOf))
      } catch (err) {
        return Promise.reject(err instanceof Error ? err : new Error(String(err)))
      }
    },
  }
}

/**
 * The review clock the policy declares: due `workingDays` after its `from` date, overdue when not `decided` by then.
 */
function reviewClock(policy: Policy, calendar: WorkingDayCalendar): SyncEvaluator['reviewSync'] {
  const review = policy.review
  if (!review) return () => undefined
  // Stryker disable next-line BooleanLiteral: test/mutation/equivalent.md#closures-8
  const from = valueReader(review.from.fact, review.from.path, false)
  const decided = compileCondition(asGroup(review.decided), false, calendar).test
  return (record, asOf) => {
    const submittedAt = calendarDate(from(record, asOf, undefined))
    // Stryker disable next-line ConditionalExpression: test/mutation/equivalent.md#closures-9
    if (!submittedAt) return undefined
    const dueBy = workingDaysAfter(calendar, submittedAt, review.workingDays)
    if (dueBy === undefined) return undefined
    return { submittedAt, dueBy, overdue: !decided(record, asOf, undefined) && asOf > dueBy }
  }
}
