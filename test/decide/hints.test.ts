/**
 * Hints that say what would pass: each failing reason carries the smallest changes that make its rule
 * pass, read off the condition tree, checked by deciding again, never proposing a fixed field, never
 * naming an undisclosed rule's values; only when asked for.
 */
import { readFileSync } from 'node:fs'
import { Ajv2020 } from 'ajv/dist/2020.js'
import { describe, expect, it } from 'vitest'
import { compileClosures } from '../../src/compile/closures.js'
import { applyHint } from '../../src/decide/hints.js'
import { PolicySet } from '../../src/decide/policy-set.js'
import { defaultPolicies } from '../../src/folder/load.js'
import { decisionHtml } from '../../src/html/html.js'
import type { ParsedSource } from '../../src/read/yaml-source.js'
import type { Condition, Decision, Hint, Policy, PolicyRecord, Reason } from '../../src/model.js'
import type { PolicyProblem } from '../../src/errors.js'
import { formatDecisionText } from '../../src/report/text.js'
import { checkPolicyDocument } from '../../src/validate/policy.js'
import decisionSchema from '../../schemas/decision.schema.json' with { type: 'json' }
import { clone, example } from '../core/helpers.js'
import { shippedFolder } from '../shipped-folder.js'

const AS_OF = '2026-12-24'

interface RuleDoc {
  require?: Condition
  hints?: Record<string, unknown>
  checks?: { outcome: string; require: Condition; message: string }[]
}

function check(rules: RuleDoc[], extra: Record<string, unknown> = {}): { policy?: Policy; problems: PolicyProblem[] } {
  const doc = {
    id: 'hints.test',
    version: '1.0.0',
    title: 'Hints',
    subject: 'application',
    effective: { from: '2020-01-01' },
    outcomes: ['reject', 'review', 'approve'],
    default: 'approve',
    ...extra,
    rules: rules.map((r, i) => ({
      id: `R-${i + 1}`,
      title: `Rule ${i + 1}`,
      source: { status: 'modelled', from: 'test' },
      ...(r.checks ? {} : { outcome: 'reject', message: 'Failed: {{ $evidence }}.' }),
      ...r,
    })),
  }
  const source: ParsedSource = { file: 'hints.yaml', value: doc, locate: () => ({ file: 'hints.yaml', line: 1, column: 1 }), problems: [] }
  return checkPolicyDocument(source, shippedFolder())
}

function policyOf(rules: RuleDoc[], extra: Record<string, unknown> = {}): Policy {
  const { policy, problems } = check(rules, extra)
  if (!policy) throw new Error(JSON.stringify(problems))
  return policy
}

type Fields = Record<string, unknown>
/** The parts of an application record the tests change. */
interface Application extends Fields {
  submittedAt: string
  applicant: Fields & { registration: Fields }
  account: Fields
  product: Fields
  history: Fields
}

/** A complete US application the test changes one thing of. */
function application(change: (r: Application) => void = () => undefined): PolicyRecord {
  const record = clone(example('applications', 'complete-us-developer')) as Application
  change(record)
  return record
}

function decide(rules: RuleDoc[], record: PolicyRecord, extra: Record<string, unknown> = {}): Decision {
  return new PolicySet([policyOf(rules, extra)]).decideSync(record, { asOf: AS_OF, policy: 'hints.test', hints: true })
}

const reasonOf = (d: Decision, rule = 'R-1'): Reason => d.reasons.find((r) => r.rule === rule)!
const years = (value: number): Condition => ({ fact: 'applicant', path: '$.yearsInOperation', operator: 'greaterThanInclusive', value })

