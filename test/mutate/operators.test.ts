/**
 * Issue #25 item 1: mutation testing mutates a policy folder's routing (appliesTo, effective dates),
 * record schemas (a required field dropped), review clock (`decided`), calendar (a neighbour region)
 * and message wording (a field reference swapped), and judges each with the cases that can tell.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeEach, describe, expect, it } from 'vitest'
import { defaultPoliciesDir, loadPolicies, locatePolicy } from '../../src/folder/load.js'
import { neighbourCalendar, policyMutants } from '../../src/mutate/mutants.js'
import { mutationTest } from '../../src/mutate/run.js'
import { findPolicyTestFiles, runPolicyTestFiles } from '../../src/policy-test/run.js'
import type { Policy } from '../../src/model.js'
import { checkMutant } from '../../src/validate/policy.js'

const temps: string[] = []
afterAll(() => temps.forEach((t) => rmSync(t, { recursive: true, force: true })))

/** A copy of the shipped folder without its tests and lock, with the given files written into it. */
function folderWith(files: Record<string, string>, edit?: [file: string, from: string, to: string]): string {
  const dir = mkdtempSync(join(tmpdir(), 'collabgate-operators-'))
  temps.push(dir)
  cpSync(defaultPoliciesDir(), dir, { recursive: true })
  for (const f of readdirSync(dir)) if (f.endsWith('.test.yaml') || f === 'policies.lock.json') rmSync(join(dir, f))
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text)
  if (edit) {
    const text = readFileSync(join(dir, edit[0]), 'utf8')
    expect(text).toContain(edit[1])
    writeFileSync(join(dir, edit[0]), text.replace(edit[1], edit[2]))
  }
  return dir
}

async function mutate(dir: string) {
  const set = await loadPolicies(dir, { lock: false })
  const run = await runPolicyTestFiles(set, await findPolicyTestFiles([dir]))
  const report = mutationTest(set.policies, run)
  const status = (version: string, description: string) =>
    report.policies
      .filter((p) => p.version === version || version === '*')
      .flatMap((p) => p.mutants)
      .find((m) => m.description === description)?.status
  return { run, report, status }
}

const HEAD = 'asOf: "2026-11-20"\nbase: test-records/complete-us-application.json\ncases:\n'
const ONB = 'creator-collaboration.us.onboarding'
const US_ONLY: [string, string, string] = [
  `${ONB}.v1.0.0.yaml`,
  'primary: true',
  'primary: true\nappliesTo: { fact: applicant, path: $.registration.country, operator: equal, value: US }',
]

let onboarding: Policy
beforeEach(async () => {
  onboarding ??= (await loadPolicies(defaultPoliciesDir())).select(ONB, '2026-12-02')
})

