/**
 * A live policy store: a folder of policies, loaded, validated and compiled into a PolicySet, then
 * reloaded when the folder changes. A new set replaces the served one only when the whole folder is
 * valid; otherwise the last good set keeps serving and the problems are reported. Each decision
 * takes the set that is current when it starts and finishes on that set.
 */
import { watch, type FSWatcher } from 'node:fs'
import { ownOptions } from '../own.js'
import { basename, resolve } from 'node:path'
import { recordDecision, type AuditHealth, type DecisionSink } from '../audit/audit.js'
import { CollabgateError, PolicyValidationError, type PolicyProblem } from '../errors.js'
import { checkPolicies, type LoadOptions } from '../folder/load.js'
import type { Decision, Policy, SubjectDefinition } from '../model.js'
import { canonicalJson } from '../validate/policy.js'
import { PolicySet, type DecideOptions, type PolicySummary } from '../decide/policy-set.js'
import { assertRecordSize, DEFAULT_MAX_RECORD_BYTES } from './record.js'
import { problem } from '../load/yaml-source.js'
import { byIdThenEffective } from '../order.js'

export interface PolicyStoreOptions extends LoadOptions {
  /** Watch the folder and reload on change (default true). With false, only `reload()` changes the set. */
  watch?: boolean
  /** Quiet time after the last file event before reloading, in ms (default 100): editors write in bursts. */
  debounceMs?: number
  /** Keep the process alive while watching (default false: the service's server does that). */
  persistent?: boolean
  /** Where each decision is logged (see createAuditLog); a durable log is awaited before `decide` resolves. */
  audit?: DecisionSink
  /** Largest record `decide` accepts, as JSON bytes (default 1 MiB; Infinity turns it off). */
  maxRecordBytes?: number
  /** Called after a new set was swapped in (also for the first load). */
  onReload?: (event: ReloadEvent) => void
  /** Called when a reload was refused; the previous set keeps serving. */
  onProblems?: (event: ProblemsEvent) => void
}

/** A new set is being served. */
export interface ReloadEvent {
  generation: number
  at: string
  serving: PolicySummary[]
  /** What was served before ([] for the first load). */
  previous: PolicySummary[]
}

/** A reload was refused: `problems` are the same objects `validate` prints. */
export interface ProblemsEvent {
  /** The generation still being served (0 when nothing could ever be loaded). */
  generation: number
  at: string
  problems: PolicyProblem[]
}

export type ReloadResult =
  | { status: 'swapped'; generation: number; serving: PolicySummary[] }
  | { status: 'unchanged'; generation: number }
  | { status: 'rejected'; generation: number; problems: PolicyProblem[] }

/** What the store is doing, for health checks. */
export interface StoreStatus {
  dir: string
  generation: number
  loadedAt: string
  watching: boolean
  /** The outcome of the most recent reload attempt. */
  lastReload: { status: ReloadResult['status']; at: string; problems: PolicyProblem[] }
  /** The audit sink's health, when the store has one that reports it. */
  audit?: AuditHealth
}

type Listeners = { reload: Set<(e: ReloadEvent) => void>; problems: Set<(e: ProblemsEvent) => void> }

interface Served {
  set: PolicySet
  generation: number
  loadedAt: string
  /** id@version@digest@file of every policy, to tell a real change from a touch. */
  fingerprint: string
}

const IGNORED = /(^\.|~$|\.swp$|\.swx$|\.tmp$)/

/** Editors' scratch files and dot-files never trigger a reload. */
function mayMatter(name: string | Buffer | null): boolean {
  if (name === null) return true
  return !IGNORED.test(basename(name.toString()))
}

/** What a loaded folder serves, in PolicySet's order, and the record kinds it tells apart: equal fingerprints, nothing to swap. */
function fingerprintOf(policies: readonly Policy[], subjects: readonly SubjectDefinition[]): string {
  return [...policies]
    .sort(byIdThenEffective)
    .map((p) => `${p.id}@${p.version}@${p.digest}@${p.location.file}@${p.record.schema.digest}`)
    .concat(subjects.map((s) => `${s.name}@${s.idField}@${canonicalJson(s.recognise)}`))
    .join('\n')
}