describe('hints: what each failing reason would need to pass', () => {
  it('tells a number its threshold: yearsInOperation 0.5 → at least 1', () => {
    const d = decide(
      [{ require: years(1) }],
      application((r) => (r.applicant.yearsInOperation = 0.5)),
    )
    expect(reasonOf(d).hint).toEqual({
      changes: [{ fact: 'applicant', path: '$.yearsInOperation', want: 'at least', value: 1, actual: 0.5 }],
    })
    expect(formatDecisionText(d)).toContain('      to pass: applicant.yearsInOperation 0.5 → at least 1')
  })

  it('names a missing detail to add, and a missing number its threshold', () => {
    const d = decide(
      [{ require: { fact: 'applicant', path: '$.contactEmail', operator: 'present', value: true } }, { require: years(2) }],
      application((r) => {
        delete r.applicant.contactEmail
        delete r.applicant.yearsInOperation
      }),
    )
    expect(reasonOf(d, 'R-1').hint!.changes).toEqual([{ fact: 'applicant', path: '$.contactEmail', want: 'present', missing: true }])
    expect(reasonOf(d, 'R-2').hint!.changes).toEqual([
      { fact: 'applicant', path: '$.yearsInOperation', want: 'at least', value: 2, missing: true },
    ])
    const text = formatDecisionText(d)
    expect(text).toContain('to pass: add applicant.contactEmail')
    expect(text).toContain('to pass: applicant.yearsInOperation missing → at least 2')
  })

  it('tells the value to choose where the rule allows it: equal, in, containsAny, containsOnly, dates', () => {
    const d = decide(
      [
        { require: { fact: 'account', path: '$.type', operator: 'equal', value: 'app_developer' } },
        { require: { fact: 'applicant', path: '$.registration.country', operator: 'in', value: ['US', 'CA'] } },
        { require: { fact: 'product', path: '$.functions', operator: 'containsAny', value: ['create', 'manage'] } },
        { require: { fact: 'product', path: '$.requestedScopes', operator: 'containsOnly', value: ['affiliate_seller'] } },
        { require: { fact: 'submittedAt', operator: 'dateOnOrBefore', value: '2027-01-10' } },
        { require: { fact: 'submittedAt', operator: 'dateAfter', value: { addWorkingDays: 1, to: '2027-02-12' } } },
      ],
      application((r) => {
        r.account.type = 'seller'
        r.applicant.registration.country = 'MX'
        r.product.functions = ['analytics']
        r.product.requestedScopes = ['affiliate_seller', 'orders']
        r.submittedAt = '2027-02-01T09:30:00Z'
      }),
    )
    const wants = d.reasons.map((r) => r.hint!.changes.map((c) => [c.want, c.value]))
    expect(wants).toEqual([
      [['equal to', 'app_developer']],
      [['one of', ['US', 'CA']]],
      [['containing one of', ['create', 'manage']]],
      [['without items', ['orders']]],
      [['on or before', '2027-01-10']],
      // the working day after Friday 2027-02-12 (Monday the 15th is Presidents' Day): the date as resolved
      [['after', '2027-02-16']],
    ])
    expect(formatDecisionText(d)).toContain('to pass: submittedAt 2027-02-01T09:30:00Z → on or before 2027-01-10')
  })

  it('changes every failing member of an all, the cheapest alternative of an any, and the member of a not', () => {
    const d = decide(
      [
        {
          require: {
            all: [
              { fact: 'category', operator: 'equal', value: 'creator_collaboration' },
              { fact: 'account', path: '$.type', operator: 'equal', value: 'app_developer' },
              years(5),
            ],
          },
        },
        {
          require: {
            any: [
              { all: [years(10), { fact: 'account', path: '$.businessVerified', operator: 'equal', value: true }] },
              { not: { fact: 'account', path: '$.type', operator: 'in', value: ['seller', 'isv'] } },
            ],
          },
        },
        { require: { not: { all: [years(1), { fact: 'category', operator: 'equal', value: 'creator_collaboration' }] } } },
      ],
      application((r) => {
        r.account.type = 'seller'
        r.account.businessVerified = false
      }),
    )
    expect(reasonOf(d, 'R-1').hint!.changes.map((c) => [c.path, c.want, c.value])).toEqual([
      ['$.type', 'equal to', 'app_developer'],
      ['$.yearsInOperation', 'at least', 5],
    ])
    // one change (account.type none of …) beats two (yearsInOperation and businessVerified)
    expect(reasonOf(d, 'R-2').hint!.changes.map((c) => [c.path, c.want, c.value])).toEqual([['$.type', 'none of', ['seller', 'isv']]])
    // not (all of a, b): making one member false is enough; the first, a number, goes below its threshold
    expect(reasonOf(d, 'R-3').hint!.changes.map((c) => [c.path, c.want, c.value])).toEqual([['$.yearsInOperation', 'less than', 1]])
  })

  it('is checked by deciding again: a change that breaks another member of its rule is never shown', () => {
    const between = { all: [years(5), { fact: 'applicant', path: '$.yearsInOperation', operator: 'lessThan', value: 5.5 }] }
    const d = decide(
      [{ require: { all: [{ fact: 'applicant', path: '$.yearsInOperation', operator: 'greaterThan', value: 5 }, between] } }],
      application(),
    )
    // "more than 5" alone (6) breaks "less than 5.5": the rule would still object, so no hint
    expect(d.reasons).toHaveLength(1)
    expect(reasonOf(d).hint).toBeUndefined()
    // and a hint shown does flip its rule when the policy decides the changed record again
    const set = new PolicySet([policyOf([{ require: years(4) }])])
    const record = application((r) => (r.applicant.yearsInOperation = 0.5))
    const hinted = set.decideSync(record, { asOf: AS_OF, policy: 'hints.test', hints: true })
    const changed = applyHint(record, hinted.reasons[0]!.hint!)!
    expect(set.decideSync(changed, { asOf: AS_OF, policy: 'hints.test' }).reasons).toEqual([])
    expect((record as Application).applicant.yearsInOperation).toBe(0.5)
  })

  it('graded checks: the hint makes every check of the rule pass', () => {
    const verified: Condition = { fact: 'account', path: '$.businessVerified', operator: 'equal', value: true }
    const checks = [
      { outcome: 'reject', require: years(1), message: 'too young' },
      { outcome: 'review', require: verified, message: 'not verified' },
    ]
    const record = application((r) => {
      r.applicant.yearsInOperation = 0
      r.account.businessVerified = false
    })
    expect(reasonOf(decide([{ checks }], record)).hint!.changes.map((c) => c.want)).toEqual(['at least', 'equal to'])
  })
})

