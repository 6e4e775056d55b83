/**
 * The decision log: one NDJSON line per decision (format 2), saying which exact policy (id, version,
 * digest, release) decided which subject, how and why (reasons with evidence), on which of the record's
 * fields (those the policy reads, masked as the folder declares), chained to the line before it by its
 * hash, with signed checkpoints written to a separate file.
 */
import { createPrivateKey, randomFillSync, type KeyObject } from 'node:crypto'
import { appendFileSync, closeSync, createWriteStream, fstatSync, openSync, readSync, statSync } from 'node:fs'
import type { WriteStream } from 'node:fs'
import { open, stat, type FileHandle } from 'node:fs/promises'
import { CollabgateError } from '../errors.js'
import { ownOptions } from '../own.js'
import type { Decision, PolicyRecord, Subject } from '../model.js'
import type { DecideOptions } from '../decide/policy-set.js'
import type { DecisionSource } from '../decide/reads.js'
import { AUDIT_ENTRY_VERSION, checkpointBody, formatCheckpoint, GENESIS, lineHash, signCheckpoint } from './chain.js'
import { maskedParts, type AppliedMask, type AuditReason } from './mask.js'

export type { AppliedMask, AuditReason } from './mask.js'

/** One line of the decision log (format 2; schemas/audit-entry.v2.schema.json). */
export interface AuditEntry {
  /** The entry format: 2. */
  v: typeof AUDIT_ENTRY_VERSION
  /** 1-based position of the entry in its chain; it continues across rotation and reopening. */
  seq: number
  /** lineHash of the previous entry's line, or GENESIS for the first entry of a chain. */
  prev: string
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
  /** The lock's release of the folder that decided (absent when the set had no lock). */
  release?: number
  subjectKind: Subject
  /** The value of the record kind's id field (applicationId, developerId, ...). */
  subject: string
  /** The record schema that validated the record. */
  schema: { version: string; digest: string }
  outcome: string
  /** Ids of the rules that objected, most severe first ([] when none did). */
  rules: string[]
  /** The objecting rules with their outcome and evidence (an `actual` read from a masked pointer is masked). */
  reasons: AuditReason[]
  /** The decision date the caller asked for. */
  asOf: string
  /**
   * The record's top-level fields the deciding policy version reads, with the id field, after masking
   * ({} when the log was not told which policy decided: see DecisionContext).
   */
  facts: Record<string, unknown>
  /** The masking that applied to this entry (absent when none did). */
  masked?: AppliedMask[]
  /** Only present when the log was given an `extra` function: whatever it returned. */
  extra?: Record<string, unknown>
  /**
   * Only on the entry of a shadow decision (a candidate version's, never answered): the served decision
   * it shadows, by id, beside this entry's own outcome.
   */
  shadowOf?: ShadowOf
}

/** The served decision a shadow entry was made beside. */
export interface ShadowOf {
  id: string
  version: string
  digest: string
  outcome: string
  rules: string[]
}

/** How an audit log stands: whether it is writing, and if not, why. */
export interface AuditHealth {
  healthy: boolean
  mode: AuditMode
  /** Entries written (and, in durable mode, flushed). */
  entries: number
  /** Entries that could not be written since the log was created. */
  failed: number
  /** Entries dropped because they could not be masked (buffered mode; durable mode fails the decision instead). */
  dropped: number
  /** The error code (ENOSPC, EBADF, ...) or message of the last failure, while unhealthy. */
  reason?: string
  /** When the log became unhealthy (ISO 8601). */
  since?: string
  /** Times the log found its file deleted or replaced under it and opened the path again. */
  reopened: number
  /** The last such time: when, and what was found (absent until it happens). */
  lastReopen?: { at: string; reason: string }
  /** With `checkpoints`: how many were written, how many could not be, and the size of the last one. */
  checkpoints?: { written: number; failed: number; size: number }
}

/**
 * What the caller knows of a decision beyond the decision itself. `reads` and `mask` come from the set
 * that decided (PolicySet.auditContext; the store and withAudit pass them): without `reads` an entry
 * keeps no record data at all (facts {}, evidence without actual values).
 */
