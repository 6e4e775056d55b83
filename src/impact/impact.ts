/**
 * Impact of a policy change: replays records through two versions of one policy and reports which
 * decisions change, from which outcome to which, and the rules behind each change, before it ships.
 */
import type { Readable } from 'node:stream'
import { CollabgateError, RecordValidationError } from '../errors.js'
import { DEFAULT_MAX_LINE_CHARS, droppedLine, fileChunks, inputLines, type InputLine } from '../read/lines.js'
import type { Decision, PolicyRef } from '../model.js'
import type { PolicySet } from '../decide/policy-set.js'
import { assertAsOf } from '../decide/decide.js'
import { compareText } from '../order.js'
import { createHash } from 'node:crypto'
import { inShard, shardKey, type Shard } from '../shard/shard.js'
import { subjectIdOf } from '../shard/subject.js'
import { checkedShard, shardStamp, type ShardStamp } from '../shard/stamp.js'

export interface ImpactOptions {
  /** The policy id. */
  policy: string
  /** The version decisions are taken under today, or `none` for a brand-new policy (no decision before). */
  from: string
  /** The version that would replace it. */
  to: string
  /** Decision date for both versions (the `asOf` fact and review deadlines). */
  asOf: string
  /** Reports on shard K of N of the records only (by subject id, else line number), for `mergeShards`. */
  shard?: Shard
  /** The line limit the records were read with (readLines'), for the message of a line over it. */
  maxLineChars?: number
}

export interface ImpactSide {
  outcome: string
  /** Rule ids that objected, in the decision's order. */
  rules: string[]
}

export interface ImpactChange {
  /** 1-based line of the record in the input. */
  line: number
  /** The record's id: the value of its kind's id field. */
  id: string
  before: ImpactSide
  after: ImpactSide
  outcomeChanged: boolean
  /** Rules that object under the new version only, and under the old version only. */
  started: string[]
  stopped: string[]
}

export interface ImpactTransition {
  from: string
  to: string
  count: number
}

/** How many records each rule newly objects to, or no longer objects to. */
export interface RuleShift {
  rule: string
  started: number
  stopped: number
}

/** A line that could not be decided: not JSON, not a record, or a record failing its schema. */
export interface ImpactInvalidLine {
  line: number
  code: string
  message: string
}

/** A record that one version's record schema refuses and the other's accepts (a new field, say). */
export interface ImpactRefusedLine {
  line: number
  id: string
  /** The version whose record schema refuses the record, and why. */
  refusedBy: string
  message: string
  /** The decision of the version that accepts it. */
  decided: ImpactSide & { version: string }
}

export interface ImpactReport {
  /** Only in a shard's report, with `shard`: what `merge` reads. */
  kind?: 'impact'
  policy: string
  from: PolicyRef
  to: PolicyRef
  asOf: string
  /** Non-blank input lines. */
  lines: number
  /**
   * Records of another kind than the policy judges (behaviour records in a file beside applications): skipped,
   * counted.
   */
  otherKind: number
  /** Records decided under both versions. */
  decided: number
  /** Records whose outcome or objecting rules differ. */
  changed: number
  /** Records whose outcome differs. */
  outcomeChanged: number
  /** Every from → to pair seen (unchanged ones included), most frequent first. */
  transitions: ImpactTransition[]
  rules: RuleShift[]
  changes: ImpactChange[]
  /** Records only one of the two versions' record schemas accepts: neither decided twice nor undecidable. */
  refused: ImpactRefusedLine[]
  invalid: ImpactInvalidLine[]
  /** Only in a shard's report: which shard, of which input, decided by which versions. */
  shard?: ShardStamp
}

const sideOf = (d: Decision): ImpactSide => ({ outcome: d.outcome, rules: d.reasons.map((r) => r.rule) })

/**
 * Lines of a file (or of a stream), read one at a time so large record files never sit in memory: a line over
 * `maxLineChars` is null and a line that is not UTF-8 says where, as the batch reads them.
 */
export function readLines(source: string | Readable, maxLineChars = DEFAULT_MAX_LINE_CHARS): AsyncIterable<InputLine> {
  return inputLines(typeof source === 'string' ? fileChunks(source) : source, { maxLineChars })
}

