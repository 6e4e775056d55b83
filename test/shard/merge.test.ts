/** Sharded batch and impact runs, merged: the one run's output byte for byte, and every way shards can fail to merge. */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { decideNdjson, type BatchOptions } from '../../src/batch/batch.js'
import { defaultPolicies, loadPolicies } from '../../src/folder/load.js'
import type { PolicySet } from '../../src/decide/policy-set.js'
import { impactOf, type ImpactOptions } from '../../src/impact/impact.js'
import { mergeShards } from '../../src/merge/merge.js'
import type { Shard } from '../../src/shard/shard.js'
import { ROOT } from '../core/helpers.js'

const ASOF = '2026-11-24'
const EXAMPLES = readFileSync(join(ROOT, 'examples', 'records.ndjson'), 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '')
const VERSIONS = join(ROOT, 'test', 'fixtures', 'authoring', 'versions')
const ACME = readFileSync(join(VERSIONS, 'records.ndjson'), 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '')

/** Each record again under a few ids, so subjects have several lines, mixed with lines that are no record. */
function spread(lines: readonly string[], idFields: readonly string[], copies: number): string[] {
  const out: string[] = []
  for (let c = 0; c < copies; c++) {
    lines.forEach((text, i) => {
      let record: unknown
      try {
        record = JSON.parse(text)
      } catch {
        out.push(text) // not JSON: kept as it is, placed by its line number
        return
      }
      const r = record as Record<string, unknown>
      const field = idFields.find((f) => typeof r[f] === 'string')
      // ids repeat across copies: a subject's lines lie far apart in the input
      if (field) r[field] = `${String(r[field])}-${(c + i) % 3}`
      out.push(JSON.stringify(r))
    })
    if (c % 2 === 0) out.push('', '{"applicationId": "APP-TORN", ', '{"applicationId":"APP-BAD","category":42}')
  }
  return out
}

let shipped: PolicySet
let acme: PolicySet
let batchInput: string
let impactLines: string[]

beforeAll(async () => {
  shipped = await defaultPolicies()
  acme = await loadPolicies(VERSIONS, { lock: false })
  batchInput =
    spread(
      EXAMPLES,
      shipped.subjectKinds.map((k) => k.idField),
      6,
    ).join('\n') + '\n'
  impactLines = spread(
    ACME,
    acme.subjectKinds.map((k) => k.idField),
    5,
  )
})

async function batch(set: PolicySet, input: string, options: Partial<BatchOptions> = {}): Promise<string> {
  let out = ''
  // input in odd-sized chunks: the shard's hash of the input must not depend on how it arrives
  const parts = input.match(/[\s\S]{1,777}/g) ?? []
  async function* chunks(): AsyncGenerator<string> {
    yield* parts
  }
  await decideNdjson(set, chunks(), (t) => void (out += t), { asOf: ASOF, workers: 0, blockLines: 8, ...options })
  return out
}

const IMPACT: ImpactOptions = { policy: 'acme.onboarding', from: '1.0.0', to: '1.1.0', asOf: '2025-09-02' }
const impactJson = async (lines: readonly string[], options: Partial<ImpactOptions> = {}): Promise<string> =>
  JSON.stringify(await impactOf(acme, lines, { ...IMPACT, ...options }), null, 2) + '\n'

const shards = (count: number): Shard[] => Array.from({ length: count }, (_, i) => ({ index: i + 1, count }))
const sources = (texts: readonly string[]) => texts.map((text, i) => ({ name: `shard-${i + 1}`, text }))

