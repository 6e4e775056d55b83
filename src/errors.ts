/**
 * Typed errors. Every error the library throws on purpose is a CollabgateError with a stable `code`;
 * callers switch on `code`, never on the message.
 */

export type ErrorCode =
  | 'E_IO'
  | 'E_INVALID_ARGUMENT'
  | 'E_INVALID_DATE'
  | 'E_POLICY_INVALID'
  | 'E_RECORD_INVALID'
  | 'E_POLICY_NOT_FOUND'
  | 'E_NO_VERSION_IN_EFFECT'
  | 'E_POLICY_AMBIGUOUS'
  | 'E_SUBJECT_UNKNOWN'
  | 'E_LOCK_INVALID'
  | 'E_RECORD_TOO_LARGE'
  | 'E_SUBJECT_AMBIGUOUS'
  | 'E_NO_POLICY_APPLIES'
  | 'E_DIGEST_MISMATCH'
  | 'E_UNKNOWN_CALENDAR'

export class CollabgateError extends Error {
  readonly code: ErrorCode
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = new.target.name
    this.code = code
  }
}

/** Codes of the problems a policy file can have; stable, documented in the README. */
export type ProblemCode =
  | 'E_IO'
  | 'E_YAML_SYNTAX'
  | 'E_YAML_LIMIT'
  | 'E_SCHEMA'
  | 'E_DUPLICATE_RULE'
  | 'E_DUPLICATE_VERSION'
  | 'E_OVERLAPPING_WINDOWS'
  | 'E_UNKNOWN_OPERATOR'
  | 'E_UNKNOWN_OUTCOME'
  | 'E_UNKNOWN_FACT'
  | 'E_UNKNOWN_PATH'
  | 'E_BAD_VALUE'
  | 'E_INVALID_DATE'
  | 'E_INVALID_VERSION'
  | 'E_EMPTY_GROUP'
  | 'E_TEMPLATE'
  | 'E_LOCK_MISMATCH'
  | 'E_LOCK_INVALID'
  | 'E_LOCK_MISSING'
  | 'E_UNLOCKED_IN_EFFECT'
  | 'E_UNKNOWN_SUBJECT'
  | 'E_UNKNOWN_RECORD_SCHEMA'
  | 'E_RECORD_SCHEMA'
  | 'E_SUBJECT_OVERLAP'
  | 'E_AMBIGUOUS_PRIMARY'
  | 'E_UNKNOWN_CALENDAR'

/** One problem in one policy file, pointing at the place an author must change. */
export interface PolicyProblem {
  code: ProblemCode
  message: string
  file: string
  line: number
  column: number
  /** JSON pointer inside the document ('' for the whole document). */
  pointer: string
}

/** A finding that does not fail a load (cedar's and yaml's warnings): a version not released yet, no lock. */
export interface PolicyWarning {
  code: 'W_UNLOCKED' | 'W_NO_LOCK'
  message: string
  /** Absent when the warning is about a file that does not exist (no lock file). */
  file?: string
  line?: number
  column?: number
}

/** A policy file or folder that cannot be used; `problems` lists every problem found, not just the first. */
export class PolicyValidationError extends CollabgateError {
  readonly problems: readonly PolicyProblem[]
  constructor(problems: readonly PolicyProblem[]) {
    const first = problems[0]
    const head = first ? `${first.file}:${first.line}:${first.column} ${first.code} ${first.message}` : 'no details'
    super('E_POLICY_INVALID', `${problems.length} problem(s) in policies; first: ${head}`)
    this.problems = problems
  }
}

/** One way a record fails its schema. */
export interface RecordProblem {
  /** JSON pointer of the offending value ('' for the record itself). */
  pointer: string
  message: string
}

/** A record that fails its subject's schema; `problems` lists all of them. */
export class RecordValidationError extends CollabgateError {
  readonly problems: readonly RecordProblem[]
  readonly subject: string
  constructor(subject: string, problems: readonly RecordProblem[]) {
    super(
      'E_RECORD_INVALID',
      `${subject} record is invalid: ` + problems.map((p) => `${p.pointer || '/'} ${p.message}`).join('; '),
    )
    this.subject = subject
    this.problems = problems
  }
}

export function formatProblem(p: PolicyProblem): string {
  return `${p.file}:${p.line}:${p.column} ${p.code} ${p.message}`
}
