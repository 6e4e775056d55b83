/**
 * Replay: decides every entry of a decision log again, from its logged facts, with the logged policy
 * version, digest and asOf, and compares the outcome and reasons (rule, outcome, evidence) with the entry's.
 * An entry that cannot be decided again says why; nothing is guessed.
 */
import { CollabgateError, RecordValidationError } from '../errors.js'
import type { EvaluatorKind, PolicySet } from '../decide/policy-set.js'
import type { Decision, Policy, PolicyRecord } from '../model.js'
import { parsePath, unescapePointerToken } from '../language/paths.js'
import { AUDIT_ENTRY_VERSION } from './chain.js'
import { readLogLines } from './read.js'

/** Why an entry could not be decided again. */
export type ReplayRefusal =
  /** Not a JSON object with a policy, version, digest and asOf. */
  | 'not-an-entry'
  /** A format-1 entry (no `v`): it logged no facts. */
  | 'format-1'
  /** A format-2 entry without `facts`, or whose facts lack the id field (a log that kept no record data). */
  | 'no-facts'
  /** The rules read a pointer the log masked (removed, redacted or hashed). */
  | 'masked-fact'
  /** The folder has no policy of that id. */
  | 'policy-missing'
  /** The folder has the policy but not that version. */
  | 'version-missing'
  /** The folder holds other content under that version (another digest). */
  | 'digest-mismatch'
  /** The folder's record schema for that version has another version or digest than the entry's. */
  | 'schema-mismatch'
  /** The logged facts fail the record schema. */
  | 'facts-invalid'
  /** Deciding failed otherwise (the message has the error's code). */
  | 'error'

/** One entry's replay. */
export type ReplayResult =
  | { status: 'identical' }
  | { status: 'differs'; logged: ReplayedDecision; replayed: ReplayedDecision }
  | { status: 'not-replayable'; reason: ReplayRefusal; message: string }

/** What is compared: the subject id, the outcome and the reasons (rule, outcome, evidence). */
export interface ReplayedDecision {
  subject: unknown
  outcome: unknown
  reasons: unknown
}

/** An entry that did not replay identically, with where it was. */
export type ReplayItem = Exclude<ReplayResult, { status: 'identical' }> & {
  /** 1-based position of the entry among those replayed. */
  index: number
  id?: string
  file?: string
  line?: number
}

export interface ReplayReport {
  entries: number
  identical: number
  differs: number
  notReplayable: number
  /** Entries not replayable, counted by reason. */
  refusals: Partial<Record<ReplayRefusal, number>>
  /** The first `maxListed` entries that differ or could not be replayed, in log order. */
  items: ReplayItem[]
}

export interface ReplayOptions {
  /** The evaluator that decides again (default: the set's). */
  evaluator?: EvaluatorKind
  /** How many differing or refused entries the report lists (default 1000); all are counted. */
  maxListed?: number
}

/** A replay input: an entry, or an entry with where it was read. */
export interface LocatedEntry {
  entry: unknown
  file?: string
  line?: number
}

const reads = new WeakMap<Policy, string[][]>()

/** The places a policy version reads, as [fact, ...path segments]: its rules, review clock and appliesTo. */
export function policyReads(policy: Policy): string[][] {
  const known = reads.get(policy)
  if (known) return known
  const out: string[][] = []
  const walk = (node: unknown): void => {
    if (node === null || typeof node !== 'object') return
    if (Array.isArray(node)) {
      for (const item of node) walk(item)
      return
    }
    const o = node as Record<string, unknown>
    // a leaf or a date operand that names a fact; relative paths inside someMatch fall under the list's own read
    if (typeof o['fact'] === 'string') {
      const path = typeof o['path'] === 'string' ? o['path'] : '$'
      // a path outside the supported subset reads nothing, but counting the whole fact is the safe side
      out.push([o['fact'], ...(parsePath(path) ?? []).map(String)])
    }
    for (const [k, v] of Object.entries(o)) if (k !== 'fact' && k !== 'path') walk(v)
  }
  for (const rule of policy.rules) for (const check of rule.checks) walk(check.require)
  walk(policy.review)
  walk(policy.appliesTo)
  reads.set(policy, out)
  return out
}

