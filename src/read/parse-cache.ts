/**
 * The parse cache: the shipped policy files, already parsed, keyed by the SHA-256 of their text
 * (policies/policies.parsed.json). A cold process spends most of its policy load inside the yaml
 * parser (tens of milliseconds for 20 KB while the JIT is cold), so the embedded default policies
 * ship parsed. Only the parse is skipped: validation, linting and compilation still run on every
 * load, and any text that differs by one byte from what was cached is parsed as usual.
 *
 * The file is written by test/load/parse-cache.test.ts (`npx vitest run test/load -u`), which also
 * fails when it no longer matches the shipped policies. A missing or unreadable cache only makes
 * loading slower.
 */
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { isDeepStrictEqual } from 'node:util'
import { defaultPoliciesDir } from './package-root.js'
import type { Positions } from './yaml-source.js'

export const PARSE_CACHE_FORMAT = 'collabgate-parse-cache/1'

/** Where the shipped cache lives. */
export const parseCachePath = (): string => join(defaultPoliciesDir(), 'policies.parsed.json')

interface Entry {
  value: unknown
  positions: Positions
}

let cache: Map<string, Entry> | undefined

const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex')

/** The cached parse of exactly this text, as a fresh copy, or undefined. */
export function cachedParse(text: string): Entry | undefined {
  cache ??= readParseCache(parseCachePath())
  if (cache.size === 0) return undefined
  const hit = cache.get(sha256(text))
  // callers may keep or change the value; the cached one stays as it was
  return hit && { value: structuredClone(hit.value), positions: hit.positions }
}

/** Reads a cache file; anything missing or malformed gives an empty cache (loading is then just slower). */
export function readParseCache(file: string): Map<string, Entry> {
  const entries = new Map<string, Entry>()
  let data: unknown
  try {
    data = JSON.parse(readFileSync(file, 'utf8'))
  } catch {
    return entries
  }
  const d = data as { format?: unknown; entries?: unknown }
  if (d === null || typeof d !== 'object' || d.format !== PARSE_CACHE_FORMAT || !Array.isArray(d.entries))
    return entries
  for (const raw of d.entries as unknown[]) {
    const e = raw as { sha256?: unknown; value?: unknown; positions?: unknown }
    if (
      e === null ||
      typeof e !== 'object' ||
      typeof e.sha256 !== 'string' ||
      !/^[0-9a-f]{64}$/.test(e.sha256) ||
      !Array.isArray(e.positions)
    )
      return new Map()
    const pairs = e.positions as unknown[]
    for (const p of pairs) {
      if (!Array.isArray(p) || typeof p[0] !== 'string' || !Number.isInteger(p[1]) || !Number.isInteger(p[2]))
        return new Map()
    }
    entries.set(e.sha256, lazyEntry(e.value, pairs as [string, number, number][]))
  }
  return entries
}

/**
 * An entry whose positions become a Map only when it is used: the cache also holds the test files,
 * and building every entry's Map in a cold process cost about 10 ms of each load.
 */
function lazyEntry(value: unknown, raw: readonly [string, number, number][]): Entry {
  let positions: Positions | undefined
  return {
    value,
    get positions(): Positions {
      return (positions ??= new Map(raw.map(([pointer, line, col]) => [pointer, { line, col }])))
    },
  }
}

/**
 * The cache file's text for files parsed without problems under the default limits. A value that JSON
 * cannot carry unchanged (Infinity, NaN, -0) is left out, so its file is always parsed.
 */
export function formatParseCache(
  files: readonly { file: string; text: string; value: unknown; positions: Positions }[],
): string {
  const lines = files
    .filter((f) => isDeepStrictEqual(JSON.parse(JSON.stringify(f.value) ?? 'null'), f.value))
    .map((f) =>
      JSON.stringify({
        file: f.file,
        sha256: sha256(f.text),
        value: f.value,
        positions: [...f.positions].map(([pointer, p]) => [pointer, p.line, p.col]),
      }),
    )
  return `{"format":${JSON.stringify(PARSE_CACHE_FORMAT)},"entries":[\n${lines.join(',\n')}\n]}\n`
}
