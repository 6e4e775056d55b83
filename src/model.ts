/**
 * The domain model: what a policy is once loaded, and what a decision says.
 * These exported types are the library's documentation.
 */

/** Which kind of record a policy judges. */
export type Subject = 'application' | 'behaviour'

/** Where something lives in a policy file: 1-based line and column. */
export interface SourceLocation {
  file: string
  line: number
  column: number
}

/** Whether a rule is stated by the source text or is our modelled reading of it. */
export interface RuleBasis {
  status: 'confirmed' | 'modelled'
  from: string
}

/** A reference to a date: a fact of the record (or `asOf`), or a field of the list element being matched. */
export type DateOperand =
  | string
  | { fact: string; path?: string }
  | { path: string }
  | { addWorkingDays: number; to: DateOperand }

/** A leaf comparison. At the top of a rule `fact` is required; inside `someMatch`/`noneMatch`, `path` alone is relative to the list element. */
export interface LeafCondition {
  fact?: string
  path?: string
  operator: string
  value?: unknown
}

export type Condition =
  | { all: Condition[] }
  | { any: Condition[] }
  | { not: Condition }
  | LeafCondition

/** One requirement of a rule, with the outcome it causes when the record does not meet it. */
export interface Check {
  outcome: string
  require: Condition
  message: string
  /** JSON pointer of this check inside the policy document. */
  pointer: string
  location: SourceLocation
}

export interface Rule {
  id: string
  title: string
  basis: RuleBasis
  checks: Check[]
  location: SourceLocation
}

export interface EffectiveWindow {
  /** First day in effect, inclusive (YYYY-MM-DD). */
  from: string
  /** First day no longer in effect, exclusive (YYYY-MM-DD). */
  until?: string
}

export interface ReviewSpec {
  /** Working days after submission within which a review result is due. */
  workingDays: number
}

/** One version of one policy, validated and ready to compile. */
export interface Policy {
  id: string
  version: string
  title: string
  description?: string
  subject: Subject
  /** Outcomes, most severe first. */
  outcomes: string[]
  /** The outcome when no rule objects. */
  defaultOutcome: string
  /** Whether this policy is the one picked for its subject when the caller names none. */
  primary: boolean
  effective: EffectiveWindow
  review?: ReviewSpec
  rules: Rule[]
  /** `sha256:` + hex digest of the canonical JSON of the policy document. */
  digest: string
  location: SourceLocation
  /** The parsed document as written (after YAML parsing). */
  document: Record<string, unknown>
}

export interface PolicyRef {
  id: string
  version: string
  digest: string
}

/** One comparison that did not hold, with what the rule expected and what the record held. */
export interface Evidence {
  fact: string
  path: string
  operator: string
  expected?: unknown
  actual?: unknown
  /** True when the record does not have the value at all. */
  missing?: true
  /** True when the comparison held but sits under a `not`. */
  negated?: true
}

export interface Reason {
  rule: string
  title: string
  outcome: string
  message: string
  evidence: Evidence[]
  source: SourceLocation
  basis: RuleBasis
}

export interface ReviewStatus {
  submittedAt: string
  dueBy: string
  overdue: boolean
}

export interface Decision {
  policy: PolicyRef
  subject: { kind: Subject; id: string }
  outcome: string
  reasons: Reason[]
  asOf: string
  review?: ReviewStatus
}

/** A JSON-like record (application or behaviour). */
export type PolicyRecord = Record<string, unknown>
