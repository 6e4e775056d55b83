import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PassThrough, Writable } from 'node:stream'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  auditEntry,
  createAuditLog,
  defaultPolicies,
  newDecisionId,
  watchPolicies,
  withAudit,
  type AuditEntry,
  type PolicySet,
} from '../../src/index.js'
import { API_ACCESS, example, ONBOARDING, scratchPolicies, TERMINATION } from '../store/helpers.js'

const NOON = new Date('2026-11-24T12:00:00.000Z')
const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/
let shipped: PolicySet
// in each test, not beforeAll (memoised by defaultPolicies): npm run mutation counts code a beforeAll hook runs as
// reached by every test
beforeEach(async () => {
  shipped = await defaultPolicies()
})

function collect(): { stream: PassThrough; lines: () => AuditEntry[] } {
  const stream = new PassThrough()
  let text = ''
  stream.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')))
  return {
    stream,
    lines: () =>
      text
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as AuditEntry),
  }
}

const dirs: string[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

describe('audit log', () => {
  it('writes one NDJSON line per decision with exactly the audit fields', async () => {
    const { stream, lines } = collect()
    const log = createAuditLog(stream, { now: () => NOON })
    const audited = withAudit(shipped, log)
    const reject = await audited.decide(example('applications', 'rejected-multiple-reasons'), { asOf: '2026-11-24' })
    const deny = await audited.decide(example('applications', 'pending-review'), { asOf: '2026-11-24', policy: API_ACCESS })
    const clean = await audited.decide(example('behaviour', 'clean-developer'), { asOf: '2026-11-24' })

    const entries = lines()
    expect(entries).toHaveLength(3)
    expect(log.entries).toBe(3)
    expect(Object.keys(entries[0]!).sort()).toEqual([
      'asOf',
      'digest',
      'id',
      'outcome',
      'policy',
      'rules',
      'subject',
      'subjectKind',
      'time',
      'version',
    ])
    expect(entries[0]).toEqual({
      id: expect.stringMatching(UUID_V7),
      time: '2026-11-24T12:00:00.000Z',
      policy: ONBOARDING,
      version: '1.0.0',
      digest: reject.policy.digest,
      subjectKind: 'application',
      subject: reject.subject.id,
      outcome: 'reject',
      rules: reject.reasons.map((r) => r.rule),
      asOf: '2026-11-24',
    })
    expect(entries[0]!.rules.length).toBeGreaterThan(1)
    expect(entries[1]).toMatchObject({ policy: API_ACCESS, outcome: deny.outcome, rules: ['API-CATEGORY-APPROVED'] })
    expect(entries[2]).toMatchObject({
      policy: TERMINATION,
      subjectKind: 'behaviour',
      subject: clean.subject.id,
      outcome: 'no_action',
      rules: [],
    })
  })

  it('leaves every other record field out of the log by default', async () => {
    const { stream, lines } = collect()
    const record = example('applications', 'complete-us-developer')
    await withAudit(shipped, createAuditLog(stream)).decide(record, { asOf: '2026-11-24' })
    const text = JSON.stringify(lines())
    for (const secret of ['Brightloop', 'partners@brightloop.example', 'DE-7731842', 'AES-256']) expect(text).not.toContain(secret)
  })

  it('adds caller-chosen fields only through the opt-in extra function', async () => {
    const { stream, lines } = collect()
    const log = createAuditLog(stream, {
      extra: (_d, record) => ({
        requestId: 'req-1',
        country: (record.applicant as { registration: { country: string } }).registration.country,
      }),
    })
    await withAudit(shipped, log).decide(example('applications', 'complete-us-developer'), { asOf: '2026-11-24' })
    expect(lines()[0]!.extra).toEqual({ requestId: 'req-1', country: 'US' })
  })

  it('does not log decisions that failed', async () => {
    const { stream, lines } = collect()
    const err = await withAudit(shipped, createAuditLog(stream))
      .decide({ applicationId: 'A-1' }, { asOf: '2026-11-24' })
      .catch((e: unknown) => e)
    expect((err as { code?: string }).code).toBe('E_RECORD_INVALID')
    expect(lines()).toEqual([])
  })

  it('appends to a file path and flushes on close', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'collabgate-audit-'))
    dirs.push(dir)
    const file = join(dir, 'decisions.ndjson')
    for (let round = 0; round < 2; round++) {
      const log = createAuditLog(file)
      await withAudit(shipped, log).decide(example('behaviour', 'suspected-fraud'), { asOf: '2026-11-24' })
      await log.close()
    }
    const entries = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as AuditEntry)
    expect(entries.map((e) => e.outcome)).toEqual(['investigate', 'investigate'])
  })

  it('reports a failing stream once and never fails a decision because of it', async () => {
    const broken = new Writable({
      write(_chunk, _enc, callback) {
        callback(new Error('disk full'))
      },
    })
    const errors: Error[] = []
    const log = createAuditLog(broken, { onError: (e) => errors.push(e) })
    const audited = withAudit(shipped, log)
    for (let i = 0; i < 3; i++) {
      const d = await audited.decide(example('behaviour', 'confirmed-data-leak'), { asOf: '2026-11-24' })
      expect(d.outcome).toBe('terminate')
      await new Promise((r) => setImmediate(r))
    }
    expect(errors.map((e) => e.message)).toEqual(['disk full'])
  })

  it('builds entries from a decision alone (auditEntry)', async () => {
    const d = await shipped.decide(example('behaviour', 'late-incident-report'), { asOf: '2026-11-24' })
    expect(auditEntry(d, NOON)).toMatchObject({
      time: NOON.toISOString(),
      policy: TERMINATION,
      outcome: d.outcome,
      rules: d.reasons.map((r) => r.rule),
    })
  })
})

describe('decision ids', () => {
  it('makes UUIDv7 ids that sort by their time and never repeat', () => {
    const ids = Array.from({ length: 1000 }, (_, i) => newDecisionId(1_700_000_000_000 + i))
    expect(ids.every((id) => UUID_V7.test(id))).toBe(true)
    expect([...ids].sort()).toEqual(ids)
    expect(new Set(Array.from({ length: 1000 }, () => newDecisionId(0))).size).toBe(1000)
    expect(newDecisionId(0x0123456789ab).replaceAll('-', '').slice(0, 12)).toBe('0123456789ab')
  })

  it("logs the store caller's decisionId, and an id of the log's own when none is given; the decision has none", async () => {
    const scratch = scratchPolicies()
    dirs.push(join(scratch.dir, '..'))
    const { stream, lines } = collect()
    const store = await watchPolicies(scratch.dir, { watch: false, worker: false, audit: createAuditLog(stream) })
    const record = example('behaviour', 'clean-developer')
    const given = await store.decide(record, { asOf: '2026-11-24', decisionId: 'req-42' })
    const plain = await store.decide(record, { asOf: '2026-11-24' })
    expect(JSON.stringify(given)).toBe(JSON.stringify(plain)) // the id is the log's, not the decision's
    expect(lines().map((e) => e.id)).toEqual(['req-42', expect.stringMatching(UUID_V7)])
    for (const bad of ['', 'has space', 'x'.repeat(129), 'line\nbreak', 7])
      await expect(store.decide(record, { asOf: '2026-11-24', decisionId: bad as string })).rejects.toMatchObject({
        code: 'E_INVALID_ARGUMENT',
      })
    expect(lines()).toHaveLength(2) // a refused id is no decision and no line
    store.close()
  })
})
