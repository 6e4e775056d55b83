/**
 * The lock file (`policies.lock.json`): the manifest of everything in a policy folder that can change a
 * decision. `id@version` → digest of every released policy version, `record:SUBJECT@version` → digest
 * of every released record schema version, `folder:collabgate.yaml` → digest of the folder's
 * declaration; and `release`, a sequence number that grows with each release. A released entry is
 * immutable and stays: in a locked folder, loading fails when one is missing or changed, and when a
 * decision-affecting file is not listed at all. `lock` only adds entries; rewriting one takes an
 * explicit `--update KEY` (for versions never released).
 */
import { readFile, writeFile } from 'node:fs/promises'
import { CollabgateError, policyProblem, type PolicyProblem } from '../errors.js'
import type { Policy, RecordSchema, SourceLocation } from '../model.js'
import { compareText } from '../order.js'
import { ownOptions } from '../own.js'

export const LOCK_FILE_NAME = 'policies.lock.json'

/** `{ "id@version": "sha256:..." }`, keys sorted: the lock's entries. */
export type PolicyLock = Record<string, string>

/** A lock file: its entries and its release sequence (0 for a lock written before releases were numbered). */
export interface LockFile {
  release: number
  entries: PolicyLock
}

/**
 * The lock key of a folder's declaration (collabgate.yaml): its record kinds, id fields and review clocks decide too.
 */
export const DECLARATION_KEY = 'folder:collabgate.yaml'

export interface LockCheck {
  /** E_LOCK_MISMATCH, E_LOCK_MISSING and E_UNRELEASED problems. */
  problems: PolicyProblem[]
  /** Keys the lock does not list (each an E_UNRELEASED problem: run `collabgate lock` to release them). */
  unlocked: string[]
  /** Lock entries no loaded version matches (E_LOCK_MISSING when the whole folder was loaded). */
  stale: string[]
}

/** Something the lock pins: a policy version or a record schema version. */
export interface Lockable {
  key: string
  digest: string
  /** Where a problem about it points (a policy's `version:` line, a schema's line in collabgate.yaml). */
  location: SourceLocation
}

const DIGEST = /^sha256:[0-9a-f]{64}$/

export const lockKey = (p: { id: string; version: string }): string => `${p.id}@${p.version}`

/** The lock key of a record schema version: `record:SUBJECT@VERSION` (policy ids cannot hold a colon). */
export const recordSchemaKey = (s: Pick<RecordSchema, 'subject' | 'version'>): string =>
  `record:${s.subject}@${s.version}`

/**
 * The lock entries for a set of policies, the record schemas the folder declares and the folder's
 * declaration (its digest, when the folder has a collabgate.yaml), keys sorted so the file diffs cleanly.
 */
export function lockOf(
  policies: readonly Policy[],
  schemas: readonly RecordSchema[] = [],
  declaration?: string,
): PolicyLock {
  const entries = [
    ...policies.map((p) => [lockKey(p), p.digest] as const),
    ...schemas.map((s) => [recordSchemaKey(s), s.digest] as const),
    ...(declaration === undefined ? [] : [[DECLARATION_KEY, declaration] as const]),
  ].sort(([a], [b]) => compareText(a, b))
  const lock: PolicyLock = {}
  // the first of a (refused) duplicate, as before
  for (const [key, digest] of entries) if (!Object.hasOwn(lock, key)) lock[key] = digest
  return lock
}

/**
 * The next lock: `before` plus every version it does not list yet. An existing entry is rewritten
 * (or, when its version is gone, removed) only when `update` names it: released entries never change.
 */
export function nextLock(
  before: PolicyLock,
  current: PolicyLock,
  update: readonly string[] = [],
): { lock: PolicyLock; added: string[]; changed: string[]; removed: string[]; kept: string[] } {
  const unknown = update.filter((k) => !Object.hasOwn(before, k))
  if (unknown.length > 0)
    throw new CollabgateError(
      'E_INVALID_ARGUMENT',
      `--update names ${unknown.join(', ')}, which the lock does not list; lock adds new versions without it`,
    )
  const lock: PolicyLock = {}
  const added: string[] = []
  const changed: string[] = []
  const removed: string[] = []
  const kept: string[] = []
  for (const key of Object.keys(before)) {
    if (!update.includes(key)) lock[key] = before[key]!
    else if (!Object.hasOwn(current, key)) removed.push(key)
    else {
      lock[key] = current[key]!
      if (current[key] !== before[key]) changed.push(key)
    }
    if (!update.includes(key) && Object.hasOwn(current, key) && current[key] !== before[key]) kept.push(key)
  }
  for (const key of Object.keys(current)) {
    if (Object.hasOwn(before, key)) continue
    lock[key] = current[key]!
    added.push(key)
  }
  return { lock, added: added.sort(), changed: changed.sort(), removed: removed.sort(), kept: kept.sort() }
}

/**
 * The lock file's text: `{ "release": N, "entries": { … } }`, two-space JSON, sorted keys, trailing
 * newline. `release` defaults to 1 (a first release).
 */
