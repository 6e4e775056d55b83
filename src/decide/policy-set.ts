import type { ValidateFunction } from 'ajv'
import { compileClosures, compileTest, type SyncEvaluator } from '../compile/closures.js'
import { compileGenerated } from '../compile/generated.js'
import { CollabgateError } from '../errors.js'
import type { Evaluator } from '../compile/result.js'
import type { Decision, EffectiveWindow, Policy, PolicyRecord, Subject, SubjectDefinition } from '../model.js'
import { byIdThenEffective } from '../order.js'
import { ownOptions } from '../own.js'
import { effectiveEnds, inEffectOn } from '../succession.js'
import { isValidatedPolicy } from '../validate/policy.js'
import { recordValidator } from '../validate/record-schema.js'
import { assertAsOf, assertRecordWith, buildDecision } from './decide.js'
import { explanationOf } from './evidence.js'
import { addHints } from './hints.js'
import { factsRead, type DecisionSource } from './reads.js'

export interface DecideOptions {
  /** The decision date (YYYY-MM-DD): picks the policy version in effect and is the `asOf` fact. */
  asOf: string
  /** Policy id; when omitted, the primary policy for the record's kind that claims it (see `appliesTo`). */
  policy?: string
  /** An exact version, overriding the choice by date (for replays and impact reports). */
  version?: string
  /**
   * The digest the caller expects of the policy that decides: E_DIGEST_MISMATCH instead of a decision from other
   * content.
   */
  digest?: string
  /** Add `explanation`: every rule, passed or objecting, with each condition's actual value (OPA's --explain). */
  explain?: boolean
  /**
   * Add to each reason the smallest changes that make its rule pass, checked by deciding again (a few evaluations per
   * reason).
   */
  hints?: boolean
  /**
   * Which evaluator judges the record: 'generated' (default: one generated function per policy version),
   * 'compiled' (synchronous closures) or 'engine' (json-rules-engine, compiled lazily on first use); property
   * tests prove the three equal.
   */
  evaluator?: EvaluatorKind
  /**
   * Replay only: the record is an audit entry's `facts` (the top-level fields the policy reads, and the
   * id field), not a whole record, so the record schema's top-level `required` is not enforced; every
   * field present is still checked as the schema says. Never set it for a live record: a record missing
   * a required field would be decided instead of refused.
   */
  loggedFacts?: boolean
}

export type EvaluatorKind = 'generated' | 'compiled' | 'engine'

export interface PolicySetOptions {
  /**
   * The evaluator decide() uses when the call names none, and decideSync always; default 'generated' (with
   * 'engine', decideSync uses 'compiled': the engine is promise-based).
   */
  evaluator?: EvaluatorKind
  /**
   * The record kinds the folder declares, for telling a record's kind when the caller names no
   * policy (loadPolicies passes them). Default: the kinds the policies judge.
   */
  subjects?: readonly SubjectKind[]
  /** The lock's release of the folder the policies come from (loadPolicies passes it when the folder has a lock). */
  release?: number
}

/** What telling a record's kind needs of a subject. */
export type SubjectKind = Pick<SubjectDefinition, 'name' | 'idField' | 'recognise'>

/** Options of the synchronous decide: the engine is promise-based, so it is not offered here. */
export type DecideSyncOptions = Omit<DecideOptions, 'evaluator'>

export interface PolicySummary {
  id: string
  version: string
  digest: string
  title: string
  subject: Subject
  primary: boolean
  /** The window in effect: `until` is the successor's `from` (or an explicit earlier `until`). */
  effective: EffectiveWindow
  rules: number
  file: string
  /** The record schema version that validates this policy's records. */
  recordSchema: { version: string; digest: string }
  calendar: string
}

function evaluatorKind(kind: unknown): EvaluatorKind {
  if (kind === 'generated' || kind === 'compiled' || kind === 'engine') return kind
  throw new CollabgateError(
    'E_INVALID_ARGUMENT',
    `evaluator must be 'generated', 'compiled' or 'engine', got ${JSON.stringify(kind)}`,
  )
}