describe('merged shards equal one run, byte for byte', () => {
  it.each([1, 2, 3, 7])('batch in %i shard(s)', async (n) => {
    const one = await batch(shipped, batchInput)
    expect(one.split('\n').length).toBeGreaterThan(60)
    const outputs = await Promise.all(shards(n).map((shard) => batch(shipped, batchInput, { shard })))
    if (n > 1) for (const o of outputs) expect(o.length).toBeLessThan(one.length)
    expect(mergeShards(sources(outputs))).toBe(one)
    // given in any order, or all on one standard input
    expect(mergeShards(sources([...outputs].reverse()))).toBe(one)
    expect(mergeShards([{ name: 'standard input', text: outputs.join('') }])).toBe(one)
  })

  it.each([1, 2, 3, 7])('impact in %i shard(s)', async (n) => {
    const one = await impactJson(impactLines)
    const report = JSON.parse(one) as { changed: number; invalid: unknown[]; refused: unknown[] }
    expect(report.changed).toBeGreaterThan(3)
    expect(report.invalid.length).toBeGreaterThan(3)
    const outputs = await Promise.all(shards(n).map((shard) => impactJson(impactLines, { shard })))
    expect(mergeShards(sources(outputs))).toBe(one)
    expect(mergeShards([{ name: 'standard input', text: [...outputs].reverse().join('') }])).toBe(one)
  })

  it('keeps a subject in one shard: every line of an id is answered by the same shard, in batch and impact', async () => {
    const outputs = await Promise.all(shards(3).map((shard) => batch(shipped, batchInput, { shard })))
    const owner = new Map<string, number>()
    outputs.forEach((text, k) => {
      for (const line of text.split('\n').slice(1, -2)) {
        const id = (JSON.parse(line) as { result: { subject?: { id: string } } }).result.subject?.id
        if (id === undefined) continue
        expect(owner.get(id) ?? k).toBe(k)
        owner.set(id, k)
      }
    })
    expect(new Set(owner.values()).size).toBe(3)
    const reports = await Promise.all(shards(3).map((shard) => impactJson(impactLines, { shard })))
    const changed = new Map<string, number>()
    let repeated = 0
    reports.forEach((text, k) => {
      for (const c of (JSON.parse(text) as { changes: { id: string }[] }).changes) {
        if (changed.has(c.id)) repeated++
        expect(changed.get(c.id) ?? k).toBe(k)
        changed.set(c.id, k)
      }
    })
    expect(repeated).toBeGreaterThan(0)
    expect(new Set(changed.values()).size).toBeGreaterThan(1)
  })

  it('keeps the unsharded batch output as it was: no header, no wrapping', async () => {
    const one = await batch(shipped, EXAMPLES.join('\n'))
    expect(one.split('\n')[0]).toBe(JSON.stringify(shipped.decideSync(JSON.parse(EXAMPLES[0]!), { asOf: ASOF })))
  })

  it('says in each shard which shard it is, of which input, decided by what', async () => {
    const out = await batch(shipped, batchInput, { shard: { index: 2, count: 3 } })
    const lines = out.trimEnd().split('\n')
    expect(JSON.parse(lines[0]!)).toMatchObject({ kind: 'batch', shard: { index: 2, count: 3, policies: /^sha256:/ } })
    expect(JSON.parse(lines.at(-1)!)).toMatchObject({ end: { input: /^sha256:[0-9a-f]{64}$/, lines: batchInput.split('\n').length - 1 } })
    const report = JSON.parse(await impactJson(impactLines, { shard: { index: 1, count: 2 } })) as Record<string, unknown>
    expect(Object.keys(report)[0]).toBe('kind')
    expect(report).toMatchObject({ kind: 'impact', shard: { index: 1, count: 2, lines: impactLines.length } })
  })
})

