/**
 * Hints flip their rules: random valid policies (every operator, nested all/any/not, list matches, dates,
 * addWorkingDays, random `fixed` fields and undisclosed rules) and random records; every hint shown,
 * applied to the record, makes its rule pass when decided again by json-rules-engine (the other
 * evaluator, not the one that found the hint), never touches a fixed field, and on an undisclosed rule
 * only adds or removes details. The generators are the evaluator-equivalence test's (closures.property).
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { compileClosures } from '../../src/compile/closures.js'
import { compileEngine } from '../../src/compile/engine.js'
import { buildDecision } from '../../src/decide/decide.js'
import { addHints, applyHint } from '../../src/decide/hints.js'
import { fieldName } from '../../src/language/paths.js'
import type { PolicyRecord } from '../../src/model.js'
import { conditionsOver, toPolicy } from '../compile/generated-policies.js'

/** The shipped folder's record kinds, the ones these generators know. */
type Subject = 'application' | 'behaviour'

import { AS_OF, APPLICATION_FIELDS, BEHAVIOUR_FIELDS, applicationRecord, behaviourRecord, type Field } from '../compile/generated-fields.js'

const FIELDS: Record<Subject, readonly Field[]> = { application: APPLICATION_FIELDS, behaviour: BEHAVIOUR_FIELDS }

const { condition } = conditionsOver(FIELDS)

const OUTCOMES = ['block', 'review', 'pass']
const MESSAGES: Record<Subject, readonly string[]> = {
  application: [
    'Failed: {{ $evidence }}.',
    'Applicant {{ applicant.legalName }} in {{ applicant.registration.country }}',
    'Matched {{ $matched }} on {{ $asOf }}',
  ],
  behaviour: ['Incidents {{ $matched }} of {{ developerId }}', 'Failed: {{ $evidence }}.'],
}

/** Fields a generated policy may mark fixed. */
const FIXABLE: Record<Subject, readonly string[]> = {
  application: ['category', 'submittedAt', 'applicant', 'applicant.registration', 'account.type', 'product', 'history'],
  behaviour: ['developerId', 'incidents'],
}

function policyDocument(subject: Subject): fc.Arbitrary<Record<string, unknown>> {
  const check = fc.record({
    outcome: fc.constantFrom('block', 'review'),
    require: condition(subject, 3),
    message: fc.constantFrom(...MESSAGES[subject]),
  })
  // what hints may propose: some fields fixed, some rules undisclosed, at either level or none
  const settings = fc.record({ fixed: fc.subarray([...FIXABLE[subject]], { maxLength: 2 }), disclose: fc.boolean() }, { requiredKeys: [] })
  const hinted = <T extends object>(arb: fc.Arbitrary<T>) =>
    fc.tuple(arb, fc.option(settings, { nil: undefined })).map(([r, hints]) => (hints ? { ...r, hints } : r))
  const rule = hinted(
    fc.oneof(
      check,
      fc.array(check, { minLength: 1, maxLength: 3 }).map((checks) => ({ checks })),
    ),
  )
  const rules = fc.array(rule, { minLength: 1, maxLength: 4 })
  return fc.tuple(rules, fc.option(settings, { nil: undefined })).map(([rules, hints]) => ({
    ...(hints ? { hints } : {}),
    id: 'generated.policy',
    version: '1.0.0',
    title: 'Generated',
    subject,
    effective: { from: '2020-01-01' },
    outcomes: OUTCOMES,
    default: 'pass',
    rules: rules.map((r, i) => ({ id: `R-${i + 1}`, title: `Rule ${i + 1}`, source: { status: 'modelled', from: 'generated' }, ...r })),
  }))
}

const RECORDS: Record<Subject, fc.Arbitrary<PolicyRecord>> = { application: applicationRecord, behaviour: behaviourRecord }

const isInside = (field: string, fixed: string): boolean =>
  field === fixed || field.startsWith(`${fixed}.`) || fixed.startsWith(`${field}.`)

describe.each(['application', 'behaviour'] as const)('hints on random %s policies', (subject) => {
  it('every hint shown makes its rule pass when json-rules-engine decides again, and respects fixed and disclose', async () => {
    let shown = 0
    let reasons = 0
    await fc.assert(
      fc.asyncProperty(
        policyDocument(subject),
        fc.array(RECORDS[subject], { minLength: 1, maxLength: 4 }),
        fc.constantFrom(...AS_OF),
        async (doc, records, asOf) => {
          const policy = toPolicy(doc)
          const closures = compileClosures(policy)
          const engine = compileEngine(policy)
          for (const record of records) {
            const decision = buildDecision(policy, record, asOf, closures.evaluateSync(record, asOf))
            const before = JSON.stringify(record)
            addHints(decision, policy, closures, record)
            expect(JSON.stringify(record)).toBe(before)
            for (const reason of decision.reasons) {
              reasons++
              if (!reason.hint) continue
              shown++
              const index = policy.rules.findIndex((r) => r.id === reason.rule)
              const rule = policy.rules[index]!
              const changed = applyHint(record, reason.hint)
              expect(changed).toBeDefined()
              const again = await engine.evaluate(changed!, asOf)
              expect(again[index]!.checks.every((c) => c.passed)).toBe(true)
              expect(buildDecision(policy, changed!, asOf, again).reasons.map((r) => r.rule)).not.toContain(rule.id)
              const fixed = [...(policy.hints?.fixed ?? []), ...(rule.hints?.fixed ?? [])]
              const disclose = (rule.hints?.disclose ?? policy.hints?.disclose) !== false
              for (const c of reason.hint.changes) {
                const field = fieldName(c.fact, c.path)
                expect(fixed.filter((f) => isInside(field, f))).toEqual([])
                expect(c.fact).not.toBe('asOf')
                if (!disclose) expect(['present', 'absent']).toContain(c.want)
              }
            }
          }
        },
      ),
      { numRuns: 100, seed: 2024 + subject.length },
    )
    // the property says little unless many hints are shown, and some reasons go without
    expect(shown).toBeGreaterThan(30)
    expect(reasons).toBeGreaterThan(shown)
  }, 60_000)
})