/** A JSON pointer's tokens (`/a~1b/c` → ['a/b', 'c']); undefined when it is not a pointer. */
function pointerTokens(pointer: string): string[] | undefined {
  if (pointer === '') return []
  if (!pointer.startsWith('/')) return undefined
  return pointer.slice(1).split('/').map(unescapePointerToken)
}

/**
 * Whether a masked pointer lies on a place the policy reads (one is a prefix of the other); a bad one counts as read.
 */
export function readsPointer(policy: Policy, pointer: string): boolean {
  const tokens = pointerTokens(pointer)
  if (tokens === undefined) return true
  return policyReads(policy).some((read) => {
    const n = Math.min(read.length, tokens.length)
    for (let i = 0; i < n; i++) if (read[i] !== tokens[i]) return false
    return true
  })
}

const text = (o: Record<string, unknown>, key: string): string | undefined => {
  const v = Object.hasOwn(o, key) ? o[key] : undefined
  return typeof v === 'string' ? v : undefined
}

/** The compared part of a decision, as plain JSON (what the log holds after a round trip). */
function comparedOf(d: Decision): ReplayedDecision {
  return JSON.parse(
    JSON.stringify({
      subject: d.subject.id,
      outcome: d.outcome,
      reasons: d.reasons.map((r) => ({ rule: r.rule, outcome: r.outcome, evidence: r.evidence })),
    }),
  ) as ReplayedDecision
}

/** Deep equality of JSON values, key order aside (what a log line's round trip keeps). */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false
  if (Array.isArray(a) !== Array.isArray(b)) return false
  if (Array.isArray(a)) {
    const bs = b as unknown[]
    return a.length === bs.length && a.every((x, i) => sameJson(x, bs[i]))
  }
  const ka = Object.keys(a)
  const ob = b as Record<string, unknown>
  const oa = a as Record<string, unknown>
  return ka.length === Object.keys(ob).length && ka.every((k) => Object.hasOwn(ob, k) && sameJson(oa[k], ob[k]))
}

const describe = (err: unknown): string =>
  `${err instanceof CollabgateError ? err.code + ': ' : ''}${err instanceof Error ? err.message : String(err)}`

const refuse = (reason: ReplayRefusal, message: string): ReplayResult => ({ status: 'not-replayable', reason, message })

/** Decides one logged entry again and compares; never throws for a bad entry (it is not replayable, and why). */
export async function replayEntry(set: PolicySet, entry: unknown, options: ReplayOptions = {}): Promise<ReplayResult> {
  const isObject = entry !== null && typeof entry === 'object' && !Array.isArray(entry)
  if (!isObject) return refuse('not-an-entry', 'not a JSON object')
  const e = entry as Record<string, unknown>
  const own = (k: string): unknown => (Object.hasOwn(e, k) ? e[k] : undefined)
  const [policyId, version, digest, asOf] = [text(e, 'policy'), text(e, 'version'), text(e, 'digest'), text(e, 'asOf')]
  if (policyId === undefined || version === undefined || digest === undefined || asOf === undefined)
    return refuse('not-an-entry', 'the entry lacks its policy, version, digest or asOf')
  const v = own('v')
  if (v === undefined) return refuse('format-1', 'an entry of format 1 (no "v") logged no facts to decide again from')
  if (v !== AUDIT_ENTRY_VERSION) return refuse('not-an-entry', `unknown entry format v=${JSON.stringify(v)}`)
  const facts = own('facts')
  const hasFacts = facts !== null && typeof facts === 'object' && !Array.isArray(facts)
  if (!hasFacts) return refuse('no-facts', 'the entry has no facts object')
  let policy: Policy
  try {
    policy = set.select(policyId, asOf, version)
  } catch (err) {
    if (err instanceof CollabgateError && err.code === 'E_POLICY_NOT_FOUND') {
      const known = set.policies.some((p) => p.id === policyId)
      return refuse(known ? 'version-missing' : 'policy-missing', `not replayable: ${err.message}`)
    }
    return refuse('error', `not replayable: ${describe(err)}`)
  }
  const other = (has: string, logged: string) => `${policyId}@${version} has digest ${has}, the entry ${logged}`
  if (policy.digest !== digest)
    return refuse('digest-mismatch', `not replayable: the folder holds other content: ${other(policy.digest, digest)}`)
  const schema = own('schema') as { version?: unknown; digest?: unknown } | undefined
  const folderSchema = policy.record.schema
  if (schema !== undefined && (schema.version !== folderSchema.version || schema.digest !== folderSchema.digest))
    return refuse(
      'schema-mismatch',
      `not replayable: the entry's record schema is ${String(schema.version)} (${String(schema.digest)}), ` +
        `the folder's for ${policyId}@${version} ${folderSchema.version} (${folderSchema.digest})`,
    )
  // a log given no `reads` (PolicySet.auditContext) writes facts {}: nothing to decide from
  if (!Object.hasOwn(facts, policy.record.idField))
    return refuse('no-facts', `not replayable: no ${policy.record.idField} in the facts: the log kept no record data`)
  const masked = own('masked')
  if (Array.isArray(masked)) {
    for (const m of masked as unknown[]) {
      const pointer = m !== null && typeof m === 'object' ? (m as Record<string, unknown>)['pointer'] : undefined
      if (typeof pointer !== 'string' || readsPointer(policy, pointer)) {
        const action = (m as Record<string, unknown> | null)?.['action']
        const read = `the rules of ${policyId}@${version} read ${String(pointer)}`
        return refuse('masked-fact', `not replayable: ${read}, which the log masked (${String(action)})`)
      }
    }
  }
  let decision: Decision
  try {
    decision = await set.decide(facts as PolicyRecord, {
      policy: policyId,
      version,
      digest,
      asOf,
      loggedFacts: true,
      ...(options.evaluator === undefined ? {} : { evaluator: options.evaluator }),
    })
  } catch (err) {
    if (err instanceof RecordValidationError) {
      const p = err.problems[0]
      return refuse(
        'facts-invalid',
        `not replayable: the logged facts fail the record schema: ${p ? `${p.pointer || '/'}: ${p.message}` : ''}`,
      )
    }
    return refuse('error', `not replayable: ${describe(err)}`)
  }
  const replayed = comparedOf(decision)
  const logged: ReplayedDecision = { subject: own('subject'), outcome: own('outcome'), reasons: own('reasons') ?? null }
  if (sameJson(logged, replayed)) return { status: 'identical' }
  return { status: 'differs', logged, replayed }
}