describe('the new mutation operators', () => {
  it('mutates the effective date, review decided, calendar, messages and the record schema of a shipped policy', () => {
    const mutants = policyMutants(onboarding, (p) => locatePolicy(onboarding, p))
    const find = (d: string) => mutants.find((m) => m.description === d)
    expect(find('effective from: 2026-12-01 → 2026-11-30')).toMatchObject({
      operator: 'effective',
      route: true,
      pointer: '/effective/from',
    })
    expect(find('effective from: 2026-12-01 → 2026-12-02')?.policy.effective).toEqual({ from: '2026-12-02' })
    expect(find('calendar: US → US-DC')).toMatchObject({ operator: 'calendar', whole: true, policy: { calendar: 'US-DC' } })
    expect(find('review decided: removed from all: review.result notEqual pending')).toMatchObject({
      operator: 'review-decided',
      reviewChanged: true,
      policy: { review: { decided: { all: [{ path: '$.result', operator: 'present' }] } } },
    })
    const category = find('ONB-CATEGORY: message {{ category }} → {{ account.type }}')
    expect(category).toMatchObject({ operator: 'message', rule: 'ONB-CATEGORY', pointer: '/rules/1/message' })
    expect(category!.policy.rules[1]!.checks[0]!.message).toBe('Applied category is {{ account.type }}, not creator_collaboration.')
    const strength = 'ONB-STRENGTH: message {{ applicant.clientsServed.sellers }} → {{ applicant.clientsServed.creators }}'
    expect(find(strength)).toBeDefined() // swapped within its own message first
    const submitted = find('record schema application@1.0.0: submittedAt no longer required at /required/2')
    expect(submitted).toMatchObject({ operator: 'required-field', route: true, recordSchema: { field: 'submittedAt', at: '/required' } })
    expect(submitted!.policy.record.schema.schema.required).not.toContain('submittedAt')
    expect(submitted!.policy.record.schema.digest).not.toBe(onboarding.record.schema.digest)
    expect(onboarding.record.schema.schema.required).toContain('submittedAt') // the original is untouched
    // once per record schema: the caller says whether this policy carries the schema's mutants
    const without = policyMutants(
      onboarding,
      (p) => locatePolicy(onboarding, p),
      () => [],
      false,
    )
    expect(without.some((m) => m.operator === 'required-field')).toBe(false)
  })

  it('moves a calendar to a neighbour region: a region to its country, a country to a region of it', () => {
    expect(neighbourCalendar('US')).toBe('US-DC')
    expect(neighbourCalendar('GB')).toBe('GB-ENG')
    expect(neighbourCalendar('GB-SCT')).toBe('GB')
    expect(neighbourCalendar('US-DC')).toBe('US')
    expect(neighbourCalendar('FR')).toBeUndefined() // no neighbour known: no mutant
  })

  it('mutates a market: appliesTo dropped, negated, and its value changed to one the cases hold; routed cases judge them', async () => {
    const us = `${HEAD}  - name: a US applicant
    expect: { outcome: approve, policy: ${ONB}@1.0.0 }
`
    const ca = `  - name: a Canadian applicant is claimed by no market
    patch: { applicant: { registration: { country: CA } } }
    expect: { outcome: reject, error: E_NO_POLICY_APPLIES }
`
    const dropped = 'appliesTo: applicant.registration.country equal US → dropped (the fallback)'
    const negated = 'appliesTo: applicant.registration.country equal US → not(…)'
    const changed = 'appliesTo: applicant.registration.country equal US → equal CA'
    const weak = await mutate(folderWith({ 'routed.test.yaml': us }, US_ONLY))
    expect(weak.status('1.0.0', dropped)).toBe('survived') // no case shows a record the market declines
    expect(weak.status('1.0.0', negated)).toBe('killed')
    const strong = await mutate(folderWith({ 'routed.test.yaml': us + ca }, US_ONLY))
    expect([dropped, negated, changed].map((d) => strong.status('1.0.0', d))).toEqual(['killed', 'killed', 'killed'])
  })

  it('has each routing mutant built again by the validator from its document: the mutant, but for digest and document', async () => {
    const set = await loadPolicies(folderWith({}, US_ONLY), { lock: false })
    const policy = set.select(ONB, '2026-11-20')
    const routing = policyMutants(policy, (p) => locatePolicy(policy, p)).filter((m) => m.route && !m.recordSchema)
    expect(routing.filter((m) => m.operator === 'applies-to').length).toBeGreaterThanOrEqual(2)
    expect(routing.some((m) => m.operator === 'effective')).toBe(true)
    for (const m of routing) {
      const built = checkMutant(policy, m.document!)
      expect(built, m.description).toBeDefined()
      expect({ ...built!, digest: '', document: {} }, m.description).toEqual({ ...m.policy, digest: '', document: {} })
    }
  })

  it('judges effective dates by the version a case without one gets on the day', async () => {
    const day = (asOf: string, policy?: string) => `  - name: on ${asOf}
    asOf: "${asOf}"
    expect: { outcome: approve${policy === undefined ? '' : `, policy: ${policy}`} }
`
    const later = 'effective from: 2026-12-01 → 2026-12-02'
    const earlier = 'effective from: 2026-12-01 → 2026-11-30'
    // the same outcome from either version: without the version it expects, a case cannot tell
    const blind = await mutate(folderWith({ 'a.test.yaml': `policy: ${ONB}\n${HEAD}${day('2026-12-01')}` }))
    expect(blind.status('1.1.0', later)).toBe('survived')
    const cases = `policy: ${ONB}\n${HEAD}${day('2026-11-30', `${ONB}@1.0.0`)}${day('2026-12-01', `${ONB}@1.1.0`)}`
    const judged = await mutate(folderWith({ 'a.test.yaml': cases }))
    expect([judged.status('1.1.0', earlier), judged.status('1.1.0', later)]).toEqual(['killed', 'killed'])
  })

  it('judges a record schema mutant once, with the schema changed for every policy that uses it', async () => {
    const missing = `policy: ${ONB}
${HEAD}  - name: complete
    expect: { outcome: approve }
  - name: without submittedAt
    patch: { submittedAt: null }
    expect: { outcome: approve, error: E_RECORD_INVALID }
`
    const { report } = await mutate(folderWith({ 'a.test.yaml': missing }))
    const schemaMutants = report.policies.map((p) => [p.version, p.mutants.filter((m) => m.operator === 'required-field').length])
    expect(schemaMutants).toEqual([['1.0.0', 12]]) // onboarding 1.0.0 only: the first version under test with the schema
    const of = (field: string) => report.policies[0]!.mutants.find((m) => m.description.includes(`: ${field} no longer`))
    expect(of('submittedAt')).toMatchObject({ status: 'killed', killedBy: { name: 'without submittedAt' } })
    expect(of('category')).toMatchObject({ status: 'survived' })
  })

  it('kills the calendar and review-decided mutants only with cases that meet the difference', async () => {
    const clock = `policy: ${ONB}
${HEAD}  - name: overdue in 2027 (DC Emancipation Day is a US working day)
    asOf: "2027-04-19"
    patch: { submittedAt: "2027-04-07" }
    expect: { outcome: approve, overdue: true }
`
    const pending = `  - name: a pending result is not a decision
    asOf: "2027-04-19"
    patch: { submittedAt: "2027-04-07", review: { result: pending } }
    expect: { outcome: approve, overdue: true }
`
    const notPending = 'review decided: removed from all: review.result notEqual pending'
    const first = await mutate(folderWith({ 'a.test.yaml': clock }))
    // 2027-04 is 1.2.0's (in effect from 2027-01-04)
    expect(first.status('1.2.0', 'calendar: US → US-DC')).toBe('killed')
    expect(first.status('1.2.0', notPending)).toBe('survived')
    const second = await mutate(folderWith({ 'a.test.yaml': clock + pending }))
    expect(second.status('1.2.0', notPending)).toBe('killed')
  })

  it('says a mutant declared equivalent twice is declared twice, not that it is not generated', async () => {
    const twice = `policy: ${ONB}
${HEAD}  - name: complete
    expect: { outcome: approve }
equivalent:
  - mutant: "calendar: US → US-DC"
    reason: first
  - mutant: "calendar: US → US-DC"
    reason: again
`
    const { report } = await mutate(folderWith({ 'a.test.yaml': twice }))
    const stale = report.problems.filter((p) => p.code === 'E_EQUIVALENT_STALE')
    expect(stale).toHaveLength(1)
    expect(stale[0]!.message).toMatch(/is declared twice \(first at \S*a\.test\.yaml:8\)$/)
    expect(stale[0]!.message).not.toContain('no mutant')
    expect(stale[0]!.line).toBe(10)
  })
})
