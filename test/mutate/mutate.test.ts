import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeEach, describe, expect, it } from 'vitest'
import { defaultPoliciesDir, loadPolicies, locatePolicy } from '../../src/folder/load.js'
import { policyMutants } from '../../src/mutate/mutants.js'
import { mutationTest } from '../../src/mutate/run.js'
import { findPolicyTestFiles, runPolicyTestFiles } from '../../src/policy-test/run.js'
import type { Condition, Policy } from '../../src/model.js'
import type { PolicySet } from '../../src/decide/policy-set.js'
import type { Mutant } from '../../src/mutate/mutants.js'
import { ACCESS_TEST } from './access-test.js'

const temps: string[] = []
afterAll(() => temps.forEach((t) => rmSync(t, { recursive: true, force: true })))

/** A copy of the shipped folder without its tests and lock, with the given test files. */
function folderWith(tests: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'collabgate-mutate-'))
  temps.push(dir)
  cpSync(defaultPoliciesDir(), dir, { recursive: true })
  for (const f of readdirSync(dir)) if (f.endsWith('.test.yaml') || f === 'policies.lock.json') rmSync(join(dir, f))
  for (const [name, text] of Object.entries(tests)) writeFileSync(join(dir, name), text)
  return dir
}

async function mutate(dir: string) {
  const set = await loadPolicies(dir, { lock: false })
  const run = await runPolicyTestFiles(set, await findPolicyTestFiles([dir]))
  return { run, report: mutationTest(set.policies, run) }
}

// loaded on first use by a test, not while the module loads: mutation testing of the code (npm run mutation) counts
// code run while modules load as reached by every test
let shipped: PolicySet
let onboarding: Policy
beforeEach(async () => {
  shipped ??= await loadPolicies(defaultPoliciesDir())
  onboarding ??= shipped.select('creator-collaboration.us.onboarding', '2026-12-02')
})
const strength = (p: Policy) => p.rules.find((r) => r.id === 'ONB-STRENGTH')!.checks[0]!.require

describe('policyMutants', () => {
  let mutants: Mutant[]
  beforeEach(() => {
    mutants = policyMutants(onboarding, (ptr) => locatePolicy(onboarding, ptr))
  })

  it('words each change and places it at the file:line:col of what changed (the YAML node the loader kept)', () => {
    const m = mutants.find((x) => x.description === 'ONB-STRENGTH: applicant.clientsServed.sellers >= 50 → >= 51')
    expect(m).toMatchObject({
      operator: 'threshold',
      rule: 'ONB-STRENGTH',
      pointer: '/rules/8/require/all/1/any/0/value',
      location: { file: 'creator-collaboration.us.onboarding.v1.1.0.yaml', line: 159, column: 97 },
    })
    const sellers = ((strength(m!.policy) as { all: Condition[] }).all[1] as { any: Condition[] }).any[0]
    expect(sellers).toMatchObject({ operator: 'greaterThanInclusive', value: 51 })
  })

  it('leaves the policy it mutates untouched', () => {
    const sellers = ((strength(onboarding) as { all: Condition[] }).all[1] as { any: Condition[] }).any[0]
    expect(sellers).toMatchObject({ value: 50 })
    expect(mutants.every((m) => m.policy !== onboarding)).toBe(true)
  })

  it('makes every kind of change the issue lists', () => {
    const has = (d: string) => expect(mutants.map((m) => m.description)).toContain(d)
    has('ONB-STRENGTH: applicant.yearsInOperation >= 1 → >= 0.9') // a number field: a tenth either side
    has('ONB-STRENGTH: applicant.yearsInOperation >= 1 → > 1')
    has('ONB-SCOPE-US: applicant.registration.country equal US → notEqual US')
    has(
      'ONB-API-SCOPES: product.requestedScopes containsOnly [affiliate_seller, affiliate_creator, affiliate_partner] → containsAny [affiliate_seller, affiliate_creator, affiliate_partner]',
    )
    has('ONB-PRODUCT-FIT: product.targetUsers containsAny [seller, creator_affiliate, partner]: without partner')
    has('ONB-REQUIRED-INFO: removed from all: applicant.contactEmail present true')
    has('ONB-STRENGTH: any(applicant.clientsServed.sellers >= 50, …) → all')
    has('ONB-STRENGTH: outcome manual_review → reject')
    has('outcomes: needs_information before manual_review → manual_review before needs_information')
    has('default: approve → needs_information')
    has('review: 7 → 8 working days')
    has('ONB-TECH-SECURITY: security.encryptionInTransit equal true → security.roleBasedAccess equal true')
    const kinds = new Set(mutants.map((m) => m.operator))
    expect([...kinds].sort()).toEqual(
      [
        'all-any',
        'comparison',
        'condition-removed',
        'default-outcome',
        'list-member-removed',
        'negation',
        'outcome',
        'outcome-order',
        'sibling-path',
        'threshold',
        'working-days',
        'effective',
        'required-field',
        'review-decided',
        'calendar',
        'message',
      ].sort(),
    )
    expect(new Set(mutants.map((m) => m.description)).size).toBe(mutants.length)
  })

  it('adds to a list the values the cases hold there, and moves working days and dates', () => {
    const withObserved = policyMutants(
      onboarding,
      (ptr) => locatePolicy(onboarding, ptr),
      () => ['buyer', 'seller'],
    )
    const added = withObserved.filter((m) => m.operator === 'list-member-added').map((m) => m.description)
    expect(added).toContain('ONB-PRODUCT-FIT: product.targetUsers containsAny [seller, creator_affiliate, partner]: with buyer added')
    expect(added.some((d) => d.includes('with seller added') && d.includes('targetUsers'))).toBe(false) // already a member
    const termination = shipped.select('creator-collaboration.us.termination', '2026-12-02')
    const t = policyMutants(termination, (ptr) => locatePolicy(termination, ptr)).map((m) => m.description)
    expect(t).toContain(
      'TRM-INCIDENT-UNREPORTED [terminate]: incidents[].reportedAt dateAfter 3 working days after incidents[].occurredAt: 3 → 4 working days',
    )
    expect(t).toContain(
      'TRM-FRAUD [investigate]: incidents noneMatch(all(incidents[].type equal fraud, …)) → someMatch(all(incidents[].type equal fraud, …))',
    )
  })
})