interface CompiledPolicy {
  evaluator: SyncEvaluator
  /** The generated evaluator, made on first use (its code is cached by the policy's digest). */
  generated: SyncEvaluator | undefined
  validate: ValidateFunction
  end: string | undefined
  /** The compiled `appliesTo` of a primary policy; undefined for a fallback. */
  claims: ((record: PolicyRecord, asOf: string) => boolean) | undefined
}

interface CompiledSubject {
  kind: SubjectKind
  recognises: (record: PolicyRecord, asOf: string) => boolean
}

/** The primary policies in effect for one subject on one day: those with appliesTo, and the fallbacks. */
interface Candidates {
  subject: Subject
  asOf: string
  claimants: Policy[]
  fallbacks: Policy[]
}

/** Closures per frozen validated policy: a reload that gets the same policy back (check cache) compiles nothing. */
const closures = new WeakMap<Policy, SyncEvaluator>()
function closuresOf(policy: Policy): SyncEvaluator {
  let evaluator = closures.get(policy)
  if (!evaluator) closures.set(policy, (evaluator = compileClosures(policy)))
  return evaluator
}

/** The generated evaluator per frozen validated policy, made on first use from its closures. */
const generatedEvaluators = new WeakMap<Policy, SyncEvaluator>()
function generatedOf(policy: Policy): SyncEvaluator {
  let evaluator = generatedEvaluators.get(policy)
  if (!evaluator) generatedEvaluators.set(policy, (evaluator = compileGenerated(policy, closuresOf(policy))))
  return evaluator
}

/** A validated set of policies, compiled once, that decides records. Safe for concurrent use. */
export class PolicySet {
  readonly policies: readonly Policy[]
  /** The record kinds this set tells records apart by (plain data: a worker thread rebuilds the set from it). */
  readonly subjectKinds: readonly SubjectKind[]
  private readonly evaluators = new Map<Policy, Promise<Evaluator>>()
  private readonly compiled = new Map<Policy, CompiledPolicy>()
  /** Validators of logged facts (replay), per record schema digest, built on first use. */
  private readonly factsValidators = new Map<string, ValidateFunction>()
  private readonly subjects: CompiledSubject[] = []
  /** Choices remembered per (policy id, asOf, version): batches repeat the same one millions of times. */
  // Stryker disable next-line ArrayDeclaration: test/mutation/equivalent.md#memo-policy-seed
  private readonly picks: { policy: string; asOf: string; version: string | undefined; picked: Policy }[] = []
  // Stryker disable next-line ArrayDeclaration: test/mutation/equivalent.md#memo-asof-seed
  private readonly candidates: Candidates[] = []
  private lastAsOf: string | undefined
  /** The decision log's view of each policy version, made on first use. */
  private readonly sources = new Map<string, DecisionSource>()
  /** The lock's release of the folder these policies come from; undefined without a lock. */
  readonly release: number | undefined

  private readonly defaultEvaluator: EvaluatorKind
  /** The evaluator decideSync uses: the engine is promise-based, so 'compiled' stands in for it. */
  private readonly defaultSync: 'generated' | 'compiled'

