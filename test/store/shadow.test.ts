/**
 * Issue #23, item 1: a store shadows candidate versions on its live decisions. The shadow never changes
 * or holds up an answer, drops and counts what a full queue cannot take, keeps an exact served →
 * candidate matrix with per-rule shifts and sample ids, and logs each shadow decision beside the served
 * one. The log test also runs the built command line: `npm run build` first.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  CollabgateError,
  createAuditLog,
  loadPolicies,
  PolicyValidationError,
  replayAuditLog,
  verifyAuditLog,
  watchPolicies,
  type Decision,
  type PolicyStore,
  type ShadowOptions,
} from '../../src/index.js'
import { validEntries } from '../audit/entries.js'
import { cli } from '../cli/run-cli.js'
import { API_ACCESS, example, NEW_FILE, newOnboardingVersion, OLD_FILE, ONBOARDING, scratchPolicies, type Json } from './helpers.js'

const AS_OF = '2026-11-24'
let scratch: ReturnType<typeof scratchPolicies>
const stores: PolicyStore[] = []
const dirs: string[] = []

beforeEach(() => {
  scratch = scratchPolicies()
})
afterEach(() => {
  for (const s of stores.splice(0)) s.close()
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
  scratch.remove()
})

/**
 * Onboarding 1.1.0, from 2027-01-01 (not yet in effect on AS_OF): ONB-STRENGTH asks 4 years in operation
 * (1.0.0: 1), and ONB-BUSINESS-VERIFIED never objects (`in [true, false]`).
 */
function candidateText(): string {
  const { next } = newOnboardingVersion(scratch.read(OLD_FILE), '2027-01-01', 4)
  const verified = 'path: $.businessVerified\n      operator: equal\n      value: true'
  if (!next.includes(verified)) throw new Error('the onboarding policy no longer has the lines this test edits')
  return next.replace(verified, 'path: $.businessVerified\n      operator: in\n      value: [true, false]')
}

async function open(shadow?: ShadowOptions, more: Parameters<typeof watchPolicies>[1] = {}): Promise<PolicyStore> {
  const store = await watchPolicies(scratch.dir, { watch: false, worker: false, lock: false, ...more, ...(shadow ? { shadow } : {}) })
  stores.push(store)
  return store
}

/** Lets the shadow run: it works on later turns of the event loop (bounded). */
async function settle(store: PolicyStore): Promise<void> {
  for (let i = 0; i < 1000 && (store.shadowReport()?.queued ?? 0) > 0; i++) await new Promise((r) => setImmediate(r))
  expect(store.shadowReport()?.queued ?? 0).toBe(0)
}

const CANDIDATE = { policy: ONBOARDING, version: '1.1.0' }

/** 3 × complete-us-developer, 2 × rejected-multiple-reasons, 4 × missing-details, interleaved; ids d1…d9. */
const TRAFFIC = [
  'complete-us-developer',
  'missing-details',
  'rejected-multiple-reasons',
  'complete-us-developer',
  'missing-details',
  'missing-details',
  'rejected-multiple-reasons',
  'complete-us-developer',
  'missing-details',
]

