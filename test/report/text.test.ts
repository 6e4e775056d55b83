import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { defaultPolicies } from '../../src/index.js'
import { formatDecisionText } from '../../src/report/text.js'
import { describeCondition } from '../../src/report/text.js'

const record = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as unknown

describe('formatDecisionText', () => {
  it('puts the outcome first, then each reason with where its rule lives and what the record held', async () => {
    const set = await defaultPolicies()
    const text = formatDecisionText(await set.decide(record('examples/applications/missing-details.json'), { asOf: '2026-11-24' }))
    const lines = text.split('\n')
    expect(lines[0]).toBe('application APP-2026-11-0063: NEEDS_INFORMATION')
    expect(text).toContain('review: submitted 2026-11-19, due by 2026-12-01')
    expect(text).toMatch(/- \[needs_information\] ONB-REQUIRED-INFO: Missing required details: applicant\.legalName/)
    expect(text).toMatch(/rule at creator-collaboration\.us\.onboarding\.v1\.0\.0\.yaml:\d+ \(modelled\)/)
    expect(text).toContain('applicant.legalName: expected present true, found missing')
    expect(text).toContain('account.businessVerified: expected equal true, found false')
  })

  it('says a list match in words, with the matching elements', async () => {
    const set = await defaultPolicies()
    const text = formatDecisionText(await set.decide(record('examples/behaviour/confirmed-data-leak.json'), { asOf: '2026-11-24' }))
    expect(text).toContain('incidents: expected no element with type = "data_leak" and status = "confirmed", found [INC-2026-0417]')
  })

  it('marks an overdue review and a decision nothing objected to', async () => {
    const set = await defaultPolicies()
    const text = formatDecisionText(await set.decide(record('examples/applications/pending-review.json'), { asOf: '2026-11-24' }))
    expect(text).toContain('— OVERDUE')
    expect(text).toContain('no rule objected')
  })
})

describe('describeCondition', () => {
  it('reads groups, negation, presence, working-day dates and nested list matches', () => {
    expect(
      describeCondition({
        all: [
          { fact: 'applicant', path: '$.yearsInOperation', operator: 'greaterThanInclusive', value: 1 },
          {
            any: [
              { fact: 'review', path: '$.result', operator: 'present', value: false },
              { not: { fact: 'category', operator: 'in', value: ['a', 'b'] } },
            ],
          },
          {
            fact: 'incidents',
            operator: 'someMatch',
            value: { path: '$.reportedAt', operator: 'dateAfter', value: { addWorkingDays: 3, to: { path: '$.occurredAt' } } },
          },
        ],
      }),
    ).toBe(
      'applicant.yearsInOperation ≥ 1 and (review.result is absent or not (category in ["a","b"])) and some incidents with reportedAt dateAfter occurredAt + 3 working days',
    )
  })
})
