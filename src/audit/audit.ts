/**
 * The decision log: one NDJSON line per decision, saying which exact policy (id, version, digest)
 * decided which subject, how, and why (the objecting rule ids). By default no other record data is
 * written, so the log can be kept longer than the records themselves.
 */
import { createWriteStream, type WriteStream } from 'node:fs'
import { open, type FileHandle } from 'node:fs/promises'
import { CollabgateError } from '../errors.js'
import { ownOptions } from '../own.js'
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

/** How an audit log stands: whether it is writing, and if not, why. */
export interface AuditHealth {
  healthy: boolean
  mode: AuditMode
  /** Entries written (and, in durable mode, flushed). */
  entries: number
  /** Entries that could not be written since the log was created. */
  failed: number
  /** The error code (ENOSPC, EBADF, ...) or message of the last failure, while unhealthy. */
  reason?: string
  /** When the log became unhealthy (ISO 8601). */
  since?: string
}

/**
 * `buffered` (default): a line is handed to the stream and the decision is answered at once; a crash
 * can lose the lines still in memory, and a failing stream never fails a decision (it makes the log
 * unhealthy). `durable`: a decision is answered only after its line is written and flushed
 * (fdatasync for a file path, the write callback for a stream); when it cannot be, the decision fails
 * with E_AUDIT_FAILED instead of going unrecorded.
 */
export type AuditMode = 'buffered' | 'durable'

/** Anything that receives decisions as they are made. `write` must not throw; must not block. */
export interface DecisionSink {
  write(decision: Decision, record: PolicyRecord): void
  /**
   * Durable sinks: resolves once the entry is on stable storage, rejects (E_AUDIT_FAILED) when it
   * cannot be. A store awaits it before answering, so no answered decision lacks its entry.
   */
  commit?(decision: Decision, record: PolicyRecord): Promise<void>
  /** For health checks (the store's status, a service's /healthz). */
  health?(): AuditHealth
}

export interface AuditLogOptions {
  /** `buffered` (default) or `durable`; see AuditMode. */
  mode?: AuditMode
  /** Clock for the `time` field (tests pin it). Default: the system clock. */
  now?: () => Date
  /** Opt-in extra fields per entry, e.g. a request id. Default: none, so no other record data is logged. */
  extra?: (decision: Decision, record: PolicyRecord) => Record<string, unknown> | undefined
  /** Called when a write fails (once per failure episode). Default: a process warning. */
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

interface Pending {
  line: string
  resolve: () => void
  reject: (err: Error) => void
}

const reasonOf = (err: Error): string => (err as NodeJS.ErrnoException).code ?? err.message

/** The error a durable log answers with when an entry cannot be made durable. */
export function auditFailure(cause: unknown): CollabgateError {
  if (cause instanceof CollabgateError && cause.code === 'E_AUDIT_FAILED') return cause
  const reason = cause instanceof Error ? reasonOf(cause) : String(cause)
  return new CollabgateError('E_AUDIT_FAILED', `the decision was not answered: its audit entry could not be written (${reason})`, {
    cause,
  })
}

/**
 * Writes decisions as NDJSON to a stream or (appending) to a file. In durable mode on a file path,
 * entries are written in groups: every entry that arrives while one group is being flushed goes
 * into the next write and fdatasync (group commit), so throughput does not fall to one fsync per decision.
 */
export class AuditLog implements DecisionSink {
  readonly mode: AuditMode
  private readonly path: string | undefined
  private readonly options: AuditLogOptions
  private stream: NodeJS.WritableStream | undefined
  private owned: WriteStream | undefined
  private failure: { reason: string; since: string } | undefined
  private written = 0
  private lost = 0
  // durable mode on a path
  private file: FileHandle | undefined
  private queue: Pending[] = []
  private flushing: Promise<void> | undefined
  /** The last group was cut short: the next one starts with a newline so no line is glued to a torn one. */
  private torn = false
  private reopenWanted = false

  constructor(target: NodeJS.WritableStream | string, options: AuditLogOptions = {}) {
    this.options = ownOptions(options)
    const mode = this.options.mode ?? 'buffered'
    if (mode !== 'buffered' && mode !== 'durable')
      throw new CollabgateError('E_INVALID_ARGUMENT', `audit mode must be 'buffered' or 'durable', got ${JSON.stringify(mode)}`)
    this.mode = mode
    this.path = typeof target === 'string' ? target : undefined
    if (typeof target !== 'string') this.attach(target)
    else if (mode === 'buffered') this.openStream()
  }

  /** How many entries were handed to the stream (durable: written and flushed). */
  get entries(): number {
    return this.written
  }

  health(): AuditHealth {
    return {
      healthy: this.failure === undefined,
      mode: this.mode,
      entries: this.written,
      failed: this.lost,
      ...(this.failure ? { reason: this.failure.reason, since: this.failure.since } : {}),
    }
  }

  /** Buffered mode: hands the line to the stream. Durable mode: the same as `commit`, with failures only reported. */
  write(decision: Decision, record: PolicyRecord): void {
    if (this.mode === 'durable') {
      this.commit(decision, record).catch(() => {
        // already counted and reported by the log
      })
      return
    }
    if (this.failure || !this.stream) {
      this.lost++
      return
    }
    try {
      this.stream.write(this.line(decision, record))
      this.written++
    } catch (err) {
      // a broken log must never turn into a failed decision in buffered mode
      this.lost++
      this.fail(err instanceof Error ? err : new Error(String(err)))
    }
  }

