/**
 * Typed errors and problems, each code declared once here with what it means (the tables in docs/ are
 * checked against these declarations). Every error the library throws on purpose is a
 * CollabgateError with a stable `code`; callers switch on `code`, never on the message.
 */

/** Codes of the errors the library throws, with when. */
export const ERROR_CODES = {
  E_POLICY_INVALID:
    'policies failed to load (`PolicyValidationError`); `problems[]` lists every problem with ' +
    '`code`, `file`, `line`, `column`, `pointer`, `message`, `hint`',
  E_RECORD_INVALID:
    'the record fails its schema (`RecordValidationError`); `problems[]` lists every problem with its JSON pointer',
  E_POLICY_NOT_FOUND: 'no such policy id or version',
  E_NO_VERSION_IN_EFFECT: 'no version of the policy is in effect on `asOf`',
  E_POLICY_AMBIGUOUS:
    'no `policy` given and several primary policies claim the record (each named), or several are the fallback',
  E_NO_POLICY_APPLIES: "no `policy` given, every market's `appliesTo` declines the record and none is the fallback",
  E_SUBJECT_UNKNOWN: 'no `policy` given and no record kind the folder declares recognises the record',
  E_SUBJECT_AMBIGUOUS: 'no `policy` given and two record kinds recognise the record',
  E_DIGEST_MISMATCH: 'the caller named a `digest` and the policy that would decide has other content',
  E_UNKNOWN_CALENDAR: '`calendarNamed(name)` with a name that is neither `US` nor a country or region code',
  E_RECORD_TOO_LARGE:
    "the record is over a size limit: its bytes (`maxRecordBytes`, `parseRecordJson`'s `maxBytes`), its nesting " +
    'depth (`maxDepth`, 64) or its number of values (`maxValues`, 100,000)',
  E_RECORD_DUPLICATE_KEY:
    'JSON text of a record has one key twice in an object ' +
    '(`RecordValidationError`): JSON.parse would keep the last silently',
  E_RECORD_LOSSY_NUMBER:
    'JSON text of a record has a number a double cannot hold exactly (`RecordValidationError`), ' +
    'such as 49.99999999999999999, which would be read as 50',
  E_RECORD_NOT_UTF8:
    'JSON bytes of a record (a file, standard input, an NDJSON line, `parseRecordJson` bytes) are not valid UTF-8 ' +
    '(`RecordValidationError`); the problem names the byte offset and line',
  E_DECISION_FAILED:
    'deciding threw something other than a typed error, as a record that is not JSON data can make it (an ' +
    'accessor that throws, a cycle a message quotes); `cause` holds what was thrown',
  E_INVALID_ARGUMENT: 'an option has a wrong value (a bad `asOf`, evaluator, `--update` key, ...)',
  E_INVALID_DATE: 'a date the working-day calendar cannot represent',
  E_LOCK_INVALID: 'a lock file that is not JSON of `id@version` to digests',
  E_IO: 'a file or stream cannot be read or written',
  E_AUDIT_FAILED:
    "a durable audit log (`mode: 'durable'`) could not write and flush, or mask, the decision's entry, " +
    'so the decision is not answered; or a log was created on a file whose last line is torn or not JSON',
  E_TRUST_INVALID:
    'a trust file (`TRUST.json`) that is not JSON of the shape ' +
    'schemas/trust.schema.json gives; the message names the place',
  E_RELEASE_INVALID:
    'a signature file (`policies.lock.sig.json`) that is not a release envelope, or ' +
    'whose payload is not a canonical release statement',
  E_RELEASE_UNSIGNED: 'the release has no signature file',
  E_RELEASE_SIGNATURE:
    'a signature by a key the trust file does not list, in a role it does not give that key, ' +
    'or that does not verify (the message names the keyid)',
  E_RELEASE_UNAPPROVED:
    'no valid author signature, or fewer valid approvals than the trust file requires (the ' +
    'message says how many counted and why others did not)',
  E_RELEASE_MISMATCH: 'the signature file is for other lock content than the lock on disk',
  E_RELEASE_EXPIRED: "the release's signatures, or the trust file, have expired",
  E_RELEASE_ROLLBACK: 'the release is older than the last one the caller accepted (`minRelease`, `--min-release`)',
  E_LABELS_INVALID:
    "a backtest's labels file has a malformed line, a decision or subject labelled twice, or an " +
    'outcome the policy lacks (the message names the line)',
  E_LABELS_UNKNOWN:
    "a backtest's labels name decision or subject ids the input does not hold (the message names the first lines)",
  E_LOG_UNVERIFIED: 'the decision log a backtest replays fails its chain check (`collabgate audit verify` says more)',
  E_MERGE_INVALID: '`merge` got text that is not JSON, or not a shard output (no `kind` or `shard`); names file:line',
  E_MERGE_KIND: '`merge` got an output of a kind it does not merge, or shards of different kinds (batch and impact)',
  E_SHARD_MISSING: '`merge` did not get every shard 1..N of the run (the message lists the missing K/N)',
  E_SHARD_DUPLICATE: '`merge` got one shard twice, or two shards that answer the same input line (they overlap)',
  E_SHARD_MISMATCH: '`merge` got shards of different runs: another input, N, policy versions or settings (asOf)',
  E_SHARD_INCOMPLETE: 'a batch shard lacks its end line (stopped or failed), or no shard answers an input line',
  E_USAGE: 'the command line only: an unknown command or option, or a missing or wrong argument (exit 2)',
} as const satisfies Record<string, string>