describe('merge refuses', () => {
  const code = (fn: () => unknown): string => {
    try {
      fn()
    } catch (err) {
      return `${(err as { code?: string }).code}: ${(err as Error).message}`
    }
    return 'merged'
  }

  it('a missing shard, naming it', async () => {
    const outputs = await Promise.all(shards(3).map((shard) => batch(shipped, batchInput, { shard })))
    expect(code(() => mergeShards(sources([outputs[0]!, outputs[2]!])))).toMatch(/^E_SHARD_MISSING: shard\(s\) 2\/3 missing/)
    const reports = await Promise.all(shards(7).map((shard) => impactJson(impactLines, { shard })))
    expect(code(() => mergeShards(sources(reports.slice(0, 5))))).toMatch(/^E_SHARD_MISSING: shard\(s\) 6\/7, 7\/7 missing/)
    // of 1,000 shards, the first twenty missing are named
    const lone = await batch(shipped, batchInput, { shard: { index: 1, count: 1000 } })
    expect(code(() => mergeShards(sources([lone])))).toMatch(
      /^E_SHARD_MISSING: shard\(s\) 2\/1000, 3\/1000, .* 21\/1000, … missing: 1 of 1000/,
    )
  })

  it('a shard given twice, and shards that overlap', async () => {
    const outputs = await Promise.all(shards(2).map((shard) => batch(shipped, batchInput, { shard })))
    expect(code(() => mergeShards(sources([outputs[0]!, outputs[1]!, outputs[0]!])))).toMatch(
      /^E_SHARD_DUPLICATE: shard 1\/2 \(shard-3:1\) is given twice: shard-1:1 and shard-3:1/,
    )
    // shard 2's lines relabelled as shard 1 of another split: the same lines answered twice
    const relabelled = outputs[1]!.replace('"index":2,"count":2', '"index":1,"count":2')
    const all = await batch(shipped, batchInput, { shard: { index: 2, count: 2 } })
    expect(all).toBe(outputs[1])
    const overlap = code(() => mergeShards(sources([relabelled, outputs[1]!])))
    expect(overlap).toMatch(/^E_SHARD_DUPLICATE: line \d+ is answered by two shards .*: the shards overlap/)
  })

  it('shards of different inputs', async () => {
    const other = batchInput.replace('APP-TORN', 'APP-TORE')
    const a = await batch(shipped, batchInput, { shard: { index: 1, count: 2 } })
    const b = await batch(shipped, other, { shard: { index: 2, count: 2 } })
    expect(code(() => mergeShards(sources([a, b])))).toMatch(/^E_SHARD_MISMATCH: .* read different inputs \(input: sha256:/)
    const i1 = await impactJson(impactLines, { shard: { index: 1, count: 2 } })
    const i2 = await impactJson(impactLines.slice(1), { shard: { index: 2, count: 2 } })
    expect(code(() => mergeShards(sources([i1, i2])))).toMatch(/^E_SHARD_MISMATCH: .* read different inputs/)
  })

  it('shards of different policy versions, or another asOf', async () => {
    const a = await batch(shipped, batchInput, { shard: { index: 1, count: 2 } })
    const b = await batch(acme, batchInput, { shard: { index: 2, count: 2 } })
    expect(code(() => mergeShards(sources([a, b])))).toMatch(/^E_SHARD_MISMATCH: .* were made by different policy versions/)
    const i1 = await impactJson(impactLines, { shard: { index: 1, count: 2 } })
    const i2 = await impactJson(impactLines, { shard: { index: 2, count: 2 }, to: '1.0.0' })
    expect(code(() => mergeShards(sources([i1, i2])))).toMatch(/^E_SHARD_MISMATCH: .* were made by different policy versions/)
    const later = await batch(shipped, batchInput, { shard: { index: 2, count: 2 }, asOf: '2026-11-25' })
    expect(code(() => mergeShards(sources([a, later])))).toMatch(/^E_SHARD_MISMATCH: .* with different settings .*2026-11-25/)
  })

  it('shards of different splits', async () => {
    const a = await batch(shipped, batchInput, { shard: { index: 1, count: 2 } })
    const b = await batch(shipped, batchInput, { shard: { index: 2, count: 3 } })
    expect(code(() => mergeShards(sources([a, b])))).toMatch(/^E_SHARD_MISMATCH: .* different numbers of shards/)
  })

  it('malformed JSON, naming the file and line', async () => {
    const out = await batch(shipped, batchInput, { shard: { index: 1, count: 1 } })
    const lines = out.split('\n')
    lines[4] = lines[4]!.slice(0, 30)
    expect(code(() => mergeShards([{ name: 'b.ndjson', text: lines.join('\n') }]))).toMatch(/^E_MERGE_INVALID: b\.ndjson:5:\d+: not JSON/)
    const report = await impactJson(impactLines, { shard: { index: 1, count: 1 } })
    const broken = report.replace('"decided": ', '"decided" ')
    const at = report.slice(0, report.indexOf('"decided": ')).split('\n').length
    expect(code(() => mergeShards([{ name: 'i.json', text: broken }]))).toMatch(
      new RegExp(`^E_MERGE_INVALID: i\\.json:${at}:\\d+: not JSON`),
    )
    const cut = report.slice(0, 200)
    expect(code(() => mergeShards([{ name: 'i.json', text: cut }]))).toMatch(/^E_MERGE_INVALID: i\.json:\d+:\d+: not JSON/)
  })

  it('outputs that are no shard: unsharded, unknown kinds, mixed kinds, nothing at all', async () => {
    const plain = await impactJson(impactLines)
    expect(code(() => mergeShards([{ name: 'p.json', text: plain }]))).toMatch(/^E_MERGE_INVALID: p\.json:1: no "kind"/)
    const unsharded = await batch(shipped, batchInput)
    expect(code(() => mergeShards([{ name: 'u.ndjson', text: unsharded }]))).toMatch(/^E_MERGE_INVALID: u\.ndjson:1: no "kind"/)
    const stamp = { index: 1, count: 1, input: 'sha256:0', lines: 1, policies: 'p', settings: 's' }
    const later = JSON.stringify({ kind: 'forecast', shard: stamp })
    expect(code(() => mergeShards([{ name: 'f.json', text: later }]))).toMatch(
      /^E_MERGE_KIND: f\.json:1 is of kind "forecast"; merge knows batch, impact/,
    )
    const b = await batch(shipped, batchInput, { shard: { index: 1, count: 2 } })
    const i = await impactJson(impactLines, { shard: { index: 2, count: 2 } })
    expect(code(() => mergeShards(sources([b, i])))).toMatch(
      /^E_MERGE_KIND: the shards are of different kinds: batch \(shard-1:1\), impact \(shard-2:1\)/,
    )
    expect(code(() => mergeShards([{ name: 'e', text: '\n\n' }]))).toMatch(/^E_MERGE_INVALID: no shard output/)
    const noStamp = JSON.stringify({ kind: 'impact', shard: { index: 3, count: 2 } })
    expect(code(() => mergeShards([{ name: 'x', text: noStamp }]))).toMatch(/^E_MERGE_INVALID: x:1: no shard stamp/)
  })

  it('an impact report without its counts or lists, and keys that would reach a prototype', async () => {
    const report = JSON.parse(await impactJson(impactLines, { shard: { index: 1, count: 1 } })) as Record<string, unknown>
    delete report.transitions
    expect(code(() => mergeShards([{ name: 'i', text: JSON.stringify(report) }]))).toBe(
      'E_MERGE_INVALID: the impact report of shard 1/1 has no valid "transitions"',
    )
    // a "__proto__" key is a key: it cannot lend the report the list it lacks
    const hostile = `{"__proto__": {"transitions": []}, ${JSON.stringify(report).slice(1)}`
    expect(code(() => mergeShards([{ name: 'h', text: hostile }]))).toBe(
      'E_MERGE_INVALID: the impact report of shard 1/1 has no valid "transitions"',
    )
    expect(({} as Record<string, unknown>).transitions).toBeUndefined()
  })

  it('a batch shard cut short (no end line), or a result line edited out', async () => {
    const out = await batch(shipped, batchInput, { shard: { index: 1, count: 1 } })
    const lines = out.trimEnd().split('\n')
    const cut = lines.slice(0, -1).join('\n') + '\n'
    expect(code(() => mergeShards([{ name: 'c', text: cut }]))).toMatch(/^E_SHARD_INCOMPLETE: c:1: the shard has no end line/)
    const edited = [...lines.slice(0, 3), ...lines.slice(4)].join('\n')
    expect(code(() => mergeShards([{ name: 'c', text: edited }]))).toMatch(/^E_SHARD_INCOMPLETE: no shard answers input line 3 of/)
  })

  it('an interrupted batch shard writes no end line', async () => {
    const stop = new AbortController()
    stop.abort()
    const out = await batch(shipped, batchInput, { shard: { index: 1, count: 2 }, signal: stop.signal })
    expect(out).not.toContain('"end"')
  })

  it('a bad shard from a library caller', async () => {
    for (const shard of [
      { index: 0, count: 3 },
      { index: 4, count: 3 },
      { index: 1.5, count: 3 },
    ]) {
      await expect(batch(shipped, batchInput, { shard })).rejects.toMatchObject({ code: 'E_INVALID_ARGUMENT' })
      await expect(impactJson(impactLines, { shard })).rejects.toMatchObject({ code: 'E_INVALID_ARGUMENT' })
    }
  })
})
