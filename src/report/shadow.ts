/**
 * The shape of a store's shadow report (PolicyStore.shadowReport(), src/store/shadow.ts): plain data, so
 * the pages that draw it (src/html) need nothing of the store.
 */

/** One cell of a candidate's transition matrix: served outcome → candidate outcome. */
export interface ShadowTransition {
  from: string
  to: string
  count: number
  /** The first decision ids of this cell (at most 5). */
  samples: string[]
}

/** A rule that objects under the candidate only (`started`) or under the served version only (`stopped`). */
export interface ShadowRuleShift {
  rule: string
  started: number
  stopped: number
  /** The first decision ids of each (at most 5 each). */
  startedSamples: string[]
  stoppedSamples: string[]
}

/** What one candidate (id, version and digest) would have decided on the shadowed traffic. */
export interface ShadowCandidateReport {
  policy: string
  version: string
  digest: string
  /** `folder`: a version of the served folder; otherwise the folder named by the candidate's `from`. */
  source: string
  /** Shadowed decisions compared with the served one. */
  compared: number
  /** Shadowed decisions of another policy, or served by this very version: nothing to compare. */
  skipped: number
  /** Shadow decisions that failed, by error code (a record the candidate's schema refuses is E_RECORD_INVALID). */
  errors: Record<string, number>
  /** Shadow decisions that alone took longer than `budgetMs`. */
  overBudget: number
  /** Sorted by served outcome, then candidate outcome. */
  transitions: ShadowTransition[]
  /** Sorted by rule id. */
  rules: ShadowRuleShift[]
}

/** `PolicyStore.shadowReport()`: the shadow runs since the store started. */
export interface ShadowReport {
  sampleRate: number
  queueSize: number
  budgetMs: number
  /** Decisions answered by the store. */
  seen: number
  /** Decisions chosen by the sample rate. */
  sampled: number
  /** Sampled decisions dropped because the queue was full. */
  dropped: number
  /** Sampled decisions whose record could not be copied for later (not plain data); never shadowed. */
  uncopyable: number
  /** Sampled decisions waiting in the queue now. */
  queued: number
  candidates: ShadowCandidateReport[]
}
