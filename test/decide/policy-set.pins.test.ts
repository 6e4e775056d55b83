/**
 * How a PolicySet picks the policy that judges a record, pinned on tiny probe policies written for the
 * purpose: the version in effect, the claimant or the fallback, the sole policy of a kind, every error
 * sentence word for word, the evaluator actually run, and the choices it remembers between calls.
 */
import { Engine } from 'json-rules-engine'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { PolicySet, type SubjectKind } from '../../src/decide/policy-set.js'
import { CollabgateError } from '../../src/errors.js'
import type { Condition, Policy, SubjectDefinition } from '../../src/model.js'
import { probePolicy, probeSubject } from '../core/probe.js'

const schema = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string' }, market: { type: 'string' }, v: {} },
}
const probe = (): SubjectDefinition => probeSubject(schema)

/** A probe policy: `id@version` from `from`, failing (`fail`) when `v` is not 1. */
function policy(id: string, version: string, from: string, extra: Record<string, unknown> = {}): Policy {
  const p = probePolicy(probe(), {
    id,
    version,
    effective: { from },
    outcomes: ['fail', 'pass'],
    default: 'pass',
    rules: [{ id: 'R-1', outcome: 'fail', require: { fact: 'v', operator: 'equal', value: 1 }, message: 'v is {{ v }}' }],
    ...extra,
  })
  if (!p) throw new Error(`probe policy ${id}@${version} refused`)
  return p
}

const claims = (market: string): Record<string, unknown> => ({
  primary: true,
  appliesTo: { fact: 'market', operator: 'equal', value: market },
})

/** The CollabgateError `fn` throws, as `code: message`. */
function errorOf(fn: () => unknown): string {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(CollabgateError)
    return `${(err as CollabgateError).code}: ${(err as Error).message}`
  }
  return 'no error'
}

afterEach(() => {
  vi.restoreAllMocks()
})

describe('a PolicySet refuses what it cannot use', () => {
  it('an unknown evaluator, per set and per call, in one sentence', async () => {
    expect(errorOf(() => new PolicySet([], { evaluator: 'fast' as never }))).toBe(
      `E_INVALID_ARGUMENT: evaluator must be 'generated', 'compiled' or 'engine', got "fast"`,
    )
    const set = new PolicySet([policy('p', '1.0.0', '2000-01-01', { primary: true })])
    const err = await set.decide({ id: 'r', v: 1 }, { asOf: '2026-11-30', evaluator: 'quick' as never }).catch((e: unknown) => e)
    expect(`${(err as CollabgateError).code}: ${(err as Error).message}`).toBe(
      `E_INVALID_ARGUMENT: evaluator must be 'generated', 'compiled' or 'engine', got "quick"`,
    )
  })

  it('a policy that was not validated, naming it', () => {
    const validated = policy('p', '1.0.0', '2000-01-01')
    const copy = { ...validated }
    expect(errorOf(() => new PolicySet([validated, copy]))).toBe(
      'E_INVALID_ARGUMENT: p@1.0.0 was not validated: a PolicySet holds policies from loadPolicies or checkPolicies',
    )
    expect(() => new PolicySet([validated])).not.toThrow()
  })
})

describe('list()', () => {
  it('summarises each version, sorted by id then date, with its window ending at its successor', () => {
    const v2 = policy('p', '2.0.0', '2030-01-01', { primary: true })
    const v1 = policy('p', '1.0.0', '2000-01-01', { primary: true })
    const other = policy('o', '1.0.0', '2001-02-03')
    const set = new PolicySet([v2, other, v1])
    const schemaRef = { version: '1.0.0', digest: v1.record.schema.digest }
    expect(set.list()).toEqual([
      {
        id: 'o',
        version: '1.0.0',
        digest: other.digest,
        title: 'probe',
        subject: 'probe',
        primary: false,
        effective: { from: '2001-02-03' },
        rules: 1,
        file: 'probe.yaml',
        recordSchema: schemaRef,
        calendar: 'US',
      },
      {
        id: 'p',
        version: '1.0.0',
        digest: v1.digest,
        title: 'probe',
        subject: 'probe',
        primary: true,
        effective: { from: '2000-01-01', until: '2030-01-01' },
        rules: 1,
        file: 'probe.yaml',
        recordSchema: schemaRef,
        calendar: 'US',
      },
      {
        id: 'p',
        version: '2.0.0',
        digest: v2.digest,
        title: 'probe',
        subject: 'probe',
        primary: true,
        effective: { from: '2030-01-01' },
        rules: 1,
        file: 'probe.yaml',
        recordSchema: schemaRef,
        calendar: 'US',
      },
    ])
    expect(Object.keys(set.list()[0]!.effective)).toEqual(['from'])
    expect(set.policies.map((p) => `${p.id}@${p.version}`)).toEqual(['o@1.0.0', 'p@1.0.0', 'p@2.0.0'])
  })
})