describe('shadow runs in the live store', () => {
  it('keeps the exact served → candidate matrix and per-rule shifts, with sample decision ids', async () => {
    scratch.write(NEW_FILE, candidateText())
    const store = await open({ candidates: [CANDIDATE] })
    for (const [i, name] of TRAFFIC.entries()) await store.decide(example('applications', name), { asOf: AS_OF, decisionId: `d${i + 1}` })
    await settle(store)
    const report = store.shadowReport()!
    expect([report.seen, report.sampled, report.dropped, report.uncopyable, report.queued]).toEqual([9, 9, 0, 0, 0])
    expect(report.candidates).toHaveLength(1)
    const [c] = report.candidates
    expect(c).toMatchObject({ policy: ONBOARDING, version: '1.1.0', source: 'folder', compared: 9, skipped: 0, errors: {} })
    // by hand: complete (3 years) approve → manual_review (ONB-STRENGTH); rejected (4 years) unchanged;
    // missing-details (2 years, not verified) stays needs_information, ONB-BUSINESS-VERIFIED → ONB-STRENGTH
    expect(c!.transitions).toEqual([
      { from: 'approve', to: 'manual_review', count: 3, samples: ['d1', 'd4', 'd8'] },
      { from: 'needs_information', to: 'needs_information', count: 4, samples: ['d2', 'd5', 'd6', 'd9'] },
      { from: 'reject', to: 'reject', count: 2, samples: ['d3', 'd7'] },
    ])
    expect(c!.rules).toEqual([
      { rule: 'ONB-BUSINESS-VERIFIED', started: 0, stopped: 4, startedSamples: [], stoppedSamples: ['d2', 'd5', 'd6', 'd9'] },
      { rule: 'ONB-STRENGTH', started: 7, stopped: 0, startedSamples: ['d1', 'd2', 'd4', 'd5', 'd6'], stoppedSamples: [] },
    ])
  })

  it('never changes an answer, and answers before any shadow work is done', async () => {
    scratch.write(NEW_FILE, candidateText())
    const plain = await open()
    const shadowed = await open({ candidates: [CANDIDATE] })
    for (const name of TRAFFIC) {
      const record = example('applications', name)
      const expected = await plain.decide(record, { asOf: AS_OF })
      const answer: Decision = await shadowed.decide(record, { asOf: AS_OF })
      expect(answer).toEqual(expected)
      expect(answer.policy.version).toBe('1.0.0')
      // answered while the shadow decision still waits in the queue
      expect(shadowed.shadowReport()).toMatchObject({ queued: 1, candidates: expect.any(Array) })
      await settle(shadowed)
    }
    expect(shadowed.shadowReport()!.candidates[0]!.compared).toBe(TRAFFIC.length)
  })

  it('drops and counts what a full queue cannot take, and still answers every decision', async () => {
    scratch.write(NEW_FILE, candidateText())
    const store = await open({ candidates: [CANDIDATE], queueSize: 1 })
    // the five answers are all made before the event loop turns: the shadow holds one, the other four are dropped
    const records = Array.from({ length: 5 }, () => example('applications', 'complete-us-developer'))
    const answers = await Promise.all(records.map((r) => store.decide(r, { asOf: AS_OF })))
    expect(answers.map((a) => a.outcome)).toEqual(Array(5).fill('approve'))
    expect(store.shadowReport()).toMatchObject({ seen: 5, sampled: 5, dropped: 4, queued: 1 })
    await settle(store)
    expect(store.shadowReport()).toMatchObject({ dropped: 4, queued: 0 })
    expect(store.shadowReport()!.candidates[0]).toMatchObject({ compared: 1 })
  })

  it('makes progress on every turn, even with a budget smaller than the clock can tell', async () => {
    scratch.write(NEW_FILE, candidateText())
    const store = await open({ candidates: [CANDIDATE], budgetMs: 1e-9 })
    const records = Array.from({ length: 3 }, () => example('applications', 'complete-us-developer'))
    await Promise.all(records.map((r) => store.decide(r, { asOf: AS_OF })))
    expect(store.shadowReport()).toMatchObject({ queued: 3 })
    // the shadow's turn was scheduled before this one, so it has run once when this resolves
    await new Promise((r) => setImmediate(r))
    expect(store.shadowReport()!.candidates[0]!.compared).toBeGreaterThanOrEqual(1)
    await settle(store)
    expect(store.shadowReport()!.candidates[0]!.compared).toBe(3)
  })

  it('samples every 1/rate-th decision, counted rather than drawn', async () => {
    scratch.write(NEW_FILE, candidateText())
    const store = await open({ candidates: [CANDIDATE], sampleRate: 0.25 })
    for (let i = 0; i < 8; i++) await store.decide(example('applications', 'complete-us-developer'), { asOf: AS_OF })
    await settle(store)
    expect(store.shadowReport()).toMatchObject({ seen: 8, sampled: 2 })
    expect(store.shadowReport()!.candidates[0]!.compared).toBe(2)
  })

  it('skips decisions of other policies and those the candidate itself served', async () => {
    scratch.write(NEW_FILE, candidateText())
    const store = await open({ candidates: [CANDIDATE] })
    await store.decide(example('applications', 'pending-review'), { asOf: AS_OF, policy: API_ACCESS })
    // on 2027-01-02 the candidate is in effect: it served, there is nothing to compare it with
    await store.decide(example('applications', 'complete-us-developer'), { asOf: '2027-01-02' })
    await settle(store)
    expect(store.shadowReport()!.candidates[0]).toMatchObject({ compared: 0, skipped: 2, transitions: [] })
  })

  it('a record it cannot copy is counted, never shadowed, and answered as any other', async () => {
    scratch.write(NEW_FILE, candidateText())
    const store = await open({ candidates: [CANDIDATE] })
    const record = example('applications', 'complete-us-developer') as Record<string, Json>
    // a Proxy reads like the record but structuredClone refuses it
    const hostile = new Proxy(record, {})
    const answer = await store.decide(hostile, { asOf: AS_OF })
    expect(answer.outcome).toBe('approve')
    await settle(store)
    expect(store.shadowReport()).toMatchObject({ sampled: 1, uncopyable: 1, candidates: [] })
  })

  it('decides what was answered, even when the caller changes its object afterwards', async () => {
    scratch.write(NEW_FILE, candidateText())
    const store = await open({ candidates: [CANDIDATE] })
    const record = example('applications', 'rejected-multiple-reasons') as { applicant: { yearsInOperation: unknown } }
    await store.decide(record, { asOf: AS_OF, decisionId: 'x1' })
    // a value the schema refuses: were it read by the shadow, the candidate would count an error
    record.applicant.yearsInOperation = '<script>'
    await settle(store)
    expect(store.shadowReport()!.candidates[0]).toMatchObject({ compared: 1, errors: {} })
  })

  it('shadows an unreleased version from another folder, validated, and never lets it answer', async () => {
    // the candidate's own folder: the shipped folder plus 1.1.0 that would be in effect on AS_OF
    const base = mkdtempSync(join(tmpdir(), 'collabgate-candidate-'))
    dirs.push(base)
    const from = join(base, 'policies')
    cpSync(scratch.dir, from, { recursive: true })
    const { oldEnded, next } = newOnboardingVersion(scratch.read(OLD_FILE), '2026-11-01', 4)
    writeFileSync(join(from, OLD_FILE), oldEnded)
    writeFileSync(join(from, NEW_FILE), next)
    const store = await open({ candidates: [{ ...CANDIDATE, from }] })
    const answer = await store.decide(example('applications', 'complete-us-developer'), { asOf: AS_OF, decisionId: 'u1' })
    expect([answer.policy.version, answer.outcome]).toEqual(['1.0.0', 'approve'])
    await settle(store)
    const [c] = store.shadowReport()!.candidates
    expect(c).toMatchObject({ version: '1.1.0', source: from, compared: 1 })
    expect(c!.transitions).toEqual([{ from: 'approve', to: 'manual_review', count: 1, samples: ['u1'] }])
    expect(store.serving().map((p) => `${p.id}@${p.version}`)).not.toContain(`${ONBOARDING}@1.1.0`)

    // a candidate folder that fails validation is refused at start, as any folder would be
    writeFileSync(join(from, NEW_FILE), next.replace('operator: equal', 'operator: looksLike'))
    await expect(open({ candidates: [{ ...CANDIDATE, from }] })).rejects.toBeInstanceOf(PolicyValidationError)
  })

  it('counts a candidate that fails once the folder no longer holds it, and keeps answering', async () => {
    scratch.write(NEW_FILE, candidateText())
    const store = await open({ candidates: [CANDIDATE] })
    await store.decide(example('applications', 'complete-us-developer'), { asOf: AS_OF })
    await settle(store)
    // the draft is withdrawn: the next reload serves a folder without 1.1.0
    rmSync(join(scratch.dir, NEW_FILE))
    expect((await store.reload()).status).toBe('swapped')
    const answer = await store.decide(example('applications', 'complete-us-developer'), { asOf: AS_OF })
    expect(answer.outcome).toBe('approve')
    await settle(store)
    const report = store.shadowReport()!
    // sorted by digest: the version no longer found has none
    expect(report.candidates.map((c) => [c.digest === '', c.compared, c.errors])).toEqual([
      [true, 0, { E_POLICY_NOT_FOUND: 1 }],
      [false, 1, {}],
    ])
  })

  it('takes its options from their own properties: a polluted Object.prototype does not turn sampling off', async () => {
    scratch.write(NEW_FILE, candidateText())
    Object.defineProperty(Object.prototype, 'sampleRate', { value: 0, configurable: true, writable: true })
    let store: PolicyStore
    try {
      store = await open({ candidates: [CANDIDATE] })
    } finally {
      delete (Object.prototype as { sampleRate?: unknown }).sampleRate
    }
    await store.decide(example('applications', 'complete-us-developer'), { asOf: AS_OF })
    await settle(store)
    expect(store.shadowReport()).toMatchObject({ sampleRate: 1, sampled: 1 })
  })

  it('refuses options it cannot use and candidates it cannot find', async () => {
    const bad: unknown[] = [
      { candidates: [] },
      { candidates: [{ policy: ONBOARDING }] },
      { candidates: [CANDIDATE], sampleRate: 1.5 },
      { candidates: [CANDIDATE], sampleRate: Number.NaN },
      { candidates: [CANDIDATE], queueSize: 0 },
      { candidates: [CANDIDATE], queueSize: 1.5 },
      { candidates: [CANDIDATE], budgetMs: 0 },
    ]
    for (const shadow of bad) {
      const err = await open(shadow as ShadowOptions).catch((e: unknown) => e)
      expect((err as CollabgateError).code, JSON.stringify(shadow)).toBe('E_INVALID_ARGUMENT')
    }
    // no 1.1.0 in the scratch folder
    const missing = await open({ candidates: [CANDIDATE] }).catch((e: unknown) => e)
    expect((missing as CollabgateError).code).toBe('E_POLICY_NOT_FOUND')
    const unshadowed = await open()
    expect(unshadowed.shadowReport()).toBeUndefined()
  })

  it('logs each shadow decision beside the served one: valid entries, a verified chain, a replay that agrees', async () => {
    scratch.write(NEW_FILE, candidateText())
    const base = mkdtempSync(join(tmpdir(), 'collabgate-shadow-log-'))
    dirs.push(base)
    const file = join(base, 'decisions.ndjson')
    const log = createAuditLog(file)
    const store = await open({ candidates: [CANDIDATE] }, { audit: log })
    await store.decide(example('applications', 'complete-us-developer'), { asOf: AS_OF, decisionId: 'served-1' })
    await store.decide(example('applications', 'missing-details'), { asOf: AS_OF })
    await settle(store)
    await log.close()
    const entries = validEntries(readFileSync(file, 'utf8'))
    expect(entries.map((e) => [e.version, e.outcome, e.shadowOf?.outcome])).toEqual([
      ['1.0.0', 'approve', undefined],
      ['1.0.0', 'needs_information', undefined],
      ['1.1.0', 'manual_review', 'approve'],
      ['1.1.0', 'needs_information', 'needs_information'],
    ])
    // the served entry the store named for the sample is the one the shadow entry points at
    expect(entries[2]!.shadowOf).toMatchObject({ id: 'served-1', version: '1.0.0', rules: [] })
    expect(entries[3]!.shadowOf!.id).toBe(entries[1]!.id)
    expect(entries[3]!.shadowOf!.rules).toEqual(['ONB-BUSINESS-VERIFIED', 'ONB-REQUIRED-INFO'])
    expect(entries[3]!.rules).toEqual(['ONB-REQUIRED-INFO', 'ONB-STRENGTH'])
    expect(store.shadowReport()!.candidates[0]!.transitions[0]!.samples).toEqual(['served-1'])
    expect((await verifyAuditLog([file])).ok).toBe(true)
    const replay = await replayAuditLog(await loadPolicies(scratch.dir, { lock: false }), entries)
    expect(replay, JSON.stringify(replay.items)).toMatchObject({ entries: 4, identical: 4 })
    // and as people run them: the built command line
    expect((await cli(['audit', 'verify', file])).code).toBe(0)
    const replayed = await cli(['replay', '--policies', scratch.dir, '--format', 'json', file])
    expect([replayed.code, JSON.parse(replayed.stdout)]).toMatchObject([0, { entries: 4, identical: 4 }])
  })
})
