import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { policyReads } from '../../src/audit/replay.js'
import {
  createAuditLog,
  defaultPolicies,
  verifyAuditLog,
  withAudit,
  replayAuditFiles,
  replayAuditLog,
  type EvaluatorKind,
  type PolicyRecord,
  type PolicySet,
} from '../../src/index.js'
import { ROOT } from '../cli/run-cli.js'
import { chainLines, entryBody, ndjson, type EntryBody } from './chained-log.js'

const ONBOARDING = 'creator-collaboration.us.onboarding'
const API_ACCESS = 'creator-collaboration.us.api-access'
const TERMINATION = 'creator-collaboration.us.termination'
// either side of the 1.0.0 → 1.1.0 switch on 2026-12-01
const DATES = ['2026-06-15', '2026-11-30', '2026-12-01', '2027-03-15']

let set: PolicySet
let dir: string
beforeEach(async () => {
  set = await defaultPolicies()
  dir = mkdtempSync(join(tmpdir(), 'collabgate-replay-'))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

async function records(count: number): Promise<PolicyRecord[]> {
  const bench = (await import(pathToFileURL(join(ROOT, 'bench', 'records.mjs')).href)) as {
    generateRecords: (count: number, seed?: number) => PolicyRecord[]
  }
  return bench.generateRecords(count, 20261207)
}

/** Logged decisions (entry bodies) of each record, for each date and evaluator, by every shipped policy of its kind. */
async function logged(count: number, limit: number): Promise<EntryBody[]> {
  const out: EntryBody[] = []
  for (const record of await records(count)) {
    const policies = 'developerId' in record ? [TERMINATION] : [ONBOARDING, API_ACCESS]
    for (const asOf of DATES)
      for (const evaluator of ['engine', 'compiled'] as EvaluatorKind[])
        for (const policy of policies) {
          if (out.length >= limit) return out
          out.push(entryBody(set, await set.decide(record, { policy, asOf, evaluator }), record, out.length + 1))
        }
  }
  return out
}

const entries = (bodies: readonly EntryBody[]) => chainLines(bodies).map((l) => JSON.parse(l) as unknown)

describe('replay: logged decisions of the shipped policies decide again identically', () => {
  // three policies, four dates across the 2026-12-01 switch, logged by both evaluators, replayed by each
  it('10,000 decisions written by the AuditLog replay identically', async () => {
    const file = join(dir, 'decisions.ndjson')
    const log = createAuditLog(file)
    const logged = withAudit(set, log)
    let n = 0
    const versions = new Set<string>()
    fill: for (const record of await records(1000))
      for (const asOf of DATES)
        for (const evaluator of ['engine', 'compiled'] as EvaluatorKind[])
          for (const policy of 'developerId' in record ? [TERMINATION] : [ONBOARDING, API_ACCESS]) {
            if (n++ >= 10_000) break fill
            const d = await logged.decide(record, { policy, asOf, evaluator })
            versions.add(`${d.policy.id}@${d.policy.version}`)
          }
    await log.close()
    expect(log.health()).toMatchObject({ healthy: true, entries: 10_000 })
    expect([...versions].sort()).toEqual([
      `${API_ACCESS}@1.0.0`,
      `${API_ACCESS}@1.1.0`,
      `${ONBOARDING}@1.0.0`,
      `${ONBOARDING}@1.1.0`,
      `${ONBOARDING}@1.2.0`,
      `${TERMINATION}@1.0.0`,
      `${TERMINATION}@1.1.0`,
    ])
    const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean)
    // the mix has adverse decisions with evidence, not only clean ones
    const adverse = lines.filter((l) => (JSON.parse(l) as { reasons: unknown[] }).reasons.length > 0)
    expect(adverse.length).toBeGreaterThan(1000)
    expect((await verifyAuditLog([file])).ok).toBe(true)
    for (const evaluator of ['compiled', 'engine'] as const) {
      const report = await replayAuditFiles(set, [file], { evaluator })
      expect(report.items).toEqual([])
      expect(report).toMatchObject({ entries: 10_000, identical: 10_000, differs: 0, notReplayable: 0 })
    }
  }, 120_000)
})

describe('replay: what it reports', () => {
  async function one(change: (b: EntryBody) => EntryBody) {
    const [b] = await logged(1, 1)
    return replayAuditLog(set, entries([change(b!)]))
  }

  it('an entry whose logged outcome or evidence is not what the rules say differs', async () => {
    const r = await one((b) => ({ ...b, outcome: 'approve' }))
    expect(r).toMatchObject({ entries: 1, identical: 0, differs: 1 })
    expect(r.items[0]).toMatchObject({ status: 'differs', index: 1, logged: { outcome: 'approve' } })
    const bodies = await logged(1, 1)
    const withReasons = bodies[0]!
    const reasons = withReasons.reasons as { evidence: unknown[] }[]
    const invented = [{ rule: 'X', outcome: 'reject', evidence: [] }]
    const changed = reasons.length > 0 ? reasons.map((x) => ({ ...x, evidence: [] })) : invented
    expect((await replayAuditLog(set, entries([{ ...withReasons, reasons: changed }]))).differs).toBe(1)
  })

  it('a version no longer in the folder, an unknown policy, other content under the version', async () => {
    const r = await replayAuditLog(set, [
      ...entries([(await logged(1, 1))[0]!].map((b) => ({ ...b, version: '9.9.9' }))),
      ...entries([(await logged(1, 1))[0]!].map((b) => ({ ...b, policy: 'nobody.policy' }))),
      ...entries([(await logged(1, 1))[0]!].map((b) => ({ ...b, digest: 'sha256:' + 'b'.repeat(64) }))),
    ])
    const reasons = r.items.map((i) => i.status === 'not-replayable' && i.reason)
    expect(reasons).toEqual(['version-missing', 'policy-missing', 'digest-mismatch'])
    const otherContent = /^not replayable: the folder holds other content/
    expect(r.items[2]).toMatchObject({ message: expect.stringMatching(otherContent) })
    expect(r.refusals).toEqual({ 'version-missing': 1, 'policy-missing': 1, 'digest-mismatch': 1 })
  })

  it('a masked fact the rules read is not replayable; a masked pointer they do not read changes nothing', async () => {
    const b = (await logged(2, 20)).find((x) => x.policy === TERMINATION) // termination reads /incidents
    const masking = (pointer: string, action: string) => entries([{ ...b!, masked: [{ pointer, action }] }])
    const read = await replayAuditLog(set, masking('/incidents/0/type', 'redact'))
    expect(read.items[0]).toMatchObject({ status: 'not-replayable', reason: 'masked-fact' })
    const message = /read \/incidents\/0\/type, which the log masked \(redact\)/
    expect(read.items[0]).toMatchObject({ message: expect.stringMatching(message) })
    const unread = await replayAuditLog(set, masking('/notes/secret', 'remove'))
    expect(unread.identical).toBe(1)
  })

  it('format-1 entries, entries without facts, facts the schema refuses, and lines that are not entries', async () => {
    const [b] = await logged(1, 1)
    const { facts: _facts, ...noFacts } = b!
    const r = await replayAuditLog(set, [
      { id: 'x', policy: TERMINATION, version: '1.0.0', digest: b!.digest, asOf: '2026-11-24', outcome: 'no_action' },
      ...entries([noFacts]),
      ...entries([{ ...b!, facts: {} }]),
      ...entries([{ ...b!, facts: { ...(b!.facts as object), incidents: 'not a list' } }]),
      'not an object',
      { v: 3, policy: TERMINATION, version: '1.0.0', digest: b!.digest, asOf: '2026-11-24' },
    ])
    expect(r.items.map((i) => i.status === 'not-replayable' && i.reason)).toEqual([
      'format-1',
      'no-facts',
      'no-facts',
      'facts-invalid',
      'not-an-entry',
      'not-an-entry',
    ])
    expect(r.items[2]).toMatchObject({ message: expect.stringMatching(/no applicationId in the facts/) })
    expect(r.items[3]).toMatchObject({ message: expect.stringMatching(/\/incidents: /) })
  })

  it('lists at most maxListed entries and counts them all', async () => {
    const bodies = (await logged(2, 6)).map((b) => ({ ...b, outcome: 'nonsense' }))
    const r = await replayAuditLog(set, entries(bodies), { maxListed: 2 })
    expect(r).toMatchObject({ entries: 6, differs: 6 })
    expect(r.items.map((i) => i.index)).toEqual([1, 2])
  })

  it('replayAuditFiles names each entry by file and line, across files', async () => {
    const lines = chainLines(await logged(2, 6))
    lines[4] = lines[4]!.replace(/"outcome":"[a-z_]+"/, '"outcome":"nonsense"')
    writeFileSync(join(dir, 'a.ndjson'), ndjson(lines.slice(0, 3)))
    writeFileSync(join(dir, 'b.ndjson'), ndjson(lines.slice(3)))
    const r = await replayAuditFiles(set, [join(dir, 'a.ndjson'), join(dir, 'b.ndjson')])
    expect(r).toMatchObject({ entries: 6, identical: 5, differs: 1 })
    expect(r.items[0]).toMatchObject({ file: join(dir, 'b.ndjson'), line: 2, index: 5 })
    await expect(replayAuditFiles(set, [join(dir, 'missing.ndjson')])).rejects.toMatchObject({ code: 'E_IO' })
  })
})

describe('PolicySet: loggedFacts', () => {
  it('decides from the facts a policy reads, which the record schema alone refuses, still checking types', async () => {
    const b = (await logged(1, 2)).find((x) => x.policy === API_ACCESS) // api-access reads review (and category) alone
    const facts = b!.facts as PolicyRecord
    expect(facts).not.toHaveProperty('applicant')
    const options = { policy: String(b!.policy), version: String(b!.version), asOf: String(b!.asOf) }
    await expect(set.decide(facts, options)).rejects.toMatchObject({ code: 'E_RECORD_INVALID' })
    expect((await set.decide(facts, { ...options, loggedFacts: true })).outcome).toBe(b!.outcome)
    expect(set.decideSync(facts, { ...options, loggedFacts: true }).outcome).toBe(b!.outcome)
    const wrong = { ...facts, [Object.keys(facts)[0]!]: 12345 }
    const replaying = { ...options, loggedFacts: true }
    await expect(set.decide(wrong, replaying)).rejects.toMatchObject({ code: 'E_RECORD_INVALID' })
    expect(() => set.assertRecord({ unknownField: 1 }, replaying)).toThrow(/unknownField|additional/i)
  })

  it('policyReads names every fact a shipped version reads, with its path', () => {
    const onboarding = set.select(ONBOARDING, '2026-11-24')
    const facts = new Set(policyReads(onboarding).map((r) => r[0]))
    const expected = ['applicant', 'submittedAt', 'review', 'security', 'product', 'account']
    expect([...facts]).toEqual(expect.arrayContaining(expected))
    expect(policyReads(onboarding)).toContainEqual(['applicant', 'legalName'])
  })
})
