import { stat } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { CollabgateError, formatProblem, type PolicyProblem } from '../../errors.js'
import { checkPolicies, defaultPoliciesDir, locatePolicy } from '../../load/load.js'
import { checkLock, LOCK_FILE_NAME, lockKey, readLock, type LockCheck } from '../../lock/lock.js'
import { formatGithubAnnotation } from '../../report/github.js'
import { paintFor } from '../colour.js'
import { displayPath } from '../display.js'
import { EXIT, formatOption, statArg, UsageError, type Io } from '../io.js'

export const validateHelp = `Usage: collabgate validate [options] [PATH...]

Checks policy files (YAML) in PATH (files or folders; default: the shipped
policies/) and reports every problem in every file, each with its code,
file:line:column and a sentence saying what to change.

Also checks the lock file (policies.lock.json in the first folder): a
released id@version whose content changed without a version bump is an
error (E_LOCK_MISMATCH); a version not in the lock yet is a warning
(run 'collabgate lock' to record it).

Options:
  --format FMT       text (default), json, or github (::error annotations
                     for GitHub Actions)
  --lock FILE        the lock file to check (default: PATH/policies.lock.json)
  -h, --help         show this help

Exit: 0 all policies valid; 1 a policy is invalid or changed without a
version bump; 2 usage or I/O errors.

Examples:
  collabgate validate
  collabgate validate policies/ --format github
  collabgate validate my-policy.v1.2.0.yaml --format json
`

export interface ValidateWarning {
  code: 'W_UNLOCKED' | 'W_NO_LOCK'
  message: string
  /** Absent when the warning is about a file that does not exist (no lock file). */
  file?: string
  line?: number
  column?: number
}

/** Where the lock sits: beside the first PATH (a folder itself, or a file's folder). */
async function defaultLockFile(first: string): Promise<string> {
  const info = await stat(first)
  return join(info.isDirectory() ? first : dirname(first), LOCK_FILE_NAME)
}

export async function validateCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      format: { type: 'string', default: 'text' },
      lock: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  })
  if (values.help) {
    io.stdout(validateHelp)
    return EXIT.OK
  }
  const format = formatOption(values.format, ['text', 'json', 'github'])
  const paths = positionals.length > 0 ? positionals : [defaultPoliciesDir()]
  for (const p of paths) await statArg(p)

  const checked = await checkPolicies(paths)
  const problems: PolicyProblem[] = [...checked.problems]
  const warnings: ValidateWarning[] = []

  const lockFile = values.lock ?? (await defaultLockFile(paths[0]!))
  const lockShown = displayPath(resolve(lockFile))
  let lockCheck: LockCheck | undefined
  try {
    const lock = await readLock(lockFile)
    if (lock === undefined) {
      if (values.lock !== undefined) throw new UsageError(`cannot read ${lockFile}: ENOENT`)
      if (checked.policies.length > 0) {
        warnings.push({ code: 'W_NO_LOCK', message: `no lock file at ${lockShown} (not a failure); run 'collabgate lock' to record the released versions` })
      }
    } else {
      lockCheck = checkLock(checked.policies, lock, locatePolicy)
      problems.push(...lockCheck.problems)
      for (const key of lockCheck.unlocked) {
        const p = checked.policies.find((x) => lockKey(x) === key)!
        const at = locatePolicy(p, '/version')
        warnings.push({ code: 'W_UNLOCKED', message: `${key} is not in ${lockShown} yet (not a failure); run 'collabgate lock' once it is released`, ...at })
      }
    }
  } catch (err) {
    if (!(err instanceof CollabgateError)) throw err
    problems.push({ code: err.code === 'E_IO' ? 'E_IO' : 'E_LOCK_INVALID', message: err.message, file: lockShown, line: 1, column: 1, pointer: '' })
  }

  const empty = checked.files.length === 0 && problems.length === 0
  const valid = problems.length === 0 && !empty
  if (format === 'json') {
    const body = {
      valid,
      files: checked.files,
      policies: checked.policies.map((p) => ({ id: p.id, version: p.version, digest: p.digest, file: p.location.file })),
      problems,
      warnings,
      lock: { file: lockShown, found: lockCheck !== undefined, unlocked: lockCheck?.unlocked ?? [], stale: lockCheck?.stale ?? [] },
    }
    io.stdout(JSON.stringify(body, null, 2) + '\n')
  } else if (format === 'github') {
    for (const p of problems) io.stdout(formatGithubAnnotation({ level: 'error', file: p.file, line: p.line, column: p.column, title: p.code, message: p.message }) + '\n')
    for (const w of warnings) io.stdout(formatGithubAnnotation({ level: 'warning', title: w.code, message: w.message, file: w.file, line: w.line, column: w.column }) + '\n')
    io.stdout(summary(checked.files.length, checked.policies.length, problems.length, warnings.length, empty, paths) + '\n')
  } else {
    const paint = paintFor(io)
    for (const p of problems) io.stdout(`${paint.red('✗')} ${formatProblem(p)}\n`)
    for (const w of warnings) io.stdout(`${paint.yellow('!')} ${w.file ? `${w.file}:${w.line}:${w.column} ` : ''}warning: ${w.message}\n`)
    const line = summary(checked.files.length, checked.policies.length, problems.length, warnings.length, empty, paths)
    io.stdout(`${valid ? paint.green('✓') : paint.red('✗')} ${line}\n`)
  }
  if (problems.some((p) => p.code === 'E_IO')) return EXIT.USAGE
  return valid ? EXIT.OK : EXIT.FAILED
}

function summary(files: number, policies: number, problems: number, warnings: number, empty: boolean, paths: readonly string[]): string {
  if (empty) return `no policy files found in ${paths.join(', ')}`
  const head = `${files} policy file(s), ${policies} version(s) loaded`
  const tail = warnings > 0 ? `, ${warnings} warning(s)` : ''
  return problems === 0 ? `${head}: all valid${tail}` : `${head}: ${problems} problem(s)${tail}`
}
