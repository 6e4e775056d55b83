/**
 * The decision log: one NDJSON line per decision, saying which exact policy (id, version, digest)
 * decided which subject, how, and why (the objecting rule ids). By default no other record data is
 * written, so the log can be kept longer than the records themselves.
 */
import { randomBytes } from 'node:crypto'
import { createWriteStream, fstatSync, statSync, type WriteStream } from 'node:fs'
import { open, stat, type FileHandle } from 'node:fs/promises'
import { CollabgateError } from '../errors.js'
import { ownOptions } from '../own.js'
import type { Decision, PolicyRecord, Subject } from '../model.js'
import type { DecideOptions } from '../decide/policy-set.js'

/** One line of the decision log. */
export interface AuditEntry {
  /**
   * The decision's id: the one the caller gave (`decide(record, { decisionId })`, the example service's
   * `x-decision-id`), else one the log made (a UUIDv7: sortable by time, unique).
   */
  id: string
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
  /** Times the log found its file deleted or replaced under it and opened the path again. */
  reopened: number
  /** The last such time: when, and what was found (absent until it happens). */
  lastReopen?: { at: string; reason: string }
}

/** What the caller knows of a decision beyond the decision itself. */
export interface DecisionContext {
  /** The id to log the decision under: 1–128 printable ASCII characters (default: one the log makes, newDecisionId). */
  decisionId?: string
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
  write(decision: Decision, record: PolicyRecord, context?: DecisionContext): void
  /**
   * Durable sinks: resolves once the entry is on stable storage, rejects (E_AUDIT_FAILED) when it
   * cannot be. A store awaits it before answering, so no answered decision lacks its entry.
   */
  commit?(decision: Decision, record: PolicyRecord, context?: DecisionContext): Promise<void>
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
  /**
   * Buffered mode on a file path: at most this often (ms, default 1000) a write checks that the path
   * still names the file the log writes to, and opens it again when it was deleted or replaced.
   * Durable mode checks before every group.
   */
  checkFileMs?: number
}

