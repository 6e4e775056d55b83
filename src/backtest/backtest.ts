/**
 * Labelled backtest: decides each logged case (a decision log's facts, or records) again under a baseline and a
 * candidate version of one policy, joins the reviewers' final outcomes, and scores both versions against them.
 * Coverage first (every entry is counted once: used, or left out under one reason), then the baseline → candidate
 * transitions, each version's confusion matrix, and per rule its fire rate, precision, recall and how often it
 * objected alone, each rate with a 95% Wilson score interval. Raw counts and sorted sample ids make the shards'
 * reports merge into exactly one run's.
 */
import { readsPointer } from '../audit/replay.js'
import { readLogLines } from '../audit/read.js'
import { droppedLine, type InputLine } from '../read/lines.js'
import { verifyAuditLog } from '../audit/verify.js'
import { assertAsOf } from '../decide/decide.js'
import type { PolicySet } from '../decide/policy-set.js'
import { factsRead } from '../decide/reads.js'
import { CollabgateError, RecordValidationError } from '../errors.js'
import type { Decision, Policy, PolicyRecord, PolicyRef } from '../model.js'
import { compareText } from '../order.js'
import { inShard, shardKey, type Shard } from '../shard/shard.js'
import type { Label, Labels } from './labels.js'

/** Why an entry is left out, in the order the reasons are tried: an entry is counted under the first that holds. */
export const EXCLUSION_REASONS = [
  /** Not a JSON object (a log line: not a format-2 entry with policy, version and asOf). */
  'not-an-entry',
  /** A format-1 log entry: it logged no facts. */
  'format-1',
  /** A store's shadow decision (`shadowOf`): a candidate's view of a served decision, which would count it twice. */
  'shadow',
  /** An entry of another policy, or a record of another kind. */
  'other-policy',
  /** Decided less than the maturity window before `now`: its label may still change. */
  'immature',
  /** No label names its decision id or its subject id. */
  'unlabelled',
  /** The entry logged no facts (or none with the id field). */
  'no-facts',
  /** The folder lacks the version (or content) the entry was logged under, so what its facts kept is unknown. */
  'version-missing',
  /** A version under test reads a field the logged version did not read, so the log did not keep it. */
  'fact-not-logged',
  /** A version under test reads a field the log masked. */
  'masked-fact',
  /** The facts (or record) fail a version's record schema. */
  'facts-invalid',
  /** Deciding failed otherwise. */
  'error',
] as const

export type BacktestExclusion = (typeof EXCLUSION_REASONS)[number]

/** A rate k/n with its 95% Wilson score interval; null when n is 0. */
export interface Rate {
  k: number
  n: number
  rate: number | null
  low: number | null
  high: number | null
  /** n is under SMALL_N: read the interval, not the rate. */
  small: boolean
}

/** A rate's denominator under this is flagged small (the normal approximation's usual rule of thumb). */
export const SMALL_N = 30

/** Sample ids kept per cell: the first ones in code-unit order, so shards merge to one run's. */
export const SAMPLES = 5

export interface RuleScore {
  rule: string
  /** Used entries the rule objected to. */
  fired: number
  /** Of those, entries whose label objects. */
  firedObjecting: number
  /** Entries the rule was the only objecting rule of. */
  only: number
  /** fired / used. */
  fireRate: Rate
  /** firedObjecting / fired. */
  precision: Rate
  /** firedObjecting / labels that object. */
  recall: Rate
  /** only / fired. */
  onlyRate: Rate
}

/** "Positive" is objecting: an outcome other than the policy's default (no rule objected). */
export interface BinaryScore {
  /** Predicted objects, label objects. */
  tp: number
  /** Predicted objects, label does not. */
  fp: number
  /** Predicted does not object, label does. */
  fn: number
  /** Neither objects. */
  tn: number
  precision: Rate
  recall: Rate
  /** Exact outcome agreement over the full matrix: the diagonal / used. */
  accuracy: Rate
}

export interface VersionScore {
  ref: PolicyRef
  /** The outcome of no objection. */
  defaultOutcome: string
  /** confusion[label][predicted], indexed by `outcomes`. */
  confusion: number[][]
  /** Sample ids per confusion cell. */
  samples: string[][][]
  binary: BinaryScore
  /** Every rule of the version, in its order. */
  rules: RuleScore[]
}

export interface BacktestExclusionCount {
  reason: BacktestExclusion
  count: number
  /** Where (decision id, or file:line) the first entries left out for this reason are. */
  samples: string[]
}

