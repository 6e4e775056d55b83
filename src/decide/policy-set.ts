import { compileEngine } from '../compile/engine.js'
import { CollabgateError } from '../errors.js'
import type { Evaluator } from '../evaluate/result.js'
import type { Decision, EffectiveWindow, Policy, Subject } from '../model.js'
import { assertAsOf, assertRecord, buildDecision, detectSubject } from './decide.js'

export interface DecideOptions {
  /** The decision date (YYYY-MM-DD): picks the policy version in effect and is the `asOf` fact. */
  asOf: string
  /** Policy id; when omitted, the primary policy for the record's subject. */
  policy?: string
  /** An exact version, overriding the choice by date (for replays and impact reports). */
  version?: string
}

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

const inEffect = (p: Policy, asOf: string) => p.effective.from <= asOf && (p.effective.until === undefined || asOf < p.effective.until)

/** A validated set of policies, compiled once, that decides records. Safe for concurrent use. */
export class PolicySet {
  readonly policies: readonly Policy[]
  private readonly evaluators = new Map<Policy, Evaluator>()

  constructor(policies: readonly Policy[]) {
    this.policies = [...policies].sort((a, b) => a.id.localeCompare(b.id) || a.effective.from.localeCompare(b.effective.from))
    for (const p of this.policies) this.evaluators.set(p, compileEngine(p))
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
    const policy = this.resolve(record, options, asOf)
    assertRecord(policy.subject, record)
    const results = await this.evaluators.get(policy)!.evaluate(record, asOf)
    return buildDecision(policy, record, asOf, results)
  }

  private resolve(record: unknown, options: DecideOptions, asOf: string): Policy {
    const id = options.policy ?? this.primaryId(detectSubject(record))
    return this.select(id, asOf, options.version)
  }
}