export type ErrorCode = keyof typeof ERROR_CODES

/** The mark of an instance of a collabgate error class, the same symbol in every copy of the library. */
const brandOf = (className: string): symbol => Symbol.for(`collabgate.${className}`)

export class CollabgateError extends Error {
  readonly code: ErrorCode
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = new.target.name
    this.code = code
    // marked with each class it is an instance of, by name: an error thrown by the CommonJS build is then
    // `instanceof` the ESM build's classes too (the dual-package hazard), and the reverse
    for (let c: unknown = new.target; typeof c === 'function' && c !== Error; c = Object.getPrototypeOf(c)) {
      Object.defineProperty(this, brandOf((c as { name: string }).name), { value: true })
    }
  }

  /** `instanceof` by mark, so it holds across the ESM and CommonJS copies of collabgate. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    // an own mark only: a polluted Object.prototype makes nothing an error of ours
    return (
      value !== null && typeof value === 'object' && Object.prototype.hasOwnProperty.call(value, brandOf(this.name))
    )
  }
}

/** Codes of the problems a policy folder can have, with what each means; stable. */
export const PROBLEM_CODES = {
  E_IO: 'a file cannot be read, or a record schema is missing',
  E_YAML_SYNTAX: 'the file is not YAML',
  E_YAML_LIMIT: 'the file is over a parse limit: size, alias expansions, nesting depth or node count',
  E_ENCODING: 'the file is not valid UTF-8, or holds a control character other than tab, line feed and carriage return',
  E_YAML_VALUE: 'a value JSON cannot hold (`.nan`, `.inf`, a number beyond a double, `!!binary`)',
  E_POLICY_LOSSY_NUMBER:
    'a number whose text says more than a double holds (`49.99999999999999999` would be read, and ' +
    'hashed, as 50); write one a double holds, or quote it',
  E_SYMLINK: 'a symbolic link leads outside the policy folder (allowed with `followSymlinks` / `--follow-symlinks`)',
  E_PATH_OUTSIDE:
    "a test's recordFile or base, or a record schema of collabgate.yaml, names a file outside the " +
    'policy folder (symbolic links resolved); it is not read',
  E_LINK_CYCLE:
    'a symbolic link inside the policy folder leads back to a folder that holds it (a loop); the folder is refused',
  E_TIME_LIMIT: "checking the folder took longer than the store's time budget (`parseBudgetMs`)",
  E_INVISIBLE_CHARACTER:
    'a string of a policy or collabgate.yaml holds a character no one sees: a bidi control, a zero-width ' +
    'or format character, or a control character but tab and line feed',
  E_SCHEMA: 'the document does not have the shape its JSON Schema gives (unknown or missing field, wrong type)',
  E_DUPLICATE_RULE: 'two rules of one policy have the same id',
  E_DUPLICATE_VERSION: 'one version of a policy is defined twice',
  E_OVERLAPPING_WINDOWS: 'two versions of a policy take effect on the same day',
  E_UNKNOWN_OPERATOR: 'a condition names an operator collabgate does not have',
  E_UNKNOWN_OUTCOME: 'a rule or the default names an outcome the policy does not declare',
  E_UNKNOWN_FACT: 'a condition reads a field the record schema does not have',
  E_UNKNOWN_PATH: 'a path leads to no field of the record schema, or is not the supported subset',
  E_BAD_VALUE: "a condition's value does not suit its operator, or the operator does not suit the field's type",
  E_INVALID_DATE: 'a date that is not a real YYYY-MM-DD, or an effective window that ends before it starts',
  E_INVALID_VERSION: 'a version that is not semantic, or a later version that is not higher',
  E_EMPTY_GROUP: 'an all or any group with no conditions',
  E_TEMPLATE: 'a message quotes something that is neither a record field nor a $ name',
  E_UNKNOWN_SUBJECT: "a policy's subject is not a record kind the folder declares",
  E_UNKNOWN_RECORD_SCHEMA: "a policy's recordSchema is not a version its record kind declares",
  E_RECORD_SCHEMA: "a record schema is not usable JSON Schema, or does not require its kind's id field as a string",
  E_SUBJECT_OVERLAP: 'two record kinds recognise records by the same condition',
  E_AMBIGUOUS_PRIMARY: 'two primary policies of one kind can claim the same records on the same day',
  E_UNKNOWN_CALENDAR: 'a policy names a calendar that is neither US nor a country or region code',
  E_LOCK_MISMATCH: 'a released entry (in the lock) has other content now',
  E_LOCK_MISSING: 'a released entry (in the lock) has no file in the folder',
  E_UNRELEASED:
    'in a locked folder, a file that can change a decision (a policy version, a record ' +
    'schema, collabgate.yaml) is not in the lock',
  E_LOCK_REQUIRED:
    'the folder must have a lock that releases something (`requireLock`, or a store ' +
    'that served a locked folder) and has none',
  E_LOCK_ROLLBACK:
    'the lock goes back: its release is lower than one already served, or it changed without a higher release',
  E_LOCK_INVALID: 'the lock file is not JSON of id@version to digests',
  E_TRUST_INVALID:
    'the trust file (`trust`, `--trust`) cannot be read or is not of the shape schemas/trust.schema.json gives',
  E_RELEASE_UNSIGNED: 'with a trust file: the release has no signature file (policies.lock.sig.json)',
  E_RELEASE_INVALID: 'with a trust file: the signature file is malformed',
  E_RELEASE_MISMATCH: 'with a trust file: the signature file is for other lock content than the lock on disk',
  E_RELEASE_SIGNATURE: 'with a trust file: a signature does not verify, or its key or role is not in the trust file',
  E_RELEASE_UNAPPROVED: 'with a trust file: no valid author signature, or fewer approvals than the trust file asks for',
  E_RELEASE_EXPIRED: "with a trust file: the release's signatures, or the trust file, have expired",
  E_RELEASE_ROLLBACK: 'with a trust file: the release is older than `minRelease`',
  E_FILE_NAME: 'a file named ID.vVERSION.yaml holds another id or version',
  E_EQUIVALENT_STALE: 'a policy test declares an equivalent mutant that is no longer generated',
  E_EQUIVALENT_KILLED: 'a policy test declares an equivalent mutant that one of its cases kills',
  E_TOO_MANY_PROBLEMS: 'a file has more problems than are listed (50 per file); this one counts the rest',
  E_DERIVED_NAME: 'a derived fact is named like a field of the record or asOf, or not with letters, digits and _',
  E_DERIVED_CYCLE: 'derived facts read each other in a loop',
} as const satisfies Record<string, string>

