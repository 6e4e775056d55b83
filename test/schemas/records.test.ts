import addFormats from 'ajv-formats'
import { readFileSync, readdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, it, expect } from 'vitest'
// Named export: the default import is not constructable under moduleResolution NodeNext (ajv is CJS).
import { Ajv2020 } from 'ajv/dist/2020.js'
import type { ErrorObject, ValidateFunction } from 'ajv'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const readJson = (...parts: string[]): unknown => JSON.parse(readFileSync(join(root, ...parts), 'utf8'))
const clone = <T>(value: T): T => structuredClone(value)

const APPLICATION_ID = 'https://collabgate.dev/schemas/application-record.schema.json'
const BEHAVIOUR_ID = 'https://collabgate.dev/schemas/behaviour-record.schema.json'

// strict mode also proves the schemas themselves use no unknown keywords or loose types.
const ajv = new Ajv2020({ allErrors: true, strict: true })
addFormats.default(ajv, ['date', 'date-time'])

// a date is anyOf [date, date-time]: its two format failures are summed up by the anyOf error
const summarised = (errors: ErrorObject[] | null | undefined) =>
  (errors ?? []).filter((e) => !(e.keyword === 'format' && e.schemaPath.includes('/anyOf/')))
ajv.addSchema(readJson('policies', 'records', 'application.v1.0.0.schema.json') as object)
ajv.addSchema(readJson('policies', 'records', 'behaviour.v1.0.0.schema.json') as object)
const validateApplication = ajv.getSchema(APPLICATION_ID) as ValidateFunction
const validateBehaviour = ajv.getSchema(BEHAVIOUR_ID) as ValidateFunction

const describeErrors = (errors: ErrorObject[] | null | undefined): string => ajv.errorsText(errors, { separator: '\n' })

const exampleFiles = (folder: string): string[] =>
  readdirSync(join(root, 'examples', folder))
    .filter((name) => name.endsWith('.json'))
    .sort()

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- records are read as loose JSON and edited in place
type Json = Record<string, any>
const completeApplication = readJson('examples', 'applications', 'complete-us-developer.json') as Json
const cleanBehaviour = readJson('examples', 'behaviour', 'clean-developer.json') as Json

describe('schemas', () => {
  it('have the documented $id and draft', () => {
    for (const [file, id] of [
      ['application.v1.0.0.schema.json', APPLICATION_ID],
      ['behaviour.v1.0.0.schema.json', BEHAVIOUR_ID],
    ] as const) {
      const schema = readJson('policies', 'records', file) as Json
      expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema')
      expect(schema.$id).toBe(id)
      expect(schema.additionalProperties).toBe(false)
    }
  })
})

describe('example application records', () => {
  const files = exampleFiles('applications')

  it('are all present', () => {
    expect(files).toEqual([
      'approved-for-api-access.json',
      'complete-us-developer.json',
      'missing-details.json',
      'pending-review.json',
      'rejected-multiple-reasons.json',
    ])
  })

  it.each(files)('%s validates, $schema key included', (file) => {
    const record = readJson('examples', 'applications', file) as Json
    expect(record.$schema).toBe('../../policies/records/application.v1.0.0.schema.json')
    const ok = validateApplication(record)
    expect(ok, describeErrors(validateApplication.errors)).toBe(true)
  })
})

describe('example behaviour records', () => {
  const files = exampleFiles('behaviour')

  it('are all present', () => {
    expect(files).toEqual(['clean-developer.json', 'confirmed-data-leak.json', 'late-incident-report.json', 'suspected-fraud.json'])
  })

  it.each(files)('%s validates, $schema key included', (file) => {
    const record = readJson('examples', 'behaviour', file) as Json
    expect(record.$schema).toBe('../../policies/records/behaviour.v1.0.0.schema.json')
    const ok = validateBehaviour(record)
    expect(ok, describeErrors(validateBehaviour.errors)).toBe(true)
  })
})