export interface BacktestReport {
  kind: 'backtest'
  policy: string
  baseline: PolicyRef
  candidate: PolicyRef
  /** A decision log's facts, or records decided as of one date. */
  input: 'log' | 'records'
  /** The date maturity is measured against. */
  now: string
  /** Entries decided fewer than this many days before `now` are left out. */
  maturityDays: number
  /** Labels read from the labels file (the whole file, whatever the shard). */
  labels: number
  /** Present for one shard's report; absent for a whole run (and a merge of all shards). */
  shard?: Shard
  /** Entries read (of this shard): used + every exclusion's count. */
  entries: number
  /** Replayed under both versions, mature and labelled: what the scores below are over. */
  used: number
  excluded: BacktestExclusionCount[]
  /** Outcomes: the baseline's, most severe first, then any the candidate adds. */
  outcomes: string[]
  /** Labels that object (their outcome is not the default). */
  labelledObjecting: number
  /** transitions[baseline][candidate], indexed by `outcomes`. */
  transitions: number[][]
  transitionSamples: string[][][]
  /** Used entries whose outcome differs between the versions. */
  changed: Rate
  versions: { baseline: VersionScore; candidate: VersionScore }
}

export interface BacktestOptions {
  policy: string
  baseline: string
  candidate: string
  /** YYYY-MM-DD. */
  now: string
  /** Days; default 0. */
  maturityDays?: number
  shard?: Shard
}

/** What is replayed: decision log files (verified first), or NDJSON records decided as of one date. */
export type BacktestInput = { log: readonly string[] } | BacktestRecords

/** NDJSON records (lines), decided as of `asOf`; `name` names them in samples (default `records`). */
export interface BacktestRecords {
  records: Lines
  asOf: string
  name?: string
}

type Lines = AsyncIterable<InputLine> | Iterable<InputLine>

const Z = 1.959963984540054
const round = (x: number): number => Math.round(x * 1e6) / 1e6

/** k/n with its 95% Wilson score interval. */
export function wilson(k: number, n: number): Rate {
  if (n === 0) return { k, n, rate: null, low: null, high: null, small: true }
  const p = k / n
  const z2 = Z * Z
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n)
  const half = (Z / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))
  const [low, high] = [Math.max(0, centre - half), Math.min(1, centre + half)]
  return { k, n, rate: round(p), low: round(low), high: round(high), small: n < SMALL_N }
}

const DAY = 86_400_000
const dayOf = (date: string): number => Date.parse(`${date}T00:00:00Z`) / DAY

const grid = <T>(n: number, cell: () => T): T[][] => Array.from({ length: n }, () => Array.from({ length: n }, cell))

/** Adds an id to a sorted sample list, keeping the first SAMPLES. */
function sample(list: string[], id: string): void {
  if (list.length >= SAMPLES && compareText(id, list[SAMPLES - 1]!) >= 0) return
  let i = list.length
  while (i > 0 && compareText(list[i - 1]!, id) > 0) i--
  list.splice(i, 0, id)
  if (list.length > SAMPLES) list.pop()
}

/** One case to decide: where it is, its shard key and subject, and what to decide from. */
interface Case {
  where: string
  id: string | undefined
  subject: string | undefined
  shardKey: string
  asOf?: string
  outcome?: { reason: BacktestExclusion; message: string }
  facts?: Record<string, unknown>
  /** Log entries: the policy version that logged them and the pointers masked. */
  logged?: { version: string; digest: string; masked: unknown }
}

const str = (o: Record<string, unknown>, key: string): string | undefined => {
  const v = Object.hasOwn(o, key) ? o[key] : undefined
  return typeof v === 'string' ? v : undefined
}

