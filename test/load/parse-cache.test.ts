import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { DEFAULT_PARSE_LIMITS, loadPolicies } from '../../src/index.js'
import { cachedParse, formatParseCache, parseCachePath, PARSE_CACHE_FORMAT, readParseCache } from '../../src/read/parse-cache.js'
import { parseYamlSource, parseYamlText } from '../../src/read/yaml-source.js'

const POLICIES = join(import.meta.dirname, '..', '..', 'policies')
const shipped = readdirSync(POLICIES)
  .filter((f) => /\.ya?ml$/.test(f))
  .sort()
  .map((file) => ({ file, text: readFileSync(join(POLICIES, file), 'utf8') }))

const tmp = mkdtempSync(join(tmpdir(), 'collabgate-parse-cache-'))
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

describe('the parse cache of the shipped policies', () => {
  it('is the parse of every shipped YAML file as it is now (update with `npx vitest run test/load -u`)', async () => {
    expect(shipped.length).toBeGreaterThanOrEqual(6)
    const parsed = shipped.map(({ file, text }) => {
      const { value, positions, problems, invisible } = parseYamlText(file, text, DEFAULT_PARSE_LIMITS)
      expect(problems, file).toEqual([])
      // a cached parse skips the walk that finds invisible characters: a shipped policy has none
      if (!file.endsWith('.test.yaml')) expect(invisible, file).toEqual([])
      return { file, text, value, positions }
    })
    await expect(formatParseCache(parsed)).toMatchFileSnapshot(parseCachePath())
  })

  it('answers each shipped file exactly as a fresh parse would: value and every position', () => {
    for (const { file, text } of shipped) {
      expect(cachedParse(text), file).toBeDefined()
      const fresh = parseYamlText(file, text, DEFAULT_PARSE_LIMITS)
      const viaCache = parseYamlSource(file, text)
      expect(viaCache.problems).toEqual([])
      expect(viaCache.value).toEqual(fresh.value)
      for (const pointer of fresh.positions.keys()) {
        const p = fresh.positions.get(pointer)!
        expect(viaCache.locate(pointer), `${file} ${pointer}`).toEqual({ file, line: p.line, column: p.col })
      }
      // a pointer below a known one is placed at its nearest known parent
      expect(viaCache.locate('/rules/0/no/such/thing')).toEqual(viaCache.locate('/rules/0'))
    }
  })

  it('hands out a fresh copy: changing one parse leaves the next alone', () => {
    const { text } = shipped[0]!
    const first = parseYamlSource('a.yaml', text).value as Record<string, unknown>
    first.id = 'changed'
    expect((parseYamlSource('a.yaml', text).value as Record<string, unknown>).id).not.toBe('changed')
  })

  it('misses on text that differs by one byte, which is then parsed as usual', () => {
    const { file, text } = shipped.find((s) => /\.v\d/.test(s.file) && !s.file.includes('.test.'))!
    const edited = text + '# edited\n'
    expect(cachedParse(edited)).toBeUndefined()
    const source = parseYamlSource(file, edited)
    expect(source.problems).toEqual([])
    expect(source.value).toEqual(parseYamlSource(file, text).value)
    expect(cachedParse(text.replace('title:', 'title: ')) ?? 'miss').toBe('miss')
  })

  it('is not used under stricter limits than those it was made with', () => {
    const { file, text } = shipped.find((s) => /\.v\d/.test(s.file) && !s.file.includes('.test.'))!
    const strict = parseYamlSource(file, text, { ...DEFAULT_PARSE_LIMITS, maxDepth: 3 })
    expect(strict.value).toBeUndefined()
    expect(strict.problems.map((p) => p.code)).toEqual(['E_YAML_LIMIT'])
    // the byte limit is checked before any lookup
    expect(parseYamlSource(file, text, { ...DEFAULT_PARSE_LIMITS, maxBytes: 10 }).problems[0]?.code).toBe('E_YAML_LIMIT')
  })

  it('gives shipped policies with the same digests and source lines whether cached or parsed', async () => {
    const copy = join(tmp, 'edited')
    rmSync(copy, { recursive: true, force: true })
    const { mkdirSync } = await import('node:fs')
    mkdirSync(copy)
    // policy files only: without a collabgate.yaml the copy judges the shipped record kinds
    for (const { file, text } of shipped)
      if (/\.v\d/.test(file) && !file.includes('.test.'))
        writeFileSync(join(copy, file), text + '# a comment changes the bytes, not the policy\n')
    const cached = (await loadPolicies(POLICIES)).policies
    const parsed = (await loadPolicies(copy)).policies
    expect(parsed.map((p) => p.digest)).toEqual(cached.map((p) => p.digest))
    const lines = (ps: typeof cached) =>
      ps.map((p) => [p.location.line, ...p.rules.flatMap((r) => [r.location.line, ...r.checks.map((c) => c.location.line)])])
    expect(lines(parsed)).toEqual(lines(cached))
  })
})

describe('reading a cache file', () => {
  const write = (name: string, text: string) => {
    const file = join(tmp, name)
    writeFileSync(file, text)
    return file
  }
  const entry = { sha256: 'a'.repeat(64), value: { id: 'x' }, positions: [['', 1, 1]] }

  it('reads a well-formed file', () => {
    const cache = readParseCache(write('ok.json', JSON.stringify({ format: PARSE_CACHE_FORMAT, entries: [entry] })))
    expect([...cache.keys()]).toEqual(['a'.repeat(64)])
    expect(cache.get('a'.repeat(64))?.positions.get('')).toEqual({ line: 1, col: 1 })
  })

  it('treats a missing, corrupt or foreign file as an empty cache', () => {
    expect(readParseCache(join(tmp, 'missing.json')).size).toBe(0)
    expect(readParseCache(write('corrupt.json', '{"format": ')).size).toBe(0)
    expect(readParseCache(write('other.json', JSON.stringify({ format: 'other/1', entries: [entry] }))).size).toBe(0)
    expect(readParseCache(write('null.json', 'null')).size).toBe(0)
    const bad = (e: unknown) => readParseCache(write('bad.json', JSON.stringify({ format: PARSE_CACHE_FORMAT, entries: [entry, e] }))).size
    expect(bad({ ...entry, sha256: 'not-a-digest' })).toBe(0)
    expect(bad({ ...entry, positions: [['', '1', 1]] })).toBe(0)
    expect(bad({ ...entry, positions: 'none' })).toBe(0)
    expect(bad(null)).toBe(0)
  })

  it('leaves out values JSON cannot carry unchanged, so their files are always parsed', () => {
    const positions = new Map([['', { line: 1, col: 1 }]])
    const text = formatParseCache([
      { file: 'inf.yaml', text: 'x: .inf\n', value: { x: Infinity }, positions },
      { file: 'neg.yaml', text: 'x: -0\n', value: { x: -0 }, positions },
      { file: 'ok.yaml', text: 'x: 1\n', value: { x: 1 }, positions },
    ])
    const cache = readParseCache(write('formatted.json', text))
    expect([...cache.values()].map((e) => e.value)).toEqual([{ x: 1 }])
  })
})