export type ProblemCode = keyof typeof PROBLEM_CODES

/** Codes of the findings that do not fail a load, with what each means. */
export const WARNING_CODES = {
  W_NO_LOCK: 'the folder has no lock file',
  W_FILE_NAME: 'a policy file not named ID.vVERSION.yaml',
  W_CALENDAR_REGIONS: "a policy names a country's calendar whose regions keep other holidays (GB, US, DE, …)",
  W_EVENT_AFTER_AS_OF: "a list match compares an event's date but never bounds it by asOf: later events count",
  W_OVERLAP_UNDECIDED:
    'validate could not tell whether two primary policies can claim the same record (its search gave up)',
} as const satisfies Record<string, string>

export type WarningCode = keyof typeof WARNING_CODES

/** One problem in one policy file, pointing at the place an author must change. */
export interface PolicyProblem {
  code: ProblemCode
  severity: 'error'
  /** What is wrong, in one sentence. */
  message: string
  /** What to do about it, when there is more to say: the names that would do, a "did you mean". */
  hint?: string
  /** The problem's details as data (the unknown name, the known ones, ...), as ajv gives `params`. */
  params?: Readonly<Record<string, unknown>>
  file: string
  line: number
  column: number
  /** JSON pointer inside the document ('' for the whole document). */
  pointer: string
}

