/**
 * The domain model: what a policy is once loaded, and what a decision says.
 * These exported types are the library's documentation.
 */

/** Which kind of record a policy judges: a subject the policy folder declares (e.g. `application`). */
export type Subject = string

/** A JSON Schema document (draft 2020-12). */
export type JsonSchema = Record<string, unknown>

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
  string | { fact: string; path?: string } | { path: string } | { addWorkingDays: number; to: DateOperand }

/**
 * A leaf comparison. At the top of a rule `fact` is required; inside `someMatch`/`noneMatch`, `path` alone is
 * relative to the list element.
 */
export interface LeafCondition {
  fact?: string
  path?: string
  operator: string
  value?: unknown
}

export type Condition = { all: Condition[] } | { any: Condition[] } | { not: Condition } | LeafCondition

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
  /** What hints of this rule may propose (`hints:` on the rule), over the policy's own; absent: the policy's. */
  hints?: HintSettings
}

/** What hints may propose: `fixed` fields are never to be changed; `disclose: false` names no allowed value. */
export interface HintSettings {
  /** Fields (`history`, `applicant.registration`) that cannot change: past violations, history. */
  fixed?: string[]
  /** False: hints only say which details to add or remove, never a threshold or an allowed value. */
  disclose?: boolean
}

export interface EffectiveWindow {
  /** First day in effect, inclusive (YYYY-MM-DD). */
  from: string
  /** First day no longer in effect, exclusive (YYYY-MM-DD). */
  until?: string
}

/** The review clock: a result is due `workingDays` working days (of the policy's calendar) after `from`. */
export interface ReviewSpec {
  /** Working days after the `from` date within which a review result is due. */
  workingDays: number
  /** The date the clock counts from: a record field (e.g. `{ fact: submittedAt }`). */
  from: { fact: string; path?: string }
  /** The condition that means the review is decided (a result is recorded). */
  decided: Condition
}

/** One version of a subject's record schema, as the folder declares it. */
export interface RecordSchema {
  subject: Subject
  version: string
  /** `sha256:` + hex digest of the canonical JSON of the schema. */
  digest: string
  schema: JsonSchema
  location: SourceLocation
}

/** How the decision log masks one value of a record: removed, replaced by `[redacted]`, or by a keyed hash. */
export interface MaskRule {
  /** A JSON pointer into the record (e.g. /applicant/contactEmail). */
  pointer: string
  action: MaskAction
}

export type MaskAction = 'remove' | 'redact' | 'hash'

/** A record kind, as the policy folder declares it (`collabgate.yaml`). */
export interface SubjectDefinition {
  name: Subject
  /** The record field that names a record in decisions (e.g. applicationId). */
  idField: string
  /** The condition a record meets when it is of this kind (used when the caller names no policy). */
  recognise: Condition
  /** Record schema versions, oldest first. */
  schemas: RecordSchema[]
  /** Defaults of the review clock for policies of this subject that declare `review`. */
  review?: { from?: { fact: string; path?: string }; decided?: Condition }
  /** What the decision log masks in the facts and evidence of this kind's records (`audit.mask`). */
  audit?: { mask: MaskRule[] }
  location: SourceLocation
}

/** What a policy knows of the records it judges: plain data, so a policy can cross to a worker thread. */
export interface RecordKind {
  subject: Subject
  idField: string
  recognise: Condition
  schema: RecordSchema
  /** The decision log's masking of this kind's records, as the folder declares it (absent: none). */
  mask?: MaskRule[]
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
  /** Which records a primary policy claims among its subject's (markets by data); absent: the fallback. */
  appliesTo?: Condition
  /** The working-day calendar of `addWorkingDays` and the review clock (default `US`). */
  calendar: string
  /** The record kind and the schema version that validates its records. */
  record: RecordKind
  rules: Rule[]
  /** What hints of every rule may propose (`hints:` at the top of the policy). */
  hints?: HintSettings
  /** Facts computed from the record before the rules read them, in dependency order (absent: none). */
  derived?: DerivedFact[]
  /** `sha256:` + hex digest of the canonical JSON of the policy document. */
  digest: string
  location: SourceLocation
  /** The parsed document as written (after YAML parsing). */
  document: Record<string, unknown>
}