describe('select()', () => {
  it('picks the version in effect, or exactly the version asked, and says which exist when none fits', () => {
    const set = new PolicySet([policy('p', '1.0.0', '2000-01-01'), policy('p', '2.0.0', '2030-01-01'), policy('q', '1.0.0', '2010-01-01')])
    expect(set.select('p', '2029-12-31').version).toBe('1.0.0')
    expect(set.select('p', '2030-01-01').version).toBe('2.0.0')
    expect(set.select('q', '2030-01-01').id).toBe('q')
    expect(set.select('p', '2040-01-01', '1.0.0').version).toBe('1.0.0')
    // an exact version needs no valid date: it overrides the choice by date
    expect(set.select('p', 'not a date', '2.0.0').version).toBe('2.0.0')
    expect(errorOf(() => set.select('p', '2040-01-01', '3.0.0'))).toBe(
      "E_POLICY_NOT_FOUND: policy 'p' has no version 3.0.0; versions: 1.0.0, 2.0.0",
    )
    expect(errorOf(() => set.select('x', '2040-01-01'))).toBe("E_POLICY_NOT_FOUND: no policy 'x'; known policies: p, q")
    expect(errorOf(() => set.select('p', '1999-12-31'))).toBe(
      "E_NO_VERSION_IN_EFFECT: no version of 'p' is in effect on 1999-12-31; versions: 1.0.0 from 2000-01-01 until 2030-01-01; 2.0.0 from 2030-01-01",
    )
    expect(errorOf(() => set.select('p', '2040-1-1'))).toBe('E_INVALID_ARGUMENT: asOf must be a date written YYYY-MM-DD, got "2040-1-1"')
  })

  it('in an empty set says there are no policies at all', () => {
    expect(errorOf(() => new PolicySet([]).select('x', '2026-11-30'))).toBe("E_POLICY_NOT_FOUND: no policy 'x'; known policies: (none)")
  })
})

