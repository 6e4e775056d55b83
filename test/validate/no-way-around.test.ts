/**
 * No way around validation: a PolicySet takes only what the validator built. Nothing outside the validator module
 * can mark an object validated; a policy that crossed a thread is built again by the validator, and refused when
 * that does not give the same policy.
 */
import { describe, expect, it } from 'vitest'
import { CollabgateError, defaultPolicies, PolicySet } from '../../src/index.js'
import type { Policy } from '../../src/model.js'
import * as validator from '../../src/validate/policy.js'
import { checkMutant, isValidatedPolicy, receivedPolicy } from '../../src/validate/policy.js'

const shipped = async (): Promise<readonly Policy[]> => (await defaultPolicies()).policies

/** What a worker thread hands over: a structured clone, which carries no mark. */
const cloned = <T>(value: T): T => structuredClone(value)

const refusedBySet = (policy: Policy): unknown => {
  try {
    new PolicySet([policy])
  } catch (error) {
    return error
  }
  return undefined
}

describe('a PolicySet and hand-built policies', () => {
  it('refuses a hand-built object, a copy and a clone of a validated policy', async () => {
    const [policy] = await shipped()
    const handBuilt = { ...cloned(policy!), id: 'made.by.hand' } as Policy
    for (const p of [handBuilt, { ...policy! }, cloned(policy!), JSON.parse(JSON.stringify(policy)) as Policy]) {
      const error = refusedBySet(p)
      expect(error).toBeInstanceOf(CollabgateError)
      expect((error as CollabgateError).code).toBe('E_INVALID_ARGUMENT')
      expect((error as Error).message).toMatch(/was not validated/)
    }
  })

  it('leaves no function outside the validator that marks an object validated', () => {
    expect(Object.keys(validator)).not.toContain('markValidated')
    expect(Object.keys(validator).filter((k) => /mark/i.test(k))).toEqual([])
  })
})

describe('a policy that crossed a thread', () => {
  it('is built again by the validator, equal to the one sent, and joins a set', async () => {
    const policies = await shipped()
    expect(policies.length).toBeGreaterThan(3)
    for (const policy of policies) {
      const received = receivedPolicy(cloned(policy))
      expect(received, `${policy.id}@${policy.version}`).toEqual(policy)
      expect(isValidatedPolicy(received!)).toBe(true)
      expect(Object.isFrozen(received!.rules[0]!.checks[0]!.require)).toBe(true)
    }
    const set = new PolicySet(policies.map((p) => receivedPolicy(cloned(p))!))
    expect(set.list()).toEqual((await defaultPolicies()).list())
  })

  it('is the policy built before when the same one crosses again, and an altered one is still refused', async () => {
    const [policy] = await shipped()
    const first = receivedPolicy(cloned(policy!))
    expect(first).toBeDefined()
    expect(receivedPolicy(cloned(policy!))).toBe(first)
    const altered = cloned(policy!)
    ;(altered as { primary: boolean }).primary = !policy!.primary
    expect(receivedPolicy(altered)).toBeUndefined()
  })

  it('is refused when its content is not what its document says', async () => {
    const [policy] = await shipped()
    const rules = cloned(policy!.rules)
    rules[0]!.checks[0]!.outcome = policy!.defaultOutcome === rules[0]!.checks[0]!.outcome ? 'other' : policy!.defaultOutcome
    expect(receivedPolicy({ ...cloned(policy!), rules })).toBeUndefined()
    expect(receivedPolicy({ ...cloned(policy!), digest: 'sha256:' + '0'.repeat(64) })).toBeUndefined()
    expect(receivedPolicy({ ...cloned(policy!), primary: !policy!.primary })).toBeUndefined()
  })

  it('is refused when its document is one the validator refuses', async () => {
    const [policy] = await shipped()
    const invalid = cloned(policy!)
    ;(invalid.document as { rules: unknown }).rules = 'none'
    expect(receivedPolicy(invalid)).toBeUndefined()
    const unknownOperator = cloned(policy!)
    const rule = (unknownOperator.document as { rules: { require?: unknown; checks?: { require: unknown }[] }[] }).rules[0]!
    ;(rule.checks ? rule.checks[0]! : rule).require = { fact: 'applicant', operator: 'runThisCode', value: 1 }
    expect(receivedPolicy(unknownOperator)).toBeUndefined()
    // a character no one sees, which the sender's parse would have refused
    const hidden = cloned(policy!)
    ;(hidden.document as { title: string }).title += '\u202e'
    expect(receivedPolicy(hidden)).toBeUndefined()
    const hiddenKey = cloned(policy!)
    ;(hiddenKey.document as Record<string, unknown>)['x\u200b'] = 1
    expect(receivedPolicy(hiddenKey)).toBeUndefined()
  })

  it('is refused when it is not a policy at all', () => {
    const handBuilt = { id: 'x', version: '1.0.0', rules: [], document: { id: 'x' }, record: {} }
    for (const junk of [null, undefined, 1, 'policy', {}, { document: {} }, { record: {} }, handBuilt])
      expect(receivedPolicy(junk as unknown as Policy)).toBeUndefined()
  })
})

/** A market, as a routing mutant writes one into a primary policy's document. */
const US = { fact: 'applicant', path: '$.registration.country', operator: 'equal', value: 'US' }

describe("the mutation run's mutants", () => {
  it('are built by the validator from their changed document, never marked: a set takes them as any validated policy', async () => {
    const policies = await shipped()
    const policy = policies.find((p) => p.primary)!
    const us = checkMutant(policy, { ...policy.document, appliesTo: US })
    expect(us).toBeDefined()
    expect(us!.appliesTo).toEqual(US)
    expect(isValidatedPolicy(us!)).toBe(true)
    expect(us!.digest).not.toBe(policy.digest)
    expect({ ...us!, appliesTo: undefined, digest: '', document: {} }).toEqual({ ...policy, digest: '', document: {} })
    expect(new PolicySet(policies.map((p) => (p === policy ? us! : p))).list()).toHaveLength(policies.length)
    const later = checkMutant(policy, { ...policy.document, effective: { from: '2099-01-01' } })
    expect(later!.effective).toEqual({ from: '2099-01-01' })
  })

  it('are refused when the changed document is one the validator refuses, or the original was not validated', async () => {
    const policy = (await shipped()).find((p) => p.primary)!
    const market = (appliesTo: unknown) => ({ ...policy.document, appliesTo })
    expect(checkMutant(policy, market(US))).toBeDefined()
    expect(checkMutant(policy, market({ ...US, operator: 'runThisCode' }))).toBeUndefined()
    expect(checkMutant(policy, market({ ...US, operator: 'lessThan' }))).toBeUndefined()
    expect(checkMutant(policy, market({ fact: 'nothingSuch', operator: 'equal', value: 'US' }))).toBeUndefined()
    expect(checkMutant(policy, { ...policy.document, effective: { from: '2026-02-30' } })).toBeUndefined()
    expect(checkMutant(policy, { ...policy.document, title: 'hidden\u202e' })).toBeUndefined()
    expect(checkMutant(cloned(policy), { ...policy.document })).toBeUndefined()
    expect(checkMutant({ ...policy }, { ...policy.document })).toBeUndefined()
  })

  it('leave no way to mark a mutant validated', () => {
    expect(Object.keys(validator)).not.toContain('validatedMutant')
  })
})
