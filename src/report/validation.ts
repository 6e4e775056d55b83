/**
 * Reporters of a policy folder's check (`checkPolicies`): text for people, JSON for programs, GitHub
 * Actions annotations for pull requests. `collabgate validate` picks one; a service can too.
 */
import { formatProblem, withHint } from '../errors.js'
import type { CheckResult } from '../folder/load.js'
import { formatGithubAnnotation, problemAnnotation } from './github.js'
import { PLAIN, visible, type Reporter } from './reporter.js'

/** A check of some paths, as its reporters read it. */
export interface ValidationReport {
  checked: CheckResult
  /** The paths that were checked, as given (for "no policy files found in ..."). */
  paths: readonly string[]
}

/** True when nothing was found and nothing was wrong: no policy file at all. */
const isEmpty = (c: CheckResult): boolean => c.files.length === 0 && c.problems.length === 0

/** Whether a check passed: no problem, and at least one policy file. */
export const isValid = (c: CheckResult): boolean => c.problems.length === 0 && !isEmpty(c)

/** The one-line summary every format ends with. */
export function validationSummary({ checked: c, paths }: ValidationReport): string {
  if (isEmpty(c)) return `no policy files found in ${paths.join(', ')}`
  const head = `${c.files.length} policy file(s), ${c.policies.length} version(s) loaded`
  const tail = c.warnings.length > 0 ? `, ${c.warnings.length} warning(s)` : ''
  return c.problems.length === 0 ? `${head}: all valid${tail}` : `${head}: ${c.problems.length} problem(s)${tail}`
}

/** `✗ file:line:col CODE message; hint` per problem, `! file:line:col CODE warning: …` per warning, a summary. */
export const validationText: Reporter<ValidationReport> = (report, { paint = PLAIN } = {}) => {
  const { problems, warnings } = report.checked
  const lines = [
    ...problems.map((p) => `${paint.red('✗')} ${visible(formatProblem(p))}`),
    ...warnings.map((w) => {
      const place = w.file ? `${w.file}:${w.line}:${w.column} ` : ''
      return `${paint.yellow('!')} ${visible(`${place}${w.code} warning: ${withHint(w)}`)}`
    }),
    `${isValid(report.checked) ? paint.green('✓') : paint.red('✗')} ${visible(validationSummary(report))}`,
  ]
  return lines.join('\n') + '\n'
}

/** `{ valid, files, policies, subjects, problems, warnings, lock }`. */
export const validationJson: Reporter<ValidationReport> = ({ checked: c }) =>
  JSON.stringify(
    {
      valid: isValid(c),
      files: c.files,
      policies: c.policies.map((p) => ({
        id: p.id,
        version: p.version,
        digest: p.digest,
        file: p.location.file,
        recordSchema: `${p.record.subject}@${p.record.schema.version}`,
        calendar: p.calendar,
      })),
      subjects: c.subjects.map((s) => ({
        name: s.name,
        idField: s.idField,
        schemas: s.schemas.map((x) => ({ version: x.version, digest: x.digest, file: x.location.file })),
      })),
      problems: c.problems,
      warnings: c.warnings,
      // the lock's entries are in the lock file; the report says which release it is and what it misses
      lock: c.lock
        ? {
            file: c.lock.file,
            found: c.lock.found,
            release: c.lock.release,
            unlocked: c.lock.unlocked,
            stale: c.lock.stale,
          }
        : { file: null, found: false, release: 0, unlocked: [], stale: [] },
    },
    null,
    2,
  ) + '\n'

/** `::error` and `::warning` annotations, then the summary. */
export const validationGithub: Reporter<ValidationReport> = (report) => {
  const { problems, warnings } = report.checked
  const lines = [
    ...problems.map((p) => problemAnnotation(p, withHint(p))),
    ...warnings.map((w) =>
      formatGithubAnnotation({
        level: 'warning',
        title: w.code,
        message: withHint(w),
        file: w.file,
        line: w.line,
        column: w.column,
      }),
    ),
    visible(validationSummary(report)),
  ]
  return lines.join('\n') + '\n'
}

/** The reporters of a check, by format name. */
export const VALIDATION_REPORTERS = Object.freeze({
  text: validationText,
  json: validationJson,
  github: validationGithub,
})