describe('examples/records.ndjson', () => {
  const lines = readFileSync(join(root, 'examples', 'records.ndjson'), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')

  it('has 10 records, none carrying $schema', () => {
    expect(lines).toHaveLength(10)
    for (const line of lines) expect(JSON.parse(line)).not.toHaveProperty('$schema')
  })

  it.each(lines.map((line, index) => [index + 1, line] as const))(
    'line %i validates against exactly one of the two schemas',
    (_lineNumber, line) => {
      const record: unknown = JSON.parse(line)
      const matches = [validateApplication(record), validateBehaviour(record)].filter(Boolean)
      expect(matches).toHaveLength(1)
    },
  )

  it('mixes application and behaviour records', () => {
    const kinds = lines.map((line) => (validateApplication(JSON.parse(line)) ? 'application' : 'behaviour'))
    expect(kinds).toContain('application')
    expect(kinds).toContain('behaviour')
  })
})

describe("application record: judged values and required-info fields are not the schema's business", () => {
  it('accepts any string for country, category, account type, functions, target users and scopes', () => {
    const record = clone(completeApplication)
    record.applicant.registration.country = 'CA'
    record.category = 'shop_management'
    record.account.type = 'seller'
    record.product.functions = ['analytics_dashboard']
    record.product.targetUsers = ['buyer']
    record.product.requestedScopes = ['order_read']
    expect(validateApplication(record), describeErrors(validateApplication.errors)).toBe(true)
  })

  it('accepts a record with only the structurally required fields', () => {
    const record = {
      applicationId: 'APP-MIN',
      category: 'creator_collaboration',
      submittedAt: '2026-11-16T09:00:00Z',
      applicant: { registration: { country: 'US' } },
      account: { type: 'app_developer' },
      product: {},
    }
    expect(validateApplication(record), describeErrors(validateApplication.errors)).toBe(true)
  })

  it.each(['applicationId', 'category', 'submittedAt', 'applicant', 'account', 'product'])('rejects a record missing %s', (field) => {
    const record = clone(completeApplication)
    delete record[field]
    expect(validateApplication(record)).toBe(false)
    expect(validateApplication.errors).toContainEqual(expect.objectContaining({ keyword: 'required', params: { missingProperty: field } }))
  })

  it('rejects missing registration country and account type', () => {
    const record = clone(completeApplication)
    delete record.applicant.registration.country
    delete record.account.type
    expect(validateApplication(record)).toBe(false)
    const missing = validateApplication.errors?.map((e) => `${e.instancePath}:${e.params.missingProperty}`)
    expect(missing).toEqual(expect.arrayContaining(['/applicant/registration:country', '/account:type']))
  })
})

describe('application record: unhappy paths', () => {
  it('rejects an empty applicationId', () => {
    const record = { ...clone(completeApplication), applicationId: '' }
    expect(validateApplication(record)).toBe(false)
    expect(validateApplication.errors?.[0]).toMatchObject({ instancePath: '/applicationId', keyword: 'minLength' })
  })

  it('rejects yearsInOperation given as a string', () => {
    const record = clone(completeApplication)
    record.applicant.yearsInOperation = '3'
    expect(validateApplication(record)).toBe(false)
    expect(validateApplication.errors).toEqual([expect.objectContaining({ instancePath: '/applicant/yearsInOperation', keyword: 'type' })])
  })

  it("rejects businessVerified given as 'yes'", () => {
    const record = clone(completeApplication)
    record.account.businessVerified = 'yes'
    expect(validateApplication(record)).toBe(false)
    expect(validateApplication.errors).toEqual([expect.objectContaining({ instancePath: '/account/businessVerified', keyword: 'type' })])
  })

  it('rejects a negative or fractional client count', () => {
    const record = clone(completeApplication)
    record.applicant.clientsServed = { sellers: -1, creators: 2.5 }
    expect(validateApplication(record)).toBe(false)
    expect(validateApplication.errors?.map((e) => e.instancePath).sort()).toEqual([
      '/applicant/clientsServed/creators',
      '/applicant/clientsServed/sellers',
    ])
  })

  it('rejects an unknown top-level field (a typo)', () => {
    const record = { ...clone(completeApplication), submitedAt: '2026-11-16' }
    expect(validateApplication(record)).toBe(false)
    expect(validateApplication.errors).toEqual([
      expect.objectContaining({ keyword: 'additionalProperties', params: { additionalProperty: 'submitedAt' } }),
    ])
  })

  it('rejects an unknown nested field', () => {
    const record = clone(completeApplication)
    record.security.encryptionAtRestt = true
    expect(validateApplication(record)).toBe(false)
    expect(validateApplication.errors?.[0]).toMatchObject({
      instancePath: '/security',
      keyword: 'additionalProperties',
    })
  })

  it('rejects a review result outside pending|approved|rejected', () => {
    const record = { ...clone(completeApplication), review: { result: 'accepted' } }
    expect(validateApplication(record)).toBe(false)
    expect(validateApplication.errors?.[0]).toMatchObject({ instancePath: '/review/result', keyword: 'enum' })
  })

  it('rejects arrays beyond maxItems and strings beyond maxLength', () => {
    const record = clone(completeApplication)
    record.product.functions = Array.from({ length: 101 }, () => 'create')
    record.product.description = 'x'.repeat(10_001)
    expect(validateApplication(record)).toBe(false)
    expect(validateApplication.errors?.map((e) => e.keyword).sort()).toEqual(['maxItems', 'maxLength'])
  })

  it("rejects an invalid date string ('yesterday')", () => {
    const record = { ...clone(completeApplication), submittedAt: 'yesterday' }
    expect(validateApplication(record)).toBe(false)
    expect(validateApplication.errors?.at(-1)).toMatchObject({ instancePath: '/submittedAt', keyword: 'anyOf' })
  })

  it.each(['2026-11-16', '2026-11-16 09:30:15Z', '2026-11-16T09:30:15z', '2026-11-16T09:30:15.123+05:30', '2026-11-16T09:30:15-05:00'])(
    'accepts the date shape %s',
    (submittedAt) => {
      expect(validateApplication({ ...clone(completeApplication), submittedAt })).toBe(true)
    },
  )

  it.each(['16/11/2026', '2026-11-16T09:30Z', '2026-11-16T09:30:15'])('rejects the date shape %s', (submittedAt) => {
    expect(validateApplication({ ...clone(completeApplication), submittedAt })).toBe(false)
  })

  // An impossible date would make date rules silently pass, so the schemas check the calendar too.
  it.each(['2026-13-45', '2026-02-30', '2026-11-25T25:00:00Z'])("rejects the impossible date '%s'", (date) => {
    const record = { ...clone(completeApplication), submittedAt: date }
    expect(validateApplication(record)).toBe(false)
  })

  it('accepts a leap day and a date-time with offset', () => {
    expect(validateApplication({ ...clone(completeApplication), submittedAt: '2028-02-29' })).toBe(true)
    expect(validateApplication({ ...clone(completeApplication), submittedAt: '2026-11-24T16:30:00-05:00' })).toBe(true)
  })

  it('reports ALL errors for a record with three problems (allErrors)', () => {
    const record = clone(completeApplication)
    delete record.applicationId
    record.applicant.yearsInOperation = 'three'
    record.extraField = true
    expect(validateApplication(record)).toBe(false)
    const errors = validateApplication.errors ?? []
    expect(errors).toHaveLength(3)
    expect(errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ keyword: 'required', params: { missingProperty: 'applicationId' } }),
        expect.objectContaining({ keyword: 'type', instancePath: '/applicant/yearsInOperation' }),
        expect.objectContaining({ keyword: 'additionalProperties', params: { additionalProperty: 'extraField' } }),
      ]),
    )
  })
})

