import { readFileSync } from 'node:fs'
import { beforeEach, describe, expect, it } from 'vitest'
import {
  defaultPolicies,
  defaultPoliciesDir,
  loadPolicies,
  type DecideOptions,
  type Decision,
  type PolicySet,
  type Reason,
} from '../../src/index.js'
import { API_ACCESS, clone, example, lineOf, ONBOARDING, ROOT, TERMINATION, type Json } from './helpers.js'

const AS_OF = '2026-11-20'
let shipped: PolicySet
// loaded by the first test, then the same memoised set: mutation testing credits the load to a test, not to a hook
beforeEach(async () => {
  shipped = await defaultPolicies()
})

const rules = (d: Decision) => d.reasons.map((r) => r.rule)
const reason = (d: Decision, rule: string): Reason => {
  const r = d.reasons.find((x) => x.rule === rule)
  if (!r) throw new Error(`no reason from ${rule}; reasons: ${rules(d).join(', ')}`)
  return r
}

describe('the examples decide as documented', () => {
  it.each([
    ['applications', 'complete-us-developer', ONBOARDING, 'approve', []],
    ['applications', 'approved-for-api-access', ONBOARDING, 'approve', []],
    ['applications', 'pending-review', ONBOARDING, 'approve', []],
    ['applications', 'missing-details', ONBOARDING, 'needs_information', ['ONB-BUSINESS-VERIFIED', 'ONB-REQUIRED-INFO']],
    [
      'applications',
      'rejected-multiple-reasons',
      ONBOARDING,
      'reject',
      ['ONB-SCOPE-US', 'ONB-DEVELOPER-ACCOUNT', 'ONB-NO-PRIOR-TERMINATION', 'ONB-PRODUCT-FIT'],
    ],
    ['applications', 'approved-for-api-access', API_ACCESS, 'allow', []],
    ['applications', 'pending-review', API_ACCESS, 'deny', ['API-CATEGORY-APPROVED']],
    ['applications', 'complete-us-developer', API_ACCESS, 'deny', ['API-CATEGORY-APPROVED']],
    ['behaviour', 'clean-developer', TERMINATION, 'no_action', []],
    ['behaviour', 'confirmed-data-leak', TERMINATION, 'terminate', ['TRM-DATA-LEAK']],
    ['behaviour', 'late-incident-report', TERMINATION, 'terminate', ['TRM-INCIDENT-UNREPORTED']],
    ['behaviour', 'suspected-fraud', TERMINATION, 'investigate', ['TRM-FRAUD']],
  ] as const)('%s/%s under %s → %s %j', async (kind, name, policy, outcome, objecting) => {
    const record = example(kind, name)
    const d = await shipped.decide(record, { policy, asOf: AS_OF })
    expect(d.policy.id).toBe(policy)
    expect(d.policy.version).toBe('1.0.0')
    expect(d.outcome).toBe(outcome)
    expect(rules(d)).toEqual(objecting)
    expect(d.subject.id).toBe(record.applicationId ?? record.developerId)
    expect(d.asOf).toBe(AS_OF)
    // json-rules-engine and the compiled closures must agree to the byte
    expect(JSON.stringify(await shipped.decide(record, { policy, asOf: AS_OF, evaluator: 'engine' }))).toBe(JSON.stringify(d))
  })
})

