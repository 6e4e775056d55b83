/**
 * The two evaluators cannot be made to disagree: json-rules-engine's fact cache no longer hands one
 * working-day operand another's date, a PolicySet holds only validated policies, and both compilers
 * refuse what the validator refuses instead of each deciding it its own way.
 */
import fc from 'fast-check'
import { beforeEach, describe, expect, it } from 'vitest'
import { compileClosures } from '../../src/compile/closures.js'
import { compileEngine } from '../../src/compile/engine.js'
import { PolicySet } from '../../src/decide/policy-set.js'
import { CollabgateError } from '../../src/errors.js'
import { parseYamlSource } from '../../src/read/yaml-source.js'
import type { Policy } from '../../src/model.js'
import { checkPolicyDocument } from '../../src/validate/policy.js'
import { shippedFolder } from '../shipped-folder.js'
import { clone, example } from '../core/helpers.js'

type Operand = { addWorkingDays: number; to: string }

/** An application policy with one rule per operand: submittedAt must be on or after each. */
function policyWith(operands: readonly Operand[]): Policy {
  const rules = operands.map((o, i) => ({
    id: `R-${i + 1}`,
    title: `rule ${i + 1}`,
    source: { status: 'modelled', from: 'test' },
    outcome: 'reject',
    require: { fact: 'submittedAt', operator: 'dateOnOrAfter', value: o },
    message: 'too early',
  }))
  const doc = {
    id: 'p',
    version: '1.0.0',
    title: 't',
    subject: 'application',
    effective: { from: '2000-01-01' },
    outcomes: ['reject', 'approve'],
    default: 'approve',
    rules,
  }
  const { policy, problems } = checkPolicyDocument(parseYamlSource('p.yaml', JSON.stringify(doc)), shippedFolder())
  if (!policy) throw new Error(JSON.stringify(problems))
  return policy
}

async function bothWays(policy: Policy, submittedAt: string): Promise<[string, string]> {
  const record = clone(example('applications', 'complete-us-developer'))
  record.submittedAt = submittedAt
  const set = new PolicySet([policy])
  const run = async (evaluator: 'engine' | 'compiled') =>
    JSON.stringify(await set.decide(record, { asOf: '2026-11-24', policy: 'p', evaluator }))
  return [await run('engine'), await run('compiled')]
}

describe('working-day operands on the engine path', () => {
  it('keep their own dates when json-rules-engine would hash two of them alike', async () => {
    const operands = [
      { addWorkingDays: 3055, to: '2120-11-11' },
      { addWorkingDays: 1961, to: '2049-12-10' },
    ]
    const [engine, compiled] = await bothWays(policyWith(operands), '2100-01-04')
    expect(engine).toBe(compiled)
    const decision = JSON.parse(engine) as { outcome: string; reasons: { rule: string; evidence: { expected: string }[] }[] }
    // 2100-01-04 is after the second operand's date and long before the first's
    expect(decision.reasons.map((r) => r.rule)).toEqual(['R-1'])
    expect(decision.reasons[0]!.evidence[0]!.expected > '2130-01-01').toBe(true)
  })

  it('agree with the compiled path over random pairs of operands (fast-check)', async () => {
    const day = fc
      .date({ min: new Date('1990-01-01T00:00:00Z'), max: new Date('2150-12-31T00:00:00Z'), noInvalidDate: true })
      .map((d) => d.toISOString().slice(0, 10))
    const operand = fc.record({ addWorkingDays: fc.integer({ min: 0, max: 3650 }), to: day })
    await fc.assert(
      fc.asyncProperty(fc.array(operand, { minLength: 2, maxLength: 3 }), day, async (operands, submittedAt) => {
        const [engine, compiled] = await bothWays(policyWith(operands), submittedAt)
        expect(engine).toBe(compiled)
      }),
      { numRuns: 40, seed: 20261129 },
    )
  })
})

describe('what the validator refuses', () => {
  let valid: Policy
  // built in each test, not while the file is collected: npm run mutation counts code run then as reached by every test
  beforeEach(() => {
    valid = policyWith([{ addWorkingDays: 1, to: '2026-01-05' }])
  })
  const withLeaf = (leaf: object): Policy => {
    const p = structuredClone(valid)
    p.rules[0]!.checks[0]!.require = leaf as never
    return p
  }

  it('is no PolicySet: a policy nobody validated is refused', () => {
    expect(() => new PolicySet([valid])).not.toThrow()
    for (const p of [{ ...valid }, structuredClone(valid)]) {
      const err = (() => {
        try {
          new PolicySet([p])
        } catch (e) {
          return e
        }
      })()
      expect(err).toBeInstanceOf(CollabgateError)
      expect((err as CollabgateError).code).toBe('E_INVALID_ARGUMENT')
    }
  })

  it.each([
    ['an operator of json-rules-engine', { fact: 'category', operator: 'contains', value: 'x' }],
    ['an unknown operator', { fact: 'category', operator: 'looksLike', value: 'x' }],
    ['a fact reference where a value belongs', { fact: 'category', operator: 'equal', value: { fact: 'applicationId' } }],
    ['a list where a number belongs', { fact: 'applicant', path: '$.yearsInOperation', operator: 'greaterThan', value: [1] }],
  ])('is compiled by neither evaluator: %s', (_what, leaf) => {
    const policy = withLeaf(leaf)
    expect(() => compileClosures(policy)).toThrow(CollabgateError)
    expect(() => compileEngine(policy)).toThrow(CollabgateError)
  })
})