describe('telling the record kind', () => {
  const kind = (name: string, idField: string, recognise: unknown): SubjectKind => ({ name, idField, recognise: recognise as Condition })

  it('names the one kind that recognises a record; none or two is an error that lists the kinds', () => {
    const set = new PolicySet([], {
      subjects: [
        kind('alpha', 'alphaId', { fact: 'alphaId', operator: 'present', value: true }),
        kind('beta', 'betaId', { fact: 'betaId', operator: 'present', value: true }),
      ],
    })
    expect(set.detectSubject({ alphaId: 'a' })).toBe('alpha')
    expect(set.detectSubject({ betaId: 'b' })).toBe('beta')
    expect(errorOf(() => set.detectSubject({ alphaId: 'a', betaId: 'b' }))).toBe(
      'E_SUBJECT_AMBIGUOUS: the record is recognised as alpha and beta; name the policy, or fix the record (no record may be of two kinds)',
    )
    const unknown =
      'E_SUBJECT_UNKNOWN: cannot tell the record kind: the policies judge alpha (id field alphaId), beta (id field betaId); name the policy'
    expect(errorOf(() => set.detectSubject({ gammaId: 'c' }))).toBe(unknown)
    for (const notARecord of [null, undefined, 'alphaId', 7, [{ alphaId: 'a' }]])
      expect(errorOf(() => set.detectSubject(notARecord))).toBe(unknown)
  })

  it('judges only plain objects: a string or a list is no record even when its own `length` would be recognised', () => {
    const set = new PolicySet([], { subjects: [kind('sized', 'id', { fact: 'length', operator: 'present', value: true })] })
    expect(set.detectSubject({ length: 3 })).toBe('sized')
    const unknown = 'E_SUBJECT_UNKNOWN: cannot tell the record kind: the policies judge sized (id field id); name the policy'
    expect(errorOf(() => set.detectSubject('abc'))).toBe(unknown)
    expect(errorOf(() => set.detectSubject(['a']))).toBe(unknown)
  })

  it('recognises without a decision date: asOf is empty while a kind is told', () => {
    // a kind that recognises every record while asOf is blank; with a date, it would recognise none
    const undated = kind('undated', 'id', { fact: 'asOf', operator: 'present', value: false })
    const set = new PolicySet([], { subjects: [undated] })
    expect(set.detectSubject({ id: 'r' })).toBe('undated')
    const two = new PolicySet([], { subjects: [undated, kind('probe', 'id', { fact: 'id', operator: 'present', value: true })] })
    expect(errorOf(() => two.detectSubject({ id: 'r' }))).toBe(
      'E_SUBJECT_AMBIGUOUS: the record is recognised as undated and probe; name the policy, or fix the record (no record may be of two kinds)',
    )
  })

  it('in a set without policies or kinds says so', () => {
    expect(errorOf(() => new PolicySet([]).detectSubject({ id: 'r' }))).toBe(
      'E_SUBJECT_UNKNOWN: cannot tell the record kind: the set has no policies; name the policy',
    )
  })

  it('takes the kinds of its policies, once each, when the caller gives none; only name, idField and recognise of given ones', () => {
    const set = new PolicySet([
      policy('p', '1.0.0', '2000-01-01', { primary: true }),
      policy('p', '2.0.0', '2030-01-01', { primary: true }),
    ])
    expect(set.subjectKinds).toEqual([{ name: 'probe', idField: 'id', recognise: { fact: 'id', operator: 'present', value: true } }])
    expect(set.detectSubject({ id: 'r' })).toBe('probe')
    expect(set.decideSync({ id: 'r', v: 1 }, { asOf: '2026-11-30' }).policy.id).toBe('p')
    // policies of two kinds: each kind once, in the order the policies come
    const otherKind = probeSubject(schema, { name: 'other', recognise: { fact: 'market', operator: 'present', value: true } })
    const other = probePolicy(otherKind, {
      id: 'q',
      primary: true,
      outcomes: ['fail', 'pass'],
      default: 'pass',
      rules: [{ id: 'R-1', outcome: 'fail', require: { fact: 'v', operator: 'equal', value: 1 } }],
    })!
    const mixed = new PolicySet([policy('p', '1.0.0', '2000-01-01', { primary: true }), other, policy('p', '2.0.0', '2030-01-01')])
    expect(mixed.subjectKinds.map((k) => [k.name, k.recognise])).toEqual([
      ['probe', { fact: 'id', operator: 'present', value: true }],
      ['other', { fact: 'market', operator: 'present', value: true }],
    ])
    const given = new PolicySet([], { subjects: [probe()] })
    expect(given.subjectKinds).toEqual([{ name: 'probe', idField: 'id', recognise: { fact: 'id', operator: 'present', value: true } }])
    // given kinds are the kinds: the policies' own subjects are not added to them
    const none = new PolicySet([policy('p', '1.0.0', '2000-01-01', { primary: true })], { subjects: [] })
    expect(none.subjectKinds).toEqual([])
  })
})