export class PolicyStore {
  readonly dir: string
  private readonly options: PolicyStoreOptions
  private readonly listeners: Listeners = { reload: new Set(), problems: new Set() }
  private served: Served | undefined
  private last: StoreStatus['lastReload'] = { status: 'unchanged', at: new Date(0).toISOString(), problems: [] }
  private running: Promise<ReloadResult> | undefined
  private queued: Promise<ReloadResult> | undefined
  private watcher: FSWatcher | undefined
  private timer: NodeJS.Timeout | undefined
  private closed = false

  /** Use `watchPolicies`, which also performs the first load. */
  constructor(dir: string, options: PolicyStoreOptions = {}) {
    this.dir = resolve(dir)
    // own properties only: a polluted Object.prototype must not lift the size limit or turn the lock off
    this.options = ownOptions(options)
  }

  /** Subscribes to 'reload' or 'problems'; returns a function that unsubscribes. */
  on(event: 'reload', listener: (e: ReloadEvent) => void): () => void
  on(event: 'problems', listener: (e: ProblemsEvent) => void): () => void
  on(event: 'reload' | 'problems', listener: ((e: ReloadEvent) => void) | ((e: ProblemsEvent) => void)): () => void {
    const set = this.listeners[event] as Set<typeof listener>
    set.add(listener)
    return () => set.delete(listener)
  }

  /** The set being served now. Hold on to it to make several decisions on exactly one set. */
  current(): PolicySet {
    if (!this.served) throw new PolicyValidationError(this.last.problems)
    return this.served.set
  }

  get generation(): number {
    return this.served?.generation ?? 0
  }

  /** Ids, versions, digests (and windows, files) of every policy version being served. */
  serving(): PolicySummary[] {
    return this.served?.set.list() ?? []
  }

  status(): StoreStatus {
    return {
      dir: this.dir,
      generation: this.generation,
      loadedAt: this.served?.loadedAt ?? new Date(0).toISOString(),
      watching: this.watcher !== undefined,
      lastReload: { ...this.last, problems: [...this.last.problems] },
      ...(this.options.audit?.health ? { audit: this.options.audit.health() } : {}),
    }
  }

  /**
   * Decides a record on the set current when the call starts; a reload during the call does not
   * affect it. Logs the decision to the audit sink, if any (a durable one before resolving). Throws
   * what PolicySet.decide throws, E_RECORD_TOO_LARGE for a record over `maxRecordBytes`, and
   * E_AUDIT_FAILED when a durable audit log cannot record the decision.
   */
  async decide(record: unknown, options: DecideOptions): Promise<Decision> {
    const set = this.current()
    assertRecordSize(record, this.options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES)
    const decision = await set.decide(record, options)
    if (this.options.audit) await recordDecision(this.options.audit, decision, record)
    return decision
  }

  /**
   * Loads the folder again now. Concurrent calls share one follow-up load, so the last call always
   * sees the folder as it was after the call was made.
   */
  reload(): Promise<ReloadResult> {
    if (this.running) {
      this.queued ??= this.running.then(() => {
        this.queued = undefined
        return this.reload()
      })
      return this.queued
    }
    const run = this.load().finally(() => {
      this.running = undefined
    })
    this.running = run
    return run
  }

  /** Stops watching. Decisions keep working on the last set; `reload()` still works. */
  close(): void {
    this.closed = true
    if (this.timer) clearTimeout(this.timer)
    this.timer = undefined
    this.watcher?.close()
    this.watcher = undefined
  }

  /** Starts the file watcher (recursive where the platform supports it). */
  startWatching(): void {
    if (this.watcher || this.closed) return
    const onEvent = (_event: string, name: string | Buffer | null) => {
      if (mayMatter(name)) this.schedule()
    }
    const persistent = this.options.persistent ?? false
    let watcher: FSWatcher
    try {
      watcher = watch(this.dir, { recursive: true, persistent }, onEvent)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ERR_FEATURE_UNAVAILABLE_ON_PLATFORM') throw err
      watcher = watch(this.dir, { persistent }, onEvent)
    }
    watcher.on('error', (err: NodeJS.ErrnoException) => {
      // e.g. the folder was deleted: keep serving, say why nothing reloads any more
      this.report([problem(this.dir, 'E_IO', `stopped watching ${this.dir}: ${err.code ?? err.message}`)])
      this.watcher?.close()
      this.watcher = undefined
    })
    this.watcher = watcher
  }

