import { createReadStream } from 'node:fs'
import { join, resolve } from 'node:path'
import { createInterface } from 'node:readline'
import { parseArgs } from 'node:util'
import { CollabgateError, PolicyValidationError } from '../../errors.js'
import { checkPolicies, lockOfFolder } from '../../folder/load.js'
import { LOCK_FILE_NAME, nextLock, readLockFile, writeLock, type LockFile } from '../../lock/lock.js'
import { visible } from '../../report/reporter.js'
import { displayPath } from '../display.js'
import { EXIT, formatOption, statArg, UsageError, type Io } from '../io.js'
import { folderOrShipped } from '../discover.js'

/** A logged value as text a terminal shows safely. */
const shownValue = (v: unknown): string => visible(JSON.stringify(v) ?? '')

export const lockHelp = `Usage: collabgate lock [options] [DIR]

Releases: records the digest of everything in DIR (default: the shipped
policies/) that can change a decision and DIR/policies.lock.json does not
list yet (policy versions, record schema versions, collabgate.yaml), and
raises the lock's release number by one. The lock is the manifest of the
folder: an entry already in it is never rewritten or removed, so releasing
1.1.0 leaves the line of 1.0.0 as it was. When a released entry no longer
matches its file, nothing is written and the command fails, naming it.

--update KEY rewrites (or, when its file is gone, removes) the entry KEY
(id@version, record:SUBJECT@version or folder:collabgate.yaml). It is for
content that never left your repository: decisions logged under the old
digest can no longer be replayed, and --audit LOG lists them.

Options:
  --update KEY       rewrite this one entry (repeatable)
  --audit LOG        with --update: the decision log (NDJSON) to search for
                     decisions the rewrite stops from replaying
  --format FMT       text (default) or json
  -h, --help         show this help

Exit: 0 lock file written (or nothing to release); 1 a policy is invalid or
a released entry no longer matches its file (nothing is written); 2 usage
or I/O errors.

Examples:
  collabgate lock
  collabgate lock policies/
  collabgate lock --update acme.onboarding@1.2.0 --audit decisions.ndjson policies/
`

/** A logged decision that an entry's rewrite stops from replaying. */
interface Stranded {
  key: string
  line: number
  time: unknown
  subject: unknown
  outcome: unknown
}

/**
 * Decisions in an audit log made by the rewritten entries' old content (for a record schema or the declaration: of
 * its kind, or all).
 */
async function strandedBy(log: string, old: Map<string, string>): Promise<Stranded[]> {
  const found: Stranded[] = []
  const input = createReadStream(log)
  const lines = createInterface({ input, crlfDelay: Infinity })
  let n = 0
  try {
    for await (const text of lines) {
      n++
      let e: Record<string, unknown>
      try {
        e = JSON.parse(text) as Record<string, unknown>
      } catch {
        continue
      }
      if (!e || typeof e !== 'object') continue
      for (const [key, digest] of old) {
        const policy = `${String(e.policy)}@${String(e.version)}`
        const hit = key.startsWith('record:')
          ? key.slice('record:'.length).split('@')[0] === e.subjectKind
          : key.startsWith('folder:') || (policy === key && e.digest === digest)
        if (hit) found.push({ key, line: n, time: e.time, subject: e.subject, outcome: e.outcome })
      }
    }
  } catch (err) {
    throw new UsageError(`cannot read ${log}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`)
  }
  return found
}

