/**
 * `collabgate backtest` as users and CI run it: text and JSON, --fail-on thresholds and their exit codes, --shard
 * outputs that merge into the one run's JSON byte for byte, records input, and coded errors for bad input.
 */
import { rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mergeBacktestReports } from '../../src/backtest/backtest.js'
import type { BacktestReport } from '../../src/index.js'
import { labelledSet, NOW, POLICY, type LabelledSet } from '../backtest/labelled-set.js'
import { assertBuilt, AUTHORING, cli } from './run-cli.js'

let s: LabelledSet
let base: string[]
beforeAll(async () => {
  assertBuilt()
  s = await labelledSet()
  base = ['backtest', '--policies', `${AUTHORING}/versions`, '--policy', POLICY, '--baseline', '1.0.0', '--candidate', '1.1.0']
  base.push('--now', NOW, '--maturity', '14d', '--log', s.log, '--labels', s.labelsCsv)
}, 60_000)
afterAll(() => rmSync(s.dir, { recursive: true, force: true }))

// each case starts the CLI up to four times on a shared machine: a bound well above it, not a race
describe.concurrent('collabgate backtest', { timeout: 120_000 }, () => {
  it('reports coverage first, then transitions, confusion matrices and rules', async () => {
    const r = await cli(base)
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    const out = r.stdout
    expect(out).toContain('backtest of acme.onboarding 1.0.0 → 1.1.0 (log, now 2025-03-31, maturity 14d)\n')
    expect(out).toContain('  29 entries: 19 replayed under both versions and joined to a label, 10 left out; 26 label(s) read\n')
    expect(out).toContain('    immature: 1 (e.g. 0190a000-0000-7000-8000-000000000022)\n')
    expect(out).toMatch(/baseline ↓ \/ candidate → +reject +needs_information +manual_review +approve\n +reject +5 +0 +0 +0\n/)
    expect(out).toContain('  objects (not approve): TP 10, FP 3, FN 4, TN 2\n')
    expect(out).toContain('  precision 0.769 [0.497, 0.918] (10/13) small\n')
    expect(out.indexOf('left out')).toBeLessThan(out.indexOf('baseline ↓'))
    expect(out).toMatch(/ONB-API-SCOPES +0\.211 \[0\.085, 0\.433\] \(4\/19\) small +0\.750 /)
  })

  it('prints JSON whose first field is its kind', async () => {
    const r = await cli([...base, '--format', 'json'])
    expect(r.code).toBe(0)
    expect(r.stdout.startsWith('{\n  "kind": "backtest",\n')).toBe(true)
    const report = JSON.parse(r.stdout) as BacktestReport
    expect([report.entries, report.used, report.versions.candidate.binary.tp]).toEqual([29, 19, 8])
  })

  it('exits 1 when a --fail-on threshold fails, 0 when all hold', async () => {
    const fails = await cli([...base, '--fail-on', 'precision<0.9', '--fail-on', 'baseline.recall<0.5'])
    expect(fails.code).toBe(1)
    // candidate precision 8/11, baseline recall 10/14
    expect(fails.stderr).toBe(
      'collabgate: --fail-on precision<0.9: 0.727273 (fails)\ncollabgate: --fail-on baseline.recall<0.5: 0.714286 (holds)\n',
    )
    const holds = await cli([...base, '--fail-on', 'changed>0.5', '--fail-on', 'precision[ONB-SCOPE-US]<0.5', '--fail-on', 'used<10'])
    expect(holds.stderr).toContain('--fail-on changed>0.5: 0.315789 (holds)')
    expect(holds.code).toBe(0)
    // no data to compare (a rule that never fired has no precision) fails: nothing shows the threshold holds
    const empty = await cli([...base, '--fail-on', 'baseline.precision[ONB-STRENGTH]<0.5'])
    expect(empty.stderr).toContain('baseline.precision[ONB-STRENGTH]<0.5: no data (fails)')
    expect(empty.code).toBe(1)
  })

  it('refuses a --fail-on it cannot read, or a rule the version lacks, as a usage error', async () => {
    const bad = await cli([...base, '--fail-on', 'precision=0.9'])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('E_INVALID_ARGUMENT: --fail-on "precision=0.9": not [VERSION.]METRIC[RULE] OP NUMBER')
    const rule = await cli([...base, '--fail-on', 'recall[ONB-API-SCOPES]<0.5'])
    expect(rule.code).toBe(2)
    expect(rule.stderr).toContain('candidate 1.1.0 has no rule ONB-API-SCOPES')
  })

  it('merges its --shard outputs into the one run, byte for byte', async () => {
    const whole = await cli([...base, '--format', 'json'])
    const shards = await Promise.all([1, 2, 3].map((k) => cli([...base, '--format', 'json', '--shard', `${k}/3`])))
    expect(shards.map((r) => r.code)).toEqual([0, 0, 0])
    const reports = shards.map((r) => JSON.parse(r.stdout) as BacktestReport)
    expect(reports.map((r) => r.shard)).toEqual([1, 2, 3].map((index) => ({ index, count: 3 })))
    expect(JSON.stringify(mergeBacktestReports(reports), null, 2) + '\n').toBe(whole.stdout)
    // and through collabgate merge, as a scheduler's N jobs would hand them over (in any order)
    const files = [3, 1, 2].map((k) => {
      const file = join(s.dir, `backtest-shard-${k}.json`)
      writeFileSync(file, shards[k - 1]!.stdout)
      return file
    })
    const merged = await cli(['merge', ...files])
    expect([merged.code, merged.stderr]).toEqual([0, ''])
    expect(merged.stdout).toBe(whole.stdout)
    const missing = await cli(['merge', files[0]!, files[1]!])
    expect([missing.code, missing.stderr]).toEqual([2, expect.stringContaining('E_SHARD_MISSING: shard(s) 2/3 missing')])
  })

  it('backtests records decided as of one date', async () => {
    const labels = join(s.dir, 'records-labels.ndjson')
    const rows = [
      ['APP-1', 'approve'],
      ['APP-2', 'approve'],
      ['APP-4', 'reject'],
      ['APP-5', 'reject'],
      ['APP-7', 'manual_review'],
    ]
    writeFileSync(labels, rows.map(([subject, outcome]) => JSON.stringify({ subject, outcome }) + '\n').join(''))
    const args = ['backtest', '--policies', `${AUTHORING}/versions`, '--policy', POLICY, '--baseline', '1.0.0', '--candidate', '1.1.0']
    const r = await cli([
      ...args,
      '--labels',
      labels,
      '--as-of',
      '2025-09-02',
      '--now',
      '2025-10-01',
      '--format',
      'json',
      `${AUTHORING}/versions/records.ndjson`,
    ])
    expect(r.code).toBe(0)
    const report = JSON.parse(r.stdout) as BacktestReport
    // 8 records: line 3 is not JSON, APP-5 fails the schema, APP-8 and APP-9 have no label; APP-1, 2, 4, 7 are used
    const left = Object.fromEntries(report.excluded.filter((x) => x.count > 0).map((x) => [x.reason, x.count]))
    expect([report.entries, report.used, left]).toEqual([8, 4, { 'not-an-entry': 1, unlabelled: 2, 'facts-invalid': 1 }])
    // APP-2 approve → manual_review (1.5 years), APP-7 manual_review → approve (its scope rule is gone)
    expect(report.transitions).toEqual([
      [1, 0, 0, 0],
      [0, 0, 0, 0],
      [0, 0, 0, 1],
      [0, 0, 1, 1],
    ])
  })

  it('names bad input with a code and exits 2', async () => {
    const labels = join(s.dir, 'cli-bad.ndjson')
    writeFileSync(labels, '{"decision":"x","outcome":"approve"}\n[1]\n')
    const malformed = await cli([...base, '--labels', labels])
    expect(malformed.code).toBe(2)
    expect(malformed.stderr).toContain(`E_LABELS_INVALID: ${labels}:2: not a JSON object`)
    const version = await cli([...base, '--baseline', '0.0.1'])
    expect([version.code, version.stderr]).toEqual([2, expect.stringContaining('E_POLICY_NOT_FOUND')])
    const usage = await cli(base.filter((a) => a !== '--labels' && a !== s.labelsCsv))
    expect([usage.code, usage.stderr]).toEqual([2, expect.stringContaining('backtest needs --labels')])
    const maturity = await cli([...base, '--maturity', '2 weeks'])
    expect([maturity.code, maturity.stderr]).toEqual([2, expect.stringContaining('--maturity must be a number of days')])
    const shard = await cli([...base, '--shard', '4/3'])
    expect([shard.code, shard.stderr]).toEqual([2, expect.stringContaining('--shard "4/3" is not K/N')])
    const both = await cli([...base, 'records.ndjson'])
    expect([both.code, both.stderr]).toEqual([2, expect.stringContaining('not both or neither')])
  })
})
