/**
 * Canonical JSON (sorted keys, no whitespace) and its sha256 digest, what policy and record-schema digests are of.
 * Plain JavaScript so scripts/build-validators.mjs, which runs before the build, keys validators with this very code.
 */
import { createHash } from 'node:crypto'

/** Canonical JSON (sorted keys) so the digest ignores formatting, comments and key order. */
export function canonicalJson(value) {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  if (value && typeof value === 'object') {
    const entries = Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`)
    return `{${entries.join(',')}}`
  }
  return JSON.stringify(value) ?? 'null'
}

/** `sha256:` and the hex sha256 of the value's canonical JSON. */
export function digestOf(value) {
  return 'sha256:' + createHash('sha256').update(canonicalJson(value)).digest('hex')
}