  /** Resolves once the entry is written and flushed; rejects with E_AUDIT_FAILED when it cannot be. */
  commit(decision: Decision, record: PolicyRecord): Promise<void> {
    let line: string
    try {
      line = this.line(decision, record)
    } catch (err) {
      return Promise.reject(auditFailure(err))
    }
    if (this.mode === 'buffered') {
      this.write(decision, record)
      return Promise.resolve()
    }
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ line, resolve, reject })
      if (this.path !== undefined) this.kick()
      else this.writeToStream()
    })
  }

  /**
   * Closes and opens the file again (after log rotation, or once a full disk has room again): the
   * log is healthy again if the next write succeeds. Only for a log given a file path.
   */
  async reopen(): Promise<void> {
    if (this.path === undefined) return
    if (this.mode === 'buffered') {
      const old = this.owned
      this.failure = undefined
      this.openStream()
      if (old && !old.destroyed) await new Promise<void>((resolve) => old.end(() => resolve()))
      return
    }
    this.reopenWanted = true
    this.kick()
    await this.flushing
  }

  /** Flushes; closes the file when the log opened it (a stream passed in is left open). */
  async close(): Promise<void> {
    if (this.mode === 'durable') {
      while (this.flushing) await this.flushing
      const file = this.file
      this.file = undefined
      await file?.close().catch(() => {})
      return
    }
    const stream = this.owned
    if (!stream || stream.destroyed) return
    await new Promise<void>((resolve) => {
      stream.once('error', () => resolve())
      stream.end(() => resolve())
    })
  }

  private line(decision: Decision, record: PolicyRecord): string {
    const entry = auditEntry(decision, (this.options.now ?? (() => new Date()))())
    const extra = this.options.extra?.(decision, record)
    if (extra !== undefined) entry.extra = extra
    return JSON.stringify(entry) + '\n'
  }

  private attach(stream: NodeJS.WritableStream): void {
    this.stream = stream
    stream.on('error', (err: Error) => this.fail(err))
  }

  private openStream(): void {
    const stream = createWriteStream(this.path!, { flags: 'a' })
    this.owned = stream
    this.attach(stream)
  }

  /** Durable mode on a stream passed in: the write callback is the acknowledgement. */
  private writeToStream(): void {
    const pending = this.queue.splice(0)
    for (const p of pending) {
      if (!this.stream || (this.stream as { destroyed?: boolean }).destroyed) {
        this.lost++
        p.reject(auditFailure(new Error(this.failure?.reason ?? 'the audit stream is closed')))
        continue
      }
      this.stream.write(p.line, (err?: Error | null) => {
        if (err) {
          this.lost++
          this.fail(err)
          p.reject(auditFailure(err))
        } else {
          this.written++
          this.failure = undefined
          p.resolve()
        }
      })
    }
  }

  private kick(): void {
    if (this.flushing) return
    this.flushing = this.drain().finally(() => {
      this.flushing = undefined
      // entries that arrived as the last group finished
      if (this.queue.length > 0 || this.reopenWanted) this.kick()
    })
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0 || this.reopenWanted) {
      if (this.reopenWanted) {
        this.reopenWanted = false
        await this.dropFile()
        continue
      }
      const group = this.queue.splice(0)
      const text = (this.torn ? '\n' : '') + group.map((p) => p.line).join('')
      const bytes = Buffer.from(text, 'utf8')
      let offset = 0
      try {
        this.file ??= await open(this.path!, 'a')
        while (offset < bytes.length) offset += (await this.file.write(bytes, offset, bytes.length - offset)).bytesWritten
        await this.file.datasync()
        this.torn = false
        this.written += group.length
        this.failure = undefined
        for (const p of group) p.resolve()
      } catch (err) {
        if (offset > 0 && offset < bytes.length) this.torn = true
        const error = err instanceof Error ? err : new Error(String(err))
        this.lost += group.length
        this.fail(error)
        // the next group opens the file again: a closed descriptor or a rotated file heals that way
        await this.dropFile()
        for (const p of group) p.reject(auditFailure(error))
      }
    }
  }

  private async dropFile(): Promise<void> {
    const file = this.file
    this.file = undefined
    await file?.close().catch(() => {})
  }

  private fail(err: Error): void {
    if (this.failure) return
    this.failure = { reason: reasonOf(err), since: new Date().toISOString() }
    if (this.options.onError) this.options.onError(err)
    else process.emitWarning(`collabgate audit log failed: ${err.message}`, { code: 'COLLABGATE_AUDIT' })
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
    // ignored on purpose: a buffered log's failure must never turn a decision into an error
  }
}

/**
 * Records a decision before it is answered: awaited on a durable sink (a failure is E_AUDIT_FAILED),
 * fire-and-forget on any other.
 */
export async function recordDecision(sink: DecisionSink, decision: Decision, record: unknown): Promise<void> {
  const durable = typeof sink.commit === 'function' && (sink as { mode?: unknown }).mode !== 'buffered'
  if (!durable) return writeToSink(sink, decision, record)
  try {
    await sink.commit!(decision, record as PolicyRecord)
  } catch (err) {
    throw auditFailure(err)
  }
}

/** Wraps a decider so every decision it makes is also written to `sink`. Failed decisions are not logged. */
export function withAudit(decider: Decider, sink: DecisionSink): Decider {
  return {
    async decide(record, options) {
      const decision = await decider.decide(record, options)
      await recordDecision(sink, decision, record)
      return decision
    },
  }
}
