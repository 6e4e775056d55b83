/**
 * Compiles a validated policy into json-rules-engine rules, one Rule per check, and evaluates records
 * with it. Lists (someMatch/noneMatch) run a nested Engine per element; working-day dates are a
 * dynamic fact; paths use a cheap resolver instead of JSONPath.
 */
import { Engine, Rule as EngineRule, type Almanac, type TopLevelCondition } from 'json-rules-engine'
import type { Condition, LeafCondition, Policy } from '../model.js'
import type { ConditionResult, Evaluator, RuleResult } from './result.js'
import { calendarNamed } from '../calendar/calendars.js'
import type { WorkingDayCalendar } from '../calendar/working-days.js'
import { compileElementTest, workingDaysAfter } from './closures.js'
import { deriverOf } from './derived.js'
import { EnginePool } from './engine-pool.js'
import {
  AS_OF_FACT,
  asGroup,
  calendarDate,
  comparer,
  isListMatch,
  operatorOf,
  ITEM_FACT,
  OPERATORS,
} from '../language/operators.js'
import { resolvePath } from '../language/paths.js'
import { CollabgateError } from '../errors.js'

const MATCHES_FACT = '$matches'
const WORKING_DAYS_FACT = '$addWorkingDays'
/**
 * A record field is the engine's fact `record:<key>`, never the key itself: no record key (`$matches`,
 * `$addWorkingDays`, `$item`, `asOf`, `""`) can then replace or shadow a fact the engine keeps for itself.
 */
const RECORD_FACT_PREFIX = 'record:'

/** The engine's fact id of a policy's fact name: asOf is the decision date, any other name a record field. */
const engineFact = (fact: string): string => (fact === AS_OF_FACT ? AS_OF_FACT : RECORD_FACT_PREFIX + fact)

type EngineCondition = Record<string, unknown>

interface ListMatch {
  fact: string
  path: string | undefined
  pool: EnginePool
  /** Top-level facts the element condition reads besides the element itself. */
  facts: string[]
}

/** Every operator, with the meaning the compiled evaluator uses too (for list matches, over the matching elements). */
function addOperators(engine: Engine): void {
  for (const name of Object.keys(OPERATORS)) engine.addOperator(name, comparer(name))
}

async function resolveDate(operand: unknown, almanac: Almanac): Promise<unknown> {
  // dateOperand makes every object operand a {fact} reference (a working-day one included)
  if (operand && typeof operand === 'object') {
    const ref = operand as { fact: string; params?: Record<string, unknown>; path?: string }
    return almanac.factValue(ref.fact, ref.params, ref.path)
  }
  return operand
}

class EngineCompiler {
  // Stryker disable next-line ArrayDeclaration: test/mutation/equivalent.md#lists-seed
  readonly lists: ListMatch[] = []

  constructor(private readonly calendar: WorkingDayCalendar) {}

  newEngine(rules: { name: string; conditions: EngineCondition }[]): Engine {
    const engine = new Engine([], {
      allowUndefinedFacts: true,
      pathResolver: (value: object, path: string) => resolvePath(value, path),
    })
    addOperators(engine)
    // json-rules-engine caches a dynamic fact under a hash of its params that two operands can share
    // ({addWorkingDays: 3055, to: 2120-11-11} and {1961, 2049-12-10} do): never cache these two
    engine.addFact(
      WORKING_DAYS_FACT,
      async (params: Record<string, unknown>, almanac: Almanac) => {
        const date = calendarDate(await resolveDate(params.to, almanac))
        // Stryker disable next-line ConditionalExpression: test/mutation/equivalent.md#working-days-to
        return date === undefined ? undefined : workingDaysAfter(this.calendar, date, params.days as number)
      },
      { cache: false },
    )
    engine.addFact(
      MATCHES_FACT,
      async (params: Record<string, unknown>, almanac: Almanac) => {
        const list = this.lists[params.list as number]!
        const items = await almanac.factValue(list.fact, undefined, list.path as string)
        if (!Array.isArray(items)) return undefined
        // null prototype: a fact named `__proto__` is kept, not taken for a prototype
        const shared = Object.create(null) as Record<string, unknown>
        for (const f of list.facts) shared[f] = await almanac.factValue(f)
        const matches: unknown[] = []
        for (const item of items) {
          const { results } = await list.pool.use((e) => e.run({ ...shared, [ITEM_FACT]: item }))
          if (results.length > 0) matches.push(item)
        }
        return matches
      },
      // Stryker disable next-line ObjectLiteral,BooleanLiteral: test/mutation/equivalent.md#match-cache
      { cache: false },
    )
    for (const r of rules)
      engine.addRule(
        new EngineRule({
          name: r.name,
          conditions: r.conditions as unknown as TopLevelCondition,
          event: { type: r.name },
        }),
      )
    return engine
  }

  condition(c: Condition, inElement: boolean): EngineCondition {
    if ('all' in c) return { all: c.all.map((x) => this.condition(x, inElement)) }
    if ('any' in c) return { any: c.any.map((x) => this.condition(x, inElement)) }
    if ('not' in c) return { not: this.condition(c.not, inElement) }
    return this.leaf(c, inElement)
  }

