/**
 * Mutation testing of policy tests: for every policy version the cases decided with, every mutant
 * (./mutants.ts) is judged by the same cases through the compiled evaluator. A mutant some case
 * notices (its expectations no longer hold) is killed; one no case notices survived: the tests would
 * not see that mistake. Rule coverage says a rule was seen passing and objecting; this says whether
 * the tests would notice the rule being wrong.
 *
 * Speed: the original policy's per-rule results are computed once per case; a mutant of one rule
 * compiles and runs only that rule, and a change to the outcome order or the default only rebuilds
 * the decision from the results already there. One thread: the shipped run takes well under a second.
 */
import { compileClosures } from '../compile/closures.js'
import type { RuleResult } from '../compile/result.js'
import { buildDecision } from '../decide/decide.js'
import { PolicySet } from '../decide/policy-set.js'
import { checkMutant } from '../validate/policy.js'
import { recordValidator } from '../validate/record-schema.js'
import { policyProblem, type PolicyProblem } from '../errors.js'
import { locatePolicy } from '../folder/load.js'
import { lockKey } from '../lock/lock.js'
import type { Policy, PolicyRecord, ReviewStatus, SourceLocation } from '../model.js'
import { byIdThenEffective } from '../order.js'
import { versionRange } from '../policy-test/range.js'
import {
  callMeets,
  unmetExpectations,
  type EquivalentDeclaration,
  type PolicyTestCall,
  type PolicyTestCaseInput,
  type PolicyTestRun,
} from '../policy-test/run.js'
import { observedIn, policyMutants, type MutationOperator } from './mutants.js'
import { ownOptions } from '../own.js'

export type MutantStatus = 'killed' | 'survived' | 'equivalent'

export interface MutantResult {
  /** The change in words, as an `equivalent:` declaration names it. */
  description: string
  operator: MutationOperator
  /** The rule the change belongs to; absent for a change to the whole policy. */
  rule?: string
  status: MutantStatus
  /** Where the change is: file, line and column of what was changed, and its JSON pointer. */
  file: string
  line: number
  column: number
  pointer: string
  /** The first case that noticed the mutant. */
  killedBy?: { name: string; file: string; line: number }
  /** For a declared equivalent: the reason, and where it is declared. */
  equivalent?: { reason: string; file: string; line: number }
}

export interface PolicyMutation {
  id: string
  version: string
  file: string
  /** The passing cases that decided with this version: the ones that judge its mutants. */
  cases: number
  total: number
  killed: number
  survived: number
  equivalent: number
  /** killed / (total − equivalent) × 100, rounded down to two decimals; 100 when nothing is left. */
  score: number
  mutants: MutantResult[]
}

export interface MutationReport {
  policies: PolicyMutation[]
  total: number
  killed: number
  survived: number
  equivalent: number
  score: number
  /** Equivalent declarations that are stale (no such mutant) or wrong (a case kills the mutant). */
  problems: PolicyProblem[]
}

export interface MutationOptions {
  /** Where a JSON pointer of a policy lies (default: the file:line:col the loader recorded). */
  locate?: (policy: Policy, pointer: string) => SourceLocation
}

const percent = (killed: number, total: number) => (total === 0 ? 100 : Math.floor((killed / total) * 10000) / 100)