describe('reasons', () => {
  it('carry evidence with fact, path, operator, expected and actual', async () => {
    const d = await shipped.decide(example('applications', 'rejected-multiple-reasons'), { asOf: AS_OF })
    expect(reason(d, 'ONB-SCOPE-US').evidence).toEqual([
      { fact: 'applicant', path: '$.registration.country', operator: 'equal', expected: 'US', actual: 'CA' },
    ])
    expect(reason(d, 'ONB-DEVELOPER-ACCOUNT').evidence).toEqual([
      { fact: 'account', path: '$.type', operator: 'equal', expected: 'app_developer', actual: 'seller' },
    ])
    expect(reason(d, 'ONB-NO-PRIOR-TERMINATION').evidence).toEqual([
      {
        fact: 'history',
        path: '$.terminations',
        operator: 'present',
        expected: false,
        actual: [{ date: '2024-03-02', rule: 'TRM-DATA-LEAK' }],
      },
    ])
    // only the failing half of the `all` is evidence: target users include 'seller', functions fit nothing
    expect(reason(d, 'ONB-PRODUCT-FIT').evidence).toEqual([
      {
        fact: 'product',
        path: '$.functions',
        operator: 'containsAny',
        expected: ['create', 'manage', 'matchmake', 'track', 'monetize', 'collaborate'],
        actual: ['analytics_dashboard'],
      },
    ])
  })

  it('list every missing required detail as evidence with missing: true', async () => {
    const d = await shipped.decide(example('applications', 'missing-details'), { asOf: AS_OF })
    const info = reason(d, 'ONB-REQUIRED-INFO')
    expect(info.outcome).toBe('needs_information')
    expect(info.evidence).toEqual([
      { fact: 'applicant', path: '$.legalName', operator: 'present', expected: true, missing: true },
      { fact: 'applicant', path: '$.registration.number', operator: 'present', expected: true, missing: true },
      { fact: 'applicant', path: '$.registration.licenceDocument', operator: 'present', expected: true, missing: true },
      { fact: 'security', path: '$.statement', operator: 'present', expected: true, missing: true },
    ])
    expect(info.message).toBe(
      'Missing required details: applicant.legalName, applicant.registration.number, applicant.registration.licenceDocument, security.statement.',
    )
  })

  it("quote the record's values in their messages", async () => {
    const d = await shipped.decide(example('applications', 'rejected-multiple-reasons'), { asOf: AS_OF })
    expect(reason(d, 'ONB-SCOPE-US').message).toBe(
      'Business registration country is CA; the category is open to developers registered in the US only.',
    )
    expect(reason(d, 'ONB-DEVELOPER-ACCOUNT').message).toContain('account type is seller')
    expect(reason(d, 'ONB-PRODUCT-FIT').message).toBe(
      'The product does not fit the category: functions analytics_dashboard, target users seller.',
    )
    const leak = await shipped.decide(example('behaviour', 'confirmed-data-leak'), { asOf: AS_OF })
    expect(reason(leak, 'TRM-DATA-LEAK').message).toContain('in incident(s) INC-2026-0417:')
    expect(reason(leak, 'TRM-DATA-LEAK').message).not.toContain('INC-2026-0388') // the dismissed one
    expect(reason(leak, 'TRM-DATA-LEAK').evidence).toEqual([
      expect.objectContaining({ fact: 'incidents', path: '$', operator: 'noneMatch', actual: ['INC-2026-0417'] }),
    ])
  })

  it('point at the rule in the YAML: the source line holds the rule id, or the check of a graded rule', async () => {
    const decisions = [
      await shipped.decide(example('applications', 'rejected-multiple-reasons'), { asOf: AS_OF }),
      await shipped.decide(example('applications', 'missing-details'), { asOf: AS_OF }),
      await shipped.decide(example('applications', 'pending-review'), { policy: API_ACCESS, asOf: AS_OF }),
      await shipped.decide(example('behaviour', 'confirmed-data-leak'), { asOf: AS_OF }),
      await shipped.decide(example('behaviour', 'suspected-fraud'), { asOf: AS_OF }),
      await shipped.decide(example('behaviour', 'late-incident-report'), { asOf: AS_OF }),
    ]
    let checked = 0
    for (const d of decisions) {
      for (const r of d.reasons) {
        // relative to the policy folder, as for every folder
        expect(r.source.file).toMatch(/^creator-collaboration\.us\.[a-z-]+\.v1\.0\.0\.yaml$/)
        const lines = readFileSync(`${ROOT}/policies/${r.source.file}`, 'utf8').split('\n')
        const text = lineOf(`policies/${r.source.file}`, r.source.line)
        // the nearest rule id at or above the reported line is this reason's rule
        const ruleLine = lines
          .slice(0, r.source.line)
          .reverse()
          .find((l) => /^\s*- id: /.test(l))
        expect(ruleLine, `${r.rule} at ${r.source.file}:${r.source.line}`).toContain(`- id: ${r.rule}`)
        if (!text.includes(`id: ${r.rule}`)) expect(text).toMatch(new RegExp(`- outcome: ${r.outcome}$`))
        expect(r.source.column).toBe(text.search(/\S/) + 3) // the key right after "- "
        checked++
      }
    }
    expect(checked).toBe(10)
  })

  it('say whether the rule is confirmed or modelled, as the YAML does', async () => {
    const d = await shipped.decide(example('applications', 'rejected-multiple-reasons'), { asOf: AS_OF })
    expect(Object.fromEntries(d.reasons.map((r) => [r.rule, r.basis.status]))).toEqual({
      'ONB-SCOPE-US': 'confirmed',
      'ONB-DEVELOPER-ACCOUNT': 'confirmed',
      'ONB-NO-PRIOR-TERMINATION': 'modelled',
      'ONB-PRODUCT-FIT': 'confirmed',
    })
    expect(reason(d, 'ONB-NO-PRIOR-TERMINATION').basis.from).toContain('Developer guidelines')
    for (const policy of shipped.policies) {
      for (const rule of policy.rules) expect(['confirmed', 'modelled'], rule.id).toContain(rule.basis.status)
    }
  })
})