describe('policyMutants on conditions the shipped policies do not use', () => {
  /** The onboarding policy with ONB-SCOPE-US requiring `require` instead (mutants need no validation). */
  const withScope = (require: Condition): Policy => {
    const rules = onboarding.rules.map((r) => (r.id === 'ONB-SCOPE-US' ? { ...r, checks: [{ ...r.checks[0]!, require }] } : r))
    return { ...onboarding, rules }
  }
  const described = (require: Condition) => {
    const p = withScope(require)
    return policyMutants(p, (ptr) => locatePolicy(onboarding, ptr)).filter((m) => m.rule === 'ONB-SCOPE-US')
  }

  it('moves a literal date a day either side, across a month end', () => {
    const ms = described({ fact: 'submittedAt', operator: 'dateBefore', value: '2026-03-01' })
    expect(ms.map((m) => m.description)).toEqual(
      expect.arrayContaining([
        'ONB-SCOPE-US: submittedAt dateBefore 2026-03-01: 2026-03-01 → 2026-02-28',
        'ONB-SCOPE-US: submittedAt dateBefore 2026-03-01: 2026-03-01 → 2026-03-02',
        'ONB-SCOPE-US: submittedAt dateBefore 2026-03-01 → dateOnOrBefore 2026-03-01',
      ]),
    )
    const earlier = ms.find((m) => m.description.endsWith('→ 2026-02-28'))!
    expect(earlier.policy.rules[0]!.checks[0]!.require).toEqual({ fact: 'submittedAt', operator: 'dateBefore', value: '2026-02-28' })
    expect(earlier.operator).toBe('date')
  })

  it('removes a not, swaps in and notIn, and moves an exclusive threshold', () => {
    const ms = described({
      all: [
        { not: { fact: 'applicant', path: '$.registration.country', operator: 'in', value: ['CA', 'MX'] } },
        { fact: 'applicant', path: '$.clientsServed.sellers', operator: 'lessThan', value: 1000 },
      ],
    })
    const ds = ms.map((m) => m.description)
    expect(ds).toEqual(
      expect.arrayContaining([
        'ONB-SCOPE-US: not(applicant.registration.country in [CA, MX]) → applicant.registration.country in [CA, MX]',
        'ONB-SCOPE-US: applicant.registration.country in [CA, MX] → notIn [CA, MX]',
        'ONB-SCOPE-US: applicant.registration.country in [CA, MX]: without MX',
        'ONB-SCOPE-US: applicant.clientsServed.sellers < 1000 → <= 1000',
        'ONB-SCOPE-US: applicant.clientsServed.sellers < 1000 → < 999',
        'ONB-SCOPE-US: removed from all: not(applicant.registration.country in [CA, MX])',
      ]),
    )
    const unwrapped = ms.find((m) => m.operator === 'not-removed')!
    expect((unwrapped.policy.rules[0]!.checks[0]!.require as { all: Condition[] }).all[0]).toEqual({
      fact: 'applicant',
      path: '$.registration.country',
      operator: 'in',
      value: ['CA', 'MX'],
    })
    expect(unwrapped.pointer).toBe('/rules/0/require/all/0/not')
  })
})

