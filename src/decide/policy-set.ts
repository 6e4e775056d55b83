import { compileClosures, type SyncEvaluator } from '../compile/closures.js'
import { CollabgateError } from '../errors.js'
import type { Evaluator } from '../evaluate/result.js'
import type { Decision, EffectiveWindow, Policy, PolicyRecord, Subject } from '../model.js'
import { assertAsOf, assertRecord, buildDecision, detectSubject } from './decide.js'
import { byIdThenEffective } from '../order.js'

export interface DecideOptions {
  /** The decision date (YYYY-MM-DD): picks the policy version in effect and is the `asOf` fact. */
  asOf: string
  /** Policy id; when omitted, the primary policy for the record's subject. */
  policy?: string
  /** An exact version, overriding the choice by date (for replays and impact reports). */
  version?: string
  /**
   * Which evaluator judges the record: 'compiled' (default: synchronous closures, proven equal to the
   * engine by property tests) or 'engine' (json-rules-engine, compiled lazily on first use).
   */
  evaluator?: EvaluatorKind
}

export type EvaluatorKind = 'compiled' | 'engine'

export interface PolicySetOptions {
  /** The evaluator decide() uses when the call names none; default 'compiled'. */
  evaluator?: EvaluatorKind
}

/** Options of the synchronous decide: the engine is promise-based, so it is not offered here. */
export type DecideSyncOptions = Omit<DecideOptions, 'evaluator'>

export interface PolicySummary {
  id: string
  version: string
  digest: string
  title: string
  subject: Subject
  primary: boolean
  effective: EffectiveWindow
  rules: number
  file: string
}

function evaluatorKind(kind: unknown): EvaluatorKind {
  if (kind === 'compiled' || kind === 'engine') return kind
  throw new CollabgateError('E_INVALID_ARGUMENT', `evaluator must be 'compiled' or 'engine', got ${JSON.stringify(kind)}`)
}

const inEffect = (p: Policy, asOf: string) => p.effective.from <= asOf && (p.effective.until === undefined || asOf < p.effective.until)

/** A validated set of policies, compiled once, that decides records. Safe for concurrent use. */
export class PolicySet {
  readonly policies: readonly Policy[]
  private readonly evaluators = new Map<Policy, Promise<Evaluator>>()
  private readonly compiled = new Map<Policy, SyncEvaluator>()
  /** Policies picked recently per (policy or subject, asOf, version): batches repeat the same choice millions of times. */
  private readonly picks: { policy: string | undefined; subject: Subject | undefined; asOf: string; version: string | undefined; picked: Policy }[] = []
  private lastAsOf: string | undefined

  private readonly defaultEvaluator: EvaluatorKind

  constructor(policies: readonly Policy[], options: PolicySetOptions = {}) {
    this.defaultEvaluator = evaluatorKind(options.evaluator ?? 'compiled')
    this.policies = [...policies].sort(byIdThenEffective)
    for (const p of this.policies) this.compiled.set(p, compileClosures(p))
  }

  /** Every policy version in the set, with its digest and effective window. */
  list(): PolicySummary[] {
    return this.policies.map((p) => ({
      id: p.id,
      version: p.version,
      digest: p.digest,
      title: p.title,
      subject: p.subject,
      primary: p.primary,
      effective: { ...p.effective },
      rules: p.rules.length,
      file: p.location.file,
    }))
  }

  /** The version of policy `id` in effect on `asOf` (or exactly `version`). */
  select(id: string, asOf: string, version?: string): Policy {
    const versions = this.policies.filter((p) => p.id === id)
    if (versions.length === 0) {
      const ids = [...new Set(this.policies.map((p) => p.id))]
      throw new CollabgateError('E_POLICY_NOT_FOUND', `no policy '${id}'; known policies: ${ids.join(', ') || '(none)'}`)
    }
    if (version !== undefined) {
      const exact = versions.find((p) => p.version === version)
      if (!exact) throw new CollabgateError('E_POLICY_NOT_FOUND', `policy '${id}' has no version ${version}; versions: ${versions.map((p) => p.version).join(', ')}`)
      return exact
    }
    const date = assertAsOf(asOf)
    const hit = versions.find((p) => inEffect(p, date))
    if (!hit) {
      const windows = versions.map((p) => `${p.version} from ${p.effective.from}${p.effective.until ? ` until ${p.effective.until}` : ''}`)
      throw new CollabgateError('E_NO_VERSION_IN_EFFECT', `no version of '${id}' is in effect on ${date}; versions: ${windows.join('; ')}`)
    }
    return hit
  }