/** A new decision id: a UUIDv7 (48-bit milliseconds since 1970, then 74 random bits), so ids sort by time. */
export function newDecisionId(now: number = Date.now()): string {
  const b = randomBytes(16)
  b.writeUIntBE(now, 0, 6)
  b[6] = (b[6]! & 0x0f) | 0x70
  b[8] = (b[8]! & 0x3f) | 0x80
  const h = b.toString('hex')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`
}

/** A caller's decision id: 1 to 128 printable ASCII characters, so it can go in a header and a log line as is. */
export function assertDecisionId(id: unknown): asserts id is string {
  if (typeof id !== 'string' || !/^[\x21-\x7e]{1,128}$/.test(id))
    throw new CollabgateError('E_INVALID_ARGUMENT', 'decisionId must be 1 to 128 printable ASCII characters without spaces')
}

/** The log line for a decision (without the trailing newline's JSON encoding). */
export function auditEntry(decision: Decision, time: Date = new Date(), id: string = newDecisionId(time.getTime())): AuditEntry {
  return {
    id,
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
  private reopened = 0
  private lastReopen: { at: string; reason: string } | undefined
  /** dev:ino of the file the log writes to (a path's), to tell it from a file put in its place. */
  private identity: string | undefined
  private checkedAt = 0
  // durable mode on a path
  private file: FileHandle | undefined
  /** Bytes of the open file known to be whole lines of answered decisions. */
  private good = 0
  /** A failed group left bytes after `good` that could not be cut yet: cut them before anything else is written. */
  private tail: { identity: string; good: number } | undefined
  private queue: Pending[] = []
  private flushing: Promise<void> | undefined
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
      reopened: this.reopened,
      ...(this.lastReopen ? { lastReopen: { ...this.lastReopen } } : {}),
    }
  }

  /** Buffered mode: hands the line to the stream. Durable mode: the same as `commit`, with failures only reported. */
  write(decision: Decision, record: PolicyRecord, context?: DecisionContext): void {
    if (this.mode === 'durable') {
      this.commit(decision, record, context).catch(() => {
        // already counted and reported by the log
      })
      return
    }
    this.checkStream()
    if (this.failure || !this.stream) {
      this.lost++
      return
    }
    try {
      this.stream.write(this.line(decision, record, context))
      this.written++
    } catch (err) {
      // a broken log must never turn into a failed decision in buffered mode
      this.lost++
      this.fail(err instanceof Error ? err : new Error(String(err)))
    }
  }

  /** Resolves once the entry is written and flushed; rejects with E_AUDIT_FAILED when it cannot be. */
  commit(decision: Decision, record: PolicyRecord, context?: DecisionContext): Promise<void> {
    let line: string
    try {
      line = this.line(decision, record, context)
    } catch (err) {
      return Promise.reject(auditFailure(err))
    }
    if (this.mode === 'buffered') {
      this.write(decision, record, context)
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

  private line(decision: Decision, record: PolicyRecord, context: DecisionContext | undefined): string {
    const id = context?.decisionId
    if (id !== undefined) assertDecisionId(id)
    const entry = auditEntry(decision, (this.options.now ?? (() => new Date()))(), id)
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
    this.identity = undefined
    this.checkedAt = Date.now()
    stream.once('open', (fd: number) => {
      if (this.owned !== stream) return
      try {
        this.identity = identityOf(fstatSync(fd))
      } catch {
        // no identity, no check: the stream's own errors still make the log unhealthy
      }
    })
    this.attach(stream)
  }

  /** Buffered mode on a path, at most every `checkFileMs`: the path still names the file written to, or is opened again. */
  private checkStream(): void {
    if (this.path === undefined || this.identity === undefined) return
    const now = Date.now()
    if (now - this.checkedAt < (this.options.checkFileMs ?? 1000)) return
    this.checkedAt = now
    const reason = replacedBecause(this.identity, () => statSync(this.path!))
    if (reason === undefined) return
    const old = this.owned
    this.noteReopen(reason)
    this.openStream()
    old?.end()
  }

  private noteReopen(reason: string): void {
    this.reopened++
    this.lastReopen = { at: new Date().toISOString(), reason }
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
      const bytes = Buffer.from(group.map((p) => p.line).join(''), 'utf8')
      let offset = 0
      let file: FileHandle | undefined
      try {
        file = await this.openFile()
        while (offset < bytes.length) offset += (await file.write(bytes, offset, bytes.length - offset)).bytesWritten
        await file.datasync()
        this.good += bytes.length
        this.written += group.length
        this.failure = undefined
        for (const p of group) p.resolve()
      } catch (err) {
        // none of the group is answered, so none of it may stay: every line in the file is a whole, answered one
        if (file) await this.cutBack(file)
        const error = err instanceof Error ? err : new Error(String(err))
        this.lost += group.length
        this.fail(error)
        // the next group opens the file again: a closed descriptor or a rotated file heals that way
        await this.dropFile()
        for (const p of group) p.reject(auditFailure(error))
      }
    }
  }

  /**
   * The open file, after checking that the path still names it (deleted or replaced: opened anew, and
   * counted). A file opened anew is first cut back to its last whole line when a failed group left more.
   */
  private async openFile(): Promise<FileHandle> {
    if (this.file && this.identity !== undefined) {
      const identity = this.identity
      const reason = await stat(this.path!).then(
        (info) => replacedBecause(identity, () => info),
        (err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? 'the audit file was deleted' : undefined),
      )
      if (reason !== undefined) {
        this.noteReopen(reason)
        await this.dropFile()
      }
    }
    if (this.file) return this.file
    const file = await open(this.path!, 'a')
    try {
      const info = await file.stat()
      const identity = identityOf(info)
      let size = info.isFile() ? info.size : 0
      if (this.tail && this.tail.identity === identity && size > this.tail.good) {
        await file.truncate(this.tail.good)
        size = this.tail.good
      }
      this.tail = undefined
      this.file = file
      this.identity = identity
      this.good = size
      return file
    } catch (err) {
      await file.close().catch(() => {})
      throw err
    }
  }

  /** Cuts a failed group's bytes off the file; when that fails too, the next open does it before writing. */
  private async cutBack(file: FileHandle): Promise<void> {
    if (this.identity === undefined) return
    try {
      const info = await file.stat()
      if (info.isFile() && info.size > this.good) await file.truncate(this.good)
      this.tail = undefined
    } catch {
      this.tail = { identity: this.identity, good: this.good }
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

const identityOf = (info: { dev: number; ino: number }): string => `${info.dev}:${info.ino}`

/** Why the path no longer names the file of `identity` (deleted, or another file there), or undefined when it does. */
function replacedBecause(identity: string, statPath: () => { dev: number; ino: number }): string | undefined {
  let info
  try {
    info = statPath()
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    return code === 'ENOENT' ? 'the audit file was deleted' : undefined
  }
  return identityOf(info) === identity ? undefined : 'the audit file was replaced by another file'
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
export function writeToSink(sink: DecisionSink, decision: Decision, record: unknown, context?: DecisionContext): void {
  try {
    sink.write(decision, record as PolicyRecord, context)
  } catch {
    // ignored on purpose: a buffered log's failure must never turn a decision into an error
  }
}

/**
 * Records a decision before it is answered: awaited on a durable sink (a failure is E_AUDIT_FAILED),
 * fire-and-forget on any other.
 */
export async function recordDecision(sink: DecisionSink, decision: Decision, record: unknown, context?: DecisionContext): Promise<void> {
  const durable = typeof sink.commit === 'function' && (sink as { mode?: unknown }).mode !== 'buffered'
  if (!durable) return writeToSink(sink, decision, record, context)
  try {
    await sink.commit!(decision, record as PolicyRecord, context)
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
