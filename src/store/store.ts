/**
 * A live policy store: a folder of policies, loaded, validated and compiled into a PolicySet, then
 * reloaded when the folder changes. A new set replaces the served one only when the whole folder is
 * valid (lock included) and was at rest: read twice, a quiet period apart, unchanged; otherwise the
 * last good set keeps serving and the reason is reported. Parsing runs in a worker thread with a
 * time budget. Each decision takes the set that is current when it starts and finishes on that set.
 */
import { realpathSync, statSync, watch, type FSWatcher } from 'node:fs'
import { realpath } from 'node:fs/promises'
import { ownOptions } from '../own.js'
import { basename, resolve } from 'node:path'
import { assertDecisionId, newDecisionId, recordDecision, type AuditHealth, type DecisionSink } from '../audit/audit.js'
import { capProblems, CollabgateError, formatProblem, PolicyValidationError, type PolicyProblem } from '../errors.js'
import type { LoadOptions } from '../folder/load.js'
import {
  checkHere,
  CheckWorker,
  DEFAULT_PARSE_BUDGET_MS,
  snapshotFolder,
  storeWorkerFile,
  type StoreCheck,
} from './check.js'
import type { Decision, Policy, SubjectDefinition } from '../model.js'
import { canonicalJson } from '../validate/policy.js'
import { PolicySet, type DecideOptions, type PolicySummary } from '../decide/policy-set.js'
import type { DecisionSource } from '../decide/reads.js'
import { assertRecordSize, DEFAULT_MAX_RECORD_BYTES } from '../read/record-json.js'
import { problem } from '../read/yaml-source.js'
import { byIdThenEffective } from '../order.js'
import { loadPolicies } from '../folder/load.js'
import { Shadow, shadowSettings, type ResolvedCandidate, type ShadowOptions, type ShadowReport } from './shadow.js'

export interface PolicyStoreOptions extends LoadOptions {
  /** Watch the folder and reload on change (default true). With false, only `reload()` changes the set. */
  watch?: boolean
  /**
   * Quiet time in ms (default 100): after the last file event before reloading (editors write in
   * bursts), and between the two reads of the folder that must agree before a set is swapped in.
   */
  debounceMs?: number
  /**
   * How long, in ms, the folder may go without being read at rest before `status()` says the store is
   * not healthy (default 5000): a file rewritten without pause keeps a release unserved. The store keeps
   * trying; a change keeps postponing the next reload by `debounceMs`, but never for longer than half this.
   */
  settleTimeoutMs?: number
  /**
   * Time budget of one load in ms (default 2000): the folder is parsed and checked in a worker thread,
   * which is ended when it runs over (E_TIME_LIMIT). Only with `worker: false` or a `displayName`
   * function does the check run in the main thread, without a budget.
   */
  parseBudgetMs?: number
  /** Parse in a worker thread (default true; false: in the main thread, as `loadPolicies` does). */
  worker?: boolean
  /**
   * How often, in ms, the store checks that it still watches the folder it was given (default 1000):
   * a folder deleted and created again, or a symbolic link to it swapped (a Kubernetes ConfigMap
   * update), is watched again and reloaded.
   */
  recheckMs?: number
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
  /**
   * Shadow candidate versions on a sample of the live decisions, after each is answered (see
   * ShadowOptions; `shadowReport()` reads the counts). Checked by `watchPolicies`: E_INVALID_ARGUMENT,
   * E_POLICY_NOT_FOUND for a candidate it cannot find, PolicyValidationError for a `from` folder that fails.
   */
  shadow?: ShadowOptions
}

