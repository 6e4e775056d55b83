/**
 * The second round of corrections, effective 2027-01-04 (onboarding 1.2.0, termination 1.1.0), decided
 * through the shipped policies by both evaluators: clients served are counted together, and a decision
 * as of a date sees only the events dated by then. The released versions still decide as they did.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { defaultPolicies, type Decision, type PolicyRecord } from '../../src/index.js'

const ROOT = join(import.meta.dirname, '..', '..')
const record = (name: string) => JSON.parse(readFileSync(join(ROOT, 'policies', 'test-records', name), 'utf8')) as PolicyRecord
/** The complete application, as the fields these tests change. */
interface Application {
  applicant: { clientsServed?: unknown; affiliateExperienceYears?: number }
  history?: unknown
}
const application = (patch: (r: Application) => void): PolicyRecord => {
  const r = record('complete-us-application.json') as PolicyRecord & Application
  patch(r)
  return r
}
const behaviour = (...incidents: Record<string, unknown>[]): PolicyRecord => ({ developerId: 'D-1', incidents })
const AS_OF = '2027-06-17'

/** The decision of both evaluators, which must agree. */
async function decide(r: PolicyRecord, options: { asOf: string; version?: string; policy?: string }): Promise<Decision> {
  const set = await defaultPolicies()
  // a version is one of a named policy's: name it from the record's kind
  if (options.version !== undefined)
    options = { ...options, policy: `creator-collaboration.us.${'developerId' in r ? 'termination' : 'onboarding'}` }
  const compiled = await set.decide(r, { ...options, evaluator: 'compiled' })
  expect(await set.decide(r, { ...options, evaluator: 'engine' })).toEqual(compiled)
  return compiled
}

describe('onboarding 1.2.0', () => {
  const sixty = application((r) => {
    r.applicant.clientsServed = { sellers: 30, creators: 30 }
    r.applicant.affiliateExperienceYears = 0
  })

  it('approves 30 sellers and 30 creators (the held-out case); 1.1.0 sent them to manual review', async () => {
    const d = await decide(sixty, { asOf: AS_OF })
    expect([d.policy.version, d.outcome, d.reasons]).toEqual(['1.2.0', 'approve', []])
    const old = await decide(sixty, { asOf: AS_OF, version: '1.1.0' })
    expect([old.outcome, old.reasons.map((x) => x.rule)]).toEqual(['manual_review', ['ONB-STRENGTH']])
  })

  it('shows in evidence how the clients served were counted', async () => {
    const d = await decide(
      application((r) => {
        r.applicant.clientsServed = { sellers: 25, creators: 24 }
        r.applicant.affiliateExperienceYears = 0
      }),
      { asOf: AS_OF },
    )
    expect(d.outcome).toBe('manual_review')
    expect(d.reasons[0]!.evidence).toContainEqual({
      fact: 'clientsServed',
      path: '$',
      operator: 'greaterThanInclusive',
      expected: 50,
      actual: 49,
      computed: 'sum(applicant.clientsServed.sellers 25, applicant.clientsServed.creators 24) = 49',
    })
  })

  it('does not count a termination dated after asOf, and names a counted one in words', async () => {
    const later = application((r) => (r.history = { terminations: [{ date: '2027-09-01', rule: 'TRM-FRAUD' }] }))
    expect((await decide(later, { asOf: AS_OF })).outcome).toBe('approve')
    expect((await decide(later, { asOf: AS_OF, version: '1.1.0' })).outcome).toBe('reject')
    const earlier = application((r) => (r.history = { terminations: [{ date: '2025-02-03', rule: 'TRM-DATA-LEAK' }] }))
    const d = await decide(earlier, { asOf: AS_OF })
    expect(d.reasons[0]!.message).toBe(
      'The developer was terminated before (date 2025-02-03, rule TRM-DATA-LEAK); terminated accounts and business entities are permanently banned.',
    )
  })
})

describe('termination 1.1.0', () => {
  it('does not count a fraud dated after asOf; 1.0.0 terminated for it', async () => {
    const fraud = behaviour({ id: 'F-1', type: 'fraud', status: 'confirmed', occurredAt: '2027-09-01' })
    const d = await decide(fraud, { asOf: AS_OF })
    expect([d.policy.version, d.outcome]).toEqual(['1.1.0', 'no_action'])
    expect((await decide(fraud, { asOf: AS_OF, version: '1.0.0' })).outcome).toBe('terminate')
  })

  it('does not count a late report whose window had not closed on asOf, and counts it once closed', async () => {
    const late = behaviour({
      id: 'S-1',
      type: 'security_incident',
      status: 'confirmed',
      occurredAt: '2027-06-15',
      reportedAt: '2027-06-25',
    })
    expect((await decide(late, { asOf: AS_OF })).outcome).toBe('no_action')
    expect((await decide(late, { asOf: AS_OF, version: '1.0.0' })).outcome).toBe('terminate')
    expect((await decide(late, { asOf: '2027-06-22' })).outcome).toBe('terminate')
  })
})
