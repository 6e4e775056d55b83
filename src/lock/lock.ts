/**
 * The lock file (`policies.lock.json`): id@version → digest of every released policy version.
 * A released version is immutable; if its content changes, its digest no longer matches the lock
 * and `validate` says so, so every change to a rule comes with a new version.
 */
import { readFile, writeFile } from 'node:fs/promises'
import { CollabgateError, type PolicyProblem } from '../errors.js'
import type { Policy, SourceLocation } from '../model.js'
import { compareText } from '../order.js'

export const LOCK_FILE_NAME = 'policies.lock.json'

/** `{ "id@version": "sha256:..." }`, keys sorted. */
export type PolicyLock = Record<string, string>

export interface LockCheck {
  /** E_LOCK_MISMATCH problems: a locked version whose content changed. */
  problems: PolicyProblem[]
  /** id@version of policies the lock does not list yet (a warning: run `collabgate lock`). */
  unlocked: string[]
  /** Lock entries no loaded policy matches (informational; `lock` drops them). */
  stale: string[]
}

const DIGEST = /^sha256:[0-9a-f]{64}$/

export const lockKey = (p: { id: string; version: string }): string => `${p.id}@${p.version}`

/** The lock for a set of policies, keys sorted so the file diffs cleanly. */
export function lockOf(policies: readonly Policy[]): PolicyLock {
  const entries = policies.map((p) => [lockKey(p), p.digest] as const).sort(([a], [b]) => compareText(a, b))
  const lock: PolicyLock = {}
  for (const [key, digest] of entries) if (!Object.hasOwn(lock, key)) lock[key] = digest // the first of a (refused) duplicate, as before
  return lock
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
    text = await readFile(file, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw new CollabgateError('E_IO', `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { cause: err })
  }
  return parseLock(text, file)
}

/** Writes the lock for `policies` to `file`, keeping only the versions present. */
export async function writeLock(file: string, policies: readonly Policy[]): Promise<PolicyLock> {
  const lock = lockOf(policies)
  try {
    await writeFile(file, formatLock(lock), 'utf8')
  } catch (err) {
    throw new CollabgateError('E_IO', `cannot write ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { cause: err })
  }
  return lock
}

/**
 * Compares policies with a lock. `locate` points a problem at a place in the policy file
 * (default: the document itself); the CLI points it at `version:`, the line to change.
 */
export function checkLock(
  policies: readonly Policy[],
  lock: PolicyLock,
  locate: (policy: Policy, pointer: string) => SourceLocation = (p) => p.location,
): LockCheck {
  const problems: PolicyProblem[] = []
  const unlocked: string[] = []
  for (const p of policies) {
    const key = lockKey(p)
    const locked = Object.prototype.hasOwnProperty.call(lock, key) ? lock[key] : undefined
    if (locked === undefined) unlocked.push(key)
    else if (locked !== p.digest) {
      problems.push({
        code: 'E_LOCK_MISMATCH',
        message: `content of ${key} changed without a version bump (locked ${locked.slice(0, 19)}…, now ${p.digest.slice(0, 19)}…); bump version or run collabgate lock`,
        ...locate(p, '/version'),
        pointer: '/version',
      })
    }
  }
  const present = new Set(policies.map(lockKey))
  const stale = Object.keys(lock).filter((k) => !present.has(k)).sort()
  return { problems, unlocked: unlocked.sort(), stale }
}
