import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { CollabgateError, PolicyValidationError } from '../../errors.js'
import { checkPolicies, defaultPoliciesDir } from '../../folder/load.js'
import { LOCK_FILE_NAME, lockOf, nextLock, readLock, writeLock, type PolicyLock } from '../../lock/lock.js'
import { displayPath } from '../display.js'
import { EXIT, formatOption, statArg, UsageError, type Io } from '../io.js'

export const lockHelp = `Usage: collabgate lock [options] [DIR]

Releases versions: records the digest of every policy version and record
schema version in DIR (default: the shipped policies/) that
DIR/policies.lock.json does not list yet. The lock is the release manifest:
an entry already in it is never rewritten or removed, so releasing 1.1.0
leaves the line of 1.0.0 as it was.

--update KEY rewrites (or, when its file is gone, removes) the entry KEY
(id@version, or record:SUBJECT@version). It is for versions that never left
your repository: a released version is immutable; ship a change as a new
version instead.

Options:
  --update KEY       rewrite this one entry (repeatable)
  --format FMT       text (default) or json
  -h, --help         show this help

Exit: 0 lock file written; 1 a policy is invalid (nothing is written);
2 usage or I/O errors.

Examples:
  collabgate lock
  collabgate lock policies/
  collabgate lock --update acme.onboarding@1.2.0 policies/
`

export async function lockCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      format: { type: 'string', default: 'text' },
      update: { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h' },
    },
  })
  if (values.help) {
    io.stdout(lockHelp)
    return EXIT.OK
  }
  formatOption(values.format, ['text', 'json'])
  if (positionals.length > 1) throw new UsageError('lock takes one DIR: the folder that holds the policies and their lock file')
  const dir = positionals[0] ?? defaultPoliciesDir()
  if (!(await statArg(dir)).isDirectory()) throw new UsageError(`${dir} is not a folder; lock records every policy of a folder`)
  const { policies, subjects, declaration, problems } = await checkPolicies(dir, { displayName: displayPath, lock: false })
  // A lock of broken policies would record digests nobody could load.
  if (problems.length > 0) throw new PolicyValidationError(problems)
  const file = join(dir, LOCK_FILE_NAME)
  let before: PolicyLock
  try {
    before = (await readLock(file)) ?? {}
  } catch (err) {
    if (!(err instanceof CollabgateError) || err.code !== 'E_LOCK_INVALID') throw err
    throw new UsageError(`${err.message}; the lock is the release manifest: mend it by hand (or from version control) before locking`)
  }
  let next: ReturnType<typeof nextLock>
  try {
    next = nextLock(before, lockOf(policies, declaration === undefined ? [] : subjects.flatMap((s) => s.schemas)), values.update ?? [])
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err))
  }
  try {
    await writeLock(file, next.lock)
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err))
  }
  const { added, changed, removed, kept } = next
  const shown = displayPath(resolve(file))
  if (values.format === 'json') {
    io.stdout(JSON.stringify({ file: shown, lock: next.lock, added, changed, removed, kept }, null, 2) + '\n')
  } else {
    io.stdout(
      `wrote ${shown}: ${Object.keys(next.lock).length} version(s); ${added.length} added, ${changed.length} changed, ${removed.length} removed\n`,
    )
    for (const k of added) io.stdout(`  + ${k}\n`)
    for (const k of changed) io.stdout(`  ~ ${k}\n`)
    for (const k of removed) io.stdout(`  - ${k}\n`)
    for (const k of kept)
      io.stdout(
        `  ! ${k}: released content differs from the file; the lock keeps the released digest (validate fails until the file is restored)\n`,
      )
  }
  return EXIT.OK
}