describe('the policy for a record when the caller names none', () => {
  const us = () => policy('p.us', '1.0.0', '2000-01-01', claims('US'))
  const ca = () => policy('p.ca', '1.0.0', '2000-01-01', claims('CA'))
  const fallback = (id = 'p.any') => policy(id, '1.0.0', '2000-01-01', { primary: true })

  it('is the claimant whose appliesTo holds, else the fallback', () => {
    const set = new PolicySet([us(), ca(), fallback(), policy('p.side', '1.0.0', '2000-01-01')])
    expect(set.primaryFor({ id: 'r', market: 'US' }, '2026-11-30').id).toBe('p.us')
    expect(set.primaryFor({ id: 'r', market: 'CA' }, '2026-11-30').id).toBe('p.ca')
    expect(set.primaryFor({ id: 'r', market: 'MX' }, '2026-11-30').id).toBe('p.any')
    expect(set.primaryFor({ id: 'r' }, '2026-11-30').id).toBe('p.any')
    expect(set.decideSync({ id: 'r', market: 'CA', v: 1 }, { asOf: '2026-11-30' }).policy.id).toBe('p.ca')
    expect(errorOf(() => set.primaryFor({ id: 'r' }, '2026-02-30'))).toBe(
      'E_INVALID_ARGUMENT: asOf must be a date written YYYY-MM-DD, got "2026-02-30"',
    )
  })

  it('refuses two claimants of one record, two fallbacks, and claimants without a fallback that claim nothing', () => {
    const both = new PolicySet([us(), policy('p.us2', '1.0.0', '2000-01-01', claims('US'))])
    expect(errorOf(() => both.primaryFor({ id: 'r', market: 'US' }, '2026-11-30'))).toBe(
      'E_POLICY_AMBIGUOUS: p.us@1.0.0, p.us2@1.0.0 all claim this probe record on 2026-11-30; name the policy, or make their appliesTo exclusive',
    )
    const fallbacks = new PolicySet([us(), fallback('p.a'), fallback('p.b')])
    expect(fallbacks.primaryFor({ id: 'r', market: 'US' }, '2026-11-30').id).toBe('p.us')
    expect(errorOf(() => fallbacks.primaryFor({ id: 'r', market: 'CA' }, '2026-11-30'))).toBe(
      'E_POLICY_AMBIGUOUS: p.a@1.0.0, p.b@1.0.0 all are the fallback for this probe record on 2026-11-30; name the policy, or make their appliesTo exclusive',
    )
    const claimantsOnly = new PolicySet([us(), ca()])
    expect(errorOf(() => claimantsOnly.primaryFor({ id: 'r', market: 'MX' }, '2026-11-30'))).toBe(
      'E_NO_POLICY_APPLIES: no policy claims this probe record on 2026-11-30: p.ca@1.0.0, p.us@1.0.0 apply to other records, and none is the fallback',
    )
  })

  it('counts only primary versions in effect on the day', () => {
    // p.us takes effect in 2030: before that, the fallback judges US records too
    const set = new PolicySet([policy('p.us', '1.0.0', '2030-01-01', claims('US')), fallback()])
    expect(set.primaryFor({ id: 'r', market: 'US' }, '2029-12-31').id).toBe('p.any')
    expect(set.primaryFor({ id: 'r', market: 'US' }, '2030-01-01').id).toBe('p.us')
  })

  it('with no primary in effect: the only primary (which says no version is in effect), the only policy, or an error', () => {
    const early = new PolicySet([policy('p', '1.0.0', '2030-01-01', { primary: true }), policy('side', '1.0.0', '2000-01-01')])
    expect(errorOf(() => early.primaryFor({ id: 'r' }, '2026-11-30'))).toBe(
      "E_NO_VERSION_IN_EFFECT: no version of 'p' is in effect on 2026-11-30; versions: 1.0.0 from 2030-01-01",
    )
    const sole = new PolicySet([policy('only', '1.0.0', '2000-01-01')])
    expect(sole.primaryFor({ id: 'r' }, '2026-11-30').id).toBe('only')
    const twoSides = new PolicySet([policy('b', '1.0.0', '2000-01-01'), policy('a', '1.0.0', '2000-01-01')])
    expect(errorOf(() => twoSides.primaryFor({ id: 'r' }, '2026-11-30'))).toBe(
      'E_POLICY_AMBIGUOUS: name the policy: probe records are judged by a, b',
    )
    const twoPrimaries = new PolicySet([
      policy('pa', '1.0.0', '2030-01-01', claims('US')),
      policy('pb', '1.0.0', '2030-01-01', { primary: true }),
      policy('side', '1.0.0', '2000-01-01'),
    ])
    expect(errorOf(() => twoPrimaries.primaryFor({ id: 'r' }, '2026-11-30'))).toBe(
      'E_POLICY_AMBIGUOUS: name the policy: probe records are judged by pa, pb',
    )
    const none = new PolicySet([], { subjects: [probe()] })
    expect(errorOf(() => none.primaryFor({ id: 'r' }, '2026-11-30'))).toBe('E_POLICY_AMBIGUOUS: no policy judges probe records')
  })

  it('is remembered per kind and day, never across them', () => {
    const base = probeSubject({ type: 'object', required: ['otherId'], properties: { otherId: { type: 'string' } } })
    const other: SubjectDefinition = {
      ...base,
      name: 'other',
      idField: 'otherId',
      recognise: { fact: 'otherId', operator: 'present', value: true },
      schemas: base.schemas.map((s) => ({ ...s, subject: 'other' })),
    }
    const otherPolicy = probePolicy(other, {
      id: 'o',
      outcomes: ['fail', 'pass'],
      default: 'pass',
      primary: true,
      rules: [{ id: 'R-1', outcome: 'fail', require: { fact: 'otherId', operator: 'present', value: true } }],
    })!
    const set = new PolicySet(
      [policy('p', '1.0.0', '2000-01-01', { primary: true }), policy('p', '2.0.0', '2030-01-01', { primary: true }), otherPolicy],
      {
        subjects: [probe(), other],
      },
    )
    for (let round = 0; round < 2; round++) {
      expect(set.primaryFor({ id: 'r' }, '2029-12-31').version).toBe('1.0.0')
      expect(set.primaryFor({ id: 'r' }, '2030-01-01').version).toBe('2.0.0')
      expect(set.primaryFor({ otherId: 'o' }, '2030-01-01').id).toBe('o')
      expect(set.primaryFor({ id: 'r' }, '2030-01-01').id).toBe('p')
    }
    // more days than the memo keeps: the answers stay right
    for (let day = 1; day <= 20; day++) {
      const asOf = `2029-12-${String(day + 10).padStart(2, '0')}`
      expect(set.primaryFor({ id: 'r' }, asOf).version).toBe(day + 10 <= 31 ? '1.0.0' : '2.0.0')
    }
    expect(set.primaryFor({ id: 'r' }, '2030-06-01').version).toBe('2.0.0')
  })
})