describe('hints: what they may not propose', () => {
  const terminated = () => application((r) => (r.history.terminations = [{ date: '2024-03-02', rule: 'TRM-DATA-LEAK' }]))
  const noTermination: Condition = { fact: 'history', path: '$.terminations', operator: 'present', value: false }

  it('never proposes changing a fixed field: a rule whose facts are all fixed gets no hint', () => {
    expect(reasonOf(decide([{ require: noTermination }], terminated())).hint).toBeDefined()
    expect(reasonOf(decide([{ require: noTermination }], terminated(), { hints: { fixed: ['history'] } })).hint).toBeUndefined()
    expect(reasonOf(decide([{ require: noTermination, hints: { fixed: ['history.terminations'] } }], terminated())).hint).toBeUndefined()
    // a fixed field inside the one the rule reads fixes that too
    const whole: Condition = { fact: 'applicant', operator: 'present', value: false }
    expect(reasonOf(decide([{ require: whole, hints: { fixed: ['applicant.registration'] } }], application())).hint).toBeUndefined()
  })

  it('takes another alternative when the cheapest reads a fixed field', () => {
    const rule: RuleDoc = {
      require: { any: [noTermination, { all: [years(10), { fact: 'category', operator: 'equal', value: 'creator_collaboration' }] }] },
      hints: { fixed: ['history'] },
    }
    expect(reasonOf(decide([rule], terminated())).hint!.changes).toEqual([
      { fact: 'applicant', path: '$.yearsInOperation', want: 'at least', value: 10, actual: 3 },
    ])
  })

  it('never proposes changing the decision date', () => {
    const d = decide([{ require: { fact: 'asOf', operator: 'dateBefore', value: '2026-01-01' } }], application())
    expect(d.reasons).toHaveLength(1)
    expect(reasonOf(d).hint).toBeUndefined()
  })

  it('an undisclosed rule names no threshold or allowed value, only details to add or remove', () => {
    const record = application((r) => {
      r.applicant.yearsInOperation = 0.5
      delete r.applicant.contactEmail
    })
    const email: Condition = { fact: 'applicant', path: '$.contactEmail', operator: 'present', value: true }
    const d = decide([{ require: years(1), hints: { disclose: false } }, { require: { all: [email, years(1)] } }], record, {
      hints: { disclose: false },
    })
    expect(reasonOf(d, 'R-1').hint).toBeUndefined()
    expect(reasonOf(d, 'R-2').hint).toBeUndefined()
    const shown = decide([{ require: email }, { require: years(1), hints: { disclose: true } }], record, { hints: { disclose: false } })
    expect(reasonOf(shown, 'R-1').hint!.changes).toEqual([{ fact: 'applicant', path: '$.contactEmail', want: 'present', missing: true }])
    // the rule's own disclose overrides the policy's
    expect(reasonOf(shown, 'R-2').hint!.changes[0]!.value).toBe(1)
  })

  it('a list match: without the matching elements, unless the list is fixed', async () => {
    const policies = await defaultPolicies()
    const d = await policies.decide(example('behaviour', 'confirmed-data-leak'), { asOf: AS_OF, hints: true })
    expect(reasonOf(d, 'TRM-DATA-LEAK').hint!.changes).toEqual([
      { fact: 'incidents', path: '$', want: 'without elements', value: ['INC-2026-0417'] },
    ])
    expect(formatDecisionText(d)).toContain('to pass: incidents: remove the elements [INC-2026-0417]')
    const fraud: Condition = {
      fact: 'history',
      path: '$.terminations',
      operator: 'noneMatch',
      value: { path: '$.rule', operator: 'equal', value: 'TRM-FRAUD' },
    }
    const record = application(
      (r) =>
        (r.history.terminations = [
          { date: '2024-03-02', rule: 'TRM-FRAUD' },
          { date: '2025-01-02', rule: 'TRM-X' },
        ]),
    )
    expect(reasonOf(decide([{ require: fraud }], record)).hint!.changes).toEqual([
      { fact: 'history', path: '$.terminations', want: 'without elements', value: [{ date: '2024-03-02', rule: 'TRM-FRAUD' }] },
    ])
    expect(reasonOf(decide([{ require: fraud, hints: { fixed: ['history'] } }], record)).hint).toBeUndefined()
  })
})

