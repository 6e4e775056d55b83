/**
 * Strict reading of the small JSON files of a release (trust file, signature file, lock), each with a place in its
 * errors.
 */
import { CollabgateError, type ErrorCode } from '../errors.js'
import { scanJsonText } from '../read/json-text.js'

/** The largest trust, signature or lock file read: far above any real one, far below what would hurt. */
export const MAX_RELEASE_FILE_BYTES = 4 * 1024 * 1024

/**
 * JSON.parse refusing what would not be read as written (a key given twice, a number a double cannot
 * hold) and what is too deep or too large, each as `code` with the file and the place.
 */
export function parseStrictJson(text: string, file: string, code: ErrorCode): unknown {
  if (text.length > MAX_RELEASE_FILE_BYTES)
    throw new CollabgateError(code, `${file} is over ${MAX_RELEASE_FILE_BYTES} characters`)
  const fault = scanJsonText(text, { maxDepth: 16, maxValues: 1_000_000 })
  if (fault !== undefined && fault.kind !== 'syntax') {
    const what =
      fault.kind === 'duplicateKey'
        ? `the key ${JSON.stringify(fault.key)} twice in one object`
        : fault.kind === 'lossyNumber'
          ? `the number ${fault.text}, which a double cannot hold exactly`
          : fault.kind === 'tooDeep'
            ? `nesting deeper than ${fault.maxDepth} levels`
            : `more than ${fault.maxValues} values`
    throw new CollabgateError(code, `${file} at ${fault.pointer || '/'}: ${what}`)
  }
  try {
    return JSON.parse(text) as unknown
  } catch (err) {
    throw new CollabgateError(code, `${file} is not JSON: ${err instanceof Error ? err.message : String(err)}`)
  }
}

/** A JSON object (not null, not an array) read from a parsed file. */
export const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

/** The own value of `key` (never one inherited from a polluted prototype). */
export const own = (o: Record<string, unknown>, key: string): unknown => (Object.hasOwn(o, key) ? o[key] : undefined)

/** The keys of `o` that `allowed` does not list. */
export const unknownKeys = (o: Record<string, unknown>, allowed: readonly string[]): string[] =>
  Object.keys(o).filter((k) => !allowed.includes(k))

/**
 * A YYYY-MM-DD date or an RFC 3339 UTC time (…THH:MM:SS[.fff]Z) that names a real instant; its epoch milliseconds.
 */
export function instantOf(text: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?Z)?$/.exec(text)
  if (!m) return undefined
  const ms = Date.parse(m[4] === undefined ? `${text}T00:00:00Z` : text)
  // Date.parse rolls 2026-02-30 over into March: a date that is not real is refused
  if (!Number.isFinite(ms) || new Date(ms).toISOString().slice(0, 10) !== text.slice(0, 10)) return undefined
  return ms
}
