import { beforeEach, describe, expect, it } from 'vitest'
import { checkPolicies, defaultPolicies, loadPolicies, PolicySet, PolicyValidationError, RecordValidationError } from '../../src/index.js'
import { caught, example, fixture, ONBOARDING, TERMINATION, type Json } from './helpers.js'

const application = (years: number): Json => ({
  applicationId: `A-${years}`,
  category: 'demo',
  submittedAt: '2024-05-06',
  applicant: { registration: { country: 'US' }, yearsInOperation: years },
  account: { type: 'app_developer' },
  product: {},
})
const behaviour: Json = { developerId: 'D-1', incidents: [{ id: 'I-1', type: 'fraud', status: 'confirmed', occurredAt: '2024-03-01' }] }

let demo: PolicySet
let shipped: PolicySet
let demoLoad: Promise<PolicySet> | undefined
// loaded by the first test, then the same memoised set: mutation testing credits the load to a test, not to a hook
beforeEach(async () => {
  demo = await (demoLoad ??= loadPolicies(fixture('valid')))
  shipped = await defaultPolicies()
})

describe('choosing the version in effect', () => {
  it('asOf picks the version whose window holds the date (from inclusive, until exclusive)', async () => {
    const record = application(2) // enough for v1 (>= 1 year), not for v2 (>= 3 years)
    const v1 = await demo.decide(record, { policy: 'demo.gate', asOf: '2024-06-01' })
    expect(v1.policy.version).toBe('1.0.0')
    expect(v1.outcome).toBe('approve')
    const lastDayOfV1 = await demo.decide(record, { policy: 'demo.gate', asOf: '2024-12-31' })
    expect(lastDayOfV1.policy.version).toBe('1.0.0')
    const firstDayOfV2 = await demo.decide(record, { policy: 'demo.gate', asOf: '2025-01-01' })
    expect(firstDayOfV2.policy.version).toBe('2.0.0')
    expect(firstDayOfV2.outcome).toBe('review')
    expect(firstDayOfV2.reasons.map((r) => r.rule)).toEqual(['GATE-YEARS'])
    expect(firstDayOfV2.reasons[0]!.message).toBe('2 year(s) in operation is below 3.')
    expect(firstDayOfV2.policy.digest).not.toBe(v1.policy.digest)
  })

  it('select() returns the same versions as decide()', () => {
    expect(demo.select('demo.gate', '2024-01-01').version).toBe('1.0.0')
    expect(demo.select('demo.gate', '2030-01-01').version).toBe('2.0.0')
  })

  it('asOf before any version is in effect is E_NO_VERSION_IN_EFFECT, naming the versions', async () => {
    const err = await caught(() => demo.decide(application(2), { policy: 'demo.gate', asOf: '2023-12-31' }))
    expect(err.code).toBe('E_NO_VERSION_IN_EFFECT')
    expect(err.message).toContain('2023-12-31')
    expect(err.message).toContain('1.0.0 from 2024-01-01 until 2025-01-01')
    expect(err.message).toContain('2.0.0 from 2025-01-01')
  })

  it('asOf before the shipped policies took effect (2023-09-18) is E_NO_VERSION_IN_EFFECT', async () => {
    const record = example('applications', 'complete-us-developer')
    expect((await caught(() => shipped.decide(record, { asOf: '2023-09-17' }))).code).toBe('E_NO_VERSION_IN_EFFECT')
    expect((await shipped.decide(record, { asOf: '2023-09-18' })).policy.version).toBe('1.0.0')
  })

  it('an exact version overrides the choice by date', async () => {
    const d = await demo.decide(application(2), { policy: 'demo.gate', asOf: '2025-06-01', version: '1.0.0' })
    expect(d.policy.version).toBe('1.0.0')
    expect(d.outcome).toBe('approve')
    expect(d.asOf).toBe('2025-06-01')
    const err = await caught(() => demo.decide(application(2), { policy: 'demo.gate', asOf: '2025-06-01', version: '9.9.9' }))
    expect(err.code).toBe('E_POLICY_NOT_FOUND')
    expect(err.message).toContain('1.0.0, 2.0.0')
  })

  it('an unknown policy id is E_POLICY_NOT_FOUND, listing the known ids', async () => {
    const err = await caught(() => demo.decide(application(2), { policy: 'demo.nope', asOf: '2024-06-01' }))
    expect(err.code).toBe('E_POLICY_NOT_FOUND')
    expect(err.message).toContain("'demo.nope'")
    expect(err.message).toContain('demo.gate, demo.watch')
  })

  it.each([['2024-02-30'], ['2024-1-5'], ['05/06/2024'], [''], [20240506], [undefined], [null]])(
    'asOf %j is E_INVALID_ARGUMENT',
    async (asOf) => {
      const err = await caught(() => demo.decide(application(2), { policy: 'demo.gate', asOf: asOf as string }))
      expect(err.code).toBe('E_INVALID_ARGUMENT')
      expect(err.message).toContain('YYYY-MM-DD')
    },
  )
})