describe('outcome', () => {
  it('is the most severe among the objections, and reasons are ordered most severe first', async () => {
    const record = example('applications', 'complete-us-developer')
    record.product = { ...(record.product as object), requestedScopes: ['affiliate_seller', 'shop_orders'] } // manual_review
    ;(record.account as Record<string, unknown>).businessVerified = false // needs_information
    const d1 = await shipped.decide(record, { asOf: AS_OF })
    expect(d1.outcome).toBe('needs_information')
    expect(rules(d1)).toEqual(['ONB-BUSINESS-VERIFIED', 'ONB-API-SCOPES'])
    expect(d1.reasons.map((r) => r.outcome)).toEqual(['needs_information', 'manual_review'])
    record.category = 'shop_management' // reject
    const d2 = await shipped.decide(record, { asOf: AS_OF })
    expect(d2.outcome).toBe('reject')
    expect(rules(d2)).toEqual(['ONB-CATEGORY', 'ONB-BUSINESS-VERIFIED', 'ONB-API-SCOPES'])
    expect(reason(d2, 'ONB-API-SCOPES').evidence).toEqual([
      {
        fact: 'product',
        path: '$.requestedScopes',
        operator: 'containsOnly',
        expected: ['affiliate_seller', 'affiliate_creator', 'affiliate_partner'],
        actual: ['affiliate_seller', 'shop_orders'],
      },
    ])
  })

  it('is the default when no rule objects', async () => {
    const d = await shipped.decide(example('applications', 'complete-us-developer'), { asOf: AS_OF })
    expect(d.outcome).toBe('approve')
    expect(d.reasons).toEqual([])
  })

  it('of a graded rule is its most severe failing check (confirmed beats suspected)', async () => {
    const d = await shipped.decide(
      {
        developerId: 'DEV-G',
        incidents: [
          { id: 'S', type: 'fraud', status: 'suspected', occurredAt: '2026-10-01' },
          { id: 'C', type: 'fraud', status: 'confirmed', occurredAt: '2026-10-02' },
        ],
      },
      { asOf: AS_OF },
    )
    expect(d.outcome).toBe('terminate')
    expect(d.reasons).toHaveLength(1)
    expect(d.reasons[0]).toMatchObject({ rule: 'TRM-FRAUD', outcome: 'terminate' })
    expect(d.reasons[0]!.message).toContain('incident(s) C:')
  })
})

