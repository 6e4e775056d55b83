/** The decision log from the command line: decide --audit writes it, audit verify checks it, replay decides again. */
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { defaultPolicies } from '../../src/index.js'
import { auditHelp } from '../../src/cli/commands/audit.js'
import { replayHelp } from '../../src/cli/commands/replay.js'
import { chainLines, checkpointLine, entryBody, keyPair, ndjson } from '../audit/chained-log.js'
import { assertBuilt, cli, ROOT } from './run-cli.js'

beforeAll(assertBuilt)
let dir: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'collabgate-cli-audit-'))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

const RECORDS = join(ROOT, 'examples', 'records.ndjson')
const APP = join(ROOT, 'examples', 'applications', 'complete-us-developer.json')
const logLines = (file: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { subject: string; outcome: string; policy: string })

/** A hand-built format-2 log of the shipped policies' decisions on the example records. */
async function chainedLog(): Promise<string[]> {
  const set = await defaultPolicies()
  const records = readFileSync(RECORDS, 'utf8').split('\n').filter(Boolean)
  const bodies = []
  for (const [i, text] of records.entries()) {
    const record = JSON.parse(text) as Record<string, unknown>
    bodies.push(entryBody(set, await set.decide(record, { asOf: '2026-11-24' }), record, i + 1))
  }
  return chainLines(bodies)
}

describe('decide --audit', () => {
  it('appends one entry per decision (single record), buffered and durable', async () => {
    const log = join(dir, 'decisions.ndjson')
    const a = await cli(['decide', '--as-of', '2026-11-24', '--audit', log, APP])
    const b = await cli(['decide', '--as-of', '2026-11-24', '--audit', log, '--audit-mode', 'durable', APP])
    expect([a.code, b.code, a.stderr, b.stderr]).toEqual([0, 0, '', ''])
    const decision = JSON.parse(a.stdout) as { subject: { id: string }; outcome: string }
    expect(logLines(log).map((e) => [e.subject, e.outcome])).toEqual([
      [decision.subject.id, decision.outcome],
      [decision.subject.id, decision.outcome],
    ])
  })

  it.each([
    ['2', 'durable'],
    ['0', 'buffered'],
  ])('batch (--workers %s, %s): an entry per decided line, in order', async (workers, mode) => {
    const log = join(dir, 'decisions.ndjson')
    const input = join(dir, 'in.ndjson')
    const lines = readFileSync(RECORDS, 'utf8').split('\n').filter(Boolean)
    writeFileSync(input, [...lines, 'not json', ...lines].join('\n') + '\n')
    const logging = ['--audit', log, '--audit-mode', mode]
    const r = await cli(['decide', '--ndjson', '--as-of', '2026-11-24', '--workers', workers, ...logging, input])
    expect(r.code).toBe(1) // the line that is not JSON
    const answers = r.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { subject?: { id: string }; outcome?: string })
    const decided = answers.filter((d) => d.subject).map((d) => [d.subject!.id, d.outcome])
    expect(decided).toHaveLength(lines.length * 2)
    expect(logLines(log).map((e) => [e.subject, e.outcome])).toEqual(decided)
  })

  it('durable: a log that cannot be written prints no decision and exits 2 (E_AUDIT_FAILED)', async () => {
    if (!existsSync('/dev/full')) return
    const full = ['--audit', '/dev/full', '--audit-mode', 'durable']
    const single = await cli(['decide', '--as-of', '2026-11-24', ...full, APP])
    expect([single.code, single.stdout]).toEqual([2, ''])
    expect(single.stderr).toMatch(/E_AUDIT_FAILED/)
    const batch = await cli(['decide', '--ndjson', '--as-of', '2026-11-24', ...full, RECORDS])
    expect([batch.code, batch.stdout]).toEqual([2, ''])
    expect(batch.stderr).toMatch(/E_AUDIT_FAILED/)
  })

  it('buffered: a log that cannot be written still prints, says entries were lost, and exits 1', async () => {
    const r = await cli(['decide', '--as-of', '2026-11-24', '--audit', join(dir, 'no', 'such', 'dir', 'log'), APP])
    expect(r.code).toBe(1)
    expect(JSON.parse(r.stdout)).toHaveProperty('outcome')
    expect(r.stderr).toMatch(/the decision log failed \(ENOENT\): not every decision printed is logged/)
  })

  it('refuses --audit-mode without --audit, and a mode that is neither', async () => {
    const a = await cli(['decide', '--audit-mode', 'durable', APP])
    const b = await cli(['decide', '--audit', join(dir, 'l'), '--audit-mode', 'sometimes', APP])
    expect([a.code, b.code]).toEqual([2, 2])
    expect(a.stderr).toMatch(/--audit-mode applies to --audit FILE/)
    expect(b.stderr).toMatch(/--audit-mode must be buffered or durable, not sometimes/)
  })
})

