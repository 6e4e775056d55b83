import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import type { ImpactReport } from '../../src/index.js'
import { assertBuilt, AUTHORING, cli, ROOT } from './run-cli.js'

beforeAll(assertBuilt)

const VERSIONS = `${AUTHORING}/versions`
const RECORDS = `${VERSIONS}/records.ndjson`
const base = ['impact', '--policies', VERSIONS, '--policy', 'acme.onboarding', '--from', '1.0.0', '--to', '1.1.0', '--as-of', '2025-09-02']

describe.concurrent('collabgate impact', () => {
  it('reports changed decisions, transitions and the rules behind them, and lists undecidable lines', async () => {
    const r = await cli([...base, RECORDS])
    expect(r.code).toBe(2)
    expect(r.stdout).toContain('impact of acme.onboarding 1.0.0 → 1.1.0 (as of 2025-09-02)\n')
    expect(r.stdout).toContain(
      '  6 record(s) decided, 3 decision(s) changed (3 with a different outcome), 2 line(s) could not be decided\n',
    )
    expect(r.stdout).toContain('outcome changes:\n  approve → manual_review: 2\n  manual_review → approve: 1\n')
    expect(r.stdout).toContain('  line 2 APP-2: approve → manual_review\n      before: (none)\n      after:  ONB-STRENGTH\n')
    expect(r.stdout).toContain('  line 7 APP-7: manual_review → approve\n      before: ONB-API-SCOPES\n      after:  (none)\n')
    expect(r.stdout).toContain('  line 3: E_RECORD_INVALID not JSON')
    expect(r.stdout).toContain("  line 5: E_RECORD_INVALID application record is invalid: / missing required field 'applicant'")
    expect(r.stderr).toContain(`2 line(s) of ${RECORDS} could not be decided`)
  })

  it('gives the same report as JSON', async () => {
    const r = await cli([...base, '--format', 'json', RECORDS])
    expect(r.code).toBe(2)
    const report = JSON.parse(r.stdout) as ImpactReport
    expect(report).toMatchObject({
      policy: 'acme.onboarding',
      from: { version: '1.0.0' },
      to: { version: '1.1.0' },
      lines: 8,
      decided: 6,
      changed: 3,
      outcomeChanged: 3,
    })
    expect(report.transitions).toEqual([
      { from: 'approve', to: 'manual_review', count: 2 },
      { from: 'approve', to: 'approve', count: 1 },
      { from: 'manual_review', to: 'approve', count: 1 },
      { from: 'needs_information', to: 'needs_information', count: 1 },
      { from: 'reject', to: 'reject', count: 1 },
    ])
    expect(report.changes.map((c) => [c.line, c.id, c.before.rules, c.after.rules, c.started, c.stopped])).toEqual([
      [2, 'APP-2', [], ['ONB-STRENGTH'], ['ONB-STRENGTH'], []],
      [7, 'APP-7', ['ONB-API-SCOPES'], [], [], ['ONB-API-SCOPES']],
      [8, 'APP-8', [], ['ONB-TECH-SECURITY'], ['ONB-TECH-SECURITY'], []],
    ])
    expect(report.invalid.map((i) => [i.line, i.code])).toEqual([
      [3, 'E_RECORD_INVALID'],
      [5, 'E_RECORD_INVALID'],
    ])
  })

  it('reads standard input; --fail-on-change exits 1 when decisions change', async () => {
    const good = readFileSync(join(ROOT, RECORDS), 'utf8')
      .split('\n')
      .filter((l, i) => [0, 1].includes(i))
      .join('\n')
    const r = await cli([...base, '--fail-on-change', '--format', 'json', '-'], { input: good })
    expect(r.code).toBe(1)
    expect(JSON.parse(r.stdout)).toMatchObject({ decided: 2, changed: 1, invalid: [] })
    const same = await cli([...base, '--fail-on-change', '-'], { input: good.split('\n')[0]! })
    expect(same.code).toBe(0)
    expect(same.stdout).toContain('1 record(s) decided, 0 decision(s) changed')
  })

  it('exits 2 when an option is missing or a version does not exist', async () => {
    const missing = await cli(['impact', '--policy', 'acme.onboarding', '--from', '1.0.0', RECORDS])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain('impact needs --to')
    const unknown = await cli([
      'impact',
      '--policies',
      VERSIONS,
      '--policy',
      'acme.onboarding',
      '--from',
      '1.0.0',
      '--to',
      '2.0.0',
      RECORDS,
    ])
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain("policy 'acme.onboarding' has no version 2.0.0")
  })
})

describe('collabgate impact over a file of mixed record kinds', () => {
  it('skips the records the policy does not judge, counted, instead of calling them invalid', async () => {
    const r = await cli([
      'impact',
      '--policy',
      'creator-collaboration.us.onboarding',
      '--from',
      '1.0.0',
      '--to',
      '1.1.0',
      '--as-of',
      '2026-12-02',
      '--format',
      'json',
      'examples/records.ndjson',
    ])
    expect(r.code).toBe(0)
    const report = JSON.parse(r.stdout) as { lines: number; decided: number; otherKind: number; invalid: unknown[] }
    expect([report.lines, report.decided, report.otherKind, report.invalid]).toEqual([10, 6, 4, []])
  })
})