describe('hints: only when asked for', () => {
  it('leaves decisions without the option byte-identical, on both evaluators', async () => {
    const set = await defaultPolicies()
    for (const [kind, name] of [
      ['applications', 'rejected-multiple-reasons'],
      ['applications', 'missing-details'],
      ['behaviour', 'suspected-fraud'],
    ] as const) {
      const record = example(kind, name)
      const plain = JSON.stringify(await set.decide(record, { asOf: AS_OF }))
      expect(JSON.stringify(await set.decide(record, { asOf: AS_OF, hints: false }))).toBe(plain)
      expect(JSON.stringify(set.decideSync(record, { asOf: AS_OF }))).toBe(plain)
      expect(plain).not.toContain('"hint"')
      const hinted = await set.decide(record, { asOf: AS_OF, hints: true })
      expect(hinted.reasons.some((r) => r.hint)).toBe(true)
      // the engine path gives the same hints (found and checked on the compiled closures, proven equal)
      expect(await set.decide(record, { asOf: AS_OF, hints: true, evaluator: 'engine' })).toEqual(hinted)
      // and the hints are all that differs
      const stripped = { ...hinted, reasons: hinted.reasons.map(({ hint: _hint, ...r }) => r) }
      expect(JSON.stringify(stripped)).toBe(plain)
    }
  })

  it('hinted decisions fit schemas/decision.schema.json', async () => {
    const validate = new Ajv2020({ allErrors: true, strict: true }).compile(decisionSchema)
    const set = await defaultPolicies()
    const d = await set.decide(example('applications', 'missing-details'), { asOf: AS_OF, hints: true, explain: true })
    expect(d.reasons.filter((r) => r.hint).length).toBeGreaterThan(0)
    validate(JSON.parse(JSON.stringify(d)))
    expect(validate.errors ?? []).toEqual([])
    const bad = JSON.parse(JSON.stringify(d)) as { reasons: { hint?: { changes: { want: string }[] } }[] }
    bad.reasons.find((r) => r.hint)!.hint!.changes[0]!.want = 'whatever'
    expect(validate(bad)).toBe(false)
  })
})

