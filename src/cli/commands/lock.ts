import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { CollabgateError, PolicyValidationError } from '../../errors.js'
import { checkPolicies, defaultPoliciesDir } from '../../load/load.js'
import { LOCK_FILE_NAME, readLock, writeLock, type PolicyLock } from '../../lock/lock.js'
import { displayPath } from '../display.js'
import { EXIT, formatOption, statArg, UsageError, type Io } from '../io.js'

export const lockHelp = `Usage: collabgate lock [options] [DIR]

Records the digest of every policy version in DIR (default: the shipped
policies/) in DIR/policies.lock.json, so 'collabgate validate' can tell when
a released version's content changes without a version bump. The file lists
only the versions present, with sorted keys.

Run it when you release a new version. If validate reports E_LOCK_MISMATCH,
bump the version of the changed policy instead, unless the released version
truly never left your repository.

Options:
  --format FMT       text (default) or json
  -h, --help         show this help

Exit: 0 lock file written; 1 a policy is invalid (nothing is written);
2 usage or I/O errors.

Examples:
  collabgate lock
  collabgate lock policies/
`

export async function lockCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { format: { type: 'string', default: 'text' }, help: { type: 'boolean', short: 'h' } },
  })
  if (values.help) {
    io.stdout(lockHelp)
    return EXIT.OK
  }
  formatOption(values.format, ['text', 'json'])
  if (positionals.length > 1) throw new UsageError('lock takes one DIR: the folder that holds the policies and their lock file')
  const dir = positionals[0] ?? defaultPoliciesDir()
  if (!(await statArg(dir)).isDirectory()) throw new UsageError(`${dir} is not a folder; lock records every policy of a folder`)
  const { policies, problems } = await checkPolicies(dir)
  // A lock of broken policies would record digests nobody could load.
  if (problems.length > 0) throw new PolicyValidationError(problems)
  const file = join(dir, LOCK_FILE_NAME)
  let before: PolicyLock = {}
  try {
    before = (await readLock(file)) ?? {}
  } catch (err) {
    if (!(err instanceof CollabgateError) || err.code !== 'E_LOCK_INVALID') throw err // an unreadable old lock is replaced
  }
  let next: PolicyLock
  try {
    next = await writeLock(file, policies)
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err))
  }
  const added = Object.keys(next).filter((k) => !Object.hasOwn(before, k))
  const changed = Object.keys(next).filter((k) => Object.hasOwn(before, k) && before[k] !== next[k])
  const removed = Object.keys(before).filter((k) => !Object.hasOwn(next, k))
  const shown = displayPath(resolve(file))
  if (values.format === 'json') {
    io.stdout(JSON.stringify({ file: shown, lock: next, added, changed, removed }, null, 2) + '\n')
  } else {
    io.stdout(`wrote ${shown}: ${Object.keys(next).length} version(s); ${added.length} added, ${changed.length} changed, ${removed.length} removed\n`)
    for (const k of added) io.stdout(`  + ${k}\n`)
    for (const k of changed) io.stdout(`  ~ ${k}\n`)
    for (const k of removed) io.stdout(`  - ${k}\n`)
  }
  return EXIT.OK
}
