/**
 * One definition of a date: what a record schema accepts as a date, the operators read as one, and
 * the deadline arithmetic never turns it into an error. Every schema-valid record gets a decision.
 */
import { describe, expect, it } from 'vitest'
import { defaultPolicies, type PolicySet } from '../../src/index.js'
import { clone, example } from '../core/helpers.js'

describe('schema-valid dates', () => {
  it.each(['9999-12-28', '9999-12-31T23:59:59Z', '0000-01-01', '0099-06-15', '0001-01-01', '2026-01-02 10:00:00+05:30'])(
    'give an application submitted %s a decision (with no review deadline past 9999)',
    async (submittedAt) => {
      const set: PolicySet = await defaultPolicies()
      const record = clone(example('applications', 'pending-review'))
      record.submittedAt = submittedAt
      set.assertRecord(record, { asOf: '2026-11-24' })
      const decision = await set.decide(record, { asOf: '2026-11-24' })
      expect(decision.outcome).toBeTypeOf('string')
      if (submittedAt.startsWith('9999')) expect(decision.review).toBeUndefined()
      if (submittedAt.startsWith('2026')) expect(decision.review?.submittedAt).toBe('2026-01-02')
      for (const evaluator of ['compiled', 'engine'] as const) {
        expect(await set.decide(record, { asOf: '2026-11-24', evaluator })).toEqual(decision)
      }
    },
  )

  it.each(['9999-12-30', '0000-02-29', '2026-03-01T00:00:00-12:00'])(
    'give a behaviour record with an unreported incident on %s a decision',
    async (occurredAt) => {
      const set: PolicySet = await defaultPolicies()
      const record = { developerId: 'D-1', incidents: [{ id: 'I-1', type: 'security_incident', status: 'confirmed', occurredAt }] }
      set.assertRecord(record, { asOf: '2026-11-24' })
      const decision = await set.decide(record, { asOf: '2026-11-24' })
      expect(decision.outcome).toBeTypeOf('string')
      expect(await set.decide(record, { asOf: '2026-11-24', evaluator: 'engine' })).toEqual(decision)
    },
  )
})