describe('hints: shown to people, escaped', () => {
  const hostile = () =>
    application((r) => {
      r.account.type = 'sel\u001b[31mler<script>alert(1)</script>'
    })
  const rule: RuleDoc = { require: { fact: 'account', path: '$.type', operator: 'equal', value: 'app_developer' } }

  it('text: control characters in a value are escaped', () => {
    const text = formatDecisionText(decide([rule], hostile()))
    expect(text).toContain('to pass: account.type sel\\x1b[31mler<script>alert(1)</script> → equal to app_developer')
    expect(text).not.toContain('\u001b')
  })

  it('HTML: the changes are listed, markup in values escaped', () => {
    const html = decisionHtml(decide([rule], hostile()))
    expect(html).toContain('<ul class="hint"><li>account.type sel')
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; → equal to app_developer</li></ul>')
    expect(html).not.toContain('<script>')
  })

  it('HTML: a decision file whose hint is no list of changes draws no hint and does not throw', () => {
    const d = decide([rule], hostile())
    for (const changes of ['x', null, 7, { length: 1 }]) {
      const odd = { ...d, reasons: d.reasons.map((r) => ({ ...r, hint: { changes } as unknown as Hint })) }
      expect(decisionHtml(odd)).not.toContain('class="hint"')
    }
    const weird = {
      ...d,
      reasons: d.reasons.map((r) => ({ ...r, hint: { changes: [{ fact: 7, path: null, want: '<b>' }] } as unknown as Hint })),
    }
    expect(decisionHtml(weird)).toContain('&lt;b&gt;')
  })
})

describe('applyHint', () => {
  it('changes a copy, and an own __proto__ key stays a key: no prototype is replaced or polluted', () => {
    const record = JSON.parse('{"id": "A", "__proto__": {"x": 1}, "applicant": {"__proto__": {"y": 2}}}') as PolicyRecord
    const changed = applyHint(record, {
      changes: [
        { fact: '__proto__', path: '$.polluted', want: 'equal to', value: true },
        { fact: 'applicant', path: '$.__proto__.z', want: 'equal to', value: 3 },
      ],
    })!
    expect(Object.getPrototypeOf(changed)).toBe(Object.prototype)
    expect(Object.getPrototypeOf(changed.applicant)).toBe(Object.prototype)
    expect(JSON.parse(JSON.stringify(changed))).toEqual({
      id: 'A',
      ['__proto__']: { x: 1, polluted: true },
      applicant: { ['__proto__']: { y: 2, z: 3 } },
    })
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect(JSON.stringify(record)).toBe('{"id":"A","__proto__":{"x":1},"applicant":{"__proto__":{"y":2}}}')
  })

  it('cannot make a change through a value that is no object, or with a path it cannot read', () => {
    const record = { applicant: 'text', list: [1] } as PolicyRecord
    expect(applyHint(record, { changes: [{ fact: 'applicant', path: '$.name', want: 'present' }] })).toBeUndefined()
    expect(applyHint(record, { changes: [{ fact: 'list', path: '$.a', want: 'present' }] })).toBeUndefined()
    expect(applyHint(record, { changes: [{ fact: 'applicant', path: "$['x']", want: 'present' }] })).toBeUndefined()
    expect(applyHint(record, { changes: [{ fact: 'n', path: '$', want: 'one of', value: 'not a list' }] })).toBeUndefined()
    // a missing object on the way is made
    expect(applyHint(record, { changes: [{ fact: 'account', path: '$.type', want: 'equal to', value: 'x' }] })).toEqual({
      ...record,
      account: { type: 'x' },
    })
  })
})