describe('a named policy', () => {
  it('is remembered per id, day and version, never across them', () => {
    const set = new PolicySet([
      policy('p', '1.0.0', '2000-01-01', { primary: true }),
      policy('p', '2.0.0', '2030-01-01', { primary: true }),
      policy('q', '1.0.0', '2000-01-01'),
    ])
    const record = { id: 'r', v: 1 }
    const pick = (options: { policy: string; asOf: string; version?: string }) => {
      const d = set.decideSync(record, options)
      return `${d.policy.id}@${d.policy.version} ${d.asOf}`
    }
    for (let round = 0; round < 2; round++) {
      expect(pick({ policy: 'p', asOf: '2029-12-31' })).toBe('p@1.0.0 2029-12-31')
      expect(pick({ policy: 'p', asOf: '2030-01-01' })).toBe('p@2.0.0 2030-01-01')
      expect(pick({ policy: 'q', asOf: '2030-01-01' })).toBe('q@1.0.0 2030-01-01')
      expect(pick({ policy: 'p', asOf: '2030-01-01', version: '1.0.0' })).toBe('p@1.0.0 2030-01-01')
      expect(pick({ policy: 'p', asOf: '2030-01-01' })).toBe('p@2.0.0 2030-01-01')
    }
    for (let day = 1; day <= 20; day++) {
      const asOf = `2029-12-${String(day + 10).padStart(2, '0')}`
      expect(pick({ policy: 'p', asOf })).toBe(`p@${day + 10 <= 31 ? '1.0.0' : '2.0.0'} ${asOf}`)
    }
  })

  it('decides under the policy named even when another is the primary', () => {
    const set = new PolicySet([policy('p', '1.0.0', '2000-01-01', { primary: true }), policy('q', '1.0.0', '2000-01-01')])
    expect(set.decideSync({ id: 'r', v: 1 }, { asOf: '2026-11-30' }).policy.id).toBe('p')
    expect(set.decideSync({ id: 'r', v: 1 }, { asOf: '2026-11-30', policy: 'q' }).policy.id).toBe('q')
  })
})

describe('the date of a decision', () => {
  it('is checked on the first call too, and each call decides under its own date', async () => {
    const set = new PolicySet([policy('p', '1.0.0', '2000-01-01', { primary: true })])
    // an exact version needs no date to be picked: the date is still checked, before anything else
    expect(errorOf(() => set.decideSync({ id: 'r', v: 1 }, { asOf: undefined as never, policy: 'p', version: '1.0.0' }))).toBe(
      'E_INVALID_ARGUMENT: asOf must be a date written YYYY-MM-DD, got undefined',
    )
    expect(errorOf(() => set.decideSync({ id: 'r', v: 1 }, { asOf: undefined as never }))).toBe(
      'E_INVALID_ARGUMENT: asOf must be a date written YYYY-MM-DD, got undefined',
    )
    const dates = ['2026-11-30', '2026-11-30', '2026-12-01', '2026-11-30']
    for (const asOf of dates) expect(set.decideSync({ id: 'r', v: 1 }, { asOf }).asOf).toBe(asOf)
    expect(errorOf(() => set.decideSync({ id: 'r', v: 1 }, { asOf: '2026-11-31' }))).toBe(
      'E_INVALID_ARGUMENT: asOf must be a date written YYYY-MM-DD, got "2026-11-31"',
    )
    expect((await set.decide({ id: 'r', v: 1 }, { asOf: '2026-12-02' })).asOf).toBe('2026-12-02')
  })
})