async function* logCases(files: readonly string[], policy: string): AsyncGenerator<Case> {
  let position = 0
  for await (const l of readLogLines(files)) {
    position++
    if (l.text === '') continue
    const where = `${l.file}:${l.line}`
    let entry: unknown
    try {
      entry = JSON.parse(l.text)
    } catch {
      entry = undefined
    }
    const isObject = entry !== null && typeof entry === 'object' && !Array.isArray(entry)
    const e = (isObject ? entry : {}) as Record<string, unknown>
    const [id, subject, asOf, version, digest] = ['id', 'subject', 'asOf', 'version', 'digest'].map((k) => str(e, k))
    const c: Case = { where, id, subject, shardKey: shardKey(subject, position) }
    const entryPolicy = str(e, 'policy')
    if (!isObject || entryPolicy === undefined || version === undefined || digest === undefined || asOf === undefined)
      c.outcome = { reason: 'not-an-entry', message: 'not an entry with a policy, version, digest and asOf' }
    else if (!Object.hasOwn(e, 'v')) c.outcome = { reason: 'format-1', message: 'a format-1 entry logged no facts' }
    else if (Object.hasOwn(e, 'shadowOf'))
      c.outcome = { reason: 'shadow', message: 'a shadow decision, never answered' }
    else if (entryPolicy !== policy) c.outcome = { reason: 'other-policy', message: `an entry of ${entryPolicy}` }
    else {
      c.asOf = asOf
      const facts = e['facts']
      const isFacts = facts !== null && typeof facts === 'object' && !Array.isArray(facts)
      if (isFacts) c.facts = facts as Record<string, unknown>
      c.logged = { version, digest, masked: e['masked'] }
    }
    yield c
  }
}

async function* recordCases(input: BacktestRecords, set: PolicySet, policy: Policy): AsyncGenerator<Case> {
  const [asOf, name] = [input.asOf, input.name ?? 'records']
  let lineNo = 0
  for await (const line of input.records) {
    lineNo++
    const text = typeof line === 'string' ? line : undefined
    if (text?.trim() === '') continue
    let record: unknown
    try {
      record = text === undefined ? undefined : JSON.parse(text)
    } catch {
      record = undefined
    }
    const isObject = record !== null && typeof record === 'object' && !Array.isArray(record)
    const r = (isObject ? record : {}) as Record<string, unknown>
    const subject = str(r, policy.record.idField)
    const c: Case = { where: `${name}:${lineNo}`, id: undefined, subject, shardKey: shardKey(subject, lineNo), asOf }
    if (typeof line !== 'string') c.outcome = { reason: 'not-an-entry', message: droppedLine(line).message }
    else if (!isObject) c.outcome = { reason: 'not-an-entry', message: 'not a JSON object' }
    else {
      let kind: string | undefined
      try {
        kind = set.detectSubject(record)
      } catch {
        kind = undefined
      }
      const other = kind !== undefined && kind !== policy.subject
      if (other) c.outcome = { reason: 'other-policy', message: `a ${String(kind)} record` }
      else c.facts = r
    }
    yield c
  }
}

/** Decides a case under one version, or says why it cannot be. */
async function decideCase(
  set: PolicySet,
  version: Policy,
  c: Case,
  loggedReads: ReadonlySet<string> | undefined,
): Promise<Decision | { reason: BacktestExclusion; message: string }> {
  const facts = c.facts!
  if (loggedReads) {
    const unkept = factsRead(version).find((f) => !Object.hasOwn(facts, f) && !loggedReads.has(f))
    if (unkept !== undefined)
      return { reason: 'fact-not-logged', message: `${version.version} reads ${unkept}; the logged version did not` }
    const masked = c.logged?.masked
    if (Array.isArray(masked))
      for (const m of masked as unknown[]) {
        const pointer = m !== null && typeof m === 'object' ? (m as Record<string, unknown>)['pointer'] : undefined
        if (typeof pointer !== 'string' || readsPointer(version, pointer))
          return { reason: 'masked-fact', message: `${version.version} reads ${String(pointer)}, which the log masked` }
      }
  }
  try {
    const loggedFacts = loggedReads !== undefined
    const options = { policy: version.id, version: version.version, asOf: c.asOf!, loggedFacts }
    return await set.decide(facts as PolicyRecord, options)
  } catch (err) {
    const message = `${version.version}: ${err instanceof Error ? err.message : String(err)}`
    if (err instanceof RecordValidationError) return { reason: 'facts-invalid', message }
    return { reason: 'error', message: err instanceof CollabgateError ? `${err.code}: ${message}` : message }
  }
}

/** A fresh version score. */
function versionScore(policy: Policy, outcomes: readonly string[]): VersionScore {
  const zero = wilson(0, 0)
  return {
    ref: { id: policy.id, version: policy.version, digest: policy.digest },
    defaultOutcome: policy.defaultOutcome,
    confusion: grid(outcomes.length, () => 0),
    samples: grid(outcomes.length, () => [] as string[]),
    binary: { tp: 0, fp: 0, fn: 0, tn: 0, precision: zero, recall: zero, accuracy: zero },
    rules: policy.rules.map((r) => ({
      rule: r.id,
      fired: 0,
      firedObjecting: 0,
      only: 0,
      fireRate: zero,
      precision: zero,
      recall: zero,
      onlyRate: zero,
    })),
  }
}

