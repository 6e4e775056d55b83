/**
 * Mutants of derived facts: an operand dropped (or two swapped), the computation swapped, a count's
 * where or an operand's default removed. The shipped tests kill every one of onboarding 1.2.0's, and a
 * test set without the cases that tell the sum apart lets them survive (so the mutants are felt).
 */
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { defaultPoliciesDir, loadPolicies, locatePolicy } from '../../src/folder/load.js'
import type { DerivedFact, Policy } from '../../src/model.js'
import { derivedMutants } from '../../src/mutate/derived-mutants.js'
import { policyMutants } from '../../src/mutate/mutants.js'
import { mutationTest } from '../../src/mutate/run.js'
import { findPolicyTestFiles, runPolicyTestFiles } from '../../src/policy-test/run.js'

const temps: string[] = []
afterAll(() => temps.forEach((t) => rmSync(t, { recursive: true, force: true })))

async function derivedReport(dir: string) {
  const set = await loadPolicies(dir, { lock: false })
  const run = await runPolicyTestFiles(set, await findPolicyTestFiles([dir]))
  const report = mutationTest(set.policies, run)
  const onboarding = report.policies.find((p) => p.id === 'creator-collaboration.us.onboarding' && p.version === '1.2.0')!
  return onboarding.mutants.filter((m) => m.operator.startsWith('derived-'))
}

describe('derived-fact mutants', () => {
  it('drop each operand, swap the computation and remove each default of onboarding 1.2.0', async () => {
    const set = await loadPolicies(defaultPoliciesDir())
    const p = set.select('creator-collaboration.us.onboarding', '2027-01-04')
    const mutants = policyMutants(p, (ptr) => locatePolicy(p, ptr)).filter((m) => m.operator.startsWith('derived-'))
    const sum = 'sum(applicant.clientsServed.sellers (default 0), applicant.clientsServed.creators (default 0))'
    expect(mutants.map((m) => [m.operator, m.description, m.pointer, m.location.line])).toEqual([
      [
        'derived-operand-removed',
        `derived clientsServed: ${sum} → sum(applicant.clientsServed.creators (default 0))`,
        '/derived/clientsServed/sum/0',
        33,
      ],
      [
        'derived-operand-removed',
        `derived clientsServed: ${sum} → sum(applicant.clientsServed.sellers (default 0))`,
        '/derived/clientsServed/sum/1',
        34,
      ],
      [
        'derived-operation',
        `derived clientsServed: ${sum} → max(applicant.clientsServed.sellers (default 0), applicant.clientsServed.creators (default 0))`,
        '/derived/clientsServed/sum',
        32,
      ],
      [
        'derived-default-removed',
        `derived clientsServed: ${sum} → sum(applicant.clientsServed.sellers, applicant.clientsServed.creators (default 0))`,
        '/derived/clientsServed/sum/0',
        33,
      ],
      [
        'derived-default-removed',
        `derived clientsServed: ${sum} → sum(applicant.clientsServed.sellers (default 0), applicant.clientsServed.creators)`,
        '/derived/clientsServed/sum/1',
        34,
      ],
    ])
    expect(mutants.every((m) => m.derivedChanged === true && m.policy.derived !== p.derived)).toBe(true)
    expect(p.derived![0]!.operands).toHaveLength(2) // the policy itself is untouched
  })

  it('swap two operands where none can be dropped, and a count where or round places', () => {
    const base = { pointer: '/derived/x' } as const
    const policy = (f: Omit<DerivedFact, 'pointer' | 'name'>) => ({ derived: [{ ...f, ...base, name: 'x' }] }) as unknown as Policy
    const at = () => ({ file: 'f.yaml', line: 1, column: 1 })
    const words = (f: Omit<DerivedFact, 'pointer' | 'name'>) => derivedMutants(policy(f), at).map((m) => [m.operator, m.description])
    expect(words({ operation: 'subtract', operands: [{ fact: 'a' }, 2] })).toEqual([
      ['derived-operands-swapped', 'derived x: subtract(a, 2) → subtract(2, a)'],
      ['derived-operation', 'derived x: subtract(a, 2) → add(a, 2)'],
    ])
    expect(words({ operation: 'divide', operands: [{ fact: 'a' }, 2], places: 2 })).toEqual([
      ['derived-operands-swapped', 'derived x: divide(a, 2) to 2 places → divide(2, a) to 2 places'],
      ['derived-operation', 'derived x: divide(a, 2) to 2 places → multiply(a, 2)'],
    ])
    expect(words({ operation: 'count', operands: [{ fact: 'l' }], where: { path: '$.a', operator: 'present', value: true } })).toEqual([
      ['derived-operation', 'derived x: count(l where …) → count(l)'],
    ])
    expect(words({ operation: 'round', operands: [{ fact: 'a' }] })).toEqual([
      ['derived-operation', 'derived x: round(a) → round(a) to 1 places'],
    ])
    expect(words({ operation: 'workingDays', operands: [{ fact: 'a' }, { fact: 'asOf' }] })).toEqual([
      ['derived-operands-swapped', 'derived x: workingDays(a, asOf) → workingDays(asOf, a)'],
      ['derived-operation', 'derived x: workingDays(a, asOf) → days(a, asOf)'],
    ])
  })

  it('are all killed by the shipped tests', async () => {
    const derived = await derivedReport(defaultPoliciesDir())
    expect(derived).toHaveLength(5)
    expect(derived.filter((m) => m.status !== 'killed')).toEqual([])
  })

  it('survive a test set without 1.2.0 own cases', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'collabgate-derived-mutants-'))
    temps.push(dir)
    cpSync(defaultPoliciesDir(), dir, { recursive: true })
    for (const f of readdirSync(dir)) if (f.endsWith('.v1.2.0.test.yaml') || f === 'policies.lock.json') rmSync(join(dir, f))
    const derived = await derivedReport(dir)
    // sum and max, and the defaults, are only told apart by 1.2.0's own cases (30 + 30, a count given alone)
    expect(derived.filter((m) => m.status === 'survived').map((m) => m.operator)).toEqual([
      'derived-operation',
      'derived-default-removed',
      'derived-default-removed',
    ])
  })
})