/** The options of `PolicyStore.decide`: those of PolicySet.decide, and the id its audit line carries. */
export interface StoreDecideOptions extends DecideOptions {
  /** The decision's id in the audit log (1–128 printable ASCII characters); default: one the log makes. */
  decisionId?: string
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

/**
 * How a reload ended: a new set is served, the folder serves what it did, the folder was refused
 * (the last good set keeps serving), or the folder changed while it was read (nothing swapped; the
 * store tries again after the quiet period).
 */
export type ReloadResult =
  | { status: 'swapped'; generation: number; serving: PolicySummary[] }
  | { status: 'unchanged'; generation: number }
  | { status: 'rejected'; generation: number; problems: PolicyProblem[] }
  | { status: 'unsettled'; generation: number }

/** What the store is doing, for health checks. */
export interface StoreStatus {
  /** The folder as given (absolute). */
  dir: string
  /** The folder the store reads: `dir` with symbolic links resolved; undefined while it does not exist. */
  resolved: string | undefined
  generation: number
  loadedAt: string
  /** A file watcher is live on the folder now (false after close(), with watch: false, or while the folder is gone). */
  watching: boolean
  /**
   * The store serves what the folder holds: something was loaded, the last finished reload was not
   * refused, the folder was read at rest within `settleTimeoutMs` of its last change, and the store
   * watches the folder when it was asked to. A health check's answer.
   */
  healthy: boolean
  /** Why the store is not healthy, in one sentence (absent when healthy). */
  reason?: string
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
  /** The lock's release the folder is served under: a higher release of the same content raises it without a swap. */
  release: number | undefined
}

const IGNORED = /(^\.(?!\.)|~$|\.swp$|\.swx$|\.tmp$)/

/**
 * Editors' scratch files and dot-files never trigger a reload; `..data` (a Kubernetes ConfigMap's swapped link) does.
 */
function mayMatter(name: string | Buffer | null): boolean {
  if (name === null) return true
  return !IGNORED.test(basename(name.toString()))
}

/**
 * What a loaded folder serves, in PolicySet's order, and the record kinds it tells apart: equal fingerprints, nothing
 * to swap.
 */
function fingerprintOf(policies: readonly Policy[], subjects: readonly SubjectDefinition[]): string {
  return (
    [...policies]
      .sort(byIdThenEffective)
      .map((p) => `${p.id}@${p.version}@${p.digest}@${p.location.file}@${p.record.schema.digest}`)
      // the mask shapes every audit entry: a change of it is a new set
      .concat(
        subjects.map((s) => `${s.name}@${s.idField}@${canonicalJson(s.recognise)}@${canonicalJson(s.audit ?? null)}`),
      )
      .join('\n')
  )
}

/** How watchPolicies resolves a store's shadow candidates after its first load. */
const shadowStarters = new WeakMap<PolicyStore, () => Promise<void>>()

export class PolicyStore {
  readonly dir: string
  private readonly options: PolicyStoreOptions
  private readonly listeners: Listeners = { reload: new Set(), problems: new Set() }
  private served: Served | undefined
  private last: StoreStatus['lastReload'] = { status: 'unchanged', at: new Date(0).toISOString(), problems: [] }
  /** The problems of the last reload that finished (not unsettled): empty when it was served. */
  private lastFinished: PolicyProblem[] = []
  /** The folder the live watcher watches, and its identity (so a new folder of the same name is told apart). */
  private watched: { target: string; identity: string } | undefined
  private wantWatch = false
  private watchTrouble: string | undefined
  private recheckTimer: NodeJS.Timeout | undefined
  private checker: CheckWorker | undefined
  private running: Promise<ReloadResult> | undefined
  private queued: Promise<ReloadResult> | undefined
  private watcher: FSWatcher | undefined
  private timer: NodeJS.Timeout | undefined
  /** When the pending reload was first asked for: later changes postpone it only so long. */
  private timerSince: number | undefined
  /** Since when a change waits to be read at rest (undefined: the folder was read at rest since its last change). */
  private restlessSince: number | undefined
  private closed = false
  /** The highest release of the lock this store has served under, and its entries. */
  private lockSeen: { release: number; entries: string } | undefined
  /** The shadow runs, once `watchPolicies` has resolved the candidates. */
  private shadow: Shadow | undefined

  /** Use `watchPolicies`, which also performs the first load. */
  constructor(dir: string, options: PolicyStoreOptions = {}) {
    this.dir = resolve(dir)
    // own properties only: a polluted Object.prototype must not lift the size limit or turn the lock off
    this.options = ownOptions(options)
    // for watchPolicies only: the public API stays one option and one method
    shadowStarters.set(this, () => this.startShadow())
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
    const reason = this.unhealthyBecause()
    let resolved: string | undefined
    try {
      resolved = realpathSync(this.dir)
    } catch {
      resolved = undefined
    }
    return {
      dir: this.dir,
      resolved,
      generation: this.generation,
      loadedAt: this.served?.loadedAt ?? new Date(0).toISOString(),
      watching: this.watcher !== undefined,
      healthy: reason === undefined,
      ...(reason === undefined ? {} : { reason }),
      lastReload: { ...this.last, problems: [...this.last.problems] },
      ...(this.options.audit?.health ? { audit: this.options.audit.health() } : {}),
    }
  }