describe('choosing the policy for a record', () => {
  it('without a policy id, an application goes to the primary application policy and a behaviour record to the only behaviour policy', async () => {
    expect((await demo.decide(application(2), { asOf: '2024-06-01' })).policy.id).toBe('demo.gate')
    const watched = await demo.decide(behaviour, { asOf: '2024-06-01' })
    expect(watched.policy.id).toBe('demo.watch')
    expect(watched.outcome).toBe('terminate')
    expect(watched.subject).toEqual({
      kind: 'behaviour',
      id: 'D-1',
      schema: { version: '1.0.0', digest: expect.stringMatching(/^sha256:[0-9a-f]{64}$/) },
    })
  })

  it('the shipped set sends applications to onboarding and behaviour records to termination', async () => {
    expect((await shipped.decide(example('applications', 'complete-us-developer'), { asOf: '2026-11-20' })).policy.id).toBe(ONBOARDING)
    expect((await shipped.decide(example('behaviour', 'clean-developer'), { asOf: '2026-11-20' })).policy.id).toBe(TERMINATION)
  })

  it('two primary policies for one subject without appliesTo fail to load (E_AMBIGUOUS_PRIMARY), and a set built anyway is E_POLICY_AMBIGUOUS unless the caller names one', async () => {
    const paths = [fixture('valid', 'apps'), fixture('ambiguous', 'second-primary.yaml')]
    const checked = await checkPolicies(paths)
    // demo.other is primary beside each of demo.gate's two versions; each problem sits in the newer file of its pair
    expect(checked.problems.map((p) => [p.code, p.file, p.pointer])).toEqual([
      ['E_AMBIGUOUS_PRIMARY', '../../ambiguous/second-primary.yaml', '/primary'],
      ['E_AMBIGUOUS_PRIMARY', 'gate.v2.yaml', '/primary'],
    ])
    expect(checked.problems.map((p) => p.message.match(/demo\.gate@[0-9.]+/)?.[0])).toEqual(['demo.gate@1.0.0', 'demo.gate@2.0.0'])
    await expect(loadPolicies(paths)).rejects.toThrow(PolicyValidationError)
    const set = new PolicySet(checked.policies, { subjects: checked.subjects })
    const err = await caught(() => set.decide(application(2), { asOf: '2024-06-01' }))
    expect(err.code).toBe('E_POLICY_AMBIGUOUS')
    expect(err.message).toContain('demo.gate')
    expect(err.message).toContain('demo.other')
    expect((await set.decide(application(2), { asOf: '2024-06-01', policy: 'demo.other' })).policy.id).toBe('demo.other')
  })

  it('several policies for a subject and none primary is E_POLICY_AMBIGUOUS', async () => {
    const set = await loadPolicies([fixture('ambiguous', 'not-primary.yaml'), fixture('ambiguous', 'not-primary-2.yaml')])
    expect((await caught(() => set.decide(application(2), { asOf: '2024-06-01' }))).code).toBe('E_POLICY_AMBIGUOUS')
  })

  it('no policy for the subject at all is E_POLICY_AMBIGUOUS with a sentence saying so', async () => {
    const set = await loadPolicies(fixture('valid', 'behaviour'))
    const err = await caught(() => set.decide(application(2), { asOf: '2024-06-01' }))
    expect(err.code).toBe('E_POLICY_AMBIGUOUS')
    expect(err.message).toContain('no policy judges application records')
  })

  it.each([[{ id: 'X-1' }], [null], [[]], ['APP-1'], [{ applicationid: 'A' }]])(
    'a record %j of no known kind is E_SUBJECT_UNKNOWN',
    async (record) => {
      const err = await caught(() => demo.decide(record, { asOf: '2024-06-01' }))
      expect(err.code).toBe('E_SUBJECT_UNKNOWN')
      expect(err.message).toContain('applicationId')
    },
  )

  it("a record of the wrong kind for the named policy fails that policy's record schema", async () => {
    const err = await caught<RecordValidationError>(() => demo.decide(behaviour, { policy: 'demo.gate', asOf: '2024-06-01' }))
    expect(err).toBeInstanceOf(RecordValidationError)
    expect(err.subject).toBe('application')
  })
})

