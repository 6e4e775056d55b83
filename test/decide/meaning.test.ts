/**
 * What a decision says, pinned on small policies written for the purpose (the shipped ones happen to
 * list their rules in severity order and never reach some shapes): the order of reasons, the review
 * clock with a review that has no result, evidence under `not` and for lists, and the message fillers.
 * Every case runs on both evaluators.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { PolicySet } from '../../src/decide/policy-set.js'
import { defaultPolicies } from '../../src/folder/load.js'
import { example } from '../core/helpers.js'
import { renderMessage } from '../../src/decide/message.js'
import { assertRecordWith, buildDecision } from '../../src/decide/decide.js'
import { recordValidator } from '../../src/validate/record-schema.js'
import { RecordValidationError } from '../../src/errors.js'
import type { Condition, Decision, Evidence, Policy } from '../../src/model.js'
import { probePolicy, probeSubject } from '../core/probe.js'

// a record kind whose fields may hold anything, so every shape can reach the evaluators
const any = {}
const schema = {
  type: 'object',
  required: ['id'],
  properties: {
    id: { type: 'string' },
    submittedAt: { type: 'string', format: 'date' },
    review: { type: 'object', properties: { result: any, note: any } },
    items: { type: 'array', items: { type: 'object', properties: { id: any, bad: any } } },
    ...Object.fromEntries(['a', 'b', 'c', 'd', 'country', 'tags'].map((f) => [f, any])),
  },
}
// built when a test asks, not while the file is collected: npm run mutation counts code run then as reached by every test
const probe = () =>
  probeSubject(schema, {
    review: {
      from: { fact: 'submittedAt' },
      decided: {
        all: [
          { fact: 'review', path: '$.result', operator: 'present', value: true },
          { fact: 'review', path: '$.result', operator: 'notEqual', value: 'pending' },
        ],
      } as Condition,
    },
  })

type RuleSpec = {
  id: string
  outcome: string
  require: unknown
  message?: string
}

function policyOf(rules: RuleSpec[], extra: Record<string, unknown> = {}): Policy {
  const policy = probePolicy(probe(), {
    outcomes: ['reject', 'needs_information', 'manual_review', 'approve'],
    default: 'approve',
    ...extra,
    rules,
  })
  if (!policy) throw new Error('probe policy refused')
  return policy
}

/** The decision on each evaluator, checked equal, so each case pins both paths. */
async function decide(policy: Policy, record: Record<string, unknown>, asOf = '2026-11-30'): Promise<Decision> {
  const set = new PolicySet([policy], { subjects: [probe()] })
  const compiled = await set.decide(record, { asOf, evaluator: 'compiled' })
  const engine = await set.decide(record, { asOf, evaluator: 'engine' })
  expect(engine).toEqual(compiled)
  expect(set.decideSync(record, { asOf })).toEqual(compiled)
  return compiled
}

describe('the order of reasons', () => {
  it('is most severe first when the policy lists its rules mildest first; equals keep the policy order', async () => {
    const fails = (fact: string) => ({ fact, operator: 'present', value: true })
    const policy = policyOf([
      { id: 'R-REVIEW-1', outcome: 'manual_review', require: fails('a') },
      { id: 'R-INFO', outcome: 'needs_information', require: fails('b') },
      { id: 'R-REVIEW-2', outcome: 'manual_review', require: fails('c') },
      { id: 'R-REJECT', outcome: 'reject', require: fails('d') },
      { id: 'R-PASSES', outcome: 'reject', require: fails('id') },
    ])
    const decision = await decide(policy, { id: 'r' })
    expect(decision.reasons.map((r) => r.rule)).toEqual(['R-REJECT', 'R-INFO', 'R-REVIEW-1', 'R-REVIEW-2'])
    expect(decision.outcome).toBe('reject')
    // only the mild ones fail: the outcome is the most severe of them, not the first listed
    const mild = await decide(policy, { id: 'r', d: 'x' })
    expect(mild.reasons.map((r) => r.rule)).toEqual(['R-INFO', 'R-REVIEW-1', 'R-REVIEW-2'])
    expect(mild.outcome).toBe('needs_information')
  })
})