/** A number operand of a derived fact: a literal, a record fact (or another derived fact) with a path. */
export type DerivedOperand =
  | number
  | {
      fact: string
      path?: string
      /** Inside sum/min/max: the list's elements are the operands, each read at this path (`$` the element). */
      each?: string
      /** The value used when the fact is missing (else the derived fact is missing too). */
      default?: number
    }

/** The computations a derived fact can make: a closed set, each over operands or one list. */
export type DerivedOperation = 'count' | ArithmeticOperation | 'workingDays' | 'days'

/** The computations over numbers. */
export type ArithmeticOperation = 'sum' | 'min' | 'max' | 'ratio' | 'add' | 'subtract' | 'multiply' | 'divide' | 'round'

/** One fact a policy computes from the record (`derived:`), read by conditions like a record fact. */
export interface DerivedFact {
  name: string
  operation: DerivedOperation
  /** The operands, in order (count: the list; round: one; workingDays/days: from and to dates). */
  operands: DerivedOperand[]
  /** count only: the condition an element meets to be counted (absent: every element). */
  where?: Condition
  /** Decimal places of a division or of round (half away from zero); see DERIVED_PLACES for the default. */
  places?: number
  /** JSON pointer of its declaration in the policy document. */
  pointer: string
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
  /** For a derived fact: how it was computed (`sum(a 30, b 30) = 60`). */
  computed?: string
}

export interface Reason {
  rule: string
  title: string
  outcome: string
  message: string
  evidence: Evidence[]
  source: SourceLocation
  basis: RuleBasis
  /** With the `hints` option: the smallest changes that, together, make this rule pass (checked by deciding again). */
  hint?: Hint
}

/** What a field must become, in words: a threshold, a date bound, an allowed value, or to be added or removed. */
export type HintWant =
  | 'at least'
  | 'more than'
  | 'at most'
  | 'less than'
  | 'equal to'
  | 'other than'
  | 'one of'
  | 'none of'
  | 'present'
  | 'absent'
  | 'on or before'
  | 'before'
  | 'on or after'
  | 'after'
  | 'containing one of'
  | 'without items'
  | 'without elements'

/** One change of a hint: the field, what it must become and, except for `present`/`absent`, the value it is told. */
export interface HintChange {
  fact: string
  path: string
  want: HintWant
  /** The threshold, date, value or list the field is told (for `without …`: the items or element ids to remove). */
  value?: unknown
  /** What the record holds there now. */
  actual?: unknown
  /** True when the record has no value there. */
  missing?: true
}

/** The changes that, made together, make a failing rule pass. */
export interface Hint {
  changes: HintChange[]
}

export interface ReviewStatus {
  /** The date the review clock counts from (the review's `from` field). */
  submittedAt: string
  dueBy: string
  overdue: boolean
}

/** One condition of an explain trace: a group with its members, or a comparison with what the record held. */
export type ExplainedCondition =
  | { group: 'all' | 'any' | 'not'; passed: boolean; conditions: ExplainedCondition[] }
  | {
      fact: string
      path: string
      operator: string
      passed: boolean
      /** What the rule compared with, resolved (a working-day date computed). */
      expected?: unknown
      /** What the record held (for someMatch/noneMatch: the matching elements' ids). */
      actual?: unknown
      missing?: true
    }

/** Every check of one rule, passed or not, with each condition's values (OPA's --explain). */
export interface RuleExplanation {
  rule: string
  title: string
  passed: boolean
  checks: { outcome: string; passed: boolean; condition: ExplainedCondition }[]
  source: SourceLocation
}

export interface Decision {
  policy: PolicyRef
  /** The record judged: its kind, its id field's value and the schema version that validated it. */
  subject: { kind: Subject; id: string; schema: { version: string; digest: string } }
  outcome: string
  reasons: Reason[]
  asOf: string
  review?: ReviewStatus
  /** With the `explain` option: every rule, passed or objecting, with each condition's actual value. */
  explanation?: RuleExplanation[]
}

/** A JSON-like record (application or behaviour). */
export type PolicyRecord = Record<string, unknown>