/** Replays entries (parsed log lines, or entries with their file and line) and reports each one not identical. */
export async function replayAuditLog(
  set: PolicySet,
  entries: Iterable<unknown> | AsyncIterable<unknown>,
  options: ReplayOptions = {},
): Promise<ReplayReport> {
  const max = options.maxListed ?? 1000
  const report: ReplayReport = { entries: 0, identical: 0, differs: 0, notReplayable: 0, refusals: {}, items: [] }
  for await (const item of entries) {
    const located = isLocated(item) ? item : { entry: item }
    const result = await replayEntry(set, located.entry, options)
    report.entries++
    if (result.status === 'identical') {
      report.identical++
      continue
    }
    if (result.status === 'differs') report.differs++
    else {
      report.notReplayable++
      report.refusals[result.reason] = (report.refusals[result.reason] ?? 0) + 1
    }
    if (report.items.length >= max) continue
    const e = located.entry as Record<string, unknown> | null
    const id = e !== null && typeof e === 'object' ? text(e, 'id') : undefined
    report.items.push({
      ...result,
      index: report.entries,
      ...(id === undefined ? {} : { id }),
      ...(located.file === undefined ? {} : { file: located.file }),
      ...(located.line === undefined ? {} : { line: located.line }),
    })
  }
  return report
}

/** A LocatedEntry made by replayAuditFiles: told apart from a bare entry, which has no `entry` key of its own. */
const LOCATED = Symbol('located')
const isLocated = (item: unknown): item is LocatedEntry =>
  item !== null && typeof item === 'object' && (item as Record<symbol, unknown>)[LOCATED] === true

/** A replay under way. */
type ReplayRun = Promise<ReplayReport>

/** Replays log files (one chain, in order), naming each entry by file and line; E_IO for a file it cannot read. */
export function replayAuditFiles(set: PolicySet, files: readonly string[], options?: ReplayOptions): ReplayRun {
  return replayAuditLog(set, located(files), options)
}

async function* located(files: readonly string[]): AsyncGenerator<LocatedEntry> {
  for await (const l of readLogLines(files)) {
    if (l.text === '') continue
    let entry: unknown
    try {
      entry = JSON.parse(l.text)
    } catch {
      entry = undefined
    }
    yield { entry, file: l.file, line: l.line, [LOCATED]: true } as LocatedEntry
  }
}