describe('missing optional facts', () => {
  it('make the rule object with evidence missing: true, never throw', async () => {
    const record = example('applications', 'complete-us-developer')
    delete record.security
    delete (record.applicant as Record<string, unknown>).yearsInOperation
    delete (record.account as Record<string, unknown>).businessVerified
    const d = await shipped.decide(record, { asOf: AS_OF })
    expect(d.outcome).toBe('needs_information')
    expect(rules(d)).toEqual(['ONB-BUSINESS-VERIFIED', 'ONB-REQUIRED-INFO', 'ONB-STRENGTH', 'ONB-TECH-SECURITY'])
    expect(reason(d, 'ONB-BUSINESS-VERIFIED').evidence).toEqual([
      { fact: 'account', path: '$.businessVerified', operator: 'equal', expected: true, missing: true },
    ])
    expect(reason(d, 'ONB-BUSINESS-VERIFIED').message).toBe('Business verification is not complete (businessVerified: (missing)).')
    expect(reason(d, 'ONB-STRENGTH').evidence).toEqual([
      { fact: 'applicant', path: '$.yearsInOperation', operator: 'greaterThanInclusive', expected: 1, missing: true },
    ])
    const security = reason(d, 'ONB-TECH-SECURITY').evidence
    expect(security.map((e) => e.path)).toEqual([
      '$.encryptionInTransit',
      '$.encryptionAtRest',
      '$.roleBasedAccess',
      '$.incidentResponsePlan',
    ])
    expect(security.every((e) => e.missing === true && !('actual' in e) && e.fact === 'security')).toBe(true)
  })

  it('an empty list counts as missing for present: true', async () => {
    const record = example('applications', 'complete-us-developer')
    ;(record.product as Record<string, unknown>).functions = []
    const d = await shipped.decide(record, { asOf: AS_OF })
    expect(reason(d, 'ONB-REQUIRED-INFO').evidence).toEqual([
      { fact: 'product', path: '$.functions', operator: 'present', expected: true, actual: [] },
    ])
    expect(reason(d, 'ONB-PRODUCT-FIT').outcome).toBe('reject')
  })
})

describe('determinism', () => {
  it('the same record, policy and asOf give identical JSON, also from a separately loaded set', async () => {
    // the default names files relative to the folder, as defaultPolicies does
    const other = await loadPolicies(defaultPoliciesDir())
    expect(other).not.toBe(shipped)
    for (const [kind, name] of [
      ['applications', 'rejected-multiple-reasons'],
      ['applications', 'missing-details'],
      ['behaviour', 'late-incident-report'],
      ['behaviour', 'confirmed-data-leak'],
    ] as const) {
      const record = example(kind, name)
      const a = JSON.stringify(await shipped.decide(clone(record), { asOf: AS_OF }))
      const b = JSON.stringify(await shipped.decide(clone(record), { asOf: AS_OF }))
      const c = JSON.stringify(await other.decide(clone(record), { asOf: AS_OF }))
      expect(b).toBe(a)
      expect(c).toBe(a)
    }
  })

  it('does not change the record it decides', async () => {
    const record = example('applications', 'missing-details')
    const before = JSON.stringify(record)
    await shipped.decide(record, { asOf: AS_OF })
    expect(JSON.stringify(record)).toBe(before)
  })

  it("the decision date is the caller's asOf, never the clock", async () => {
    const d = await shipped.decide(example('applications', 'pending-review'), { asOf: '2026-11-05' })
    expect(d.asOf).toBe('2026-11-05')
    expect(d.review?.overdue).toBe(false)
  })
})