describe('mutationTest', () => {
  it('reports the mutants no case notices, and a case at the boundary kills them', async () => {
    const weak = await mutate(folderWith({ 'access.test.yaml': ACCESS_TEST }))
    const v11 = weak.report.policies.find((p) => p.version === '1.1.0')!
    expect(v11.cases).toBe(2)
    const survivor = v11.mutants.find(
      (m) => m.description === 'API-CATEGORY-APPROVED [check 1]: category equal creator_collaboration → notEqual creator_collaboration',
    )
    expect(survivor).toMatchObject({ status: 'killed' })
    const wrongCategory = v11.mutants.find(
      (m) => m.description === 'API-CATEGORY-APPROVED [check 1]: removed from all: category equal creator_collaboration',
    )
    expect(wrongCategory).toBeUndefined() // a single leaf is no group
    const dropped = v11.mutants.filter((m) => m.status === 'survived').map((m) => m.description)
    expect(dropped).toContain('outcomes: deny before allow → allow before deny')
    expect(v11.score).toBeLessThan(100)
    expect(weak.report.score).toBe(Math.floor((weak.report.killed / (weak.report.total - weak.report.equivalent)) * 10000) / 100)
    expect(v11.mutants.find((m) => m.status === 'survived')).toMatchObject({
      file: expect.stringContaining('api-access.v1.1.0.yaml'),
      line: expect.any(Number),
    })

    // a wrong category with an approved review: check 1 objects; without it nothing would
    const stronger = await mutate(
      folderWith({
        'access.test.yaml': `${ACCESS_TEST}  - name: approved for another category
    patch: { category: shop_management, review: { result: approved, decidedAt: "2026-11-20" } }
    expect: { outcome: deny, rules: [API-CATEGORY-APPROVED] }
`,
      }),
    )
    const after = stronger.report.policies.find((p) => p.version === '1.1.0')!
    expect(after.killed).toBeGreaterThan(v11.killed)
    const k = after.mutants.find(
      (m) => m.description === 'API-CATEGORY-APPROVED [check 1]: category equal creator_collaboration → notEqual creator_collaboration',
    )
    expect(k?.killedBy?.name).toBe('approved')
  })

  it('leaves declared equivalents out of the score, and refuses stale or killed declarations', async () => {
    const declared = `${ACCESS_TEST}equivalent:
  - mutant: "outcomes: deny before allow → allow before deny"
    reason: a rule objects only with deny, so the order of two outcomes decides nothing
  - mutant: "API-CATEGORY-APPROVED [check 4]: review.result equal approved → notEqual approved"
    reason: not true, a case sees it
    versions: "1.1.0"
  - mutant: "API-NOTHING: no such change"
    reason: stale
`
    const { report } = await mutate(folderWith({ 'access.test.yaml': declared }))
    const v11 = report.policies.find((p) => p.version === '1.1.0')!
    const order = v11.mutants.find((m) => m.description === 'outcomes: deny before allow → allow before deny')!
    expect(order).toMatchObject({ status: 'equivalent', equivalent: { reason: expect.stringContaining('decides nothing'), line: 12 } })
    expect(v11.equivalent).toBe(1)
    expect(v11.score).toBe(Math.floor((v11.killed / (v11.total - 1)) * 10000) / 100)
    expect(report.problems.map((p) => [p.code, p.line])).toEqual([
      ['E_EQUIVALENT_KILLED', 14],
      ['E_EQUIVALENT_STALE', 17],
    ])
    expect(report.problems[0]!.message).toContain("the case 'approved'")
  })

  it('runs a case with a version range against every version in it, and refuses a range that names none', async () => {
    const ranged = `policy: creator-collaboration.us.api-access
asOf: "2026-12-02"
base: test-records/complete-us-application.json
versions: ">=1.0.0"
cases:
  - name: approved
    patch: { review: { result: approved, decidedAt: "2026-11-20" } }
    expect: { outcome: allow, rules: [] }
  - name: only the newer one
    versions: "^1.1.0"
    patch: { category: shop_management, review: { result: approved, decidedAt: "2026-11-20" } }
    expect: { outcome: deny }
  - name: never
    versions: ">=2.0.0"
    expect: { outcome: deny }
`
    const { run, report } = await mutate(folderWith({ 'access.test.yaml': ranged }))
    expect(run.result.cases.map((c) => [c.name, c.version, c.passed])).toEqual([
      ['approved [1.0.0]', '1.0.0', true],
      ['approved [1.1.0]', '1.1.0', true],
      ['only the newer one [1.1.0]', '1.1.0', true],
      ['never', undefined, false], // a range that names no version: counted as a failed case, not dropped
    ])
    expect(run.result.problems).toMatchObject([
      { code: 'E_INVALID_VERSION', line: 14, message: expect.stringContaining('matches no version') },
    ])
    expect(report.policies.map((p) => [p.version, p.cases])).toEqual([
      ['1.0.0', 1],
      ['1.1.0', 2],
    ])
    expect(run.tested).toEqual([
      { file: expect.stringContaining('access.test.yaml'), policy: 'creator-collaboration.us.api-access', versions: ['1.0.0', '1.1.0'] },
    ])
  })
})