  private unhealthyBecause(): string | undefined {
    if (!this.served) return 'no policy set could be loaded yet'
    // not watching comes first: until it is watched again, no fix of the folder is seen
    if (this.wantWatch && !this.closed && !this.watcher)
      return this.watchTrouble ?? `not watching ${this.dir}; checking every ${this.recheckMs} ms to watch it again`
    const restless = this.restlessSince === undefined ? 0 : Date.now() - this.restlessSince
    if (!this.closed && restless > this.settleTimeoutMs)
      return (
        `the folder has not been at rest for ${Math.floor(restless / 1000)} s; still serving generation ` +
        `${this.generation}`
      )
    const first = this.lastFinished[0]
    if (first) {
      const more = this.lastFinished.length > 1 ? ` (and ${this.lastFinished.length - 1} more)` : ''
      return `the folder was refused, still serving generation ${this.generation}: ${formatProblem(first)}${more}`
    }
    return undefined
  }

  private get recheckMs(): number {
    return this.options.recheckMs ?? 1000
  }

  private get settleTimeoutMs(): number {
    return this.options.settleTimeoutMs ?? 5000
  }

  private get quietMs(): number {
    return this.options.debounceMs ?? 100
  }

  /**
   * Decides a record on the set current when the call starts; a reload during the call does not
   * affect it. Logs the decision to the audit sink, if any (a durable one before resolving). Throws
   * what PolicySet.decide throws, E_RECORD_TOO_LARGE for a record over `maxRecordBytes`, and
   * E_AUDIT_FAILED when a durable audit log cannot record the decision, and E_INVALID_ARGUMENT for a
   * malformed `decisionId`.
   */
  async decide(record: unknown, options: StoreDecideOptions): Promise<Decision> {
    const set = this.current()
    // taken with the set: the release the folder was served under when the call started
    const release = this.served?.release
    const { decisionId, ...decideOptions } = options
    if (decisionId !== undefined) assertDecisionId(decisionId)
    assertRecordSize(record, this.options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES)
    const decision = await set.decide(record, decideOptions)
    // a shadowed decision needs its id before it is logged: the shadow's entry and samples name it
    const shadowed = this.shadow?.sample() === true
    const id = decisionId ?? (shadowed ? newDecisionId() : undefined)
    if (this.options.audit) {
      // the set that decided says which fields its policy reads, what to mask and its release
      const context = { ...this.contextOf(set, decision, release), ...(id === undefined ? {} : { decisionId: id }) }
      await recordDecision(this.options.audit, decision, record, context)
    }
    if (shadowed) this.shadow!.offer({ id: id!, served: decision, set, sink: this.options.audit }, record)
    return decision
  }

  /** The shadow runs so far: undefined when the store shadows nothing (no `shadow` option). */
  shadowReport(): ShadowReport | undefined {
    return this.shadow?.report()
  }

  /** Resolves the `shadow` option's candidates against the served set; watchPolicies calls it once. */
  private async startShadow(): Promise<void> {
    const given = this.options.shadow
    if (given === undefined || this.shadow) return
    const settings = shadowSettings(given)
    const candidates: ResolvedCandidate[] = []
    for (const { policy, version, from } of given.candidates) {
      // an unreleased version is validated like any folder, in a set of its own that only shadows
      const options = { ...this.loadOptions(), lock: false }
      const set = from === undefined ? undefined : await loadPolicies(resolve(from), options)
      ;(set ?? this.current()).select(policy, '1970-01-01', version)
      candidates.push({ policy, version, set, source: from === undefined ? 'folder' : resolve(from) })
    }
    this.shadow = new Shadow(candidates, settings)
  }

