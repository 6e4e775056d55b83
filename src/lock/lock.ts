/**
 * The lock file (`policies.lock.json`): the release manifest. `id@version` → digest of every released
 * policy version, and `record:SUBJECT@version` → digest of every released record schema version.
 * A released version is immutable and stays: loading fails when one is missing, when its content
 * changed, or when an unreleased version would be in effect on a date a released one covers.
 * `lock` only adds entries; rewriting one takes an explicit `--update KEY` (for versions never released).
 */
import { readFile, writeFile } from 'node:fs/promises'
import { CollabgateError, policyProblem, type PolicyProblem } from '../errors.js'
import type { Policy, RecordSchema, SourceLocation } from '../model.js'
import { compareText } from '../order.js'
import { ownOptions } from '../own.js'

export const LOCK_FILE_NAME = 'policies.lock.json'

/** `{ "id@version": "sha256:..." }`, keys sorted. */
export type PolicyLock = Record<string, string>

export interface LockCheck {
  /** E_LOCK_MISMATCH, E_LOCK_MISSING and E_UNLOCKED_IN_EFFECT problems. */
  problems: PolicyProblem[]
  /** Keys of versions the lock does not list yet (harmless until released: run `collabgate lock`). */
  unlocked: string[]
  /** Lock entries no loaded version matches (E_LOCK_MISSING when the whole folder was loaded). */
  stale: string[]
  /** Unlocked keys that are problems, not warnings: in effect on released dates, or used by a released policy. */
  unreleasedInEffect: string[]
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
export const recordSchemaKey = (s: Pick<RecordSchema, 'subject' | 'version'>): string => `record:${s.subject}@${s.version}`

/** The lock for a set of policies and the record schemas the folder declares, keys sorted so the file diffs cleanly. */
export function lockOf(policies: readonly Policy[], schemas: readonly RecordSchema[] = []): PolicyLock {
  const entries = [
    ...policies.map((p) => [lockKey(p), p.digest] as const),
    ...schemas.map((s) => [recordSchemaKey(s), s.digest] as const),
  ].sort(([a], [b]) => compareText(a, b))
  const lock: PolicyLock = {}
  for (const [key, digest] of entries) if (!Object.hasOwn(lock, key)) lock[key] = digest // the first of a (refused) duplicate, as before
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

/** The lock file's text: two-space JSON, sorted keys, trailing newline. */
export function formatLock(lock: PolicyLock): string {
  const sorted: PolicyLock = {}
  for (const key of Object.keys(lock).sort()) sorted[key] = lock[key]!
  return JSON.stringify(sorted, null, 2) + '\n'
}

/** Parses lock file text; throws CollabgateError('E_LOCK_INVALID') naming what is wrong. */
export function parseLock(text: string, file = LOCK_FILE_NAME): PolicyLock {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (err) {
    throw new CollabgateError('E_LOCK_INVALID', `${file} is not JSON: ${(err as Error).message}`)
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new CollabgateError('E_LOCK_INVALID', `${file} must be a JSON object of "id@version": "sha256:<hex>"`)
  }
  const lock: PolicyLock = {}
  for (const [key, digest] of Object.entries(value)) {
    if (!/^[^@\s]+@[^@\s]+$/.test(key) || typeof digest !== 'string' || !DIGEST.test(digest)) {
      throw new CollabgateError('E_LOCK_INVALID', `${file}: entry ${JSON.stringify(key)} must map "id@version" to "sha256:<64 hex digits>"`)
    }
    lock[key] = digest
  }
  return lock
}

/** Reads a lock file; undefined when there is none. */
export async function readLock(file: string): Promise<PolicyLock | undefined> {
  let text: string
  try {
    // Stryker disable next-line StringLiteral: without an encoding readFile gives a Buffer, which JSON.parse reads as UTF-8 all the same
    text = await readFile(file, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw new CollabgateError('E_IO', `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { cause: err })
  }
  return parseLock(text, file)
}

/** Writes a lock file; returns what was written. */
export async function writeLock(file: string, lock: PolicyLock): Promise<PolicyLock> {
  try {
    // Stryker disable next-line StringLiteral: writeFile's default encoding is UTF-8
    await writeFile(file, formatLock(lock), 'utf8')
  } catch (err) {
    throw new CollabgateError('E_IO', `cannot write ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { cause: err })
  }
  return lock
}

export interface CheckLockOptions {
  /** Where a policy problem points (default: the document itself); the loader points at `version:`. */
  locate?: (policy: Policy, pointer: string) => SourceLocation
  /** The record schemas the folder declares and releases with its policies (default: none, as for a folder without collabgate.yaml). */
  schemas?: readonly RecordSchema[]
  /** The whole folder was loaded, so a locked version with no file is gone (E_LOCK_MISSING). Default false. */
  complete?: boolean
  /** Where a lock entry's problem points: the lock file and the entry's line. */
  locateEntry?: (key: string) => SourceLocation
  /** The first day each policy version is no longer in effect, given its successors (see PolicySet). */
  endOf?: (policy: Policy) => string | undefined
}

/**
 * Compares policies (and their record schemas) with the lock: the release manifest. A locked version
 * whose content changed, a locked version that is gone (when the whole folder was loaded), an unlocked
 * policy version in effect on a date a locked version of the same id covers, and a locked policy
 * whose record schema is unlocked are problems.
 */
export function checkLock(policies: readonly Policy[], lock: PolicyLock, given: CheckLockOptions = {}): LockCheck {
  const options = ownOptions(given)
  const locate = options.locate ?? ((p: Policy) => p.location)
  const schemas = options.schemas ?? []
  const problems: PolicyProblem[] = []
  const unlocked: string[] = []
  const locked = (key: string) => (Object.prototype.hasOwnProperty.call(lock, key) ? lock[key] : undefined)
  const items: Lockable[] = [
    ...policies.map((p) => ({ key: lockKey(p), digest: p.digest, location: locate(p, '/version') })),
    ...schemas.map((s) => ({ key: recordSchemaKey(s), digest: s.digest, location: s.location })),
  ]
  for (const item of items) {
    const digest = locked(item.key)
    if (digest === undefined) unlocked.push(item.key)
    else if (digest !== item.digest) {
      problems.push(
        policyProblem(
          'E_LOCK_MISMATCH',
          `${item.key} is released (locked ${digest.slice(0, 19)}…) but its content changed (now ${item.digest.slice(0, 19)}…)`,
          item.location,
          item.key.startsWith('record:') ? '' : '/version',
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
  const inEffect = unreleasedInEffect(policies, lock, locate, options.endOf)
  const unreleased = inEffect.map((x) => x.key)
  problems.push(...inEffect.map((x) => x.problem))
  const released = new Set(schemas.map(recordSchemaKey))
  for (const p of policies) {
    const key = recordSchemaKey(p.record.schema)
    if (released.has(key) && locked(lockKey(p)) !== undefined && locked(key) === undefined && !unreleased.includes(key)) {
      unreleased.push(key)
      problems.push(
        policyProblem(
          'E_UNLOCKED_IN_EFFECT',
          `${lockKey(p)} is released but validates records with ${key}, which the lock does not list`,
          locate(p, '/recordSchema'),
          '/recordSchema',
          { hint: 'run collabgate lock', params: { key } },
        ),
      )
    }
  }
  return { problems, unlocked: unlocked.sort(), stale, unreleasedInEffect: unreleased.sort() }
}

/** Unlocked versions that would be in effect on a date the locked versions of their id cover. */
function unreleasedInEffect(
  policies: readonly Policy[],
  lock: PolicyLock,
  locate: (policy: Policy, pointer: string) => SourceLocation,
  endOf: ((p: Policy) => string | undefined) | undefined,
): { key: string; problem: PolicyProblem }[] {
  const problems: { key: string; problem: PolicyProblem }[] = []
  const byId = new Map<string, Policy[]>()
  for (const p of policies) byId.set(p.id, [...(byId.get(p.id) ?? []), p])
  for (const versions of byId.values()) {
    const released = versions.filter((p) => Object.hasOwn(lock, lockKey(p))).sort((a, b) => compareText(a.effective.from, b.effective.from))
    // Stryker disable next-line ConditionalExpression: a shortcut; with nothing released nothing is covered, so nothing is found below
    if (released.length === 0) continue
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
      const hit = covered.find((c) => (c.until === undefined || from < c.until) && (until === undefined || c.from < until))
      if (!hit) continue
      // Stryker disable next-line EqualityOperator: >= differs only when the two dates are equal, and then either is the day
      const day = from > hit.from ? from : hit.from
      problems.push({
        key: lockKey(p),
        problem: policyProblem(
          'E_UNLOCKED_IN_EFFECT',
          `${lockKey(p)} is not released (not in the lock) but would be in effect from ${day}, a date the released ${lockKey(hit.p)} covers`,
          locate(p, '/effective/from'),
          '/effective/from',
          {
            hint: 'release it with collabgate lock, or load with the lock off for scratch work',
            params: { key: lockKey(p), from: day, released: lockKey(hit.p) },
          },
        ),
      })
    }
  }
  return problems
}

function minDate(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined) return b
  // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalents: with b missing `undefined < a` is false and a is returned anyway (so `b !== undefined` → true), and for equal dates (< → <=) either is the minimum
  return b !== undefined && b < a ? b : a
}