/** Runs the mutants of every policy version a test run's passing cases decided with. */
export function mutationTest(
  policies: readonly Policy[],
  run: PolicyTestRun,
  given: MutationOptions = {},
): MutationReport {
  const options = ownOptions(given)
  const locate = options.locate ?? locatePolicy
  const byKey = new Map(policies.map((p) => [lockKey(p), p]))
  const inputsOf = new Map<Policy, PolicyTestCaseInput[]>()
  for (const input of run.inputs) {
    const d = input.result.decision
    if (!input.result.passed || !d) continue
    const p = byKey.get(lockKey(d.policy))
    if (!p || p.digest !== d.policy.digest) continue
    const list = inputsOf.get(p) ?? []
    list.push(input)
    inputsOf.set(p, list)
  }
  const report: MutationReport = {
    policies: [],
    total: 0,
    killed: 0,
    survived: 0,
    equivalent: 0,
    score: 100,
    problems: [],
  }
  const used = new Set<EquivalentDeclaration>()
  const schemasMutated = new Set<string>()
  for (const policy of [...inputsOf.keys()].sort(byIdThenEffective)) {
    const inputs = inputsOf.get(policy)!
    const declared = run.equivalents.filter(
      (e) => e.policy === policy.id && (e.versions === undefined || versionRange(e.versions)?.(policy.version)),
    )
    const replay = { policies, run, recordSchema: !schemasMutated.has(policy.record.schema.digest) }
    schemasMutated.add(policy.record.schema.digest)
    const pm = judgePolicy(policy, inputs, declared, locate, used, report.problems, replay)
    report.policies.push(pm)
    report.total += pm.total
    report.killed += pm.killed
    report.survived += pm.survived
    report.equivalent += pm.equivalent
  }
  for (const e of run.equivalents) {
    if (used.has(e)) continue
    const first = run.equivalents.find((x) => x !== e && used.has(x) && x.policy === e.policy && x.mutant === e.mutant)
    if (first) {
      report.problems.push(
        policyProblem(
          'E_EQUIVALENT_STALE',
          `'${e.mutant}' of ${e.policy} is declared twice (first at ${first.file}:${first.line})`,
          e,
          '',
          {
            hint: 'remove this declaration: the first one already declares the mutant equivalent',
          },
        ),
      )
      continue
    }
    const tested = report.policies.filter((p) => p.id === e.policy).map((p) => p.version)
    report.problems.push(
      policyProblem(
        'E_EQUIVALENT_STALE',
        `no mutant '${e.mutant}' is generated for ` +
          `${e.policy}${tested.length > 0 ? `@${tested.join(', @')}` : ' (no version of it is under test)'}` +
          `${e.versions ? ` in ${e.versions}` : ''}`,
        e,
        '',
        { hint: 'remove the declaration, or copy the mutant as the mutation report words it now' },
      ),
    )
  }
  report.score = percent(report.killed, report.total - report.equivalent)
  return report
}

function judgePolicy(
  policy: Policy,
  inputs: readonly PolicyTestCaseInput[],
  declared: readonly EquivalentDeclaration[],
  locate: NonNullable<MutationOptions['locate']>,
  used: Set<EquivalentDeclaration>,
  problems: PolicyProblem[],
  replay: { policies: readonly Policy[]; run: PolicyTestRun; recordSchema: boolean },
): PolicyMutation {
  // a mutant of routing is judged by every call that named this policy or named none; of a record schema, by every call
  const passed = replay.run.calls.filter((c) => c.result.passed)
  const calls = passed.filter((c) => c.policy === undefined || c.policy === policy.id)
  const original = compileClosures(policy)
  const base: RuleResult[][] = inputs.map((i) => original.evaluateSync(i.record, i.asOf))
  const reviews: (ReviewStatus | undefined)[] = inputs.map((i) => original.reviewSync(i.record, i.asOf))
  const observed = observedIn(inputs.map((i) => i.record))
  const isRecord = (r: unknown): r is PolicyRecord => !!r && typeof r === 'object' && !Array.isArray(r)
  const routed = observedIn(passed.map((c) => c.record).filter(isRecord))
  const mutants = policyMutants(policy, (pointer) => locate(policy, pointer), observed, replay.recordSchema, routed)
  const pm: PolicyMutation = {
    id: policy.id,
    version: policy.version,
    file: policy.location.file,
    cases: inputs.length,
    total: mutants.length,
    killed: 0,
    survived: 0,
    equivalent: 0,
    score: 100,
    mutants: [],
  }
  for (const m of mutants) {
    const killer = m.route
      ? m.recordSchema
        ? firstRefusalKiller(policy, m.recordSchema, passed)
        : firstCallKiller(m.document, policy, replay.policies, replay.run.subjects, calls)
      : m.derivedChanged
        ? firstKillerOfWhole(m.policy, inputs)
        : firstKiller(m.policy, m.ruleIndex, m.reviewChanged === true, inputs, base, reviews, m.whole === true)
    const result: MutantResult = {
      description: m.description,
      operator: m.operator,
      ...(m.rule !== undefined ? { rule: m.rule } : {}),
      status: killer ? 'killed' : 'survived',
      file: m.location.file,
      line: m.location.line,
      column: m.location.column,
      pointer: m.pointer,
    }
    if (killer) result.killedBy = { name: killer.result.name, file: killer.result.file, line: killer.result.line }
    const declaration = declared.find((e) => e.mutant === m.description)
    if (declaration) {
      used.add(declaration)
      if (killer) {
        problems.push(
          policyProblem(
            'E_EQUIVALENT_KILLED',
            `'${m.description}' is declared equivalent, but the case '${killer.result.name}' ` +
              `(${killer.result.file}:${killer.result.line}) tells it from ${policy.id}@${policy.version}`,
            declaration,
            '',
            { hint: 'remove the declaration: the mutant is not equivalent' },
          ),
        )
      } else {
        result.status = 'equivalent'
        result.equivalent = { reason: declaration.reason, file: declaration.file, line: declaration.line }
      }
    }
    pm[result.status]++
    pm.mutants.push(result)
  }
  pm.score = percent(pm.killed, pm.total - pm.equivalent)
  return pm
}