describe('the review deadline', () => {
  const submitted = (submittedAt: string, review?: Json): Json => {
    const record = example('applications', 'complete-us-developer')
    record.submittedAt = submittedAt
    if (review) record.review = review
    return record
  }

  describe('review deadline: submission + 7 US working days', () => {
    it('skips Thanksgiving: submitted Wednesday 2026-11-25 → due Monday 2026-12-07', async () => {
      // working days after 11-25: 11-27 (Fri; 11-26 is Thanksgiving), 11-30, 12-01, 12-02, 12-03, 12-04, 12-07
      const d = await shipped.decide(submitted('2026-11-25'), { asOf: '2026-11-25' })
      expect(d.review).toEqual({ submittedAt: '2026-11-25', dueBy: '2026-12-07', overdue: false })
    })

    it('skips weekends and Christmas/New Year across the year end', async () => {
      // 12-23, 12-24, (12-25 Christmas), 12-28, 12-29, 12-30, 12-31, (2027-01-01 New Year), 2027-01-04
      const d = await shipped.decide(submitted('2026-12-22'), { asOf: '2026-12-22' })
      expect(d.review?.dueBy).toBe('2027-01-04')
    })

    it('counts from the calendar date of a submission date-time, as written', async () => {
      const d = await shipped.decide(submitted('2026-11-25T23:30:00-08:00'), { asOf: '2026-11-30' })
      expect(d.review).toEqual({ submittedAt: '2026-11-25', dueBy: '2026-12-07', overdue: false })
    })

    it('is not overdue on the due date and overdue the day after, with no review result', async () => {
      expect((await shipped.decide(submitted('2026-11-25'), { asOf: '2026-12-07' })).review?.overdue).toBe(false)
      expect((await shipped.decide(submitted('2026-11-25'), { asOf: '2026-12-08' })).review?.overdue).toBe(true)
    })

    it('a pending review is still overdue; a recorded result is never overdue', async () => {
      const asOf = '2026-12-08'
      expect((await shipped.decide(submitted('2026-11-25', { result: 'pending' }), { asOf })).review?.overdue).toBe(true)
      expect(
        (await shipped.decide(submitted('2026-11-25', { result: 'approved', decidedAt: '2026-12-08' }), { asOf })).review?.overdue,
      ).toBe(false)
      expect((await shipped.decide(submitted('2026-11-25', { result: 'rejected' }), { asOf })).review?.overdue).toBe(false)
    })

    it('does not change the outcome', async () => {
      const onTime = await shipped.decide(submitted('2026-11-25'), { asOf: '2026-12-07' })
      const late = await shipped.decide(submitted('2026-11-25'), { asOf: '2027-03-01' })
      expect(late.review?.overdue).toBe(true)
      expect(late.outcome).toBe(onTime.outcome)
      expect(late.reasons).toEqual(onTime.reasons)
    })

    it('is reported only by the onboarding policy', async () => {
      expect('review' in (await shipped.decide(submitted('2026-11-25'), { policy: API_ACCESS, asOf: '2026-12-08' }))).toBe(false)
      expect('review' in (await shipped.decide(example('behaviour', 'clean-developer'), { policy: TERMINATION, asOf: '2026-12-08' }))).toBe(
        false,
      )
    })
  })
})

