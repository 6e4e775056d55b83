import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Ajv2020 } from 'ajv/dist/2020.js'
import { describe, expect, it } from 'vitest'
import { defaultPolicies, type Decision } from '../../src/index.js'
import decisionSchema from '../../schemas/decision.schema.json' with { type: 'json' }

const validate = new Ajv2020({ allErrors: true, strict: true }).compile(decisionSchema)

describe('schemas/decision.schema.json', () => {
  const dirs = ['examples/applications', 'examples/behaviour']
  const files = dirs.flatMap((d) =>
    readdirSync(d)
      .filter((f) => f.endsWith('.json'))
      .map((f) => join(d, f)),
  )

  it('finds the examples', () => expect(files.length).toBeGreaterThanOrEqual(8))

  it.each(files)('describes the decision on %s, explained or not', async (file) => {
    const set = await defaultPolicies()
    for (const explain of [false, true]) {
      const decision = await set.decide(JSON.parse(readFileSync(file, 'utf8')), { asOf: '2026-11-24', explain })
      const ok = validate(JSON.parse(JSON.stringify(decision)))
      expect(validate.errors ?? []).toEqual([])
      expect(ok).toBe(true)
    }
  })

  it('rejects a decision without a digest', async () => {
    const set = await defaultPolicies()
    const decision = JSON.parse(
      JSON.stringify(
        await set.decide(JSON.parse(readFileSync('examples/applications/missing-details.json', 'utf8')), { asOf: '2026-11-24' }),
      ),
    )
    delete decision.policy.digest
    expect(validate(decision)).toBe(false)
  })
})

describe('schemas/decision.schema.json on derived facts', () => {
  it('describes evidence that says how a derived fact was computed', async () => {
    const set = await defaultPolicies()
    const record = JSON.parse(readFileSync('policies/test-records/complete-us-application.json', 'utf8')) as {
      applicant: Record<string, unknown>
    }
    record.applicant.clientsServed = { sellers: 25, creators: 24 }
    record.applicant.affiliateExperienceYears = 0
    const decision = JSON.parse(JSON.stringify(await set.decide(record, { asOf: '2027-06-17' }))) as Decision
    expect(decision.reasons[0]!.evidence.some((e) => e.computed !== undefined)).toBe(true)
    expect(validate(decision)).toBe(true)
  })
})