/** A used case's sample id and label, and whether the label objects. */
interface JoinedLabel {
  id: string
  outcome: string
  labelObjects: boolean
}

/** Adds one used case's decision and label to a version's counts. */
function score(v: VersionScore, outcomes: readonly string[], d: Decision, label: JoinedLabel): void {
  const { id, outcome, labelObjects } = label
  const [row, col] = [outcomes.indexOf(outcome), outcomes.indexOf(d.outcome)]
  v.confusion[row]![col]!++
  sample(v.samples[row]![col]!, id)
  const objects = d.outcome !== v.defaultOutcome
  if (objects && labelObjects) v.binary.tp++
  else if (objects) v.binary.fp++
  else if (labelObjects) v.binary.fn++
  else v.binary.tn++
  const fired = new Set(d.reasons.map((r) => r.rule))
  for (const r of v.rules) {
    if (!fired.has(r.rule)) continue
    r.fired++
    if (labelObjects) r.firedObjecting++
    if (fired.size === 1) r.only++
  }
}

/** The derived rates, from the raw counts alone (a run and a merge compute them the same way). */
function derive(report: BacktestReport): BacktestReport {
  const n = report.used
  let changed = 0
  report.transitions.forEach((row, i) => row.forEach((count, j) => (changed += i === j ? 0 : count)))
  report.changed = wilson(changed, n)
  for (const v of [report.versions.baseline, report.versions.candidate]) {
    const b = v.binary
    const diagonal = v.confusion.reduce((sum, row, i) => sum + row[i]!, 0)
    b.precision = wilson(b.tp, b.tp + b.fp)
    b.recall = wilson(b.tp, b.tp + b.fn)
    b.accuracy = wilson(diagonal, n)
    for (const r of v.rules) {
      r.fireRate = wilson(r.fired, n)
      r.precision = wilson(r.firedObjecting, r.fired)
      r.recall = wilson(r.firedObjecting, report.labelledObjecting)
      r.onlyRate = wilson(r.only, r.fired)
    }
  }
  return report
}

const labelError = (labels: Labels, label: Label, message: string) =>
  new CollabgateError('E_LABELS_INVALID', `${labels.file}:${label.line}: ${message}`)

/**
 * Backtests a candidate against a baseline on labelled cases. A log is verified first (E_LOG_UNVERIFIED when its
 * chain is broken); an unknown policy or version is E_POLICY_NOT_FOUND; a label with an outcome neither version
 * has is E_LABELS_INVALID, one naming a decision or subject the input does not hold E_LABELS_UNKNOWN.
 */