describe('the termination policy', () => {
  const decide = (incidents: Json[], asOf: string): Promise<Decision> =>
    shipped.decide({ developerId: 'DEV-T', incidents }, { policy: TERMINATION, asOf })
  const summary = (d: Decision) => [d.outcome, d.reasons.map((r) => `${r.rule}:${r.outcome}`)]

  const security = (extra: Json): Json => ({
    id: 'INC-S',
    type: 'security_incident',
    status: 'confirmed',
    occurredAt: '2026-11-24',
    ...extra,
  })

  describe('TRM-INCIDENT-UNREPORTED: security incidents reported within 3 US working days', () => {
    // occurred Tuesday 2026-11-24; working days after it: 11-25, (11-26 Thanksgiving), 11-27, 11-30 → deadline 11-30.
    // Without the holiday the deadline would be 11-27, so a report on 11-30 being on time proves holidays count.
    it('a report on the third working day after Thanksgiving is on time (no_action)', async () => {
      expect(summary(await decide([security({ reportedAt: '2026-11-30' })], '2026-12-15'))).toEqual(['no_action', []])
    })

    it('a report one working day later, across Thanksgiving, terminates', async () => {
      const d = await decide([security({ reportedAt: '2026-12-01' })], '2026-12-15')
      expect(summary(d)).toEqual(['terminate', ['TRM-INCIDENT-UNREPORTED:terminate']])
      expect(d.reasons[0]!.message).toBe('Security incident(s) INC-S not reported within 3 US working days: a bottom line.')
      expect(d.reasons[0]!.evidence).toEqual([expect.objectContaining({ fact: 'incidents', operator: 'noneMatch', actual: ['INC-S'] })])
    })

    it('reports compare calendar dates of date-times as written', async () => {
      expect(
        (await decide([security({ occurredAt: '2026-11-24T22:00:00-08:00', reportedAt: '2026-11-30T23:59:00-08:00' })], '2026-12-15'))
          .outcome,
      ).toBe('no_action')
    })

    it('an unreported incident terminates once asOf is past the deadline', async () => {
      const d = await decide([security({})], '2026-12-01')
      expect(summary(d)).toEqual(['terminate', ['TRM-INCIDENT-UNREPORTED:terminate']])
    })

    it('an unreported incident is no action while asOf is within the window (the deadline day included)', async () => {
      expect((await decide([security({})], '2026-11-27')).outcome).toBe('no_action')
      expect((await decide([security({})], '2026-11-30')).outcome).toBe('no_action')
    })

    it('a suspected late incident is investigated; a dismissed one is ignored', async () => {
      expect(summary(await decide([security({ status: 'suspected', reportedAt: '2026-12-01' })], '2026-12-15'))).toEqual([
        'investigate',
        ['TRM-INCIDENT-UNREPORTED:investigate'],
      ])
      expect(summary(await decide([security({ status: 'suspected' })], '2026-12-15'))).toEqual([
        'investigate',
        ['TRM-INCIDENT-UNREPORTED:investigate'],
      ])
      expect(summary(await decide([security({ status: 'dismissed', reportedAt: '2026-12-20' })], '2026-12-15'))).toEqual(['no_action', []])
      expect(summary(await decide([security({ status: 'dismissed' })], '2026-12-15'))).toEqual(['no_action', []])
    })
  })

  describe('bottom lines', () => {
    const bottomLines = [
      ['false_information', 'TRM-FALSE-INFO'],
      ['data_leak', 'TRM-DATA-LEAK'],
      ['data_misuse', 'TRM-DATA-MISUSE'],
      ['fraud', 'TRM-FRAUD'],
      ['api_abuse', 'TRM-API-ABUSE'],
      ['user_harm', 'TRM-USER-HARM'],
      ['illegal_activity', 'TRM-ILLEGAL'],
    ] as const

    it.each(bottomLines)('%s: confirmed → terminate, suspected → investigate, dismissed → no action (%s)', async (type, rule) => {
      const incident = (status: string): Json => ({ id: `INC-${status}`, type, status, occurredAt: '2026-10-01' })
      const confirmed = await decide([incident('confirmed')], '2026-11-20')
      expect(summary(confirmed)).toEqual(['terminate', [`${rule}:terminate`]])
      expect(confirmed.reasons[0]!.message).toContain(`(${type}) in incident(s) INC-confirmed:`)
      const suspected = await decide([incident('suspected')], '2026-11-20')
      expect(summary(suspected)).toEqual(['investigate', [`${rule}:investigate`]])
      expect(suspected.reasons[0]!.message).toMatch(/^Suspected .* INC-suspected: investigate/)
      expect(summary(await decide([incident('dismissed')], '2026-11-20'))).toEqual(['no_action', []])
    })

    it('an incident type that is no bottom line is no action, even confirmed', async () => {
      expect((await decide([{ id: 'I', type: 'late_payment', status: 'confirmed', occurredAt: '2026-10-01' }], '2026-11-20')).outcome).toBe(
        'no_action',
      )
    })

    it('no incidents at all is no action', async () => {
      expect(summary(await decide([], '2026-11-20'))).toEqual(['no_action', []])
    })

    it('several violations: terminate, every rule listed, terminations first, matching incidents quoted', async () => {
      const d = await decide(
        [
          { id: 'F-1', type: 'fraud', status: 'suspected', occurredAt: '2026-10-01' },
          { id: 'L-1', type: 'data_leak', status: 'confirmed', occurredAt: '2026-10-02' },
          { id: 'L-2', type: 'data_leak', status: 'confirmed', occurredAt: '2026-10-03' },
          { id: 'L-3', type: 'data_leak', status: 'dismissed', occurredAt: '2026-10-04' },
        ],
        '2026-11-20',
      )
      expect(summary(d)).toEqual(['terminate', ['TRM-DATA-LEAK:terminate', 'TRM-FRAUD:investigate']])
      expect(d.reasons[0]!.message).toContain('in incident(s) L-1, L-2:')
      expect(d.reasons[0]!.evidence[0]!.actual).toEqual(['L-1', 'L-2'])
    })
  })
})