describe('made, verified and replayed from the command line', () => {
  it('decide --audit (batch, workers, checkpoints) writes a log that verifies and replays', async () => {
    const key = keyPair()
    const names = ['decisions.ndjson', 'checkpoints.ndjson', 'audit.pem', 'audit.pub.pem']
    const [log, cps, priv, pub] = names.map((f) => join(dir, f))
    writeFileSync(priv!, key.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString())
    writeFileSync(pub!, key.publicPem)
    const input = join(dir, 'in.ndjson')
    const lines = readFileSync(RECORDS, 'utf8').split('\n').filter(Boolean)
    writeFileSync(
      input,
      Array.from({ length: 30 }, () => lines)
        .flat()
        .join('\n') + '\n',
    )
    const signing = ['--audit', log!, '--checkpoints', cps!, '--checkpoint-key', priv!, '--origin', 'example/decisions']
    const batch = ['--ndjson', '--as-of', '2026-11-24', '--workers', '2', '--audit-mode', 'durable']
    const first = await cli(['decide', ...batch, ...signing, input])
    // a second run continues the chain of the file it finds
    const second = await cli(['decide', '--as-of', '2026-12-02', ...signing, APP])
    expect([first.code, first.stderr, second.code, second.stderr]).toEqual([0, '', 0, ''])
    expect(readFileSync(log!, 'utf8').split('\n').filter(Boolean)).toHaveLength(lines.length * 30 + 1)
    const verified = await cli(['audit', 'verify', '--checkpoints', cps!, '--key', pub!, '--format', 'json', log!])
    expect(verified.code).toBe(0)
    const total = lines.length * 30 + 1
    expect(JSON.parse(verified.stdout)).toMatchObject({ ok: true, firstSeq: 1, lastSeq: total, findings: [] })
    const replayed = await cli(['replay', log!])
    expect([replayed.code, replayed.stdout]).toEqual([
      0,
      `replayed ${lines.length * 30 + 1} entries: ${lines.length * 30 + 1} identical, 0 differ, 0 not replayable\n`,
    ])
  })

  it("replay says which entries of a masked folder's log cannot be decided again, and why", async () => {
    const policies = join(dir, 'policies')
    cpSync(join(ROOT, 'policies'), policies, { recursive: true, filter: (src) => !src.endsWith('policies.lock.json') })
    const yaml = readFileSync(join(policies, 'collabgate.yaml'), 'utf8')
    const at = '      1.0.0: records/application.v1.0.0.schema.json\n'
    expect(yaml).toContain(at)
    const mask = '    audit:\n      mask:\n        - { pointer: /applicant/legalName, action: redact }\n'
    writeFileSync(join(policies, 'collabgate.yaml'), yaml.replace(at, at + mask))
    const log = join(dir, 'decisions.ndjson')
    const folder = ['--policies', policies, '--no-lock']
    const made = await cli(['decide', '--ndjson', ...folder, '--as-of', '2026-11-24', '--audit', log, RECORDS])
    expect([made.code, made.stderr]).toEqual([0, ''])
    const r = await cli(['replay', '--policies', policies, '--format', 'json', log])
    expect(r.code).toBe(1)
    const report = JSON.parse(r.stdout) as { entries: number; identical: number; refusals: Record<string, number> }
    // onboarding reads applicant.legalName: every entry whose legalName was masked (a record without one has none)
    const masked = logLines(log).filter((e) => 'masked' in e)
    expect(masked.length).toBeGreaterThan(3)
    const refusals = { 'masked-fact': masked.length }
    expect(report).toMatchObject({ entries: 10, identical: 10 - masked.length, refusals })
  })

  it('refuses checkpoint options without --audit, or without each other', async () => {
    const a = await cli(['decide', '--checkpoints', join(dir, 'c'), APP])
    const b = await cli(['decide', '--audit', join(dir, 'l'), '--checkpoints', join(dir, 'c'), APP])
    const c = await cli([
      'decide',
      '--audit',
      join(dir, 'l'),
      '--checkpoints',
      join(dir, 'c'),
      '--checkpoint-key',
      join(dir, 'nokey'),
      '--origin',
      'o',
      APP,
    ])
    expect([a.code, b.code, c.code]).toEqual([2, 2, 2])
    expect(a.stderr).toMatch(/apply to --audit FILE/)
    expect(b.stderr).toMatch(/go together/)
    expect(c.stderr).toMatch(/nokey/)
  })
})