export function formatLock(lock: PolicyLock, release = 1): string {
  const entries: PolicyLock = {}
  for (const key of Object.keys(lock).sort()) entries[key] = lock[key]!
  return JSON.stringify({ release, entries }, null, 2) + '\n'
}

const ENTRY_KEY = /^(?:[^@\s:]+@[^@\s]+|record:[^@\s]+@[^@\s]+|folder:collabgate\.yaml)$/

/**
 * Parses lock file text, `{ "release": N, "entries": {…} }` or the first format (a flat object of
 * entries, release 0); throws CollabgateError('E_LOCK_INVALID') naming what is wrong.
 */
export function parseLockFile(text: string, file = LOCK_FILE_NAME): LockFile {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (err) {
    throw new CollabgateError('E_LOCK_INVALID', `${file} is not JSON: ${(err as Error).message}`)
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new CollabgateError(
      'E_LOCK_INVALID',
      `${file} must be a JSON object: { "release": N, "entries": { "id@version": "sha256:<hex>" } }`,
    )
  }
  const own = (key: string): unknown =>
    Object.hasOwn(value, key) ? (value as Record<string, unknown>)[key] : undefined
  const numbered = Object.hasOwn(value, 'entries') || Object.hasOwn(value, 'release')
  const release = numbered ? own('release') : 0
  const entries = numbered ? own('entries') : value
  if (typeof release !== 'number' || !Number.isSafeInteger(release) || release < 0)
    throw new CollabgateError('E_LOCK_INVALID', `${file}: "release" must be a whole number of 0 or more`)
  if (numbered && Object.keys(value).some((k) => k !== 'release' && k !== 'entries'))
    throw new CollabgateError('E_LOCK_INVALID', `${file} may hold only "release" and "entries"`)
  if (!entries || typeof entries !== 'object' || Array.isArray(entries))
    throw new CollabgateError(
      'E_LOCK_INVALID',
      `${file}: "entries" must be a JSON object of "id@version": "sha256:<hex>"`,
    )
  const lock: PolicyLock = {}
  for (const [key, digest] of Object.entries(entries)) {
    if (!ENTRY_KEY.test(key) || typeof digest !== 'string' || !DIGEST.test(digest)) {
      throw new CollabgateError(
        'E_LOCK_INVALID',
        `${file}: entry ${JSON.stringify(key)} must map "id@version" to "sha256:<64 hex digits>"`,
      )
    }
    lock[key] = digest
  }
  return { release, entries: lock }
}

/** The entries of lock file text (see parseLockFile). */
export function parseLock(text: string, file = LOCK_FILE_NAME): PolicyLock {
  return parseLockFile(text, file).entries
}

/** Reads a lock file's entries; undefined when there is none. */
export async function readLock(file: string): Promise<PolicyLock | undefined> {
  return (await readLockFile(file))?.entries
}