describe('validate: the hints block', () => {
  it('checks each fixed field against the record schema, with the name meant', () => {
    const { problems } = check([{ require: years(1), hints: { fixed: ['histroy'] } }], { hints: { fixed: ['applicant.nope'] } })
    expect(problems.map((p) => [p.code, p.pointer])).toEqual([
      ['E_UNKNOWN_FACT', '/rules/0/hints/fixed/0/fact'],
      ['E_UNKNOWN_PATH', '/hints/fixed/0/path'],
    ])
    expect(problems[0]!.hint).toContain('history')
  })

  it('refuses what the schema does not allow', () => {
    for (const hints of [{ disclose: 'no' }, { fixed: 'history' }, { fixed: ['a..b'] }, { fixed: ['history', 'history'] }, { other: 1 }]) {
      const { policy, problems } = check([{ require: years(1), hints }])
      expect(policy).toBeUndefined()
      expect(problems.map((p) => p.code)).toContain('E_SCHEMA')
    }
  })

  it('keeps what it accepted on the policy and its rules', () => {
    const policy = policyOf([{ require: years(1), hints: { disclose: false } }], {
      hints: { fixed: ['history', 'applicant.registration'] },
    })
    expect(policy.hints).toEqual({ fixed: ['history', 'applicant.registration'] })
    expect(policy.rules[0]!.hints).toEqual({ disclose: false })
  })
})

describe('the decision schema lists every want', () => {
  it('the enum is the model', () => {
    const text = readFileSync('src/model.ts', 'utf8')
    const union = /export type HintWant =([^/]*?)\n\n/s.exec(text)![1]!
    const wants = [...union.matchAll(/'([^']+)'/g)].map((m) => m[1])
    const schema = decisionSchema as unknown as {
      $defs: { hint: { properties: { changes: { items: { properties: { want: { enum: string[] } } } } } } }
    }
    expect(schema.$defs.hint.properties.changes.items.properties.want.enum).toEqual(wants)
  })
})

describe('explainRuleSync', () => {
  it('explains one rule exactly as explainSync does in its place: hints re-check a rule without the others', async () => {
    const set = await defaultPolicies()
    const record = example('applications', 'rejected-multiple-reasons')
    const policy = set.primaryFor(record, AS_OF)
    const evaluator = compileClosures(policy)
    const all = evaluator.explainSync(record, AS_OF)
    expect(policy.rules.map((_r, i) => evaluator.explainRuleSync(record, AS_OF, i))).toEqual(all.map((r) => r.checks))
  })
})

describe('the shipped corrections mark the past as fixed', () => {
  const read = (file: string) => JSON.parse(readFileSync(new URL(`../../examples/${file}`, import.meta.url), 'utf8')) as PolicyRecord

  it('onboarding 1.2.0 never proposes removing an earlier termination, and still hints the rest', async () => {
    const set = await defaultPolicies()
    const record = { ...read('applications/complete-us-developer.json') } as Record<string, unknown>
    record['history'] = { terminations: [{ date: '2025-02-03', rule: 'TRM-DATA-LEAK' }] }
    const applicant = { ...(record['applicant'] as Record<string, unknown>), yearsInOperation: 0.5 }
    record['applicant'] = applicant
    const d = set.decideSync(record, { asOf: '2027-06-17', hints: true })
    expect(d.policy.version).toBe('1.2.0')
    const byRule = new Map(d.reasons.map((r) => [r.rule, r]))
    expect(byRule.get('ONB-NO-PRIOR-TERMINATION')?.hint).toBeUndefined()
    expect(byRule.get('ONB-STRENGTH')?.hint?.changes.length ?? 0).toBeGreaterThan(0)
    // 1.1.0 declared nothing fixed: it proposed removing the history
    const options = { asOf: '2027-06-17', hints: true, policy: 'creator-collaboration.us.onboarding', version: '1.1.0' }
    const old = set.decideSync(record, options)
    expect(old.reasons.find((r) => r.rule === 'ONB-NO-PRIOR-TERMINATION')?.hint).toBeDefined()
  })

  it('termination 1.1.0 never proposes undoing an incident', async () => {
    const set = await defaultPolicies()
    const d = set.decideSync(read('behaviour/confirmed-data-leak.json'), { asOf: '2027-06-17', hints: true })
    expect(d.policy.version).toBe('1.1.0')
    expect(d.outcome).toBe('terminate')
    expect(d.reasons.every((r) => r.hint === undefined)).toBe(true)
  })
})