describe('the digest a caller expects', () => {
  it('lets the decision through when it matches and refuses it, naming both digests, when not', async () => {
    const p = policy('p', '1.0.0', '2000-01-01', { primary: true })
    const set = new PolicySet([p])
    expect(set.decideSync({ id: 'r', v: 1 }, { asOf: '2026-11-30', digest: p.digest }).policy.digest).toBe(p.digest)
    const expected = `E_DIGEST_MISMATCH: p@1.0.0 has digest ${p.digest}, not the expected sha256:0: its content is not what the caller names`
    expect(errorOf(() => set.decideSync({ id: 'r', v: 1 }, { asOf: '2026-11-30', digest: 'sha256:0' }))).toBe(expected)
    const err = await set.decide({ id: 'r', v: 1 }, { asOf: '2026-11-30', policy: 'p', digest: 'sha256:0' }).catch((e: unknown) => e)
    expect(`${(err as CollabgateError).code}: ${(err as Error).message}`).toBe(expected)
    expect(errorOf(() => set.assertRecord({ id: 'r' }, { asOf: '2026-11-30', digest: 'sha256:0' }))).toBe(expected)
  })
})

describe('which evaluator runs', () => {
  it('is json-rules-engine only when the call or the set asks for it', async () => {
    const run = vi.spyOn(Engine.prototype, 'run')
    const p = policy('p', '1.0.0', '2000-01-01', { primary: true })
    const compiled = new PolicySet([p])
    const record = { id: 'r', v: 2 }
    const byDefault = await compiled.decide(record, { asOf: '2026-11-30' })
    expect(run).not.toHaveBeenCalled()
    const viaEngine = await compiled.decide(record, { asOf: '2026-11-30', evaluator: 'engine' })
    expect(run).toHaveBeenCalled()
    expect(viaEngine).toEqual(byDefault)
    expect(viaEngine.reasons.map((r) => r.message)).toEqual(['v is 2'])
    // the same engine serves the next call: it is not compiled again (compiling adds every operator to an Engine)
    run.mockClear()
    const build = vi.spyOn(Engine.prototype, 'addOperator')
    expect(await compiled.decide(record, { asOf: '2026-11-30', evaluator: 'engine' })).toEqual(byDefault)
    expect(run).toHaveBeenCalled()
    expect(build).not.toHaveBeenCalled()

    run.mockClear()
    const engineSet = new PolicySet([p], { evaluator: 'engine' })
    expect(await engineSet.decide(record, { asOf: '2026-11-30' })).toEqual(byDefault)
    expect(run).toHaveBeenCalled()
    run.mockClear()
    expect(await engineSet.decide(record, { asOf: '2026-11-30', evaluator: 'compiled' })).toEqual(byDefault)
    expect(run).not.toHaveBeenCalled()
  })

  it('adds an explanation only when `explain` is exactly true', async () => {
    const set = new PolicySet([policy('p', '1.0.0', '2000-01-01', { primary: true })])
    const record = { id: 'r', v: 2 }
    for (const explain of [undefined, false, 'yes', 1]) {
      const options = { asOf: '2026-11-30', explain: explain as boolean }
      expect('explanation' in (await set.decide(record, options)), String(explain)).toBe(false)
      expect('explanation' in set.decideSync(record, options), String(explain)).toBe(false)
    }
    const asked = { asOf: '2026-11-30', explain: true }
    expect((await set.decide(record, asked)).explanation).toEqual(set.decideSync(record, asked).explanation)
    expect(set.decideSync(record, asked).explanation?.map((r) => [r.rule, r.passed])).toEqual([['R-1', false]])
  })
})