describe('audit verify', () => {
  it('exits 0 on an untouched log with its checkpoints, 1 naming the line of an edit, text and JSON', async () => {
    const lines = await chainedLog()
    const key = keyPair()
    const log = join(dir, 'decisions.ndjson')
    const cps = join(dir, 'checkpoints.ndjson')
    const pub = join(dir, 'audit.pub.pem')
    writeFileSync(log, ndjson(lines))
    writeFileSync(cps, checkpointLine(lines, lines.length, key.privateKey) + '\n')
    writeFileSync(pub, key.publicPem)
    const ok = await cli(['audit', 'verify', '--checkpoints', cps, '--key', pub, log])
    expect([ok.code, ok.stderr]).toEqual([0, ''])
    expect(ok.stdout).toMatch(/ok: the chain is whole and every checkpoint matches/)
    const edit = (l: string) => l.replace(/"outcome":"[a-z_]+"/, '"outcome":"approve"')
    writeFileSync(log, ndjson(lines.map((l, i) => (i === 2 ? edit(l) : l))))
    const bad = await cli(['audit', 'verify', '--format', 'json', log])
    expect(bad.code).toBe(1)
    expect(JSON.parse(bad.stdout)).toMatchObject({ ok: false, findings: [{ kind: 'edited', file: log, line: 3 }] })
    const text = await cli(['audit', 'verify', log])
    expect(text.stdout).toMatch(new RegExp(`^edited: ${log}:3: `, 'm'))
  })

  it('exits 2 for usage and I/O errors', async () => {
    const log = join(dir, 'decisions.ndjson')
    writeFileSync(log, ndjson(await chainedLog()))
    const results = await Promise.all([
      cli(['audit', 'verify']),
      cli(['audit', 'verify', join(dir, 'missing.ndjson')]),
      cli(['audit', 'verify', '--key', log, log]),
      cli(['audit', 'check', log]),
      cli(['audit', 'verify', '--checkpoints', log, '--key', log, log]),
    ])
    expect(results.map((r) => r.code)).toEqual([2, 2, 2, 2, 2])
    expect(results[2]!.stderr).toMatch(/--checkpoints and --key go together/)
    expect(results[4]!.stderr).toMatch(/Ed25519 public key/)
  })
})

describe('replay', () => {
  it('exits 0 when every entry decides again identically, 1 naming an entry that differs', async () => {
    const lines = await chainedLog()
    const log = join(dir, 'decisions.ndjson')
    writeFileSync(log, ndjson(lines))
    const ok = await cli(['replay', log])
    expect([ok.code, ok.stderr]).toEqual([0, ''])
    expect(ok.stdout).toBe(`replayed ${lines.length} entries: ${lines.length} identical, 0 differ, 0 not replayable\n`)
    const edit = (l: string) => l.replace(/"outcome":"[a-z_]+"/, '"outcome":"nonsense"')
    writeFileSync(log, ndjson(lines.map((l, i) => (i === 4 ? edit(l) : l))))
    const engine = await cli(['replay', '--evaluator', 'engine', '--format', 'json', log])
    expect(engine.code).toBe(1)
    expect(JSON.parse(engine.stdout)).toMatchObject({ differs: 1, items: [{ status: 'differs', file: log, line: 5 }] })
    const text = await cli(['replay', log])
    expect(text.stdout).toMatch(new RegExp(`^differs: ${log}:5 \\(.*\\): logged nonsense \\[`, 'm'))
  })

  it('exits 2 for usage and I/O errors', async () => {
    const results = await Promise.all([
      cli(['replay']),
      cli(['replay', join(dir, 'missing.ndjson')]),
      cli(['replay', '--evaluator', 'fast', RECORDS]),
    ])
    expect(results.map((r) => r.code)).toEqual([2, 2, 2])
  })

  it('help texts show usage, exit codes and examples', () => {
    expect(auditHelp).toMatch(/^Usage: collabgate audit verify /)
    expect(replayHelp).toMatch(/^Usage: collabgate replay /)
    for (const text of [auditHelp, replayHelp]) {
      expect(text).toContain('Exit: 0')
      expect(text).toMatch(/Examples?:\n {2}collabgate /)
    }
  })
})