export async function backtestOf(set: PolicySet, input: BacktestInput, labels: Labels, options: BacktestOptions) {
  const now = assertAsOf(options.now)
  const maturityDays = options.maturityDays ?? 0
  if (!Number.isInteger(maturityDays) || maturityDays < 0)
    throw new CollabgateError('E_INVALID_ARGUMENT', `the maturity must be a whole number of days, not ${maturityDays}`)
  const baseline = set.select(options.policy, now, options.baseline)
  const candidate = set.select(options.policy, now, options.candidate)
  const outcomes = [...baseline.outcomes, ...candidate.outcomes.filter((o) => !baseline.outcomes.includes(o))]
  for (const label of [...labels.byDecision.values(), ...labels.bySubject.values()])
    if (!outcomes.includes(label.outcome))
      throw labelError(labels, label, `outcome ${JSON.stringify(label.outcome)} is not one of ${outcomes.join(', ')}`)
  if ('log' in input) {
    const verified = await verifyAuditLog(input.log)
    const first = verified.findings[0]
    const where = first ? `${first.file}:${first.line}: ${first.kind}: ${first.message}` : ''
    if (!verified.ok) throw new CollabgateError('E_LOG_UNVERIFIED', where || 'the log fails verification')
  } else assertAsOf(input.asOf)
  const report: BacktestReport = {
    kind: 'backtest',
    policy: options.policy,
    baseline: { id: baseline.id, version: baseline.version, digest: baseline.digest },
    candidate: { id: candidate.id, version: candidate.version, digest: candidate.digest },
    input: 'log' in input ? 'log' : 'records',
    now,
    maturityDays,
    labels: labels.rows,
    ...(options.shard === undefined ? {} : { shard: { index: options.shard.index, count: options.shard.count } }),
    entries: 0,
    used: 0,
    excluded: EXCLUSION_REASONS.map((reason) => ({ reason, count: 0, samples: [] })),
    outcomes,
    labelledObjecting: 0,
    transitions: grid(outcomes.length, () => 0),
    transitionSamples: grid(outcomes.length, () => [] as string[]),
    changed: wilson(0, 0),
    versions: { baseline: versionScore(baseline, outcomes), candidate: versionScore(candidate, outcomes) },
  }
  const exclude = (c: Case, reason: BacktestExclusion) => {
    const x = report.excluded.find((e) => e.reason === reason)!
    x.count++
    sample(x.samples, c.id ?? c.where)
  }
  // every input's ids, whatever the shard: a label is unknown only if no shard could join it
  const seenDecisions = new Set<string>()
  const seenSubjects = new Set<string>()
  const loggedReads = new Map<string, ReadonlySet<string> | null>()
  const cases = 'log' in input ? logCases(input.log, options.policy) : recordCases(input, set, baseline)
  for await (const c of cases) {
    if (c.id !== undefined) seenDecisions.add(c.id)
    if (c.subject !== undefined) seenSubjects.add(c.subject)
    if (!inShard(options.shard, c.shardKey)) continue
    report.entries++
    if (c.outcome) {
      exclude(c, c.outcome.reason)
      continue
    }
    const age = dayOf(now) - dayOf(c.asOf!)
    if (!Number.isFinite(age)) {
      exclude(c, 'not-an-entry')
      continue
    }
    if (age < maturityDays) {
      exclude(c, 'immature')
      continue
    }
    const label =
      (c.id === undefined ? undefined : labels.byDecision.get(c.id)) ??
      (c.subject === undefined ? undefined : labels.bySubject.get(c.subject))
    if (!label) {
      exclude(c, 'unlabelled')
      continue
    }
    const facts = c.facts
    const idField = baseline.record.idField
    if (!facts || !Object.hasOwn(facts, idField)) {
      exclude(c, 'no-facts')
      continue
    }
    let reads: ReadonlySet<string> | undefined
    if (c.logged) {
      const key = `${c.logged.version}\u0000${c.logged.digest}`
      if (!loggedReads.has(key)) {
        const known = set.policies.find((p) => p.id === options.policy && p.version === c.logged!.version)
        loggedReads.set(key, known && known.digest === c.logged.digest ? new Set(factsRead(known)) : null)
      }
      const found = loggedReads.get(key)
      if (!found) {
        exclude(c, 'version-missing')
        continue
      }
      reads = found
    }
    const before = await decideCase(set, baseline, c, reads)
    const after = 'reason' in before ? before : await decideCase(set, candidate, c, reads)
    if ('reason' in before || 'reason' in after) {
      exclude(c, ('reason' in before ? before : (after as { reason: BacktestExclusion })).reason)
      continue
    }
    report.used++
    const id = c.id ?? c.subject ?? c.where
    const labelObjects = label.outcome !== baseline.defaultOutcome
    if (labelObjects) report.labelledObjecting++
    const [i, j] = [outcomes.indexOf(before.outcome), outcomes.indexOf(after.outcome)]
    report.transitions[i]![j]!++
    sample(report.transitionSamples[i]![j]!, id)
    const joined: JoinedLabel = { id, outcome: label.outcome, labelObjects }
    score(report.versions.baseline, outcomes, before, joined)
    score(report.versions.candidate, outcomes, after, joined)
  }
  const unknown = [
    ...[...labels.byDecision].filter(([id]) => !seenDecisions.has(id)).map(([id, l]) => ({ what: 'decision', id, l })),
    ...[...labels.bySubject].filter(([id]) => !seenSubjects.has(id)).map(([id, l]) => ({ what: 'subject', id, l })),
  ].sort((a, b) => a.l.line - b.l.line)
  if (unknown.length > 0) {
    const named = unknown.slice(0, 5).map((u) => `line ${u.l.line}: ${u.what} ${JSON.stringify(u.id)}`)
    throw new CollabgateError(
      'E_LABELS_UNKNOWN',
      `${labels.file}: ${unknown.length} label(s) name a decision or subject the input does not hold ` +
        `(${named.join('; ')}${unknown.length > 5 ? '; …' : ''})`,
    )
  }
  return derive(report)
}