describe('the API access policy', () => {
  const withReview = (review: Json | undefined): Json => {
    const record = example('applications', 'approved-for-api-access')
    if (review) record.review = review
    else delete record.review
    return record
  }
  const decide = (record: Json) => shipped.decide(record, { policy: API_ACCESS, asOf: '2026-11-24' })

  describe('API access (step 3): deny > allow', () => {
    it('allows an approved application, with no reasons', async () => {
      const d = await decide(withReview({ result: 'approved', decidedAt: '2026-11-20' }))
      expect(d.outcome).toBe('allow')
      expect(d.reasons).toEqual([])
      expect(d.policy.id).toBe(API_ACCESS)
    })

    it('denies a pending review with the "still pending" message', async () => {
      const d = await decide(withReview({ result: 'pending' }))
      expect(d.outcome).toBe('deny')
      expect(d.reasons).toHaveLength(1)
      expect(d.reasons[0]).toMatchObject({ rule: 'API-CATEGORY-APPROVED', outcome: 'deny', basis: { status: 'confirmed' } })
      expect(d.reasons[0]!.message).toBe('The category review of application APP-2026-11-0038 is still pending.')
      expect(d.reasons[0]!.evidence).toEqual([
        { fact: 'review', path: '$.result', operator: 'notEqual', expected: 'pending', actual: 'pending' },
      ])
    })

    it('denies a rejected application with the "rejected" message', async () => {
      const d = await decide(withReview({ result: 'rejected', decidedAt: '2026-11-20' }))
      expect(d.outcome).toBe('deny')
      expect(d.reasons.map((r) => r.message)).toEqual(['The category review rejected application APP-2026-11-0038.'])
      expect(d.reasons[0]!.evidence).toEqual([
        { fact: 'review', path: '$.result', operator: 'notEqual', expected: 'rejected', actual: 'rejected' },
      ])
    })

    it('denies an application with no review recorded, evidence missing', async () => {
      const d = await decide(withReview(undefined))
      expect(d.outcome).toBe('deny')
      expect(d.reasons).toHaveLength(1)
      expect(d.reasons[0]!.message).toBe(
        'No category review result is recorded for application APP-2026-11-0038; apply for the Creator Collaboration category first.',
      )
      expect(d.reasons[0]!.evidence).toEqual([{ fact: 'review', path: '$.result', operator: 'present', expected: true, missing: true }])
    })

    it('judges only the review: an application onboarding would reject is still allowed once approved', async () => {
      const record = withReview({ result: 'approved' })
      ;(record.applicant as { registration: Json }).registration.country = 'CA'
      expect((await decide(record)).outcome).toBe('allow')
      expect((await shipped.decide(record, { asOf: '2026-11-24' })).outcome).toBe('reject')
    })
  })
})