/** Reads a lock file; undefined when there is none. */
export async function readLockFile(file: string): Promise<LockFile | undefined> {
  let text: string
  try {
    // Stryker disable next-line StringLiteral: test/mutation/equivalent.md#lock-read-utf8
    text = await readFile(file, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw new CollabgateError('E_IO', `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, {
      cause: err,
    })
  }
  return parseLockFile(text, file)
}

/** Writes a lock file; returns what was written. */
export async function writeLock(file: string, lock: PolicyLock, release = 1): Promise<PolicyLock> {
  try {
    // Stryker disable next-line StringLiteral: test/mutation/equivalent.md#lock-write-utf8
    await writeFile(file, formatLock(lock, release), 'utf8')
  } catch (err) {
    throw new CollabgateError('E_IO', `cannot write ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, {
      cause: err,
    })
  }
  return lock
}

export interface CheckLockOptions {
  /** Where a policy problem points (default: the document itself); the loader points at `version:`. */
  locate?: (policy: Policy, pointer: string) => SourceLocation
  /**
   * The record schemas the folder declares and releases with its policies (default: none, as for a folder without
   * collabgate.yaml).
   */
  schemas?: readonly RecordSchema[]
  /** The folder's own declaration (collabgate.yaml): its digest and where it is (default: none, the shipped kinds). */
  declaration?: { digest: string; location: SourceLocation }
  /** The whole folder was loaded, so a locked version with no file is gone (E_LOCK_MISSING). Default false. */
  complete?: boolean
  /** Where a lock entry's problem points: the lock file and the entry's line. */
  locateEntry?: (key: string) => SourceLocation
  /** The first day each policy version is no longer in effect, given its successors (see PolicySet). */
  endOf?: (policy: Policy) => string | undefined
}

/**
 * Compares a folder's content with its lock, the manifest of what was released. A locked entry whose
 * content changed (E_LOCK_MISMATCH), a locked entry that is gone when the whole folder was loaded
 * (E_LOCK_MISSING), and anything that can change a decision but is not in the lock (E_UNRELEASED: a
 * new policy id, a new or earlier version, a record schema, collabgate.yaml) are problems.
 */
export function checkLock(policies: readonly Policy[], lock: PolicyLock, given: CheckLockOptions = {}): LockCheck {
  const options = ownOptions(given)
  const locate = options.locate ?? ((p: Policy) => p.location)
  const schemas = options.schemas ?? []
  const problems: PolicyProblem[] = []
  const unlocked: string[] = []
  const locked = (key: string) => (Object.prototype.hasOwnProperty.call(lock, key) ? lock[key] : undefined)
  const items: (Lockable & { policy?: Policy; pointer: string })[] = [
    ...policies.map((p) => ({
      key: lockKey(p),
      digest: p.digest,
      // located only for a problem: a clean load then asks no file for a position (each a map of all of them)
      get location(): SourceLocation {
        return locate(p, '/version')
      },
      policy: p,
      pointer: '/version',
    })),
    ...schemas.map((s) => ({ key: recordSchemaKey(s), digest: s.digest, location: s.location, pointer: '' })),
    ...(options.declaration ? [{ key: DECLARATION_KEY, ...options.declaration, pointer: '' }] : []),
  ]
  const overlaps = unreleasedInEffect(policies, lock, options.endOf)
  for (const item of items) {
    const digest = locked(item.key)
    if (digest === undefined) {
      unlocked.push(item.key)
      problems.push(unreleased(item, overlaps.get(item.key), locate))
    } else if (digest !== item.digest) {
      problems.push(
        policyProblem(
          'E_LOCK_MISMATCH',
          `${item.key} is released (locked ${digest.slice(0, 19)}…) but its content changed (now ` +
            `${item.digest.slice(0, 19)}…)`,
          item.location,
          item.pointer,
          {
            hint: 'released versions are immutable: restore it and ship the change as a new version',
            params: { key: item.key, locked: digest, digest: item.digest },
          },
        ),
      )
    }
  }
  const present = new Set(items.map((i) => i.key))
  const stale = Object.keys(lock)
    .filter((k) => !present.has(k))
    .sort()
  if (options.complete) {
    for (const key of stale) {
      const at = options.locateEntry?.(key) ?? { file: LOCK_FILE_NAME, line: 1, column: 1 }
      problems.push(
        policyProblem('E_LOCK_MISSING', `${key} is released (in the lock) but no file in the folder holds it`, at, '', {
          hint: 'restore it: released versions stay',
          params: { key },
        }),
      )
    }
  }
  return { problems, unlocked: unlocked.sort(), stale }
}

/**
 * The E_UNRELEASED problem of something the lock does not list; for a policy version, the released dates it would
 * take over.
 */
function unreleased(
  item: Lockable & { policy?: Policy; pointer: string },
  overlap: { from: string; released: string } | undefined,
  locate: (policy: Policy, pointer: string) => SourceLocation,
): PolicyProblem {
  const hint =
    "release it with 'collabgate lock' (and sign the release where a trust file is used), or load with the lock off " +
    'for scratch work'
  if (item.policy && overlap)
    return policyProblem(
      'E_UNRELEASED',
      `${item.key} is not released (not in the lock) but would be in effect from ${overlap.from}, a date the ` +
        `released ${overlap.released} covers`,
      locate(item.policy, '/effective/from'),
      '/effective/from',
      { hint, params: { key: item.key, from: overlap.from, released: overlap.released } },
    )
  const what = item.policy ? 'policy version' : item.key === DECLARATION_KEY ? 'folder declaration' : 'record schema'
  return policyProblem(
    'E_UNRELEASED',
    `${item.key} is not released: the lock does not list this ${what}, so it may not decide`,
    item.location,
    item.pointer,
    {
      hint,
      params: { key: item.key },
    },
  )
}

/**
 * Unlocked policy versions that would be in effect on a date the locked versions of their id cover: key → that day
 * and the released version.
 */
function unreleasedInEffect(
  policies: readonly Policy[],
  lock: PolicyLock,
  endOf: ((p: Policy) => string | undefined) | undefined,
): Map<string, { from: string; released: string }> {
  const found = new Map<string, { from: string; released: string }>()
  const byId = new Map<string, Policy[]>()
  for (const p of policies) byId.set(p.id, [...(byId.get(p.id) ?? []), p])
  for (const versions of byId.values()) {
    const released = versions
      .filter((p) => Object.hasOwn(lock, lockKey(p)))
      .sort((a, b) => compareText(a.effective.from, b.effective.from))
    // the dates the released versions cover among themselves, each until the next one's from
    const covered = released.map((p, i) => ({
      p,
      from: p.effective.from,
      until: minDate(p.effective.until, released[i + 1]?.effective.from),
    }))
    for (const p of versions) {
      if (Object.hasOwn(lock, lockKey(p))) continue
      const from = p.effective.from
      const until = endOf ? endOf(p) : p.effective.until
      const hit = covered.find(
        (c) => (c.until === undefined || from < c.until) && (until === undefined || c.from < until),
      )
      if (!hit) continue
      // Stryker disable next-line EqualityOperator: test/mutation/equivalent.md#lock-equal-days
      found.set(lockKey(p), { from: from > hit.from ? from : hit.from, released: lockKey(hit.p) })
    }
  }
  return found
}

function minDate(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined) return b
  // Stryker disable next-line ConditionalExpression,EqualityOperator: test/mutation/equivalent.md#lock-min-date
  return b !== undefined && b < a ? b : a
}