  constructor(policies: readonly Policy[], given: PolicySetOptions = {}) {
    const options = ownOptions(given)
    this.defaultEvaluator = evaluatorKind(options.evaluator ?? 'generated')
    this.defaultSync = this.defaultEvaluator === 'generated' ? 'generated' : 'compiled'
    if (options.release !== undefined && (!Number.isSafeInteger(options.release) || options.release < 0))
      throw new CollabgateError(
        'E_INVALID_ARGUMENT',
        `release must be a whole number, got ${JSON.stringify(options.release)}`,
      )
    this.release = options.release
    // both evaluators take what the validator accepted and nothing else (json-rules-engine would run its own operators)
    const unvalidated = policies.find((p) => !isValidatedPolicy(p))
    if (unvalidated) {
      throw new CollabgateError(
        'E_INVALID_ARGUMENT',
        `${String(unvalidated.id)}@${String(unvalidated.version)} was not validated: a PolicySet holds policies ` +
          `from loadPolicies or checkPolicies`,
      )
    }
    this.policies = [...policies].sort(byIdThenEffective)
    const ends = effectiveEnds(this.policies)
    for (const p of this.policies) {
      this.compiled.set(p, {
        generated: undefined,
        // compiled on first use: a one-record decide judges by one of the set's versions
        get evaluator(): SyncEvaluator {
          const evaluator = closuresOf(p)
          Object.defineProperty(this, 'evaluator', { value: evaluator, enumerable: true })
          return evaluator
        },
        validate: recordValidator(p.record.schema),
        end: ends.get(p),
        claims: p.primary && p.appliesTo ? compileTest(p.appliesTo, p.calendar) : undefined,
      })
    }
    const kinds: SubjectKind[] =
      options.subjects?.map((s) => ({ name: s.name, idField: s.idField, recognise: s.recognise })) ?? []
    if (!options.subjects) {
      for (const p of this.policies)
        if (!kinds.some((k) => k.name === p.subject))
          kinds.push({ name: p.subject, idField: p.record.idField, recognise: p.record.recognise })
    }
    this.subjectKinds = kinds
    for (const kind of kinds) this.subjects.push({ kind, recognises: compileTest(kind.recognise) })
  }

  /** Every policy version in the set, with its digest and effective window (its successor's `from` ends it). */
  list(): PolicySummary[] {
    return this.policies.map((p) => {
      const end = this.compiled.get(p)!.end
      return {
        id: p.id,
        version: p.version,
        digest: p.digest,
        title: p.title,
        subject: p.subject,
        primary: p.primary,
        effective: end === undefined ? { from: p.effective.from } : { from: p.effective.from, until: end },
        rules: p.rules.length,
        file: p.location.file,
        recordSchema: { version: p.record.schema.version, digest: p.record.schema.digest },
        calendar: p.calendar,
      }
    })
  }

  /** The version of policy `id` in effect on `asOf` (or exactly `version`). */
  select(id: string, asOf: string, version?: string): Policy {
    const versions = this.policies.filter((p) => p.id === id)
    if (versions.length === 0) {
      const ids = [...new Set(this.policies.map((p) => p.id))]
      throw new CollabgateError(
        'E_POLICY_NOT_FOUND',
        `no policy '${id}'; known policies: ${ids.join(', ') || '(none)'}`,
      )
    }
    if (version !== undefined) {
      const exact = versions.find((p) => p.version === version)
      if (!exact)
        throw new CollabgateError(
          'E_POLICY_NOT_FOUND',
          `policy '${id}' has no version ${version}; versions: ${versions.map((p) => p.version).join(', ')}`,
        )
      return exact
    }
    const date = assertAsOf(asOf)
    const hit = versions.find((p) => this.inEffect(p, date))
    if (!hit) {
      const windows = versions.map((p) => {
        const end = this.compiled.get(p)!.end
        return `${p.version} from ${p.effective.from}${end ? ` until ${end}` : ''}`
      })
      throw new CollabgateError(
        'E_NO_VERSION_IN_EFFECT',
        `no version of '${id}' is in effect on ${date}; versions: ${windows.join('; ')}`,
      )
    }
    return hit
  }

