import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PassThrough, Writable } from 'node:stream'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { auditEntry } from '../../src/audit/audit.js'
import {
  createAuditLog,
  defaultPolicies,
  newDecisionId,
  watchPolicies,
  withAudit,
  type AuditEntry,
  type PolicySet,
} from '../../src/index.js'
import { API_ACCESS, example, ONBOARDING, scratchPolicies, TERMINATION } from '../store/helpers.js'
import { GENESIS } from '../../src/audit/chain.js'
import { factsRead } from '../../src/decide/reads.js'

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
      'facts',
      'id',
      'outcome',
      'policy',
      'prev',
      'reasons',
      'release',
      'rules',
      'schema',
      'seq',
      'subject',
      'subjectKind',
      'time',
      'v',
      'version',
    ])
    expect(entries[0]).toEqual({
      v: 2,
      seq: 1,
      prev: GENESIS,
      id: expect.stringMatching(UUID_V7),
      time: '2026-11-24T12:00:00.000Z',
      policy: ONBOARDING,
      version: '1.0.0',
      digest: reject.policy.digest,
      release: shipped.release,
      subjectKind: 'application',
      subject: reject.subject.id,
      schema: reject.subject.schema,
      outcome: 'reject',
      rules: reject.reasons.map((r) => r.rule),
      reasons: reject.reasons.map((r) => ({ rule: r.rule, outcome: r.outcome, evidence: r.evidence })),
      asOf: '2026-11-24',
      facts: expect.any(Object),
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

  it('keeps of the record only the top-level fields the deciding policy reads, and its id field', async () => {
    const { stream, lines } = collect()
    const record: Record<string, unknown> = { ...example('behaviour', 'clean-developer'), $schema: 'read-by-no-rule.json' }
    const decision = await withAudit(shipped, createAuditLog(stream)).decide(record, { asOf: '2026-11-24' })
    const policy = shipped.policies.find((p) => p.id === decision.policy.id && p.version === decision.policy.version)!
    const read = factsRead(policy)
    const facts = lines()[0]!.facts
    expect(Object.keys(facts).sort()).toEqual(read.filter((f) => f in record).sort())
    expect(facts.developerId).toBe(record.developerId)
    expect(read).not.toContain('$schema')
    expect(JSON.stringify(facts)).not.toContain('read-by-no-rule')
    for (const f of read) if (f in record) expect(facts[f]).toEqual(record[f])
  })

  it('keeps no record data for a decision it cannot trace to its policy (no context)', async () => {
    const { stream, lines } = collect()
    const log = createAuditLog(stream)
    const decision = await shipped.decide(example('applications', 'rejected-multiple-reasons'), { asOf: '2026-11-24' })
    expect(decision.reasons.flatMap((r) => r.evidence).some((e) => e.actual !== undefined)).toBe(true)
    log.write(decision, example('applications', 'rejected-multiple-reasons'))
    const entry = lines()[0]!
    expect(entry.facts).toEqual({})
    expect(entry.reasons.flatMap((r) => r.evidence).some((e) => 'actual' in e)).toBe(false)
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