/** 300 varied decisions over all three shipped policies: list matches, working days, missing facts. */
function workload(): { record: Json; options: DecideOptions }[] {
  const apps = ['complete-us-developer', 'rejected-multiple-reasons', 'missing-details', 'pending-review', 'approved-for-api-access'].map(
    (n) => example('applications', n),
  )
  const behaviour = ['clean-developer', 'confirmed-data-leak', 'late-incident-report', 'suspected-fraud'].map((n) =>
    example('behaviour', n),
  )
  const out: { record: Json; options: DecideOptions }[] = []
  for (let i = 0; i < 300; i++) {
    const day = String(1 + (i % 28)).padStart(2, '0')
    const asOf = `2026-${i % 2 === 0 ? '11' : '12'}-${day}`
    switch (i % 4) {
      case 0:
        out.push({ record: apps[Math.floor(i / 4) % apps.length]!, options: { asOf } })
        break
      case 1:
        out.push({ record: apps[Math.floor(i / 4) % apps.length]!, options: { policy: API_ACCESS, asOf } })
        break
      case 2:
        out.push({ record: behaviour[Math.floor(i / 4) % behaviour.length]!, options: { policy: TERMINATION, asOf } })
        break
      default: {
        // an unreported security incident whose fate depends on asOf, beside other incidents
        const incidents = [
          { id: `S-${i}`, type: 'security_incident', status: i % 3 === 0 ? 'suspected' : 'confirmed', occurredAt: '2026-11-24' },
          { id: `F-${i}`, type: 'fraud', status: i % 5 === 0 ? 'confirmed' : 'dismissed', occurredAt: '2026-11-02' },
        ]
        out.push({ record: { developerId: `DEV-${i}`, incidents }, options: { asOf } })
      }
    }
  }
  return out
}

/** Starts every job at once, staggered by 0–6 microtask turns so runs begin while others are mid-way or finishing. */
const concurrently = (
  jobs: readonly { record: Json; options: DecideOptions }[],
  decide: (job: { record: Json; options: DecideOptions }) => Promise<unknown>,
) =>
  Promise.all(
    jobs.map(async (job, i) => {
      for (let k = 0; k < i % 7; k++) await Promise.resolve()
      return JSON.stringify(await decide(job))
    }),
  )

describe('concurrent decisions', () => {
  // json-rules-engine keeps one run status per Engine; the EnginePool gives each run its own engine.
  it('300 concurrent decide calls across policies equal the same calls made one by one, with either evaluator', async () => {
    const set = await defaultPolicies()
    const jobs = workload()
    expect(jobs).toHaveLength(300)
    const sequential: string[] = []
    for (const job of jobs) sequential.push(JSON.stringify(await set.decide(job.record, { ...job.options, evaluator: 'engine' })))
    expect(await concurrently(jobs, (job) => set.decide(job.record, { ...job.options, evaluator: 'engine' }))).toEqual(sequential)
    expect(await concurrently(jobs, (job) => set.decide(job.record, { ...job.options, evaluator: 'compiled' }))).toEqual(sequential)
    expect(await concurrently(jobs, (job) => set.decide(job.record, job.options))).toEqual(sequential)
    // the workload really mixes outcomes, so the equalities above are not about empty decisions
    const outcomes = new Set(
      sequential.map((s) => {
        const d = JSON.parse(s) as { policy: { id: string }; outcome: string }
        return `${d.policy.id}:${d.outcome}`
      }),
    )
    expect([...outcomes].sort()).toEqual(
      [
        `${ONBOARDING}:approve`,
        `${ONBOARDING}:reject`,
        `${ONBOARDING}:needs_information`,
        `${API_ACCESS}:allow`,
        `${API_ACCESS}:deny`,
        `${TERMINATION}:terminate`,
        `${TERMINATION}:investigate`,
        `${TERMINATION}:no_action`,
      ].sort(),
    )
  })
})