describe('the review clock', () => {
  let policy: Policy
  // built in each test, not while the file is collected: npm run mutation counts code run then as reached by every test
  beforeEach(() => {
    policy = policyOf([{ id: 'R-1', outcome: 'reject', require: { fact: 'id', operator: 'present', value: true } }], {
      review: { workingDays: 7 },
    })
  })
  const late = { id: 'r', submittedAt: '2026-11-02' }

  it('counts a review without a result, or a pending one, as not decided', async () => {
    for (const review of [undefined, {}, { result: null }, { result: '' }, { result: 'pending' }, { note: 'x' }]) {
      const record = review === undefined ? late : { ...late, review }
      const decision = await decide(policy, record)
      expect(decision.review, JSON.stringify(review)).toEqual({ submittedAt: '2026-11-02', dueBy: '2026-11-12', overdue: true })
    }
  })

  it('counts a recorded result as decided, and nothing as overdue on its due date', async () => {
    expect((await decide(policy, { ...late, review: { result: 'approved' } })).review?.overdue).toBe(false)
    expect((await decide(policy, late, '2026-11-12')).review?.overdue).toBe(false)
    expect((await decide(policy, late, '2026-11-13')).review?.overdue).toBe(true)
  })
})

describe('evidence', () => {
  it('under a failing `not` names the comparison that held, negated', async () => {
    const policy = policyOf([{ id: 'R-1', outcome: 'reject', require: { not: { fact: 'country', operator: 'equal', value: 'XX' } } }])
    const decision = await decide(policy, { id: 'r', country: 'XX' })
    expect(decision.reasons[0]!.evidence).toEqual([
      { fact: 'country', path: '$', operator: 'not equal', expected: 'XX', actual: 'XX', negated: true },
    ])
    // a `not` around an `any`: every member that held, none that did not
    const any = policyOf([
      {
        id: 'R-1',
        outcome: 'reject',
        require: {
          not: {
            any: [
              { fact: 'a', operator: 'equal', value: 1 },
              { fact: 'b', operator: 'equal', value: 2 },
              { fact: 'c', operator: 'equal', value: 3 },
            ],
          },
        },
      },
    ])
    const evidence = (await decide(any, { id: 'r', a: 1, b: 0, c: 3 })).reasons[0]!.evidence
    expect(evidence.map((e) => [e.fact, e.operator, e.negated])).toEqual([
      ['a', 'not equal', true],
      ['c', 'not equal', true],
    ])
  })

  it('names list elements by their id, numeric or text, and shows other elements whole', async () => {
    const policy = policyOf([
      {
        id: 'R-1',
        outcome: 'reject',
        require: { fact: 'items', operator: 'noneMatch', value: { path: '$.bad', operator: 'equal', value: true } },
        message: 'bad: {{ $matched }}; fields: {{ $evidence }}',
      },
    ])
    const items = [{ id: 7, bad: true }, { id: 'x-1', bad: true }, { bad: true }, { id: 8, bad: false }, { id: true, bad: true }]
    const reason = (await decide(policy, { id: 'r', items })).reasons[0]!
    expect(reason.evidence[0]!.actual).toEqual([7, 'x-1', { bad: true }, { id: true, bad: true }])
    expect(reason.message).toBe('bad: 7, x-1, {"bad":true}, {"id":true,"bad":true}; fields: items')
  })

  it('keeps the value of a comparison that is not a list match as it is, lists of objects included', async () => {
    const policy = policyOf([{ id: 'R-1', outcome: 'reject', require: { fact: 'items', operator: 'present', value: false } }])
    const items = [{ id: 'a' }, { id: 2 }]
    expect((await decide(policy, { id: 'r', items })).reasons[0]!.evidence[0]!.actual).toEqual(items)
  })

  it('gives `{{ $matched }}` only for list matches: a failing containsAny matched nothing', async () => {
    const policy = policyOf([
      {
        id: 'R-1',
        outcome: 'reject',
        require: { fact: 'tags', operator: 'containsAny', value: ['ok'] },
        message: 'matched: {{ $matched }}; field: {{ $evidence }}',
      },
    ])
    const reason = (await decide(policy, { id: 'r', tags: ['a', 'b'] })).reasons[0]!
    expect(reason.evidence[0]!.actual).toEqual(['a', 'b'])
    expect(reason.message).toBe('matched: (none); field: tags')
  })
})

