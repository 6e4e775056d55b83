/**
 * The decision log: one NDJSON line per decision, saying which exact policy (id, version, digest)
 * decided which subject, how, and why (the objecting rule ids). By default no other record data is
 * written, so the log can be kept longer than the records themselves.
 */
import { createWriteStream, type WriteStream } from 'node:fs'
import type { Decision, PolicyRecord, Subject } from '../model.js'
import type { DecideOptions } from '../decide/policy-set.js'

/** One line of the decision log. */
export interface AuditEntry {
  /** When the decision was made (ISO 8601, UTC). */
  time: string
  policy: string
  version: string
  digest: string
  subjectKind: Subject
  /** The value of the record kind's id field (applicationId, developerId, ...). */
  subject: string
  outcome: string
  /** Ids of the rules that objected, most severe first ([] when none did). */
  rules: string[]
  /** The decision date the caller asked for. */
  asOf: string
  /** Only present when the log was given an `extra` function: whatever it returned. */
  extra?: Record<string, unknown>
}

/** Anything that receives decisions as they are made. Must not throw; must not block. */
export interface DecisionSink {
  write(decision: Decision, record: PolicyRecord): void
}

export interface AuditLogOptions {
  /** Clock for the `time` field (tests pin it). Default: the system clock. */
  now?: () => Date
  /** Opt-in extra fields per entry, e.g. a request id. Default: none, so no other record data is logged. */
  extra?: (decision: Decision, record: PolicyRecord) => Record<string, unknown> | undefined
  /** Called when the stream fails; the log then stops writing. Default: a process warning. */
  onError?: (err: Error) => void
}

/** The log line for a decision (without the trailing newline's JSON encoding). */
export function auditEntry(decision: Decision, time: Date = new Date()): AuditEntry {
  return {
    time: time.toISOString(),
    policy: decision.policy.id,
    version: decision.policy.version,
    digest: decision.policy.digest,
    subjectKind: decision.subject.kind,
    subject: decision.subject.id,
    outcome: decision.outcome,
    rules: decision.reasons.map((r) => r.rule),
    asOf: decision.asOf,
  }
}

/** Writes decisions as NDJSON to a stream or (appending) to a file. */
export class AuditLog implements DecisionSink {
  private readonly stream: NodeJS.WritableStream
  private readonly owned: WriteStream | undefined
  private readonly options: AuditLogOptions
  private failed: Error | undefined
  private written = 0

  constructor(target: NodeJS.WritableStream | string, options: AuditLogOptions = {}) {
    this.options = options
    this.owned = typeof target === 'string' ? createWriteStream(target, { flags: 'a' }) : undefined
    this.stream = this.owned ?? (target as NodeJS.WritableStream)
    this.stream.on('error', (err: Error) => this.fail(err))
  }

  /** How many entries were handed to the stream. */
  get entries(): number {
    return this.written
  }

  write(decision: Decision, record: PolicyRecord): void {
    if (this.failed) return
    try {
      const entry = auditEntry(decision, (this.options.now ?? (() => new Date()))())
      const extra = this.options.extra?.(decision, record)
      if (extra !== undefined) entry.extra = extra
      this.stream.write(JSON.stringify(entry) + '\n')
      this.written++
    } catch (err) {
      // a broken log must never turn into a failed decision
      this.fail(err instanceof Error ? err : new Error(String(err)))
    }
  }

  /** Flushes; closes the file when the log opened it (a stream passed in is left open). */
  close(): Promise<void> {
    const stream = this.owned
    if (!stream || this.failed) return Promise.resolve()
    return new Promise((resolve) => stream.end(() => resolve()))
  }

  private fail(err: Error): void {
    if (this.failed) return
    this.failed = err
    if (this.options.onError) this.options.onError(err)
    else process.emitWarning(`collabgate audit log stopped: ${err.message}`, { code: 'COLLABGATE_AUDIT' })
  }
}

/** An NDJSON decision log on a writable stream or a file path (appended to). */
export function createAuditLog(target: NodeJS.WritableStream | string, options: AuditLogOptions = {}): AuditLog {
  return new AuditLog(target, options)
}

/** Something that decides: a PolicySet or a PolicyStore. */
export interface Decider {
  decide(record: unknown, options: DecideOptions): Promise<Decision>
}

/** Logs a decision; sinks must not throw, and if one does, the decision still stands. */
export function writeToSink(sink: DecisionSink, decision: Decision, record: unknown): void {
  try {
    sink.write(decision, record as PolicyRecord)
  } catch {
    // ignored on purpose: an audit failure must never turn a decision into an error
  }
}

/** Wraps a decider so every decision it makes is also written to `sink`. Failed decisions are not logged. */
export function withAudit(decider: Decider, sink: DecisionSink): Decider {
  return {
    async decide(record, options) {
      const decision = await decider.decide(record, options)
      writeToSink(sink, decision, record)
      return decision
    },
  }
}