  /** What loading a candidate's folder shares with this store's own loads. */
  private loadOptions(): LoadOptions {
    const { limits, followSymlinks } = this.options
    return { ...(limits ? { limits } : {}), ...(followSymlinks === undefined ? {} : { followSymlinks }) }
  }

  /**
   * What the decision log needs of the policy version behind a decision of the set served now
   * (PolicySet.auditContext).
   */
  auditContext(decision: Decision): DecisionSource | undefined {
    return this.served ? this.contextOf(this.served.set, decision, this.served.release) : undefined
  }

  private contextOf(set: PolicySet, decision: Decision, release: number | undefined): DecisionSource | undefined {
    const source = set.auditContext(decision)
    if (!source) return undefined
    const { reads, mask } = source
    return { reads, ...(mask ? { mask } : {}), ...(release === undefined ? {} : { release }) }
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
    const run = this.refresh().finally(() => {
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
    if (this.recheckTimer) clearInterval(this.recheckTimer)
    this.recheckTimer = undefined
    this.unwatch()
    this.checker?.close()
    this.checker = undefined
  }

  /**
   * Starts the file watcher (recursive where the platform supports it) on the folder `dir` resolves
   * to, and a timer that checks every `recheckMs` that this is still the folder `dir` names: a
   * watcher on a deleted folder hears nothing more, and one on the target of a swapped symbolic link
   * watches the old version. Either is noticed, watched anew and reloaded. Throws when the folder
   * cannot be watched now.
   */
  startWatching(): void {
    if (this.watcher || this.closed) return
    this.wantWatch = true
    this.watchNow()
    this.recheckTimer ??= setInterval(() => this.recheck(), this.recheckMs)
    this.recheckTimer.unref()
  }

  /** The folder `dir` resolves to now and an identity that a folder created anew under that name does not share. */
  private resolveDir(): { target: string; identity: string } {
    const target = realpathSync(this.dir)
    const info = statSync(target, { bigint: true })
    return { target, identity: `${info.dev}:${info.ino}:${info.birthtimeNs}` }
  }

  private watchNow(): void {
    const onEvent = (event: string, name: string | Buffer | null) => {
      if (mayMatter(name)) this.schedule()
      // the folder itself deleted or moved shows as a rename: tell it now, not at the next recheck
      if (event === 'rename') this.recheck()
    }
    const persistent = this.options.persistent ?? false
    const at = this.resolveDir()
    let watcher: FSWatcher
    try {
      watcher = watch(at.target, { recursive: true, persistent }, onEvent)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ERR_FEATURE_UNAVAILABLE_ON_PLATFORM') throw err
      watcher = watch(at.target, { persistent }, onEvent)
    }
    watcher.on('error', (err: NodeJS.ErrnoException) => {
      // keep serving and say why nothing reloads for now; recheck() watches again once it can
      this.lostWatch(`stopped watching ${this.dir}: ${err.code ?? err.message}`)
    })
    this.watcher = watcher
    this.watched = at
    this.watchTrouble = undefined
  }

  private unwatch(): void {
    this.watcher?.close()
    this.watcher = undefined
    this.watched = undefined
  }

  private lostWatch(why: string): void {
    if (!this.watcher) return
    this.unwatch()
    this.watchTrouble = `${why}; checking every ${this.recheckMs} ms to watch it again`
    this.report([problem(this.dir, 'E_IO', this.watchTrouble)])
  }

  /** Watches again when `dir` no longer leads to the folder watched (deleted, created anew, link swapped). */
  private recheck(): void {
    if (this.closed || !this.wantWatch) return
    let now: { target: string; identity: string }
    try {
      now = this.resolveDir()
    } catch (err) {
      this.lostWatch(`${this.dir} is gone (${(err as NodeJS.ErrnoException).code ?? String(err)})`)
      return
    }
    if (this.watcher && this.watched?.target === now.target && this.watched.identity === now.identity) return
    this.unwatch()
    try {
      this.watchNow()
    } catch (err) {
      this.watchTrouble =
        `cannot watch ${this.dir}: ${(err as NodeJS.ErrnoException).code ?? String(err)}; ` +
        `checking every ${this.recheckMs} ms`
      return
    }
    // a new folder (or link target): whatever it holds now is what to serve
    this.schedule()
  }

  private schedule(): void {
    if (this.closed) return
    const now = Date.now()
    this.restlessSince ??= now
    // a folder that never falls quiet would postpone the reload for ever: past half the bound, let it run
    if (this.timer && this.timerSince !== undefined && now - this.timerSince >= this.settleTimeoutMs / 2) return
    if (this.timer) clearTimeout(this.timer)
    this.timerSince ??= now
    this.timer = setTimeout(() => {
      this.timer = undefined
      this.timerSince = undefined
      void this.reload()
    }, this.options.debounceMs ?? 100)
    this.timer.unref()
  }

  private async refresh(): Promise<ReloadResult> {
    const at = () => new Date().toISOString()
    let problems: PolicyProblem[]
    let policies: Policy[] | undefined
    let subjects: SubjectDefinition[] = []
    let lock: StoreCheck['lock']
    const lockFile = typeof this.options.lock === 'string' ? [resolve(this.options.lock)] : []
    const began = Date.now()
    // read the folder, wait the quiet period, load it, read it again: a folder being written is not served
    const before = await snapshotFolder(this.dir, lockFile)
    await new Promise((r) => setTimeout(r, this.quietMs))
    try {
      const checked = await this.check()
      // capped here too: problems cross from a worker, and every status() and event carries them
      problems = capProblems(checked.problems)
      if (problems.length === 0 && checked.files.length === 0) {
        // an emptied folder is far more likely a botched deploy than a wish to serve nothing
        problems = [problem(this.dir, 'E_IO', `no policy files in ${this.dir}; keeping the policies already served`)]
      }
      if (problems.length === 0) problems = this.lockGoesBack(checked.lock)
      if (problems.length === 0) {
        policies = checked.policies
        subjects = checked.subjects
        lock = checked.lock
      }
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err)
      problems = [problem(this.dir, 'E_IO', `cannot load ${this.dir}: ${message}`)]
    }
    if (before !== (await snapshotFolder(this.dir, lockFile))) {
      this.last = { status: 'unsettled', at: at(), problems: [] }
      this.restlessSince ??= began
      this.schedule()
      return { status: 'unsettled', generation: this.generation }
    }
    this.lastFinished = policies ? [] : problems
    // read at rest: changes seen before this load began are judged; a later one keeps its own time
    if (this.restlessSince !== undefined && this.restlessSince <= began) this.restlessSince = undefined
    if (!policies) {
      this.last = { status: 'rejected', at: at(), problems }
      this.report(problems)
      return { status: 'rejected', generation: this.generation, problems }
    }
    this.remember(lock)
    // compared before compiling: a save that changes nothing costs no compilation
    const release = lock?.found ? lock.release : undefined
    const fingerprint = fingerprintOf(policies, subjects)
    if (this.served && this.served.fingerprint === fingerprint) {
      this.served.release = release
      this.last = { status: 'unchanged', at: at(), problems: [] }
      return { status: 'unchanged', generation: this.served.generation }
    }
    const set = new PolicySet(policies, { subjects, ...(release === undefined ? {} : { release }) })
    const previous = this.serving()
    // the swap: one assignment, so a decision sees either the old set or the new one, never a mix
    this.served = { set, generation: this.generation + 1, loadedAt: at(), fingerprint, release }
    this.last = { status: 'swapped', at: this.served.loadedAt, problems: [] }
    const event: ReloadEvent = {
      generation: this.served.generation,
      at: this.served.loadedAt,
      serving: set.list(),
      previous,
    }
    this.emit('reload', event)
    return { status: 'swapped', generation: event.generation, serving: event.serving }
  }

  /**
   * Once locked, always locked: after serving a folder with a lock, a folder with none (or one that
   * releases nothing) is refused, and so is a lock whose release is lower, or equal with other entries.
   */
  private lockGoesBack(lock: StoreCheck['lock']): PolicyProblem[] {
    const seen = this.lockSeen
    if (!seen || this.options.lock === false) return []
    const shown = lock?.file ?? 'policies.lock.json'
    if (!lock?.found || Object.keys(lock.entries).length === 0)
      return [
        problem(
          shown,
          'E_LOCK_REQUIRED',
          `the folder has no lock that releases anything, but this store served release ${seen.release} of it; ` +
            `keeping the policies already served`,
        ),
      ]
    if (lock.release < seen.release)
      return [
        problem(
          shown,
          'E_LOCK_ROLLBACK',
          `the lock is release ${lock.release}, older than release ${seen.release} already served; keeping the ` +
            `policies already served`,
        ),
      ]
    if (lock.release === seen.release && canonicalJson(lock.entries) !== seen.entries)
      return [
        problem(
          shown,
          'E_LOCK_ROLLBACK',
          `the lock's entries changed but its release is still ${lock.release}; a new release raises it (collabgate ` +
            `lock)`,
        ),
      ]
    return []
  }

  /** The lock of a folder that passed: what later loads may not go back from. */
  private remember(lock: StoreCheck['lock']): void {
    if (!lock?.found || Object.keys(lock.entries).length === 0) return
    if (this.lockSeen && lock.release < this.lockSeen.release) return
    this.lockSeen = { release: lock.release, entries: canonicalJson(lock.entries) }
  }

  /** The folder loaded and checked: in a worker thread with a time budget, unless a worker cannot do it. */
  private async check(): Promise<StoreCheck> {
    const file = this.options.worker === false || this.options.displayName ? undefined : storeWorkerFile()
    // a displayName function cannot cross to a worker; it names files below the folder as given
    if (!file) return checkHere(this.dir, this.options)
    // the worker reads the folder the links lead to now, so one load never mixes two versions of a swapped link
    const target = await realpath(this.dir).catch(() => this.dir)
    const { limits, lock, followSymlinks, requireLock, trust, minRelease } = this.options
    const options = {
      lock: typeof lock === 'string' ? resolve(lock) : lock,
      ...(limits ? { limits: { ...limits } } : {}),
      followSymlinks,
      requireLock,
      ...(trust === undefined ? {} : { trust: resolve(trust) }),
      ...(minRelease === undefined ? {} : { minRelease }),
    }
    // reload() after close() still works: it starts a thread again
    this.checker ??= new CheckWorker(file)
    const checked = await this.checker.check(target, options, this.options.parseBudgetMs ?? DEFAULT_PARSE_BUDGET_MS)
    if (this.closed) {
      this.checker?.close()
      this.checker = undefined
    }
    return checked
  }

  private report(problems: PolicyProblem[]): void {
    this.emit('problems', { generation: this.generation, at: new Date().toISOString(), problems })
  }

  private emit(event: 'reload', e: ReloadEvent): void
  private emit(event: 'problems', e: ProblemsEvent): void
  private emit(event: 'reload' | 'problems', e: ReloadEvent | ProblemsEvent): void {
    const callback = event === 'reload' ? this.options.onReload : this.options.onProblems
    const listeners = [...(callback ? [callback] : []), ...this.listeners[event]] as ((
      e: ReloadEvent | ProblemsEvent,
    ) => void)[]
    for (const listener of listeners) {
      try {
        listener(e)
      } catch (err) {
        // a faulty listener must not stop reloads or other listeners
        process.emitWarning(
          `collabgate store '${event}' listener threw: ${err instanceof Error ? err.message : String(err)}`,
          {
            code: 'COLLABGATE_STORE',
          },
        )
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
    if (ownOptions(options).watch !== false) store.startWatching()
  } catch (err) {
    watchError = err
  }
  let first = await store.reload()
  // a folder being written at start: wait for it to come to rest (each try waits a quiet period)
  for (let tries = 0; first.status === 'unsettled' && tries < 50; tries++) first = await store.reload()
  if (first.status === 'unsettled') {
    store.close()
    throw new CollabgateError('E_IO', `${store.dir} kept changing while it was read; start again once it is at rest`)
  }
  if (first.status === 'rejected') {
    store.close()
    throw new PolicyValidationError(first.problems)
  }
  if (watchError !== undefined) {
    store.close()
    const reason = (watchError as NodeJS.ErrnoException).code ?? String(watchError)
    throw new CollabgateError('E_IO', `cannot watch ${store.dir}: ${reason}; pass watch: false to reload by hand`, {
      cause: watchError,
    })
  }
  try {
    await shadowStarters.get(store)!()
  } catch (err) {
    store.close()
    throw err
  }
  return store
}
