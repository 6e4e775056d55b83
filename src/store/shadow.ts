/**
 * Shadow runs: a store decides a sample of its live records again with candidate policy versions (one
 * not yet in effect in the served folder, or an unreleased one from another folder), after the served
 * decision is answered, and counts how the outcomes would move. The work waits in a bounded queue and
 * runs on later turns of the event loop, at most `budgetMs` per turn; a full queue drops and counts.
 * Nothing a candidate decides, throws or takes reaches an answer.
 */
import { performance } from 'node:perf_hooks'
import { writeToSink, type DecisionSink } from '../audit/audit.js'
import { CollabgateError } from '../errors.js'
import { ownOptions } from '../own.js'
import type { Decision } from '../model.js'
import type { PolicySet } from '../decide/policy-set.js'
import type { ShadowCandidateReport, ShadowReport, ShadowRuleShift, ShadowTransition } from '../report/shadow.js'

export type { ShadowCandidateReport, ShadowReport, ShadowRuleShift, ShadowTransition } from '../report/shadow.js'

/** A candidate version to shadow. */
export interface ShadowCandidate {
  /** The policy id. */
  policy: string
  /** The candidate version: in the store's folder (not yet in effect), or in `from`. */
  version: string
  /**
   * A folder holding an unreleased candidate (a copy of the policy folder with the new version), loaded
   * and validated as `loadPolicies` does, without a lock. It only ever shadows: it never answers.
   */
  from?: string
}

/** The store's `shadow` option. */
export interface ShadowOptions {
  candidates: readonly ShadowCandidate[]
  /** Share of decisions shadowed, 0 to 1 (default 1): every 1/rate-th decision, counted, not drawn at random. */
  sampleRate?: number
  /** Decisions waiting to be shadowed at most (default 1000); beyond, a decision is dropped and counted. */
  queueSize?: number
  /** Shadow work per turn of the event loop, in ms (default 5); the rest waits for the next turn. */
  budgetMs?: number
}

/** A candidate resolved: where its version is found when a shadow decision is made. */
export interface ResolvedCandidate {
  policy: string
  version: string
  /** The set holding an unreleased candidate; undefined: the set that served the decision. */
  set: PolicySet | undefined
  source: string
}

/** What the shadow needs of one answered decision. */
export interface ShadowTask {
  id: string
  record: unknown
  served: Decision
  /** The set that served it (a folder candidate is taken from it). */
  set: PolicySet
  sink: DecisionSink | undefined
}

const SAMPLES = 5
const add = (list: string[], id: string) => list.length < SAMPLES && list.push(id)

/** The shadow option checked: E_INVALID_ARGUMENT for a value it cannot use. */
export function shadowSettings(given: ShadowOptions): Required<Omit<ShadowOptions, 'candidates'>> {
  const bad = (what: string) => new CollabgateError('E_INVALID_ARGUMENT', `shadow: ${what}`)
  if (!given || typeof given !== 'object' || !Array.isArray(given.candidates) || given.candidates.length === 0)
    throw bad('candidates must be a non-empty list of { policy, version, from? }')
  for (const c of given.candidates as unknown[]) {
    const o = c as Record<string, unknown> | null
    const named = o !== null && typeof o.policy === 'string' && typeof o.version === 'string'
    if (!named || !['undefined', 'string'].includes(typeof o.from))
      throw bad('each candidate is { policy: string, version: string, from?: string }')
  }
  // own properties only: a polluted Object.prototype must not set the rate or the bounds
  const { sampleRate = 1, queueSize = 1000, budgetMs = 5 } = ownOptions(given)
  const rateOk = typeof sampleRate === 'number' && sampleRate >= 0 && sampleRate <= 1
  if (!rateOk) throw bad('sampleRate must be from 0 to 1')
  const sizeOk = Number.isInteger(queueSize) && queueSize >= 1 && queueSize <= 1_000_000
  if (!sizeOk) throw bad('queueSize must be an integer from 1 to 1000000')
  const budgetOk = typeof budgetMs === 'number' && budgetMs > 0 && budgetMs <= 1000
  if (!budgetOk) throw bad('budgetMs must be above 0 and at most 1000')
  return { sampleRate, queueSize, budgetMs }
}

interface Tally {
  report: ShadowCandidateReport
  cells: Map<string, ShadowTransition>
  shifts: Map<string, ShadowRuleShift>
}

/** The queue, the runner and the counts. */
export class Shadow {
  private readonly queue: ShadowTask[] = []
  private scheduled = false
  private credit = 0
  private readonly counts = { seen: 0, sampled: 0, dropped: 0, uncopyable: 0 }
  private readonly tallies = new Map<string, Tally>()

  constructor(
    private readonly candidates: readonly ResolvedCandidate[],
    private readonly settings: Required<Omit<ShadowOptions, 'candidates'>>,
  ) {}

  /** Counts an answered decision and says whether it is one to shadow (the sample rate, taken in turn). */
  sample(): boolean {
    this.counts.seen++
    this.credit += this.settings.sampleRate
    if (this.credit < 1) return false
    this.credit -= 1
    this.counts.sampled++
    return true
  }