  private schedule(): void {
    if (this.closed) return
    if (this.timer) clearTimeout(this.timer)
    this.timer = setTimeout(() => {
      this.timer = undefined
      void this.reload()
    }, this.options.debounceMs ?? 100)
    this.timer.unref()
  }

  private async load(): Promise<ReloadResult> {
    const at = () => new Date().toISOString()
    let problems: PolicyProblem[]
    let policies: Policy[] | undefined
    let subjects: SubjectDefinition[] = []
    try {
      const checked = await checkPolicies(this.dir, this.options)
      problems = checked.problems
      if (problems.length === 0 && checked.files.length === 0) {
        // an emptied folder is far more likely a botched deploy than a wish to serve nothing
        problems = [problem(this.dir, 'E_IO', `no policy files in ${this.dir}; keeping the policies already served`)]
      }
      if (problems.length === 0) {
        policies = checked.policies
        subjects = checked.subjects
      }
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err)
      problems = [problem(this.dir, 'E_IO', `cannot load ${this.dir}: ${message}`)]
    }
    if (!policies) {
      this.last = { status: 'rejected', at: at(), problems }
      this.report(problems)
      return { status: 'rejected', generation: this.generation, problems }
    }
    // compared before compiling: a save that changes nothing costs no compilation
    const fingerprint = fingerprintOf(policies, subjects)
    if (this.served && this.served.fingerprint === fingerprint) {
      this.last = { status: 'unchanged', at: at(), problems: [] }
      return { status: 'unchanged', generation: this.served.generation }
    }
    const set = new PolicySet(policies, { subjects })
    const previous = this.serving()
    // the swap: one assignment, so a decision sees either the old set or the new one, never a mix
    this.served = { set, generation: this.generation + 1, loadedAt: at(), fingerprint }
    this.last = { status: 'swapped', at: this.served.loadedAt, problems: [] }
    const event: ReloadEvent = { generation: this.served.generation, at: this.served.loadedAt, serving: set.list(), previous }
    this.emit('reload', event)
    return { status: 'swapped', generation: event.generation, serving: event.serving }
  }

  private report(problems: PolicyProblem[]): void {
    this.emit('problems', { generation: this.generation, at: new Date().toISOString(), problems })
  }

  private emit(event: 'reload', e: ReloadEvent): void
  private emit(event: 'problems', e: ProblemsEvent): void
  private emit(event: 'reload' | 'problems', e: ReloadEvent | ProblemsEvent): void {
    const callback = event === 'reload' ? this.options.onReload : this.options.onProblems
    const listeners = [...(callback ? [callback] : []), ...this.listeners[event]] as ((e: ReloadEvent | ProblemsEvent) => void)[]
    for (const listener of listeners) {
      try {
        listener(e)
      } catch (err) {
        // a faulty listener must not stop reloads or other listeners
        process.emitWarning(`collabgate store '${event}' listener threw: ${err instanceof Error ? err.message : String(err)}`, {
          code: 'COLLABGATE_STORE',
        })
      }
    }
  }
}

/**
 * Loads, validates and compiles the policies in `dir`, then (unless `watch: false`) watches it and
 * swaps in each new valid version of the folder. Throws PolicyValidationError when the folder is not
 * valid at start: there is nothing good to serve yet.
 */
export async function watchPolicies(dir: string, options: PolicyStoreOptions = {}): Promise<PolicyStore> {
  const store = new PolicyStore(dir, options)
  let watchError: unknown
  try {
    // watch before the first load so a change made during it is not missed
    if (options.watch !== false) store.startWatching()
  } catch (err) {
    watchError = err
  }
  const first = await store.reload()
  if (first.status === 'rejected') {
    store.close()
    throw new PolicyValidationError(first.problems)
  }
  if (watchError !== undefined) {
    store.close()
    const reason = (watchError as NodeJS.ErrnoException).code ?? String(watchError)
    throw new CollabgateError('E_IO', `cannot watch ${store.dir}: ${reason}; pass watch: false to reload by hand`, { cause: watchError })
  }
  return store
}