/** Both versions' rule ids, as one text: reports of one run list the same rules in the same order. */
const ruleIds = (r: BacktestReport): string =>
  JSON.stringify([r.versions.baseline.rules.map((x) => x.rule), r.versions.candidate.rules.map((x) => x.rule)])

const sameRef = (a: PolicyRef, b: PolicyRef) => a.id === b.id && a.version === b.version && a.digest === b.digest

function mergeError(message: string): CollabgateError {
  return new CollabgateError('E_INVALID_ARGUMENT', `cannot merge backtest reports: ${message}`)
}

/**
 * The report one run gives, from its shards' reports (`--shard 1/N` … `--shard N/N`, each once, in any order): the
 * counts added, the samples merged in order, the rates computed again. E_INVALID_ARGUMENT for reports of other
 * runs (another policy, version, date, maturity, input or labels) or a missing or repeated shard.
 */
export function mergeBacktestReports(reports: readonly BacktestReport[]): BacktestReport {
  const [first] = reports
  if (!first) throw mergeError('no reports')
  for (const r of reports) {
    if (r.kind !== 'backtest') throw mergeError(`a report of kind ${JSON.stringify(r.kind)}`)
    const same =
      r.policy === first.policy &&
      sameRef(r.baseline, first.baseline) &&
      sameRef(r.candidate, first.candidate) &&
      r.input === first.input &&
      r.now === first.now &&
      r.maturityDays === first.maturityDays &&
      r.labels === first.labels &&
      JSON.stringify(r.outcomes) === JSON.stringify(first.outcomes) &&
      ruleIds(r) === ruleIds(first)
    if (!same) throw mergeError('they are of different runs (policy, versions, --now, --maturity, input or labels)')
  }
  if (reports.length > 1 || first.shard !== undefined) {
    const count = first.shard?.count
    const indices = reports.map((r) => (r.shard?.count === count ? r.shard?.index : undefined))
    const distinct = new Set(indices).size === count && indices.every((i) => i !== undefined)
    const all = count !== undefined && indices.length === count && distinct
    if (!all) throw mergeError(`they must be shards 1/N to N/N of one run, each once (got ${reports.length} report(s))`)
  }
  const n = first.outcomes.length
  const addSamples = (into: string[], from: readonly string[]) => from.forEach((id) => sample(into, id))
  const version = (pick: (r: BacktestReport) => VersionScore): VersionScore => {
    const v = structuredClone(pick(first))
    v.confusion = grid(n, () => 0)
    v.samples = grid(n, () => [] as string[])
    v.binary.tp = v.binary.fp = v.binary.fn = v.binary.tn = 0
    for (const r of v.rules) r.fired = r.firedObjecting = r.only = 0
    for (const report of reports) {
      const s = pick(report)
      for (let i = 0; i < n; i++)
        for (let j = 0; j < n; j++) {
          v.confusion[i]![j]! += s.confusion[i]![j]!
          addSamples(v.samples[i]![j]!, s.samples[i]![j]!)
        }
      v.binary.tp += s.binary.tp
      v.binary.fp += s.binary.fp
      v.binary.fn += s.binary.fn
      v.binary.tn += s.binary.tn
      s.rules.forEach((x, k) => {
        v.rules[k]!.fired += x.fired
        v.rules[k]!.firedObjecting += x.firedObjecting
        v.rules[k]!.only += x.only
      })
    }
    return v
  }
  const { shard: _shard, ...rest } = structuredClone(first)
  const merged: BacktestReport = {
    ...rest,
    entries: 0,
    used: 0,
    excluded: EXCLUSION_REASONS.map((reason) => ({ reason, count: 0, samples: [] })),
    labelledObjecting: 0,
    transitions: grid(n, () => 0),
    transitionSamples: grid(n, () => [] as string[]),
    versions: { baseline: version((r) => r.versions.baseline), candidate: version((r) => r.versions.candidate) },
  }
  for (const r of reports) {
    merged.entries += r.entries
    merged.used += r.used
    merged.labelledObjecting += r.labelledObjecting
    for (const x of r.excluded) {
      const into = merged.excluded.find((e) => e.reason === x.reason)
      if (!into) throw mergeError(`unknown exclusion reason ${JSON.stringify(x.reason)}`)
      into.count += x.count
      addSamples(into.samples, x.samples)
    }
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        merged.transitions[i]![j]! += r.transitions[i]![j]!
        addSamples(merged.transitionSamples[i]![j]!, r.transitionSamples[i]![j]!)
      }
  }
  return derive(merged)
}