  /** The record kind a record is of, by the subjects' `recognise` conditions. */
  detectSubject(record: unknown): Subject {
    // null passes `typeof … === 'object'` but stays falsy, so it is no record below either
    const r = typeof record === 'object' && !Array.isArray(record) ? (record as PolicyRecord | null) : undefined
    // every record of a batch passes here: one loop, no array, when exactly one kind recognises it
    let found: CompiledSubject | undefined
    let more = false
    if (r) {
      for (const s of this.subjects) {
        if (!s.recognises(r, '')) continue
        if (found) more = true
        else found = s
      }
    }
    if (found && !more) return found.kind.name
    // Stryker disable next-line ArrayDeclaration: test/mutation/equivalent.md#subject-kinds
    const kinds = r ? this.subjects.filter((s) => s.recognises(r, '')) : []
    // one kind alone returned above: here there are none, or two or more
    if (kinds.length >= 2) {
      throw new CollabgateError(
        'E_SUBJECT_AMBIGUOUS',
        `the record is recognised as ${kinds.map((k) => k.kind.name).join(' and ')}; name the policy, or fix the ` +
          `record (no record may be of two kinds)`,
      )
    }
    const ways = this.subjects.map((s) => `${s.kind.name} (id field ${s.kind.idField})`)
    throw new CollabgateError(
      'E_SUBJECT_UNKNOWN',
      `cannot tell the record kind: ` +
        `${ways.length > 0 ? `the policies judge ${ways.join(', ')}` : 'the set has no policies'}; name the policy`,
    )
  }

  /**
   * The policy that judges a record when the caller names none: among the primary policies of its
   * kind in effect on `asOf`, the one whose `appliesTo` claims it, else the one without `appliesTo`.
   */
  primaryFor(record: unknown, asOf: string): Policy {
    return this.primaryOn(record, assertAsOf(asOf))
  }

  /** primaryFor with `date` already checked: the batch path asks this for every record. */
  private primaryOn(record: unknown, date: string): Policy {
    const c = this.candidatesFor(this.detectSubject(record), date)
    // Stryker disable next-line ConditionalExpression,EqualityOperator: test/mutation/equivalent.md#claimants-shortcut
    if (c.claimants.length > 0) {
      const claimed = c.claimants.filter((p) => this.compiled.get(p)!.claims!(record as PolicyRecord, date))
      if (claimed.length === 1) return claimed[0]!
      if (claimed.length >= 2) throw ambiguous(c.subject, date, claimed, 'claim')
    }
    if (c.fallbacks.length === 1) return c.fallbacks[0]!
    if (c.fallbacks.length >= 2) throw ambiguous(c.subject, date, c.fallbacks, 'are the fallback for')
    if (c.claimants.length > 0) {
      throw new CollabgateError(
        'E_NO_POLICY_APPLIES',
        `no policy claims this ${c.subject} record on ${date}: ` +
          `${c.claimants.map((p) => `${p.id}@${p.version}`).join(', ')} apply to other records, and none is the ` +
          `fallback`,
      )
    }
    return this.select(this.soleId(c.subject), date)
  }

  /** The primary versions in effect for a subject on a day, remembered: a batch asks the same thing every time. */
  private candidatesFor(subject: Subject, asOf: string): Candidates {
    // Stryker disable next-line ConditionalExpression: test/mutation/equivalent.md#candidates-memo
    for (const c of this.candidates) if (c.subject === subject && c.asOf === asOf) return c
    const primaries = this.policies.filter((p) => p.subject === subject && p.primary && this.inEffect(p, asOf))
    const c: Candidates = {
      subject,
      asOf,
      claimants: primaries.filter((p) => p.appliesTo),
      fallbacks: primaries.filter((p) => !p.appliesTo),
    }
    // Stryker disable next-line ConditionalExpression,EqualityOperator: test/mutation/equivalent.md#candidates-bound
    if (this.candidates.length >= 16) this.candidates.shift()
    this.candidates.push(c)
    return c
  }

  /** With no primary version in effect: the subject's only policy id, or an error naming what to do. */
  private soleId(subject: Subject): string {
    const primaryIds = [...new Set(this.policies.filter((p) => p.subject === subject && p.primary).map((p) => p.id))]
    const all = [...new Set(this.policies.filter((p) => p.subject === subject).map((p) => p.id))]
    if (primaryIds.length === 1) return primaryIds[0]! // select() says no version is in effect
    // (no primary id here then: `all` holds every primary id, and two or more are not one)
    if (all.length === 1) return all[0]!
    throw new CollabgateError(
      'E_POLICY_AMBIGUOUS',
      all.length === 0
        ? `no policy judges ${subject} records`
        : `name the policy: ${subject} records are judged by ${(primaryIds.length > 0 ? primaryIds : all).join(', ')}`,
    )
  }