export interface DecisionContext extends Partial<DecisionSource> {
  /** The id to log the decision under: 1–128 printable ASCII characters (default: newDecisionId()). */
  decisionId?: string
  /** A shadow decision: the served decision it was made beside (the store's shadow runs pass it). */
  shadowOf?: ShadowOf
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
  /** The environment variable holding the HMAC key of `hash` masking, read when the log is created. */
  hmacKeyEnv?: string
  /** Signed checkpoints of the chain, appended to a separate file (a path log or a stream). */
  checkpoints?: CheckpointOptions
}

/** Where and how often the log signs its chain's head. */
export interface CheckpointOptions {
  /** The checkpoints file (NDJSON, appended to): copy it where the log's writer cannot rewrite it. */
  file: string
  /** The Ed25519 private key (PEM or a KeyObject). */
  key: KeyObject | string
  /** The log's name in each checkpoint (one line of text). */
  origin: string
  /** A checkpoint after this many entries (default 1000). */
  every?: number
  /** ... and at least this often while entries come (seconds, default 60). */
  seconds?: number
}

/** The environment variable of the HMAC key by default. */
export const DEFAULT_HMAC_KEY_ENV = 'COLLABGATE_AUDIT_HMAC_KEY'

/** The head of a chain: the last entry's seq and line hash (seq 0 and GENESIS before the first). */
interface Head {
  seq: number
  hash: string
}

const POOL = Buffer.alloc(4096)
let poolAt = POOL.length