/** A finding that does not fail a load (cedar's and yaml's warnings): a version not released yet, no lock. */
export interface PolicyWarning {
  code: WarningCode
  severity: 'warning'
  message: string
  hint?: string
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

/**
 * A record that fails its subject's schema (`E_RECORD_INVALID`; `problems` lists all of them), or JSON
 * text of a record that would not be read as written (`E_RECORD_DUPLICATE_KEY`, `E_RECORD_LOSSY_NUMBER`,
 * `E_RECORD_NOT_UTF8`).
 */
export class RecordValidationError extends CollabgateError {
  readonly problems: readonly RecordProblem[]
  /** The record's kind, when it is known (not for text that is not JSON at all). */
  readonly subject: string | undefined
  constructor(
    subject: string | undefined,
    problems: readonly RecordProblem[],
    code:
      | 'E_RECORD_INVALID'
      | 'E_RECORD_DUPLICATE_KEY'
      | 'E_RECORD_LOSSY_NUMBER'
      | 'E_RECORD_NOT_UTF8' = 'E_RECORD_INVALID',
  ) {
    super(
      code,
      `${subject === undefined ? 'the' : subject} record is invalid: ` +
        problems.map((p) => `${p.pointer || '/'} ${p.message}`).join('; '),
    )
    this.subject = subject
    this.problems = problems
  }
}

/** What a problem may say besides its code and sentence. */
export interface ProblemDetails {
  hint?: string | undefined
  params?: Readonly<Record<string, unknown>> | undefined
}

/** The one constructor of a problem: its code and sentence, the place it points at, and any details. */
export function policyProblem(
  code: ProblemCode,
  message: string,
  at: { file: string; line: number; column: number },
  pointer = '',
  details: ProblemDetails = {},
): PolicyProblem {
  const p: PolicyProblem = {
    code,
    severity: 'error',
    message,
    file: at.file,
    line: at.line,
    column: at.column,
    pointer,
  }
  if (details.hint !== undefined) p.hint = details.hint
  if (details.params !== undefined) p.params = details.params
  return p
}

/** `file:line:col CODE message; hint`: one line, as editors and CI logs link it. */
export function formatProblem(p: PolicyProblem): string {
  return `${p.file}:${p.line}:${p.column} ${p.code} ${withHint(p)}`
}

/** A problem's or warning's sentence with its hint after it. */
export const withHint = (p: { message: string; hint?: string | undefined }): string =>
  p.hint ? `${p.message}; ${p.hint}` : p.message

/** Most problems listed for one file: past it, one E_TOO_MANY_PROBLEMS counts the rest (a 527 KB file gave 16,801). */
export const MAX_PROBLEMS_PER_FILE = 50

/**
 * At most `max` problems per file, in their order, each file's rest counted by one E_TOO_MANY_PROBLEMS
 * after its last listed problem. Idempotent: a list capped once, capped again, counts the same.
 */
export function capProblems(problems: readonly PolicyProblem[], max: number = MAX_PROBLEMS_PER_FILE): PolicyProblem[] {
  const listed = new Map<string, number>()
  const rest = new Map<string, { more: number; at: PolicyProblem }>()
  const out: PolicyProblem[] = []
  for (const p of problems) {
    const counted = p.code === 'E_TOO_MANY_PROBLEMS' ? Number(p.params?.more ?? 0) : 0
    const n = listed.get(p.file) ?? 0
    if (p.code !== 'E_TOO_MANY_PROBLEMS' && n < max) {
      listed.set(p.file, n + 1)
      out.push(p)
      continue
    }
    let summary = rest.get(p.file)
    if (!summary) {
      summary = { more: 0, at: { ...p, code: 'E_TOO_MANY_PROBLEMS', message: '', pointer: '' } }
      delete summary.at.hint
      rest.set(p.file, summary)
      out.push(summary.at)
    }
    summary.more += p.code === 'E_TOO_MANY_PROBLEMS' ? counted : 1
  }
  for (const { more, at } of rest.values()) {
    at.message = `… and ${more} more problem${more === 1 ? '' : 's'} in this file`
    at.params = { more }
  }
  return out
}