export async function lockCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      format: { type: 'string', default: 'text' },
      update: { type: 'string', multiple: true },
      audit: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  })
  if (values.help) {
    io.stdout(lockHelp)
    return EXIT.OK
  }
  formatOption(values.format, ['text', 'json'])
  if (positionals.length > 1)
    throw new UsageError('lock takes one DIR: the folder that holds the policies and their lock file')
  if (values.audit !== undefined && !values.update?.length)
    throw new UsageError('--audit lists what an --update breaks; give --update KEY')
  const dir = positionals[0] ?? (await folderOrShipped(io, 'lock'))
  if (!(await statArg(dir)).isDirectory())
    throw new UsageError(`${dir} is not a folder; lock records every policy of a folder`)
  if (values.audit !== undefined) await statArg(values.audit)
  const checked = await checkPolicies(dir, { displayName: displayPath, lock: false })
  // A lock of broken policies would record digests nobody could load.
  if (checked.problems.length > 0) throw new PolicyValidationError(checked.problems)
  const file = join(dir, LOCK_FILE_NAME)
  let before: LockFile
  try {
    before = (await readLockFile(file)) ?? { release: 0, entries: {} }
  } catch (err) {
    if (!(err instanceof CollabgateError) || err.code !== 'E_LOCK_INVALID') throw err
    throw new UsageError(
      `${err.message}; the lock is the release manifest: mend it by hand (or from version control) before locking`,
    )
  }
  let next: ReturnType<typeof nextLock>
  try {
    next = nextLock(before.entries, lockOfFolder(checked), values.update ?? [])
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err))
  }
  const { added, changed, removed, kept } = next
  const shown = displayPath(resolve(file))
  const json = values.format === 'json'
  if (kept.length > 0) {
    // a released entry that no longer matches: writing would release around it, so nothing is written
    if (json) io.stdout(JSON.stringify({ file: shown, written: false, mismatched: kept }, null, 2) + '\n')
    for (const k of kept)
      io.stderr(
        `collabgate lock: ${k} is released but its file has other content now (locked ${before.entries[k]}); ` +
          'restore the file and ship the change as a new version (or, for content never released, --update ' +
          `${k})\n`,
      )
    io.stderr(
      `collabgate lock: nothing written to ${shown}: ${kept.length} released ` +
        `entr${kept.length === 1 ? 'y' : 'ies'} mismatched\n`,
    )
    return EXIT.FAILED
  }
  const old = new Map([...changed, ...removed].map((k) => [k, before.entries[k]!] as const))
  const stranded = values.audit !== undefined && old.size > 0 ? await strandedBy(values.audit, old) : []
  const moved = added.length + changed.length + removed.length > 0
  const release = moved ? before.release + 1 : before.release
  if (moved) {
    try {
      await writeLock(file, next.lock, release)
    } catch (err) {
      throw new UsageError(err instanceof Error ? err.message : String(err))
    }
  }
  if (json) {
    const out = { file: shown, written: moved, release, lock: next.lock, added, changed, removed, stranded }
    io.stdout(JSON.stringify(out, null, 2) + '\n')
    return EXIT.OK
  }
  if (!moved)
    io.stdout(
      `${shown} is up to date: release ${release}, ${Object.keys(next.lock).length} entries; nothing to release\n`,
    )
  else
    io.stdout(
      `wrote ${shown}: release ${release}, ${Object.keys(next.lock).length} entries; ` +
        `${added.length} added, ${changed.length} changed, ${removed.length} removed\n`,
    )
  for (const k of added) io.stdout(`  + ${k}\n`)
  for (const k of changed) io.stdout(`  ~ ${k}\n`)
  for (const k of removed) io.stdout(`  - ${k}\n`)
  for (const [k, digest] of old) {
    const mine = stranded.filter((s) => s.key === k)
    if (values.audit === undefined)
      io.stderr(
        `collabgate lock: decisions logged under ${k} ${digest} can no longer be replayed; --audit LOG lists them\n`,
      )
    else {
      io.stderr(`collabgate lock: ${mine.length} logged decision(s) under ${k} ${digest} can no longer be replayed\n`)
      for (const s of mine.slice(0, 20))
        // the log's values are data: shown with control, escape and bidi characters as escapes
        io.stderr(`  line ${s.line}: ${[s.time, s.subject, s.outcome].map(shownValue).join(' ')}\n`)
      if (mine.length > 20) io.stderr(`  … and ${mine.length - 20} more\n`)
    }
  }
  return EXIT.OK
}
