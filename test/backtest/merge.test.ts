/**
 * Issue #23 item 3 for backtest: N shards (--shard K/N, by a hash of the subject id) merged by mergeBacktestReports
 * give byte for byte the JSON one run gives, for N = 1, 2, 3, 7; the merge refuses reports of other runs.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { backtestOf, parseLabels, type BacktestReport, type Labels } from '../../src/index.js'
import { mergeBacktestReports } from '../../src/backtest/backtest.js'
import { readLines } from '../../src/impact/impact.js'
import { chainLines, ndjson, type EntryBody } from '../audit/chained-log.js'
import { labelledSet, NOW, OUTCOMES, POLICY, record, type LabelledSet } from './labelled-set.js'

let s: LabelledSet
let dir: string
let log: string
let labels: Labels
beforeAll(async () => {
  s = await labelledSet()
  dir = mkdtempSync(join(tmpdir(), 'collabgate-backtest-merge-'))
  // 150 entries over 60 subjects (a subject decided up to three times), labelled by decision or by subject,
  // at dates either side of the maturity window, from a fixed pseudo-random sequence
  let seed = 20261207
  const next = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2147483648
    return Math.floor(seed / 65536) % n
  }
  const digest = s.set.select(POLICY, NOW, '1.0.0').digest
  const bodies: EntryBody[] = []
  const lines = ['decision,subject,outcome']
  const labelledSubjects = new Set<string>()
  for (let n = 1; n <= 150; n++) {
    const subject = `APP-${next(60)}`
    const kind = (['A', 'B', 'C', 'D', 'E', 'F', 'G'] as const)[next(7)]!
    const id = `0190b000-0000-7000-8000-${String(n).padStart(12, '0')}`
    const asOf = `2025-03-${String(1 + next(28)).padStart(2, '0')}`
    bodies.push({
      id,
      policy: POLICY,
      version: '1.0.0',
      digest,
      subject,
      outcome: 'approve',
      rules: [],
      asOf,
      facts: record(kind, subject),
    })
    const how = next(4)
    if (how === 0) lines.push(`${id},,${OUTCOMES[next(4)]}`)
    else if (how === 1 && !labelledSubjects.has(subject)) {
      labelledSubjects.add(subject)
      lines.push(`,${subject},${OUTCOMES[next(4)]}`)
    }
  }
  log = join(dir, 'log.ndjson')
  writeFileSync(log, ndjson(chainLines(bodies)))
  const labelsFile = join(dir, 'labels.csv')
  writeFileSync(labelsFile, lines.join('\n') + '\n')
  labels = await parseLabels(readLines(labelsFile), labelsFile, 'csv')
}, 60_000)
afterAll(() => {
  rmSync(s.dir, { recursive: true, force: true })
  rmSync(dir, { recursive: true, force: true })
})

const options = { policy: POLICY, baseline: '1.0.0', candidate: '1.1.0', now: NOW, maturityDays: 7 }
const runShard = (index?: number, count?: number): Promise<BacktestReport> =>
  backtestOf(s.set, { log: [log] }, labels, { ...options, ...(count === undefined ? {} : { shard: { index: index!, count } }) })
const json = (r: BacktestReport) => JSON.stringify(r, null, 2) + '\n'

describe('mergeBacktestReports', () => {
  it('gives byte for byte the one run, for 1, 2, 3 and 7 shards', async () => {
    const one = await runShard()
    expect(one.used).toBeGreaterThan(40)
    expect(one.excluded.find((x) => x.reason === 'immature')!.count).toBeGreaterThan(10)
    expect(one.excluded.find((x) => x.reason === 'unlabelled')!.count).toBeGreaterThan(10)
    expect(Object.keys(one)[0]).toBe('kind')
    // cells with more entries than samples kept, so the merge has to choose the same first ones
    expect(one.transitions.flat().some((n) => n > 5) && one.transitionSamples.flat().some((x) => x.length === 5)).toBe(true)
    for (const count of [1, 2, 3, 7]) {
      const shards = await Promise.all(Array.from({ length: count }, (_, i) => runShard(i + 1, count)))
      // every shard takes a part (a subject's decisions together), and the parts add up to the whole
      expect(shards.reduce((n, r) => n + r.entries, 0)).toBe(one.entries)
      if (count > 1) expect(shards.filter((r) => r.entries === one.entries)).toEqual([])
      // through JSON, as the merge command reads the shards' outputs, and in reverse order
      const read = shards.map((r) => JSON.parse(json(r)) as BacktestReport).reverse()
      expect(json(mergeBacktestReports(read))).toBe(json(one))
    }
  })

  it('refuses reports of other runs, or a missing or repeated shard', async () => {
    const [a, b] = [await runShard(1, 2), await runShard(2, 2)]
    const other = await backtestOf(s.set, { log: [log] }, labels, { ...options, maturityDays: 0, shard: { index: 2, count: 2 } })
    expect(() => mergeBacktestReports([a, other])).toThrow(/different runs/)
    expect(() => mergeBacktestReports([a])).toThrow(/shards 1\/N to N\/N/)
    expect(() => mergeBacktestReports([a, a])).toThrow(/shards 1\/N to N\/N/)
    expect(() => mergeBacktestReports([])).toThrow(/no reports/)
    expect(() => mergeBacktestReports([a, { ...b, kind: 'impact' as 'backtest' }])).toThrow(/kind "impact"/)
    expect(() => mergeBacktestReports([a, b])).not.toThrow()
  })
})