describe('behaviour record: unhappy paths', () => {
  const incident = {
    id: 'INC-1',
    type: 'fraud',
    status: 'confirmed',
    occurredAt: '2026-11-03',
  }

  it('accepts any incident type', () => {
    const record = { developerId: 'DEV-1', incidents: [{ ...incident, type: 'something_new' }] }
    expect(validateBehaviour(record), describeErrors(validateBehaviour.errors)).toBe(true)
  })

  it("rejects incident status 'maybe'", () => {
    const record = { developerId: 'DEV-1', incidents: [{ ...incident, status: 'maybe' }] }
    expect(validateBehaviour(record)).toBe(false)
    expect(validateBehaviour.errors).toEqual([expect.objectContaining({ instancePath: '/incidents/0/status', keyword: 'enum' })])
  })

  it.each(['developerId', 'incidents'])('rejects a record missing %s', (field) => {
    const record = clone(cleanBehaviour)
    delete record[field]
    expect(validateBehaviour(record)).toBe(false)
    expect(validateBehaviour.errors).toContainEqual(expect.objectContaining({ keyword: 'required', params: { missingProperty: field } }))
  })

  it.each(['id', 'type', 'status', 'occurredAt'])('rejects an incident missing %s', (field) => {
    const broken: Record<string, unknown> = { ...incident }
    delete broken[field]
    expect(validateBehaviour({ developerId: 'DEV-1', incidents: [broken] })).toBe(false)
  })

  it("rejects an invalid reportedAt ('yesterday') and an unknown incident field", () => {
    const record = {
      developerId: 'DEV-1',
      incidents: [{ ...incident, reportedAt: 'yesterday', severity: 'high' }],
    }
    expect(validateBehaviour(record)).toBe(false)
    expect(
      summarised(validateBehaviour.errors)
        .map((e) => e.keyword)
        .sort(),
    ).toEqual(['additionalProperties', 'anyOf'])
  })

  it('rejects more than 1000 incidents', () => {
    const incidents = Array.from({ length: 1001 }, (_, i) => ({ ...incident, id: `INC-${i}` }))
    expect(validateBehaviour({ developerId: 'DEV-1', incidents })).toBe(false)
    expect(validateBehaviour.errors?.[0]).toMatchObject({ keyword: 'maxItems', instancePath: '/incidents' })
  })

  it('reports ALL errors for a record with three problems (allErrors)', () => {
    const record = {
      developerId: 42,
      incidents: [{ ...incident, status: 'maybe', occurredAt: 'yesterday' }],
    }
    expect(validateBehaviour(record)).toBe(false)
    expect(
      summarised(validateBehaviour.errors)
        .map((e) => `${e.instancePath} ${e.keyword}`)
        .sort(),
    ).toEqual(['/developerId type', '/incidents/0/occurredAt anyOf', '/incidents/0/status enum'])
  })
})