/** A new decision id: a UUIDv7 (48-bit milliseconds since 1970, then 74 random bits), so ids sort by time. */
export function newDecisionId(now: number = Date.now()): string {
  const b = Buffer.alloc(16)
  // random bits from a pool filled 4 KiB at a time: one randomBytes call per decision cost more than the rest of the id
  if (poolAt + 10 > POOL.length) {
    randomFillSync(POOL)
    poolAt = 0
  }
  POOL.copy(b, 6, poolAt, poolAt + 10)
  poolAt += 10
  b.writeUIntBE(now, 0, 6)
  b[6] = (b[6]! & 0x0f) | 0x70
  b[8] = (b[8]! & 0x3f) | 0x80
  const h = b.toString('hex')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`
}

/** A caller's decision id: 1 to 128 printable ASCII characters, so it can go in a header and a log line as is. */
export function assertDecisionId(id: unknown): asserts id is string {
  if (typeof id !== 'string' || !/^[\x21-\x7e]{1,128}$/.test(id))
    throw new CollabgateError('E_INVALID_ARGUMENT', 'decisionId must be 1 to 128 printable ASCII characters, no spaces')
}

/**
 * The entry for a decision, from the decision alone: the first of a chain (seq 1, prev GENESIS), with
 * no record data (facts {}, evidence without actual values). The log builds its entries with the facts
 * read, masking and the chain.
 */
export function auditEntry(
  decision: Decision,
  time: Date = new Date(),
  id: string = newDecisionId(time.getTime()),
): AuditEntry {
  const { facts, reasons } = maskedParts(decision, {}, undefined, undefined, undefined, DEFAULT_HMAC_KEY_ENV)
  return entryOf(decision, time, id, { seq: 1, prev: GENESIS, facts, reasons })
}

function entryOf(
  decision: Decision,
  time: Date,
  id: string,
  more: { seq: number; prev: string; release?: number; facts: Record<string, unknown>; reasons: AuditReason[] },
): AuditEntry {
  return {
    v: AUDIT_ENTRY_VERSION,
    seq: more.seq,
    prev: more.prev,
    id,
    time: time.toISOString(),
    policy: decision.policy.id,
    version: decision.policy.version,
    digest: decision.policy.digest,
    ...(more.release === undefined ? {} : { release: more.release }),
    subjectKind: decision.subject.kind,
    subject: decision.subject.id,
    schema: { version: decision.subject.schema.version, digest: decision.subject.schema.digest },
    outcome: decision.outcome,
    rules: decision.reasons.map((r) => r.rule),
    reasons: more.reasons,
    asOf: decision.asOf,
    facts: more.facts,
  }
}

interface Pending {
  /** The entry without its place in the chain: seq and prev are given when its group is written. */
  entry: AuditEntry
  resolve: () => void
  reject: (err: Error) => void
}

const reasonOf = (err: Error): string => (err as NodeJS.ErrnoException).code ?? err.message

/** The error a durable log answers with when an entry cannot be made durable. */
export function auditFailure(cause: unknown): CollabgateError {
  if (cause instanceof CollabgateError && cause.code === 'E_AUDIT_FAILED') return cause
  const reason = cause instanceof Error ? reasonOf(cause) : String(cause)
  return new CollabgateError(
    'E_AUDIT_FAILED',
    `the decision was not answered: its audit entry could not be written (${reason})`,
    {
      cause,
    },
  )
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
  // the chain and its masking
  /** The last entry given a place in the chain (written, or being written). */
  private head: Head = { seq: 0, hash: GENESIS }
  private readonly hmacKey: Buffer | undefined
  private readonly keyEnv: string
  /** Entries that could not be made (masked) and were not written. */
  private dropped = 0
  /** Why the last entry could not be made: the log stays unhealthy, since its key and folder stay the same. */
  private trouble: { reason: string; since: string } | undefined
  // checkpoints
  private readonly checkpointing: (Required<Omit<CheckpointOptions, 'key'>> & { key: KeyObject }) | undefined
  /** The last entry known to be handed to the file (durable: flushed): what a checkpoint may sign. */
  private flushed: Head = { seq: 0, hash: GENESIS }
  private checkpointed = { size: 0, written: 0, failed: 0, retryAt: 0 }
  private checkpointTrouble: { reason: string; since: string } | undefined
  private checkpointTimer: NodeJS.Timeout | undefined

  /**
   * Throws E_INVALID_ARGUMENT for a bad option, and E_AUDIT_FAILED when the file at `target` ends in a
   * line that is torn or not JSON: its chain cannot be continued, and a new one would hide that.
   */
  constructor(target: NodeJS.WritableStream | string, options: AuditLogOptions = {}) {
    this.options = ownOptions(options)
    const mode = this.options.mode ?? 'buffered'
    if (mode !== 'buffered' && mode !== 'durable')
      throw new CollabgateError(
        'E_INVALID_ARGUMENT',
        `audit mode must be 'buffered' or 'durable', got ${JSON.stringify(mode)}`,
      )
    this.mode = mode
    const keyEnv = this.options.hmacKeyEnv ?? DEFAULT_HMAC_KEY_ENV
    if (typeof keyEnv !== 'string' || keyEnv === '')
      throw new CollabgateError('E_INVALID_ARGUMENT', 'hmacKeyEnv must name a variable')
    this.keyEnv = keyEnv
    const key = process.env[keyEnv]
    this.hmacKey = key ? Buffer.from(key, 'utf8') : undefined
    this.checkpointing = checkpointOptions(this.options.checkpoints)
    this.path = typeof target === 'string' ? target : undefined
    if (this.path !== undefined) this.head = chainHeadOf(this.path)
    this.flushed = this.head
    this.checkpointed.size = this.head.seq
    if (typeof target !== 'string') this.attach(target)
    else if (mode === 'buffered') this.openStream()
    if (this.checkpointing) {
      this.checkpointTimer = setInterval(
        () => void this.settle().then(() => this.checkpoint()),
        this.checkpointing.seconds * 1000,
      )
      this.checkpointTimer.unref()
    }
  }

  /** How many entries were handed to the stream (durable: written and flushed). */
  get entries(): number {
    return this.written
  }

  health(): AuditHealth {
    const trouble = this.failure ?? this.trouble ?? this.checkpointTrouble
    const { size, written, failed } = this.checkpointed
    return {
      healthy: trouble === undefined,
      mode: this.mode,
      entries: this.written,
      failed: this.lost,
      dropped: this.dropped,
      ...(trouble ? { reason: trouble.reason, since: trouble.since } : {}),
      reopened: this.reopened,
      ...(this.lastReopen ? { lastReopen: { ...this.lastReopen } } : {}),
      ...(this.checkpointing ? { checkpoints: { written, failed, size } } : {}),
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
    let entry: AuditEntry
    try {
      entry = this.entry(decision, record, context)
    } catch (err) {
      // never written unmasked: dropped, counted, and the log says why
      this.dropped++
      this.troubled(err)
      return
    }
    const before = this.head
    try {
      const line = this.chain(entry)
      const head = this.head
      // a callback per line costs; one per `every` lines is all a checkpoint needs
      if (this.checkpointing && head.seq % this.checkpointing.every === 0)
        this.stream.write(line, (err?: Error | null) => err || this.flushedTo(head))
      else this.stream.write(line)
      this.written++
    } catch (err) {
      // a broken log must never turn into a failed decision in buffered mode
      this.head = before
      this.lost++
      this.fail(err instanceof Error ? err : new Error(String(err)))
    }
  }

  /** Resolves once the entry is written and flushed; rejects with E_AUDIT_FAILED when it cannot be. */
  commit(decision: Decision, record: PolicyRecord, context?: DecisionContext): Promise<void> {
    if (this.mode === 'buffered') {
      this.write(decision, record, context)
      return Promise.resolve()
    }
    let entry: AuditEntry
    try {
      entry = this.entry(decision, record, context)
    } catch (err) {
      this.lost++
      this.troubled(err)
      return Promise.reject(auditFailure(err))
    }
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ entry, resolve, reject })
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

  /**
   * Flushes; closes the file when the log opened it (a stream passed in is left open). With
   * checkpoints, writes one for the last entry written, unless the last checkpoint already signs it.
   */
  async close(): Promise<void> {
    if (this.checkpointTimer) clearInterval(this.checkpointTimer)
    this.checkpointTimer = undefined
    await this.settle()
    await this.flushAll()
    this.checkpointed.retryAt = 0
    this.checkpoint()
  }

  /** Buffered mode: resolves once every line given to the stream so far is handed on (and `flushed` says so). */
  private settle(): Promise<void> {
    const stream = this.stream as (NodeJS.WritableStream & { writableEnded?: boolean; destroyed?: boolean }) | undefined
    if (this.mode !== 'buffered' || !stream || stream.writableEnded || stream.destroyed) return Promise.resolve()
    const head = this.head
    // an empty write's callback comes after every write before it
    return new Promise<void>((resolve) =>
      stream.write('', (err?: Error | null) => resolve(err ? undefined : this.flushedTo(head))),
    )
  }

  private async flushAll(): Promise<void> {
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

  /**
   * The entry for a decision, masked, without its place in the chain; throws E_AUDIT_FAILED when it cannot be masked.
   */
  private entry(decision: Decision, record: PolicyRecord, context: DecisionContext | undefined): AuditEntry {
    const id = context?.decisionId
    if (id !== undefined) assertDecisionId(id)
    const time = (this.options.now ?? (() => new Date()))()
    let parts: ReturnType<typeof maskedParts>
    try {
      parts = maskedParts(decision, record, context?.reads, context?.mask, this.hmacKey, this.keyEnv)
    } catch (err) {
      if (err instanceof CollabgateError && err.code === 'E_AUDIT_FAILED') throw err
      throw new CollabgateError('E_AUDIT_FAILED', `the audit entry could not be masked: ${(err as Error).message}`, {
        cause: err,
      })
    }
    const more = { seq: 0, prev: GENESIS, facts: parts.facts, reasons: parts.reasons }
    const entry = entryOf(
      decision,
      time,
      id ?? newDecisionId(time.getTime()),
      context?.release === undefined ? more : { ...more, release: context.release },
    )
    if (parts.masked.length > 0) entry.masked = parts.masked
    if (context?.shadowOf) entry.shadowOf = { ...context.shadowOf, rules: [...context.shadowOf.rules] }
    const extra = this.options.extra?.(decision, record)
    if (extra !== undefined) entry.extra = extra
    return entry
  }

  /** Gives an entry the next place in the chain; returns its line (with the newline). */
  private chain(entry: AuditEntry): string {
    entry.seq = this.head.seq + 1
    entry.prev = this.head.hash
    const line = JSON.stringify(entry)
    this.head = { seq: entry.seq, hash: lineHash(line) }
    return line + '\n'
  }

  private troubled(err: unknown): void {
    const reason = err instanceof Error ? err.message : String(err)
    const first = this.trouble === undefined
    this.trouble = { reason, since: this.trouble?.since ?? new Date().toISOString() }
    if (first) this.report(err instanceof Error ? err : new Error(reason))
  }

  /** An entry is on the file (durable: flushed): a checkpoint is due after `every` of them. */
  private flushedTo(head: Head): void {
    if (head.seq <= this.flushed.seq) return
    this.flushed = head
    const every = this.checkpointing?.every
    if (every !== undefined && head.seq - this.checkpointed.size >= every && head.seq >= this.checkpointed.retryAt)
      this.checkpoint()
  }

  /** Signs the last entry on the file and appends the checkpoint, unless the last checkpoint signs it already. */
  private checkpoint(): void {
    const cp = this.checkpointing
    const head = this.flushed
    if (!cp || head.seq <= this.checkpointed.size) return
    try {
      const time = (this.options.now ?? (() => new Date()))().toISOString()
      const signed = signCheckpoint({ origin: cp.origin, size: head.seq, head: head.hash, time }, cp.key)
      appendFileSync(cp.file, formatCheckpoint(signed) + '\n')
      this.checkpointed.size = head.seq
      this.checkpointed.written++
      this.checkpointTrouble = undefined
    } catch (err) {
      this.checkpointed.failed++
      // tried again after another `every` entries (or the timer), not on every entry
      this.checkpointed.retryAt = head.seq + cp.every
      const error = err instanceof Error ? err : new Error(String(err))
      if (!this.checkpointTrouble) this.report(error)
      this.checkpointTrouble = {
        reason: `checkpoint: ${reasonOf(error)}`,
        since: this.checkpointTrouble?.since ?? new Date().toISOString(),
      }
    }
  }

  private report(err: Error): void {
    if (this.options.onError) this.options.onError(err)
    else process.emitWarning(`collabgate audit log failed: ${err.message}`, { code: 'COLLABGATE_AUDIT' })
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

  /**
   * Buffered mode on a path, at most every `checkFileMs`: the path still names the file written to, or is opened
   * again.
   */
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
      // a stream cannot take a line back: the chain counts it as written once handed over
      const line = this.chain(p.entry)
      const head = this.head
      this.stream.write(line, (err?: Error | null) => {
        if (err) {
          this.lost++
          this.fail(err)
          p.reject(auditFailure(err))
        } else {
          this.written++
          this.failure = undefined
          this.flushedTo(head)
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
      // the group's place in the chain, taken back if it fails: the next group follows the last line on disk
      const before = this.head
      const bytes = Buffer.from(group.map((p) => this.chain(p.entry)).join(''), 'utf8')
      let offset = 0
      let file: FileHandle | undefined
      try {
        file = await this.openFile()
        while (offset < bytes.length) offset += (await file.write(bytes, offset, bytes.length - offset)).bytesWritten
        await file.datasync()
        this.good += bytes.length
        this.written += group.length
        this.failure = undefined
        this.flushedTo(this.head)
        for (const p of group) p.resolve()
      } catch (err) {
        // none of the group is answered, so none of it may stay: every line in the file is a whole, answered one
        if (file) await this.cutBack(file)
        this.head = before
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
    this.report(err)
  }
}

/** The checkpoint options checked, with their defaults; a bad one is E_INVALID_ARGUMENT at creation. */
function checkpointOptions(
  given: CheckpointOptions | undefined,
): (Required<Omit<CheckpointOptions, 'key'>> & { key: KeyObject }) | undefined {
  if (given === undefined) return undefined
  const o = ownOptions(given)
  const bad = (what: string) => new CollabgateError('E_INVALID_ARGUMENT', `checkpoints: ${what}`)
  if (typeof o.file !== 'string' || o.file === '') throw bad('file must be a path')
  let key: KeyObject | undefined
  try {
    key = typeof o.key === 'string' ? createPrivateKey(o.key) : (o.key as KeyObject | undefined)
  } catch (err) {
    throw bad(`key is not a private key (${(err as Error).message})`)
  }
  if (key?.type !== 'private' || key.asymmetricKeyType !== 'ed25519') throw bad('key must be an Ed25519 private key')
  if (typeof o.origin !== 'string') throw bad('origin must be text')
  try {
    checkpointBody(o.origin, 0, GENESIS)
  } catch (err) {
    throw bad((err as Error).message)
  }
  const every = o.every ?? 1000
  if (!Number.isSafeInteger(every) || every < 1) throw bad('every must be a whole number of entries, at least 1')
  const seconds = o.seconds ?? 60
  if (typeof seconds !== 'number' || !(seconds > 0) || seconds > 86_400)
    throw bad('seconds must be more than 0 and at most 86400')
  return { file: o.file, key, origin: o.origin, every, seconds }
}

/** Longest last line read to continue a chain (64 MiB): a longer one is no entry this log wrote. */
const MAX_LINE_BYTES = 64 * 1024 * 1024

/**
 * The head of the chain a file already holds: its last line's seq and hash. An empty or missing file
 * (or no regular file: a device, a pipe) starts a new chain; so does a last line of format 1 (no seq).
 * A last line that is torn (no newline) or not JSON is E_AUDIT_FAILED: continuing would hide it.
 */
function chainHeadOf(path: string): Head {
  let fd: number
  try {
    fd = openSync(path, 'r')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { seq: 0, hash: GENESIS }
    throw new CollabgateError(
      'E_AUDIT_FAILED',
      `cannot read ${path} to continue its chain: ${reasonOf(err as Error)}`,
      { cause: err },
    )
  }
  try {
    const info = fstatSync(fd)
    if (!info.isFile() || info.size === 0) return { seq: 0, hash: GENESIS }
    const end = info.size
    const last = Buffer.alloc(1)
    readSync(fd, last, 0, 1, end - 1)
    if (last[0] !== 0x0a)
      throw new CollabgateError('E_AUDIT_FAILED', `${path} ends in a torn line (no newline): repair or move it first`)
    // read back from the end until the newline before the last line
    const chunks: Buffer[] = []
    let from = end - 1
    let start = -1
    while (from > 0 && start < 0) {
      const size = Math.min(64 * 1024, from)
      const chunk = Buffer.alloc(size)
      readSync(fd, chunk, 0, size, from - size)
      from -= size
      const nl = chunk.lastIndexOf(0x0a)
      if (nl >= 0) {
        start = from + nl + 1
        chunks.unshift(chunk.subarray(nl + 1))
      } else chunks.unshift(chunk)
      if (end - 1 - from > MAX_LINE_BYTES)
        throw new CollabgateError('E_AUDIT_FAILED', `the last line of ${path} is over 64 MiB`)
    }
    const line = Buffer.concat(chunks).toString('utf8')
    let entry: unknown
    try {
      entry = JSON.parse(line)
    } catch (err) {
      throw new CollabgateError(
        'E_AUDIT_FAILED',
        `the last line of ${path} is not JSON (${(err as Error).message}): repair or move it first`,
      )
    }
    const seq =
      entry !== null && typeof entry === 'object' && Object.hasOwn(entry, 'seq')
        ? (entry as { seq: unknown }).seq
        : undefined
    // a log of format 1 has no chain to continue: the first entry of format 2 starts one
    if (seq === undefined) return { seq: 0, hash: GENESIS }
    if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 1)
      throw new CollabgateError(
        'E_AUDIT_FAILED',
        `the last line of ${path} has a seq that is not a whole number from 1`,
      )
    return { seq, hash: lineHash(line) }
  } finally {
    closeSync(fd)
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
  /**
   * What the log needs of the policy behind a decision (PolicySet and PolicyStore have it); without it no facts are
   * logged.
   */
  auditContext?(decision: Decision): DecisionSource | undefined
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
export async function recordDecision(
  sink: DecisionSink,
  decision: Decision,
  record: unknown,
  context?: DecisionContext,
): Promise<void> {
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
      await recordDecision(sink, decision, record, decider.auditContext?.(decision))
      return decision
    },
  }
}