  private leaf(leaf: LeafCondition, inElement: boolean): EngineCondition {
    const def = operatorOf(leaf)
    // no fact: the list element, which only the nested engine of a list match holds
    const fact = leaf.fact === undefined ? ITEM_FACT : engineFact(leaf.fact)
    if (isListMatch(leaf.operator)) {
      // the validator refuses list matches inside list matches; this guards direct callers
      if (inElement) throw new CollabgateError('E_INVALID_ARGUMENT', 'list matches cannot be nested')
      const where = leaf.value as Condition
      const conditions = this.condition(asGroup(where), true)
      const facts = [...referencedFacts(where)]
      // Stryker disable next-line StringLiteral: test/mutation/equivalent.md#nested-rule-name
      const pool = new EnginePool(() => this.newEngine([{ name: 'where', conditions }]))
      this.lists.push({ fact, path: leaf.path, pool, facts })
      return { fact: MATCHES_FACT, params: { list: this.lists.length - 1 }, operator: leaf.operator, value: true }
    }
    // no path (undefined) is no path to json-rules-engine, and `$` the value itself to resolvePath
    return {
      fact,
      operator: leaf.operator,
      value: def.valueKind === 'date' ? this.dateOperand(leaf.value) : leaf.value,
      path: leaf.path,
    }
  }

  private dateOperand(v: unknown): unknown {
    // a literal (a date string or any other value that is no object) is the operand itself
    if (!v || typeof v !== 'object') return v
    const o = v as { fact?: string; path?: string; addWorkingDays?: number; to?: unknown }
    if (o.addWorkingDays !== undefined) {
      return { fact: WORKING_DAYS_FACT, params: { days: o.addWorkingDays, to: this.dateOperand(o.to) } }
    }
    return { fact: o.fact === undefined ? ITEM_FACT : engineFact(o.fact), path: o.path }
  }
}

/** The engine facts a condition reads at the top level (asOf included), handed to a nested list engine. */
function referencedFacts(c: Condition, out = new Set<string>()): Set<string> {
  if ('all' in c) c.all.forEach((x) => referencedFacts(x, out))
  else if ('any' in c) c.any.forEach((x) => referencedFacts(x, out))
  else if ('not' in c) referencedFacts(c.not, out)
  else {
    // Stryker disable next-line ConditionalExpression: test/mutation/equivalent.md#element-leaf
    if (c.fact !== undefined) out.add(engineFact(c.fact))
    const walk = (v: unknown): void => {
      if (!v || typeof v !== 'object') return
      const o = v as Record<string, unknown>
      // Stryker disable next-line ConditionalExpression: test/mutation/equivalent.md#operand-no-fact
      if (typeof o.fact === 'string') out.add(engineFact(o.fact))
      // Stryker disable next-line ConditionalExpression: test/mutation/equivalent.md#absent-to
      if ('to' in o) walk(o.to)
    }
    // only a date operand is an object with facts: other values
    // are scalars or lists of them (operatorOf refused the rest)
    walk(c.value)
  }
  return out
}

interface EngineTreeNode {
  all?: EngineTreeNode[]
  any?: EngineTreeNode[]
  not?: EngineTreeNode
  result?: boolean
  factResult?: unknown
  valueResult?: unknown
}

/** Pairs json-rules-engine's evaluated condition tree with the policy's own tree. */
function toResult(c: Condition, node: EngineTreeNode): ConditionResult {
  if ('all' in c)
    return {
      kind: 'group',
      op: 'all',
      passed: node.result === true,
      children: c.all.map((x, i) => toResult(x, node.all![i]!)),
    }
  if ('any' in c)
    return {
      kind: 'group',
      op: 'any',
      passed: node.result === true,
      children: c.any.map((x, i) => toResult(x, node.any![i]!)),
    }
  if ('not' in c)
    return { kind: 'group', op: 'not', passed: node.result === true, children: [toResult(c.not, node.not!)] }
  return { kind: 'leaf', leaf: c, passed: node.result === true, actual: node.factResult, expected: node.valueResult }
}

/** A policy compiled to json-rules-engine, built once and reused for every record. */
export function compileEngine(policy: Policy): Evaluator {
  const compiler = new EngineCompiler(calendarNamed(policy.calendar))
  const rules = policy.rules.flatMap((rule, r) =>
    rule.checks.map((check, k) => {
      const root = asGroup(check.require)
      return { name: `${r}:${k}`, root, conditions: compiler.condition(root, false) }
    }),
  )
  const pool = new EnginePool(() => compiler.newEngine(rules))
  const roots = new Map(rules.map((r) => [r.name, r.root]))
  // derived facts: the same data-only step as the closures', before the engine sees the record
  const { derive } = deriverOf(policy, compileElementTest)

  return {
    async evaluate(given, asOf) {
      const record = derive(given, asOf)
      // null prototype: a `__proto__` key in a record is just a fact name, never a prototype swap
      const facts: Record<string, unknown> = Object.create(null) as Record<string, unknown>
      facts[AS_OF_FACT] = asOf
      for (const key of Object.keys(record)) facts[RECORD_FACT_PREFIX + key] = record[key]
      const { results, failureResults } = await pool.use((engine) => engine.run(facts))
      const byName = new Map<string, { result: boolean; conditions: unknown }>()
      for (const r of [...results, ...failureResults]) byName.set((r as { name: string }).name, r as never)
      return policy.rules.map((rule, r): RuleResult => ({
        rule,
        checks: rule.checks.map((check, k) => {
          const name = `${r}:${k}`
          const outcome = byName.get(name)
          // Stryker disable next-line ConditionalExpression,StringLiteral: test/mutation/equivalent.md#unreachable-run
          if (!outcome) throw new Error(`json-rules-engine returned no result for rule ${rule.id} check ${k}`)
          if (outcome.result) return { check, passed: true }
          return { check, passed: false, tree: toResult(roots.get(name)!, outcome.conditions as EngineTreeNode) }
        }),
      }))
    },
  }
}