describe('list()', () => {
  it('summarises every version with digest, window, subject and rule count', () => {
    const rows = demo.list()
    expect(rows.map((r) => [r.id, r.version, r.subject, r.primary, r.rules, r.effective])).toEqual([
      ['demo.gate', '1.0.0', 'application', true, 2, { from: '2024-01-01', until: '2025-01-01' }],
      ['demo.gate', '2.0.0', 'application', true, 2, { from: '2025-01-01' }],
      ['demo.watch', '1.0.0', 'behaviour', false, 1, { from: '2024-01-01' }],
    ])
    for (const r of rows) expect(r.digest).toMatch(/^sha256:[0-9a-f]{64}$/)
  })
})

describe('records', () => {
  const problemsOf = async (record: unknown, policy?: string) => {
    const err = await caught<RecordValidationError>(() => shipped.decide(record, { asOf: '2026-11-20', ...(policy ? { policy } : {}) }))
    expect(err).toBeInstanceOf(RecordValidationError)
    expect(err.code).toBe('E_RECORD_INVALID')
    return err
  }

  describe('application records that fail their schema', () => {
    it('list every missing required field and every wrongly typed field, with pointers', async () => {
      const record: Json = {
        applicationId: 'APP-BAD',
        category: 7,
        applicant: { registration: {}, yearsInOperation: 'three', clientsServed: { sellers: 1.5 } },
        account: { businessVerified: 'yes' },
        product: { functions: 'create', requestedScopes: [1] },
        review: { result: 'maybe' },
        nickname: 'x',
      }
      const err = await problemsOf(record)
      expect(err.subject).toBe('application')
      const got = err.problems.map((p) => `${p.pointer} ${p.message}`).sort()
      expect(got).toEqual(
        [
          " missing required field 'submittedAt'",
          "/nickname unknown field 'nickname'",
          '/category must be string',
          "/applicant/registration missing required field 'country'",
          '/applicant/yearsInOperation must be number',
          '/applicant/clientsServed/sellers must be integer',
          "/account missing required field 'type'",
          '/account/businessVerified must be boolean',
          '/product/functions must be array',
          '/product/requestedScopes/0 must be string',
          '/review/result must be one of ["pending","approved","rejected"]',
        ].sort(),
      )
      // the message names every problem too, for logs
      for (const p of err.problems) expect(err.message).toContain(p.message)
    })

    it('a malformed date is a schema problem, not a silent pass', async () => {
      const record = example('applications', 'complete-us-developer')
      record.submittedAt = 'last tuesday'
      const err = await problemsOf(record)
      expect(err.problems.map((p) => p.pointer)).toEqual(['/submittedAt'])
    })

    it('a record that is not an object is invalid for a named policy', async () => {
      const err = await problemsOf([1, 2], ONBOARDING)
      expect(err.problems).toEqual([{ pointer: '', message: 'a record must be a plain JSON object' }])
    })

    it('assertRecord checks a record against the schema of the policy that would judge it, without deciding', async () => {
      const set = await defaultPolicies()
      expect(() => set.assertRecord(example('applications', 'complete-us-developer'), { asOf: '2026-11-24' })).not.toThrow()
      expect(() => set.assertRecord({ applicationId: 'A' }, { asOf: '2026-11-24' })).toThrow(RecordValidationError)
      expect(() => set.assertRecord({ applicationId: 'A' }, { asOf: '2026-11-24', policy: ONBOARDING })).toThrow(RecordValidationError)
    })
  })

  describe('behaviour records that fail their schema', () => {
    it('list every problem of every incident', async () => {
      const err = await problemsOf({
        developerId: 'DEV-BAD',
        incidents: [
          { id: 'I-1', type: 'fraud', status: 'maybe', occurredAt: '2026-13' },
          { type: 3, status: 'confirmed' },
        ],
      })
      expect(err.subject).toBe('behaviour')
      const got = err.problems.map((p) => `${p.pointer} ${p.message.replace(/ ".*"$/, '')}`).sort()
      expect(got).toEqual(
        [
          '/incidents/0/status must be one of ["confirmed","suspected","dismissed"]',
          '/incidents/0/occurredAt must be a real date (YYYY-MM-DD) or an RFC 3339 date-time',
          "/incidents/1 missing required field 'id'",
          "/incidents/1 missing required field 'occurredAt'",
          '/incidents/1/type must be string',
        ].sort(),
      )
    })

    it('a behaviour record without its incident list is invalid', async () => {
      const err = await problemsOf({ developerId: 'DEV-1' })
      expect(err.problems).toEqual([{ pointer: '', message: "missing required field 'incidents'" }])
    })
  })
})