  /** Puts a sampled decision in the queue, or drops and counts it when the queue is full. Never throws. */
  offer(task: Omit<ShadowTask, 'record'>, record: unknown): void {
    const { id, version } = task.served.policy
    // nothing to compare (another policy, or a candidate that is itself in effect): counted, never copied or queued
    if (!this.candidates.some((c) => c.policy === id && c.version !== version)) {
      for (const candidate of this.candidates) this.tally(candidate, task.set).report.skipped++
      return
    }
    if (this.queue.length >= this.settings.queueSize) {
      this.counts.dropped++
      return
    }
    let copy: unknown
    try {
      // the caller may change its object after the answer: the shadow decides what was decided
      copy = structuredClone(record)
    } catch {
      this.counts.uncopyable++
      return
    }
    this.queue.push({ ...task, record: copy })
    if (!this.scheduled) {
      this.scheduled = true
      // a later turn of the event loop: the answer is on its way before any shadow work starts
      setImmediate(() => this.drain())
    }
  }

  private drain(): void {
    this.scheduled = false
    const began = performance.now()
    // at least one decision a turn: a budget smaller than the clock's tick must still make progress
    do {
      const task = this.queue.shift()
      if (task) this.run(task)
    } while (this.queue.length > 0 && performance.now() - began < this.settings.budgetMs)
    if (this.queue.length > 0) {
      this.scheduled = true
      setImmediate(() => this.drain())
    }
  }

  private run(task: ShadowTask): void {
    for (const candidate of this.candidates) {
      const set = candidate.set ?? task.set
      try {
        this.runOne(candidate, set, task)
      } catch (err) {
        // whatever a candidate throws on a record is counted here: it runs outside any request, nothing else catches it
        const code = err instanceof CollabgateError ? err.code : 'E_INTERNAL'
        const errors = this.tally(candidate, set).report.errors
        errors[code] = (errors[code] ?? 0) + 1
      }
    }
  }

  private runOne(candidate: ResolvedCandidate, set: PolicySet, task: ShadowTask): void {
    if (task.served.policy.id !== candidate.policy || task.served.policy.version === candidate.version) {
      this.tally(candidate, set).report.skipped++
      return
    }
    const began = performance.now()
    const { policy, version } = candidate
    const decision = set.decideSync(task.record, { policy, version, asOf: task.served.asOf })
    const tally = this.tally(candidate, set, decision.policy.digest)
    if (performance.now() - began > this.settings.budgetMs) tally.report.overBudget++
    this.count(tally, task, decision)
    if (!task.sink) return
    const { served } = task
    const rules = served.reasons.map((r) => r.rule)
    const { version: servedVersion, digest } = served.policy
    const shadowOf = { id: task.id, version: servedVersion, digest, outcome: served.outcome, rules }
    writeToSink(task.sink, decision, task.record, { ...set.auditContext(decision), shadowOf })
  }

  private count(tally: Tally, task: ShadowTask, decision: Decision): void {
    tally.report.compared++
    const from = task.served.outcome
    const to = decision.outcome
    const key = JSON.stringify([from, to])
    let cell = tally.cells.get(key)
    if (!cell) tally.cells.set(key, (cell = { from, to, count: 0, samples: [] }))
    cell.count++
    add(cell.samples, task.id)
    const before = new Set(task.served.reasons.map((r) => r.rule))
    const after = new Set(decision.reasons.map((r) => r.rule))
    const shift = (rule: string) => {
      let s = tally.shifts.get(rule)
      if (!s) tally.shifts.set(rule, (s = { rule, started: 0, stopped: 0, startedSamples: [], stoppedSamples: [] }))
      return s
    }
    for (const rule of after)
      if (!before.has(rule)) {
        const s = shift(rule)
        s.started++
        add(s.startedSamples, task.id)
      }
    for (const rule of before)
      if (!after.has(rule)) {
        const s = shift(rule)
        s.stopped++
        add(s.stoppedSamples, task.id)
      }
  }

  /** The tally of a candidate as it stands in `set` (its digest there), made on first use. */
  private tally(candidate: ResolvedCandidate, set: PolicySet, digest?: string): Tally {
    const inSet = () => set.policies.find((p) => p.id === candidate.policy && p.version === candidate.version)
    const found = digest ?? inSet()?.digest ?? ''
    const key = `${candidate.source}\n${candidate.policy}@${candidate.version}@${found}`
    let tally = this.tallies.get(key)
    if (!tally) {
      const { policy, version, source } = candidate
      const report: ShadowCandidateReport = {
        ...{ policy, version, digest: found, source, compared: 0, skipped: 0, errors: {}, overBudget: 0 },
        ...{ transitions: [], rules: [] },
      }
      tally = { report, cells: new Map(), shifts: new Map() }
      this.tallies.set(key, tally)
    }
    return tally
  }

  report(): ShadowReport {
    const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)
    const candidates = [...this.tallies.values()].map(({ report, cells, shifts }) => ({
      ...report,
      errors: { ...report.errors },
      transitions: [...cells.values()]
        .map((c) => ({ ...c, samples: [...c.samples] }))
        .sort((a, b) => byText(a.from, b.from) || byText(a.to, b.to)),
      rules: [...shifts.values()]
        .map((s) => ({ ...s, startedSamples: [...s.startedSamples], stoppedSamples: [...s.stoppedSamples] }))
        .sort((a, b) => byText(a.rule, b.rule)),
    }))
    candidates.sort((a, b) => byText(a.policy, b.policy) || byText(a.version, b.version) || byText(a.digest, b.digest))
    return { ...this.settings, ...this.counts, queued: this.queue.length, candidates }
  }
}