/** Decides every record (one JSON object per line) under both versions and summarises the differences. */
export async function impactOf(
  set: PolicySet,
  records: AsyncIterable<InputLine> | Iterable<InputLine>,
  options: ImpactOptions,
): Promise<ImpactReport> {
  // Fail before reading any record when the date is malformed or either version does not exist.
  assertAsOf(options.asOf)
  const shard = checkedShard(options.shard)
  const input = shard ? createHash('sha256') : undefined
  const fresh = options.from === NO_POLICY
  const to = set.select(options.policy, options.asOf, options.to)
  const from = fresh ? undefined : set.select(options.policy, options.asOf, options.from)
  const report: ImpactReport = {
    ...(shard ? { kind: 'impact' as const } : {}),
    policy: options.policy,
    from: from
      ? { id: from.id, version: from.version, digest: from.digest }
      : { id: options.policy, version: NO_POLICY, digest: NO_POLICY },
    to: { id: to.id, version: to.version, digest: to.digest },
    asOf: options.asOf,
    lines: 0,
    otherKind: 0,
    decided: 0,
    changed: 0,
    outcomeChanged: 0,
    transitions: [],
    rules: [],
    changes: [],
    refused: [],
    invalid: [],
  }
  const transitions = new Map<string, ImpactTransition>()
  const shifts = new Map<string, RuleShift>()
  const shift = (rule: string) => {
    let s = shifts.get(rule)
    if (!s) shifts.set(rule, (s = { rule, started: 0, stopped: 0 }))
    return s
  }
  let lineNo = 0
  for await (const text of records) {
    lineNo++
    // a dropped line's text is not kept: its marker stands for it in the shards' common input digest
    input?.update((typeof text === 'string' ? text : JSON.stringify(text)) + '\n', 'utf8')
    if (typeof text !== 'string') {
      if (shard && !inShard(shard, shardKey(undefined, lineNo))) continue
      report.lines++
      report.invalid.push({ line: lineNo, ...droppedLine(text, options.maxLineChars) })
      continue
    }
    if (text.trim() === '') continue
    let record: unknown
    let notJson: string | undefined
    try {
      record = JSON.parse(text)
    } catch (err) {
      notJson = (err as Error).message
    }
    // a subject's lines go to one shard; a line that is no record, by its number
    const id = notJson === undefined && shard ? subjectIdOf(set, record) : undefined
    if (shard && !inShard(shard, shardKey(id, lineNo))) continue
    report.lines++
    if (notJson !== undefined) {
      report.invalid.push({ line: lineNo, code: 'E_RECORD_INVALID', message: `not JSON: ${notJson}` })
      continue
    }
    const kind = kindOf(set, record)
    if (kind !== undefined && kind !== to.subject) {
      report.otherKind++
      continue
    }
    // a brand-new policy: nothing decided before, every record goes from no decision to its outcome
    const before = fresh ? NO_DECISION : await decideOrError(set, record, options.policy, options.asOf, options.from)
    const after = await decideOrError(set, record, options.policy, options.asOf, options.to)
    // with no policy before, a record the new schema refuses is undecidable, not "valid under one version only"
    const refused = fresh
      ? undefined
      : (refusedByOne(lineNo, [options.from, before], [options.to, after]) ??
        refusedByOne(lineNo, [options.to, after], [options.from, before]))
    if (refused) {
      report.refused.push(refused)
      continue
    }
    if (before instanceof CollabgateError || after instanceof CollabgateError) {
      const err = (before instanceof CollabgateError ? before : after) as CollabgateError
      report.invalid.push({ line: lineNo, code: err.code, message: err.message })
      continue
    }
    report.decided++
    const key = `${before.outcome}\u0000${after.outcome}`
    const t = transitions.get(key) ?? { from: before.outcome, to: after.outcome, count: 0 }
    t.count++
    transitions.set(key, t)
    const b = sideOf(before)
    const a = sideOf(after)
    const started = a.rules.filter((r) => !b.rules.includes(r))
    const stopped = b.rules.filter((r) => !a.rules.includes(r))
    const outcomeChanged = b.outcome !== a.outcome
    if (!outcomeChanged && started.length === 0 && stopped.length === 0) continue
    report.changed++
    if (outcomeChanged) report.outcomeChanged++
    for (const r of started) shift(r).started++
    for (const r of stopped) shift(r).stopped++
    report.changes.push({ line: lineNo, id: after.subject.id, before: b, after: a, outcomeChanged, started, stopped })
  }
  report.transitions = [...transitions.values()].sort(byTransitionCount)
  report.rules = [...shifts.values()].sort(byRuleShift)
  if (shard && input) {
    const versions = (r: PolicyRef) => `${r.id}@${r.version} ${r.digest}`
    const policies = `${versions(report.from)} → ${versions(report.to)}`
    const settings = JSON.stringify({ asOf: options.asOf })
    report.shard = shardStamp(shard, `sha256:${input.digest('hex')}`, lineNo, policies, settings)
  }
  return report
}

/** Transitions most frequent first, then by outcome names: a total order, so shards merge to one run's order. */
export const byTransitionCount = (x: ImpactTransition, y: ImpactTransition): number =>
  y.count - x.count || compareText(x.from, y.from) || compareText(x.to, y.to)

/** Rules with the most changes first, then by id. */
export const byRuleShift = (x: RuleShift, y: RuleShift): number =>
  y.started + y.stopped - (x.started + x.stopped) || compareText(x.rule, y.rule)

/** `--from none`: the version of no policy at all. */
export const NO_POLICY = 'none'

/** What "no policy" decided: nothing, with no rule objecting. */
const NO_DECISION = {
  outcome: '(no policy)',
  reasons: [],
  subject: { kind: '', id: '', schema: { version: '', digest: '' } },
  policy: { id: '', version: NO_POLICY, digest: NO_POLICY },
  asOf: '',
} satisfies Decision

/** A record the `refusing` side's record schema refuses while the `deciding` side decides it. */
function refusedByOne(
  line: number,
  deciding: [string, Decision | CollabgateError],
  refusing: [string, Decision | CollabgateError],
): ImpactRefusedLine | undefined {
  const [version, decision] = deciding
  const [refusedBy, error] = refusing
  if (decision instanceof CollabgateError || !(error instanceof RecordValidationError)) return undefined
  return { line, id: decision.subject.id, refusedBy, message: error.message, decided: { version, ...sideOf(decision) } }
}

/**
 * The record's kind as the set tells it, or undefined when it cannot tell (the policy then judges it, or refuses it).
 */
function kindOf(set: PolicySet, record: unknown): string | undefined {
  try {
    return set.detectSubject(record)
  } catch {
    return undefined
  }
}

/** A decision, or the typed error that refused the record. */
async function decideOrError(
  set: PolicySet,
  record: unknown,
  policy: string,
  asOf: string,
  version: string,
): Promise<Decision | CollabgateError> {
  try {
    return await set.decide(record, { policy, asOf, version })
  } catch (err) {
    if (err instanceof CollabgateError) return err
    throw err
  }
}