  /** The policy id picked for a subject when the caller names none. */
  primaryId(subject: Subject): string {
    const ids = [...new Set(this.policies.filter((p) => p.subject === subject && p.primary).map((p) => p.id))]
    if (ids.length === 1) return ids[0]!
    const all = [...new Set(this.policies.filter((p) => p.subject === subject).map((p) => p.id))]
    if (ids.length === 0 && all.length === 1) return all[0]!
    throw new CollabgateError(
      'E_POLICY_AMBIGUOUS',
      ids.length === 0 && all.length === 0
        ? `no policy judges ${subject} records`
        : `name the policy: ${subject} records are judged by ${(ids.length > 0 ? ids : all).join(', ')}`,
    )
  }

  /**
   * Decides one record. Throws RecordValidationError when the record fails its schema, and
   * CollabgateError for an unknown policy, no version in effect or a bad asOf.
   */
  async decide(record: unknown, options: DecideOptions): Promise<Decision> {
    const asOf = assertAsOf(options.asOf)
    const policy = this.pick(record, options, asOf)
    assertRecord(policy.subject, record)
    const results = evaluatorKind(options.evaluator ?? this.defaultEvaluator) === 'engine' ? await (await this.engineFor(policy)).evaluate(record, asOf) : this.compiled.get(policy)!.evaluateSync(record, asOf)
    return buildDecision(policy, record, asOf, results)
  }

  /**
   * Decides one record synchronously with the compiled evaluator: the batch path. Same decision as
   * decide(), same errors (thrown instead of rejected).
   */
  decideSync(record: unknown, options: DecideSyncOptions): Decision {
    const asOf = this.checkAsOf(options.asOf)
    const policy = this.pick(record, options, asOf)
    assertRecord(policy.subject, record)
    return buildDecision(policy, record as PolicyRecord, asOf, this.compiled.get(policy)!.evaluateSync(record, asOf))
  }

  /** assertAsOf, remembering the last date checked: a batch passes the same one every time. */
  private checkAsOf(asOf: unknown): string {
    if (this.lastAsOf !== undefined && this.lastAsOf === asOf) return this.lastAsOf
    const date = assertAsOf(asOf)
    if (date === asOf) this.lastAsOf = date
    return date
  }

  /** resolve() remembered per (policy or subject, asOf, version); errors are never remembered. */
  private pick(record: unknown, options: DecideSyncOptions, asOf: string): Policy {
    const { policy, version } = options
    const subject = policy === undefined ? detectSubject(record) : undefined
    for (const p of this.picks) if (p.policy === policy && p.subject === subject && p.asOf === asOf && p.version === version) return p.picked
    const picked = this.resolve(record, options, asOf)
    if (this.picks.length >= 16) this.picks.shift()
    this.picks.push({ policy, subject, asOf, version, picked })
    return picked
  }

  /** json-rules-engine for a policy, built on first use: most callers never ask for it, so neither is the module loaded before. */
  private engineFor(policy: Policy): Promise<Evaluator> {
    let evaluator = this.evaluators.get(policy)
    if (!evaluator) {
      evaluator = import('../compile/engine.js').then(({ compileEngine }) => compileEngine(policy))
      this.evaluators.set(policy, evaluator)
    }
    return evaluator
  }

  private resolve(record: unknown, options: DecideOptions, asOf: string): Policy {
    const id = options.policy ?? this.primaryId(detectSubject(record))
    return this.select(id, asOf, options.version)
  }
}