  /**
   * What the decision log needs of the policy version that made `decision`: the fields it reads, the
   * record kind's masking and the lock's release; undefined when this set has no such version.
   */
  auditContext(decision: Decision): DecisionSource | undefined {
    const { id, version, digest } = decision.policy
    const key = `${id}@${version}@${digest}`
    let source = this.sources.get(key)
    if (!source) {
      const policy = this.policies.find((p) => p.id === id && p.version === version && p.digest === digest)
      if (!policy) return undefined
      source = { reads: factsRead(policy), ...(policy.record.mask ? { mask: policy.record.mask } : {}) }
      if (this.release !== undefined) source.release = this.release
      this.sources.set(key, source)
    }
    return source
  }

  /**
   * Decides one record. Throws RecordValidationError when the record fails its schema, and
   * CollabgateError for an unknown policy, no version in effect, a digest mismatch or a bad asOf.
   */
  async decide(record: unknown, given: DecideOptions): Promise<Decision> {
    try {
      const options = ownOptions(given) as DecideOptions
      const asOf = assertAsOf(options.asOf)
      const policy = this.pick(record, options, asOf)
      assertRecordWith(policy, this.validatorOf(policy, options), record)
      const kind = evaluatorKind(options.evaluator ?? this.defaultEvaluator)
      const evaluator = this.syncEvaluator(policy, kind === 'engine' ? 'compiled' : kind)
      const results =
        kind === 'engine'
          ? await (await this.engineFor(policy)).evaluate(record, asOf)
          : evaluator.evaluateSync(record, asOf)
      const explanation = options.explain === true ? explanationOf(evaluator.explainSync(record, asOf)) : undefined
      const decision = buildDecision(policy, record, asOf, results, evaluator.reviewSync(record, asOf), explanation)
      if (options.hints === true) addHints(decision, policy, evaluator, record)
      return decision
    } catch (err) {
      throw typedError(err)
    }
  }

  /**
   * Decides one record synchronously with the generated evaluator (the closures when the set was made with
   * `evaluator: 'compiled'` or 'engine'): the batch path. Same decision as decide(), same errors (thrown
   * instead of rejected).
   */
  decideSync(record: unknown, given: DecideSyncOptions): Decision {
    try {
      const options = ownOptions(given) as DecideSyncOptions
      const asOf = this.checkAsOf(options.asOf)
      const policy = this.pick(record, options, asOf)
      const evaluator = this.syncEvaluator(policy, this.defaultSync)
      assertRecordWith(policy, this.validatorOf(policy, options), record)
      const explanation = options.explain === true ? explanationOf(evaluator.explainSync(record, asOf)) : undefined
      const results = evaluator.evaluateSync(record, asOf)
      const decision = buildDecision(policy, record, asOf, results, evaluator.reviewSync(record, asOf), explanation)
      if (options.hints === true) addHints(decision, policy, evaluator, record)
      return decision
    } catch (err) {
      throw typedError(err)
    }
  }

  /** Checks a record against the record schema of the policy that would judge it; throws RecordValidationError. */
  assertRecord(record: unknown, given: DecideSyncOptions): asserts record is PolicyRecord {
    const options = ownOptions(given) as DecideSyncOptions
    const asOf = assertAsOf(options.asOf)
    const policy = this.pick(record, options, asOf)
    assertRecordWith(policy, this.validatorOf(policy, options), record)
  }

  /** The record schema's validator, or for logged facts the same schema without its top-level `required`. */
  private validatorOf(policy: Policy, options: DecideSyncOptions): ValidateFunction {
    if (options.loggedFacts !== true) return this.compiled.get(policy)!.validate
    const schema = policy.record.schema
    let validate = this.factsValidators.get(schema.digest)
    if (!validate) {
      const { required: _required, ...relaxed } = schema.schema
      validate = recordValidator({ ...schema, digest: `facts:${schema.digest}`, schema: relaxed })
      this.factsValidators.set(schema.digest, validate)
    }
    return validate
  }