describe('message fillers', () => {
  it('names an element field of a list match by its path inside the element, other fields by fact and path', () => {
    const evidence: Evidence[] = [
      { fact: '$item', path: '$.status', operator: 'equal', expected: 'confirmed', actual: 'suspected' },
      { fact: 'incidents', path: '$[0].type', operator: 'equal', expected: 'x', actual: 'y' },
      { fact: 'country', path: '$', operator: 'equal', expected: 'US', actual: 'CA' },
    ]
    expect(renderMessage('{{ $evidence }}', {}, evidence, 'x')).toBe('$.status, incidents.0.type, country')
  })

  it('forgets its compiled templates when 10,000 are kept, and still fills each correctly', () => {
    const clear = vi.spyOn(Map.prototype, 'clear')
    try {
      const record = { n: 'v' }
      let i = 0
      const fresh = () => renderMessage(`eviction ${i++} {{ n }}`, record, [], 'x')
      // other tests' templates may be kept already: render new ones until the first clear
      while (clear.mock.calls.length === 0 && i <= 10_001) fresh()
      expect(clear).toHaveBeenCalledTimes(1)
      // now one template is kept: 9,999 more make 10,000 without a clear, the next one clears
      for (let k = 0; k < 9_999; k++) fresh()
      // a kept template is filled from its compiled form, for another record, without a clear
      expect(renderMessage(`eviction ${i - 1} {{ n }}`, { n: 'w' }, [], 'x')).toBe(`eviction ${i - 1} w`)
      expect(clear).toHaveBeenCalledTimes(1)
      expect(fresh()).toBe(`eviction ${i - 1} v`)
      expect(clear).toHaveBeenCalledTimes(2)
    } finally {
      clear.mockRestore()
    }
  })
})

describe('assertRecordWith', () => {
  it('refuses null, undefined, text and a number as not plain JSON objects, with a typed error (null and undefined have no prototype to read)', () => {
    const policy = policyOf([{ id: 'R-1', outcome: 'reject', require: { fact: 'id', operator: 'present', value: true } }])
    const validate = recordValidator(probe().schemas[0]!)
    for (const record of [null, undefined, 'text', 7]) {
      let err: unknown
      try {
        assertRecordWith(policy, validate, record)
      } catch (e) {
        err = e
      }
      expect(err, String(record)).toBeInstanceOf(RecordValidationError)
      expect((err as RecordValidationError).problems, String(record)).toEqual([
        { pointer: '', message: 'a record must be a plain JSON object' },
      ])
    }
  })
})

describe('buildDecision', () => {
  it('gives a reason only for a failed check that carries its condition tree (both evaluators always give one)', () => {
    const policy = policyOf([{ id: 'R-1', outcome: 'reject', require: { fact: 'a', operator: 'present', value: true } }])
    const check = policy.rules[0]!.checks[0]!
    const bare = buildDecision(policy, { id: 'r' }, '2026-11-30', [{ rule: policy.rules[0]!, checks: [{ check, passed: false }] }])
    expect(bare.reasons).toEqual([])
    expect(bare.outcome).toBe('approve')
  })
})

describe('the decision object itself', () => {
  it('accepts a record without a prototype (Object.create(null)), and has no explanation key unless asked', async () => {
    const set = await defaultPolicies()
    const plain = example('applications', 'complete-us-developer')
    const bare = Object.assign(Object.create(null) as object, plain)
    for (const evaluator of ['compiled', 'engine'] as const) {
      const s = new PolicySet(set.policies, { evaluator, subjects: set.subjectKinds })
      expect((await s.decide(bare, { asOf: '2026-11-24' })).outcome).toBe('approve')
      // absent, not present with the value undefined
      expect(Object.keys(await s.decide(plain, { asOf: '2026-11-24' }))).not.toContain('explanation')
    }
    expect(Object.keys(set.decideSync(plain, { asOf: '2026-11-24' }))).not.toContain('explanation')
    expect(Object.keys(set.decideSync(plain, { asOf: '2026-11-24', explain: true }))).toContain('explanation')
  })
})
