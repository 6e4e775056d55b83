/**
 * The compiled evaluator on the shipped policies: every shipped policy test case and every example
 * record decided through json-rules-engine and through the closures must give the same decision.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { shippedSubjects } from '../shipped-folder.js'
import { compileClosures } from '../../src/compile/closures.js'
import { compileEngine } from '../../src/compile/engine.js'
import { PolicySet } from '../../src/decide/policy-set.js'
import { defaultPolicies, defaultPoliciesDir } from '../../src/folder/load.js'
import type { Policy, PolicyRecord } from '../../src/model.js'
import { findPolicyTestFiles, runPolicyTests } from '../../src/policy-test/run.js'
import { CollabgateError, RecordValidationError } from '../../src/errors.js'
import { ROOT } from '../core/helpers.js'
import { unvalidatedPolicy } from '../core/probe.js'

const EXAMPLES = [
  'applications/approved-for-api-access.json',
  'applications/complete-us-developer.json',
  'applications/missing-details.json',
  'applications/pending-review.json',
  'applications/rejected-multiple-reasons.json',
  'behaviour/clean-developer.json',
  'behaviour/confirmed-data-leak.json',
  'behaviour/late-incident-report.json',
  'behaviour/suspected-fraud.json',
]

const exampleRecords = (): unknown[] => [
  ...EXAMPLES.map((f) => JSON.parse(readFileSync(join(ROOT, 'examples', f), 'utf8')) as unknown),
  ...readFileSync(join(ROOT, 'examples', 'records.ndjson'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as unknown),
]

describe('shipped policy tests through both evaluators', () => {
  it('pass, and give the same decision or the same error for every case', async () => {
    const shipped = await defaultPolicies()
    const files = await findPolicyTestFiles([defaultPoliciesDir()])
    expect(files.length).toBeGreaterThan(0)
    const engine = await runPolicyTests(new PolicySet(shipped.policies, { evaluator: 'engine' }), files)
    const compiled = await runPolicyTests(new PolicySet(shipped.policies, { evaluator: 'compiled' }), files)
    expect(compiled.cases.length).toBeGreaterThan(10)
    expect(compiled.cases.length).toBe(engine.cases.length)
    // agreement alone would pass a bug both evaluators share: every case must also pass, on each path
    const failing = (cases: typeof compiled.cases) => cases.filter((c) => c.passed !== true).map((c) => c.name)
    expect(failing(compiled.cases)).toEqual([])
    expect(failing(engine.cases)).toEqual([])
    compiled.cases.forEach((c, i) => {
      const e = engine.cases[i]!
      expect({ name: c.name, decision: c.decision, error: c.error, passed: c.passed }).toEqual({
        name: e.name,
        decision: e.decision,
        error: e.error,
        passed: e.passed,
      })
    })
    // at least some cases object, or the comparison would only cover the default outcome
    expect(compiled.cases.filter((c) => (c.decision?.reasons.length ?? 0) > 0).length).toBeGreaterThan(5)
  })
})

describe('example records through both evaluators', () => {
  it.each(['2026-01-06', '2026-11-24', '2027-03-01'])('decide, decide(engine) and decideSync agree on %s', async (asOf) => {
    const set = await defaultPolicies()
    const records = exampleRecords()
    expect(records.length).toBeGreaterThan(10)
    for (const record of records) {
      const viaEngine = await set.decide(record, { asOf, evaluator: 'engine' })
      expect(await set.decide(record, { asOf })).toEqual(viaEngine)
      expect(set.decideSync(record, { asOf })).toEqual(viaEngine)
    }
  })

  it('agree on every shipped policy, including the non-primary api-access one', async () => {
    const set = await defaultPolicies()
    const applications = exampleRecords().filter((r) => Object.prototype.hasOwnProperty.call(r, 'applicationId')) as PolicyRecord[]
    for (const policy of set.policies.filter((p) => p.subject === 'application')) {
      const engine = compileEngine(policy)
      const closures = compileClosures(policy)
      for (const record of applications)
        expect(closures.evaluateSync(record, '2026-11-24')).toEqual(await engine.evaluate(record, '2026-11-24'))
    }
  })
})

describe('PolicySet evaluator choice and decideSync', () => {
  it('refuses an unknown evaluator, per set and per call', async () => {
    const set = await defaultPolicies()
    expect(() => new PolicySet(set.policies, { evaluator: 'fast' as never })).toThrow(CollabgateError)
    const err = await set.decide(exampleRecords()[0], { asOf: '2026-11-24', evaluator: 'fast' as never }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(CollabgateError)
    expect((err as CollabgateError).code).toBe('E_INVALID_ARGUMENT')
  })

  it('decideSync throws the same typed errors as decide', async () => {
    const set = await defaultPolicies()
    const bad = { applicationId: 'A-1', category: 42 }
    expect(() => set.decideSync(bad, { asOf: '2026-11-24' })).toThrow(RecordValidationError)
    await expect(set.decide(bad, { asOf: '2026-11-24' })).rejects.toThrow(RecordValidationError)
    const codeOf = (fn: () => unknown) => {
      try {
        fn()
      } catch (e) {
        return (e as CollabgateError).code
      }
      return 'no error'
    }
    expect(codeOf(() => set.decideSync({ name: 'x' }, { asOf: '2026-11-24' }))).toBe('E_SUBJECT_UNKNOWN')
    expect(codeOf(() => set.decideSync(exampleRecords()[0], { asOf: '2026-13-01' }))).toBe('E_INVALID_ARGUMENT')
    expect(codeOf(() => set.decideSync(exampleRecords()[0], { asOf: '2026-11-24', policy: 'nope' }))).toBe('E_POLICY_NOT_FOUND')
    expect(codeOf(() => set.decideSync(exampleRecords()[0], { asOf: '2020-01-01' }))).toBe('E_NO_VERSION_IN_EFFECT')
    // an error is never remembered as a choice: the same options fail again, a good date still works
    expect(codeOf(() => set.decideSync(exampleRecords()[0], { asOf: '2020-01-01' }))).toBe('E_NO_VERSION_IN_EFFECT')
    expect(set.decideSync(exampleRecords()[0], { asOf: '2026-11-24' }).outcome).toBeTypeOf('string')
  })

  it('picks the version by date even after deciding under another date', async () => {
    const set = await defaultPolicies()
    const record = exampleRecords()[0]
    const a = set.decideSync(record, { asOf: '2026-11-24' })
    const b = set.decideSync(record, { asOf: '2027-03-01' })
    expect(a.asOf).toBe('2026-11-24')
    expect(b.asOf).toBe('2027-03-01')
    const ref = (date: string) => {
      const p = set.select(a.policy.id, date)
      return { id: p.id, version: p.version, digest: p.digest }
    }
    expect(a.policy).toEqual(ref('2026-11-24'))
    expect(b.policy).toEqual(ref('2027-03-01'))
  })
})

describe('compiled closures, corner cases', () => {
  const policyWith = (require: unknown, subject: 'application' | 'behaviour' = 'behaviour'): Policy =>
    unvalidatedPolicy(require, {
      subject,
      idField: subject === 'application' ? 'applicationId' : 'developerId',
      recognise: { fact: 'x', operator: 'present', value: true },
      schema: shippedSubjects().find((s) => s.name === subject)!.schemas[0]!,
    })

  it('a working-day date past 9999-12-31 is not a date, rather than an error, in both evaluators', async () => {
    const policy = policyWith({
      fact: 'incidents',
      operator: 'noneMatch',
      value: { path: '$.reportedAt', operator: 'dateAfter', value: { addWorkingDays: 3, to: { path: '$.occurredAt' } } },
    })
    const record = { developerId: 'D', incidents: [{ id: 'I', occurredAt: '9999-12-30', reportedAt: '9999-12-31' }] }
    // the deadline is no date, so dateAfter cannot hold: no element matches and noneMatch passes
    const [rule] = compileClosures(policy).evaluateSync(record, '2026-01-01')
    expect(rule!.checks[0]!.passed).toBe(true)
    const some = compileClosures(policyWith({ ...(policy.rules[0]!.checks[0]!.require as object), operator: 'someMatch' })).evaluateSync(
      record,
      '2026-01-01',
    )
    expect(some[0]!.checks[0]!.tree).toMatchObject({
      kind: 'group',
      op: 'all',
      passed: false,
      children: [{ kind: 'leaf', actual: [], expected: true, passed: false }],
    })
    const [engineRule] = await compileEngine(policy).evaluate(record, '2026-01-01')
    expect(engineRule!.checks[0]!.passed).toBe(true)
  })

  it('refuses a list match inside a list match', () => {
    const inner = { fact: 'incidents', operator: 'someMatch', value: { path: '$.id', operator: 'present', value: true } }
    expect(() => compileClosures(policyWith({ fact: 'incidents', operator: 'someMatch', value: inner }))).toThrow(/cannot be nested/)
  })

  it('shares one frozen result for a rule whose checks all pass', () => {
    const closures = compileClosures(policyWith({ fact: 'developerId', operator: 'present', value: true }))
    const a = closures.evaluateSync({ developerId: 'D' }, '2026-01-01')
    const b = closures.evaluateSync({ developerId: 'E' }, '2026-01-01')
    expect(a[0]).toBe(b[0])
    expect(Object.isFrozen(a[0])).toBe(true)
    expect(closures.evaluateSync({ developerId: '' }, '2026-01-01')[0]!.checks[0]!.passed).toBe(false)
  })
})