/** As firstKiller, for a mutant any rule may feel (a derived fact changed): the whole policy decides again. */
function firstKillerOfWhole(mutant: Policy, inputs: readonly PolicyTestCaseInput[]): PolicyTestCaseInput | undefined {
  const evaluator = compileClosures(mutant)
  for (const input of inputs) {
    try {
      const results = evaluator.evaluateSync(input.record, input.asOf)
      const review = evaluator.reviewSync(input.record, input.asOf)
      const decision = buildDecision(mutant, input.record, input.asOf, results, review)
      if (unmetExpectations(input.expect, decision).length > 0) return input
    } catch {
      return input
    }
  }
  return undefined
}

/** The first case whose expectations the mutant breaks (a mutant that throws is noticed by the first case). */
function firstKiller(
  mutant: Policy,
  ruleIndex: number | undefined,
  reviewChanged: boolean,
  inputs: readonly PolicyTestCaseInput[],
  base: readonly RuleResult[][],
  reviews: readonly (ReviewStatus | undefined)[],
  whole = false,
): PolicyTestCaseInput | undefined {
  // only what changed is compiled: one rule, or the review clock; the other results are the original's
  const evaluator = whole
    ? compileClosures(mutant)
    : ruleIndex !== undefined
      ? compileClosures({ ...mutant, rules: [mutant.rules[ruleIndex]!] })
      : reviewChanged
        ? compileClosures({ ...mutant, rules: [] })
        : undefined
  for (let i = 0; i < inputs.length; i++) {
    const input = inputs[i]!
    try {
      let results = whole ? evaluator!.evaluateSync(input.record, input.asOf) : base[i]!
      if (ruleIndex !== undefined && !whole) {
        results = [...results]
        results[ruleIndex] = evaluator!.evaluateSync(input.record, input.asOf)[0]!
      }
      const review = reviewChanged || whole ? evaluator!.reviewSync(input.record, input.asOf) : reviews[i]
      const decision = buildDecision(mutant, input.record, input.asOf, results, review)
      if (unmetExpectations(input.expect, decision).length > 0) return input
    } catch {
      return input
    }
  }
  return undefined
}

/**
 * The first call that a policy set holding the mutant (its changed document, built by the validator) instead of
 * `original` answers otherwise than expected; the first call when the validator refuses the mutant.
 */
function firstCallKiller(
  document: Record<string, unknown> | undefined,
  original: Policy,
  policies: readonly Policy[],
  subjects: PolicyTestRun['subjects'],
  calls: readonly PolicyTestCall[],
): PolicyTestCaseInput | undefined {
  if (calls.length === 0) return undefined
  const mutant = document && checkMutant(original, document)
  if (!mutant) return asInput(calls[0]!)
  let set: PolicySet
  try {
    set = new PolicySet(
      policies.map((p) => (p === original ? mutant : p)),
      { subjects },
    )
  } catch {
    return asInput(calls[0]!)
  }
  for (const call of calls) {
    const options = { asOf: call.asOf, ...(call.policy !== undefined ? { policy: call.policy } : {}) }
    let got: Parameters<typeof callMeets>[1]
    try {
      const named = call.version !== undefined ? { ...options, version: call.version } : options
      got = { decision: set.decideSync(call.record, named) }
    } catch (error) {
      got = { error }
    }
    if (!callMeets(call.expect, got)) return asInput(call)
  }
  return undefined
}

/**
 * The first call a record schema without one `required` entry would no longer refuse. Dropping a
 * requirement accepts more records and never fewer, so only a call refused as this kind of record
 * can tell: the mutant accepts it when the field's absence there is all the schema (all errors) finds.
 * Judged with the schema's own validator: no mutant schema is compiled.
 */
function firstRefusalKiller(
  policy: Policy,
  dropped: { field: string; at: string },
  calls: readonly PolicyTestCall[],
): PolicyTestCaseInput | undefined {
  const schema = policy.record.schema
  const validate = recordValidator(schema)
  for (const call of calls) {
    if (call.refused !== schema.subject || call.expect.error === undefined || validate(call.record)) continue
    const errors = validate.errors ?? []
    const at = `#${dropped.at}`
    const isDropped = (e: (typeof errors)[number]) => e.keyword === 'required' && e.schemaPath === at
    const only = errors.every((e) => isDropped(e) && e.params.missingProperty === dropped.field)
    if (errors.length > 0 && only) return asInput(call)
  }
  return undefined
}

const asInput = (call: PolicyTestCall): PolicyTestCaseInput =>
  ({ result: call.result, record: call.record, asOf: call.asOf, expect: call.expect }) as PolicyTestCaseInput
