/**
 * The check cache: policy documents this process already parsed and validated, keyed by the SHA-256 of the file's
 * bytes and of everything else the check reads (the file's display name, the parse limits, the folder's subjects).
 * A reload of a folder whose files did not change then skips their parse and validation (and, since it gives back the
 * same frozen Policy, their compilation: see PolicySet). Only checks that found no problem are kept, so a broken file
 * is checked, and reported, on every load. The lock and every check across files still run on every load.
 */
import { createHash } from 'node:crypto'
import type { SourceLocation, SubjectDefinition, Policy } from '../model.js'
import { canonicalJson } from '../validate/policy.js'
import type { ParseLimits } from '../read/yaml-source.js'

/** A document checked without problems: the frozen Policy and where its pointers lie in the file. */
export interface CheckedDocument {
  policy: Policy
  locate: (pointer: string) => SourceLocation
  /** Whether the document names a calendar of its own (the W_CALENDAR_REGIONS warning reads it). */
  namesCalendar: boolean
}

/** Most documents kept: a process that loads many folders drops them all and starts again (as record validators). */
export const CHECK_CACHE_LIMIT = 1000

const checked = new Map<string, CheckedDocument>()

const sha256 = (data: string | Uint8Array): string => createHash('sha256').update(data).digest('hex')

/** The digest of a folder's subjects, for checkKey: taken once per load, never remembered by identity. */
// (a caller may change a subjects list it was handed, and the shipped declaration's is shared)
export const subjectsDigest = (subjects: readonly SubjectDefinition[]): string => sha256(canonicalJson(subjects))

/** What decides a check's result besides the bytes (the file's path does not: its name is checked on each load). */
export interface CheckInputs {
  /** The file's display name (in every location of the policy and of its problems). */
  display: string
  limits: ParseLimits
  /** subjectsDigest of the folder's subjects. */
  subjects: string
}

/** The key of one check: the SHA-256 of the bytes, then of the other inputs (one byte changed is another key). */
export function checkKey(bytes: Uint8Array, inputs: CheckInputs): string {
  const { display, limits, subjects } = inputs
  const rest = `${JSON.stringify(display)}${canonicalJson(limits)}`
  return `${sha256(bytes)}:${sha256(rest)}:${subjects}`
}

export const cachedCheck = (key: string): CheckedDocument | undefined => checked.get(key)

export function rememberCheck(key: string, entry: CheckedDocument): void {
  if (checked.size >= CHECK_CACHE_LIMIT) checked.clear()
  checked.set(key, entry)
}

/** Empties the cache (tests, and callers that want every file checked again). */
export function clearCheckCache(): void {
  checked.clear()
}
