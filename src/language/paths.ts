/**
 * Paths into a fact: a safe subset of JSONPath, `$`, `$.a.b`, `$.list[0]`, `$['odd key']` is not supported.
 * Resolving never reads inherited properties, so `__proto__` or `constructor` in a path finds nothing.
 */

export type PathSegment = string | number

const SEGMENT = /\.([A-Za-z_][A-Za-z0-9_]*)|\[(\d{1,6})\]/y

/** Parses `$.a.b[0]` into ['a', 'b', 0]; returns undefined when the path is not in the supported subset. */
export function parsePath(path: string): PathSegment[] | undefined {
  if (!path.startsWith('$')) return undefined
  const segments: PathSegment[] = []
  SEGMENT.lastIndex = 1
  let at = 1
  while (at < path.length) {
    SEGMENT.lastIndex = at
    const m = SEGMENT.exec(path)
    if (!m) return undefined
    segments.push(m[1] !== undefined ? m[1] : Number(m[2]))
    at = SEGMENT.lastIndex
  }
  return segments
}

/** Reads a parsed path from a value; undefined when any step is missing. Own properties only. */
export function resolveSegments(value: unknown, segments: readonly PathSegment[]): unknown {
  let current = value
  for (const segment of segments) {
    if (current === null || typeof current !== 'object') return undefined
    if (typeof segment === 'number') {
      if (!Array.isArray(current)) return undefined
      current = current[segment]
    } else {
      if (Array.isArray(current) || !Object.prototype.hasOwnProperty.call(current, segment)) return undefined
      current = (current as Record<string, unknown>)[segment]
    }
  }
  return current
}

const cache = new Map<string, PathSegment[] | undefined>()

/** Resolves a path string (cached parse); unsupported paths resolve to undefined. */
export function resolvePath(value: unknown, path: string | undefined): unknown {
  if (path === undefined || path === '' || path === '$') return value
  let segments = cache.get(path)
  if (segments === undefined && !cache.has(path)) {
    segments = parsePath(path)
    if (cache.size < 10_000) cache.set(path, segments)
  }
  return segments === undefined ? undefined : resolveSegments(value, segments)
}

/** `applicant` + `$.registration.country` → `applicant.registration.country`, for messages and evidence. */
export function fieldName(fact: string, path: string | undefined): string {
  if (path === undefined || path === '$' || path === '') return fact
  return fact + path.slice(1).replace(/\[(\d+)\]/g, '.$1')
}

/** A key as one JSON pointer token (RFC 6901): `~` → `~0`, `/` → `~1`. */
export function escapePointerToken(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1')
}

/** One JSON pointer token read back (RFC 6901): `~1` → `/`, then `~0` → `~`. */
export function unescapePointerToken(token: string): string {
  return token.replace(/~1/g, '/').replace(/~0/g, '~')
}
