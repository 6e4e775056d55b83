/**
 * The explain trace: every rule, passed or objecting, with each condition's values, the same on
 * both evaluators and through the CLI, and in words for people.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { defaultPolicies, type PolicySet } from '../../src/index.js'
import { formatDecisionText } from '../../src/report/text.js'
import { assertBuilt, cli } from '../cli/run-cli.js'
import { example } from '../core/helpers.js'

beforeAll(assertBuilt)

describe('decide with explain', () => {
  it('lists every rule of the policy, passed or not, agreeing with the reasons', async () => {
    const set: PolicySet = await defaultPolicies()
    const record = example('applications', 'rejected-multiple-reasons')
    const plain = await set.decide(record, { asOf: '2026-11-24' })
    expect(plain.explanation).toBeUndefined()
    const explained = await set.decide(record, { asOf: '2026-11-24', explain: true })
    const { explanation, ...rest } = explained
    expect(rest).toEqual(plain)
    const policy = set.select(plain.policy.id, '2026-11-24')
    expect(explanation!.map((r) => r.rule)).toEqual(policy.rules.map((r) => r.id))
    expect(
      explanation!
        .filter((r) => !r.passed)
        .map((r) => r.rule)
        .sort(),
    ).toEqual(plain.reasons.map((r) => r.rule).sort())
    const scope = explanation!.find((r) => r.rule === 'ONB-SCOPE-US')!
    expect(scope.checks[0]).toEqual({
      outcome: 'reject',
      passed: false,
      condition: { fact: 'applicant', path: '$.registration.country', operator: 'equal', passed: false, expected: 'US', actual: 'CA' },
    })
    expect(await set.decide(record, { asOf: '2026-11-24', explain: true, evaluator: 'engine' })).toEqual(explained)
    expect(set.decideSync(record, { asOf: '2026-11-24', explain: true })).toEqual(explained)
  })

  it('reads as lines for people: each rule ✓ or ✗, each comparison with what the record held', async () => {
    const set: PolicySet = await defaultPolicies()
    const text = formatDecisionText(
      await set.decide(example('applications', 'rejected-multiple-reasons'), { asOf: '2026-11-24', explain: true }),
    )
    expect(text).toContain('  explain (every rule; ✓ held, ✗ did not, with what the record held):\n')
    expect(text).toContain('    ✗ ONB-SCOPE-US ')
    expect(text).toContain('        ✗ applicant.registration.country = US (held: CA)\n')
    expect(text).toContain('    ✓ ONB-CATEGORY ')
  })

  it('is `decide --explain` on the command line, in JSON and in text', async () => {
    const json = await cli(['decide', '--explain', '--as-of', '2026-11-24', 'examples/behaviour/confirmed-data-leak.json'])
    expect(json.code).toBe(0)
    const decision = JSON.parse(json.stdout) as { explanation: { rule: string; passed: boolean }[] }
    expect(decision.explanation.find((r) => r.rule === 'TRM-DATA-LEAK')?.passed).toBe(false)
    const text = await cli([
      'decide',
      '--explain',
      '--format',
      'text',
      '--as-of',
      '2026-11-24',
      'examples/behaviour/confirmed-data-leak.json',
    ])
    expect(text.stdout).toMatch(/\n {4}✗ TRM-DATA-LEAK /)
  })
})