  /** A policy's synchronous evaluator of a kind; the generated one is made on first use. */
  private syncEvaluator(policy: Policy, kind: 'generated' | 'compiled'): SyncEvaluator {
    const compiled = this.compiled.get(policy)!
    if (kind === 'compiled') return compiled.evaluator
    return (compiled.generated ??= generatedOf(policy))
  }

  private inEffect(p: Policy, asOf: string): boolean {
    return inEffectOn(p, this.compiled.get(p)!.end, asOf)
  }

  /** assertAsOf, remembering the last date checked: a batch passes the same one every time. */
  private checkAsOf(asOf: unknown): string {
    // Stryker disable next-line ConditionalExpression: test/mutation/equivalent.md#asof-memo
    if (this.lastAsOf !== undefined && this.lastAsOf === asOf) return this.lastAsOf
    const date = assertAsOf(asOf)
    // Stryker disable next-line ConditionalExpression,EqualityOperator: test/mutation/equivalent.md#asof-same
    if (date === asOf) this.lastAsOf = date
    return date
  }

  /** The policy that judges a record, checked against the digest the caller expects. */
  private pick(record: unknown, options: DecideSyncOptions, asOf: string): Policy {
    const picked =
      options.policy === undefined ? this.primaryOn(record, asOf) : this.named(options.policy, asOf, options.version)
    if (options.digest !== undefined && options.digest !== picked.digest) {
      throw new CollabgateError(
        'E_DIGEST_MISMATCH',
        `${picked.id}@${picked.version} has digest ${picked.digest}, not the expected ${String(options.digest)}: ` +
          `its content is not what the caller names`,
      )
    }
    return picked
  }

  /** select() remembered per (policy, asOf, version); errors are never remembered. */
  private named(policy: string, asOf: string, version: string | undefined): Policy {
    // Stryker disable next-line ConditionalExpression: test/mutation/equivalent.md#version-memo
    for (const p of this.picks) if (p.policy === policy && p.asOf === asOf && p.version === version) return p.picked
    const picked = this.select(policy, asOf, version)
    // Stryker disable next-line ConditionalExpression,EqualityOperator: test/mutation/equivalent.md#version-bound
    if (this.picks.length >= 16) this.picks.shift()
    // Stryker disable next-line ObjectLiteral: test/mutation/equivalent.md#version-entry
    this.picks.push({ policy, asOf, version, picked })
    return picked
  }

  /**
   * json-rules-engine for a policy, built on first use: most callers never ask for it, so neither is the module
   * loaded before.
   */
  private engineFor(policy: Policy): Promise<Evaluator> {
    let evaluator = this.evaluators.get(policy)
    if (!evaluator) {
      evaluator = import('../compile/engine.js').then(({ compileEngine }) => compileEngine(policy))
      this.evaluators.set(policy, evaluator)
    }
    return evaluator
  }
}

/** What deciding threw, as a typed error: anything else comes of a record that is not JSON data (or of a fault). */
function typedError(err: unknown): CollabgateError {
  if (err instanceof CollabgateError) return err
  const what = err instanceof Error ? `${err.name}: ${err.message}` : `a thrown ${typeof err}`
  return new CollabgateError(
    'E_DECISION_FAILED',
    `the record could not be decided (${what}); a record is JSON data: no accessors, cycles or class instances`,
    { cause: err },
  )
}

function ambiguous(subject: Subject, asOf: string, policies: readonly Policy[], what: string): CollabgateError {
  return new CollabgateError(
    'E_POLICY_AMBIGUOUS',
    `${policies.map((p) => `${p.id}@${p.version}`).join(', ')} all ${what} this ${subject} record on ${asOf}; name ` +
      `the policy, or make their appliesTo exclusive`,
  )
}
