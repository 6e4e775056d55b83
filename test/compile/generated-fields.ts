/** Record fields the property tests generate rules and records from: the shipped kinds' fields and their value pools. */
import fc from 'fast-check'
import { OPERATORS, type SampleKind } from '../../src/language/operators.js'
import type { PolicyRecord } from '../../src/model.js'

export type Kind = SampleKind

export interface Field {
  fact?: string
  path?: string
  kind: Kind
  /** Values a rule compares with (records draw from the same pools, so both branches happen). */
  values?: readonly (string | number | boolean)[]
  element?: readonly Field[]
}

// near dates (holidays around them), far-future and far-past ones (the operands json-rules-engine once hashed alike)
export const DATES = [
  '2025-12-22',
  '2025-12-24',
  '2025-12-26',
  '2025-12-31',
  '2026-01-02',
  '2026-01-05',
  '2026-07-02',
  '2026-07-06',
  '2120-11-11',
  '2049-12-10',
  '9999-12-20',
  '1900-03-01',
] as const
export const RECORD_DATES = [
  ...DATES,
  '2026-01-02T23:30:00-05:00',
  '2025-12-24T08:00:00Z',
  '2100-01-04',
  '9999-12-31',
  '0000-01-01',
  '2026-02-30',
  '2026-01-02 Ltd',
  'soon',
  '',
] as const
export const AS_OF = ['2025-12-29', '2026-01-06', '2026-07-08'] as const

export const APPLICATION_FIELDS: readonly Field[] = [
  { fact: 'category', kind: 'string', values: ['creator_collaboration', 'other'] },
  { fact: 'applicationId', kind: 'string', values: ['A-1', 'A-2'] },
  { fact: 'submittedAt', kind: 'date' },
  { fact: 'asOf', kind: 'date' },
  { fact: 'applicant', path: '$.registration.country', kind: 'string', values: ['US', 'CA', ''] },
  { fact: 'applicant', path: '$.legalName', kind: 'string', values: ['Acme', ' '] },
  { fact: 'applicant', path: '$.registration', kind: 'object' },
  { fact: 'applicant', path: '$.yearsInOperation', kind: 'number', values: [0, 0.5, 1, 3] },
  { fact: 'applicant', path: '$.clientsServed.sellers', kind: 'number', values: [0, 49, 50, 120] },
  { fact: 'account', kind: 'object' },
  { fact: 'account', path: '$.type', kind: 'string', values: ['app_developer', 'isv'] },
  { fact: 'account', path: '$.businessVerified', kind: 'boolean', values: [true, false] },
  { fact: 'security', path: '$.encryptionAtRest', kind: 'boolean', values: [true, false] },
  { fact: 'review', path: '$.result', kind: 'string', values: ['pending', 'approved', 'rejected'] },
  { fact: 'review', path: '$.decidedAt', kind: 'date' },
  { fact: 'product', path: '$.functions[0]', kind: 'string', values: ['create', 'track', 'sell'] },
  {
    fact: 'product',
    path: '$.functions',
    kind: 'strings',
    values: ['create', 'track', 'sell'],
    element: [{ kind: 'string', values: ['create', 'track', 'sell'] }],
  },
  {
    fact: 'product',
    path: '$.requestedScopes',
    kind: 'strings',
    values: ['affiliate_seller', 'affiliate_creator', 'orders'],
    element: [{ path: '$', kind: 'string', values: ['affiliate_seller', 'orders'] }],
  },
  {
    fact: 'history',
    path: '$.terminations',
    kind: 'objects',
    element: [
      { path: '$.date', kind: 'date' },
      { path: '$.rule', kind: 'string', values: ['TRM-FRAUD', 'TRM-DATA-LEAK'] },
    ],
  },
]

export const INCIDENT_FIELDS: readonly Field[] = [
  { path: '$.id', kind: 'string', values: ['I-1', 'I-2'] },
  { path: '$.type', kind: 'string', values: ['fraud', 'data_leak', 'security_incident'] },
  { path: '$.status', kind: 'string', values: ['confirmed', 'suspected', 'dismissed'] },
  { path: '$.occurredAt', kind: 'date' },
  { path: '$.reportedAt', kind: 'date' },
]

export const BEHAVIOUR_FIELDS: readonly Field[] = [
  { fact: 'developerId', kind: 'string', values: ['D-1', 'D-2'] },
  { fact: 'asOf', kind: 'date' },
  { fact: 'incidents', kind: 'objects', element: INCIDENT_FIELDS },
  { fact: 'incidents', path: '$[0].type', kind: 'string', values: ['fraud', 'data_leak', 'security_incident'] },
  { fact: 'incidents', path: '$[1].occurredAt', kind: 'date' },
]

const scalar = (f: Field) => fc.constantFrom<string | number | boolean>(...(f.values ?? ['x', 1, true]))
const scalarList = (f: Field) => fc.array(scalar(f), { minLength: 1, maxLength: 3 })

/** The operators a random rule uses on a field of each kind: each operator file's `sample.on`, in the registry's order. */
export function operatorsByKind(): Record<Kind, readonly string[]> {
  const out: Record<Kind, string[]> = { string: [], number: [], boolean: [], date: [], strings: [], objects: [], object: [] }
  for (const op of Object.values(OPERATORS)) for (const kind of op.sample?.on ?? []) out[kind].push(op.name)
  return out
}

/** What a date operand or a list match's condition is, where the test that asks makes them. */
export interface Operands {
  date(): fc.Arbitrary<unknown>
  condition(): fc.Arbitrary<unknown>
}

/** A random rule's value for `operator` on field `f`: what the operator's `valueKind` takes, from the field's pool. */
export function ruleValue(operator: string, f: Field, operands: Operands): fc.Arbitrary<unknown> {
  switch (OPERATORS[operator]!.valueKind) {
    case 'boolean':
      return fc.boolean()
    case 'list':
      return scalarList(f)
    case 'number':
      return fc.constantFrom(...((f.values ?? [1]) as number[]))
    case 'date':
      return operands.date()
    case 'condition':
      return operands.condition()
    case 'scalar':
      return f.kind === 'date' ? fc.constantFrom(...DATES) : scalar(f)
  }
}
// Records: mostly schema-shaped, values from the same pools, sometimes missing, null or of the wrong type.
// wrong types where a field is expected: numeric strings, -0, lists and objects where scalars go
export const odd = fc.constantFrom<unknown>(null, 7, 'zz', true, [], {}, '50', '1', -0, ['US'], { country: 'US' })
export const maybe = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<unknown> =>
  fc.oneof({ arbitrary: arb, weight: 8 }, { arbitrary: odd, weight: 1 })
export const pick = <T>(...values: T[]) => maybe(fc.constantFrom(...values))
export const date = pick(...RECORD_DATES)
export const strings = (...values: string[]) => maybe(fc.array(fc.constantFrom(...values), { maxLength: 3 }))

export const applicationRecord: fc.Arbitrary<PolicyRecord> = fc.record(
  {
    applicationId: fc.constantFrom('A-1', 'A-2'),
    category: pick('creator_collaboration', 'other'),
    submittedAt: date,
    applicant: maybe(
      fc.record(
        {
          legalName: pick('Acme', ' ', ''),
          registration: maybe(fc.record({ country: pick('US', 'CA', ''), number: pick('N-1') }, { requiredKeys: [] })),
          yearsInOperation: pick(0, 0.5, 1, 3),
          clientsServed: maybe(fc.record({ sellers: pick(0, 0.1, 25, 49, 50, 120), creators: pick(0, 0.2, 25, 30) }, { requiredKeys: [] })),
        },
        { requiredKeys: [] },
      ),
    ),
    account: maybe(fc.record({ type: pick('app_developer', 'isv'), businessVerified: pick(true, false) }, { requiredKeys: [] })),
    security: maybe(fc.record({ encryptionAtRest: pick(true, false) }, { requiredKeys: [] })),
    review: maybe(fc.record({ result: pick('pending', 'approved', 'rejected'), decidedAt: date }, { requiredKeys: [] })),
    product: maybe(
      fc.record(
        { functions: strings('create', 'track', 'sell'), requestedScopes: strings('affiliate_seller', 'affiliate_creator', 'orders') },
        { requiredKeys: [] },
      ),
    ),
    history: maybe(
      fc.record(
        {
          terminations: maybe(
            fc.array(maybe(fc.record({ date, rule: pick('TRM-FRAUD', 'TRM-DATA-LEAK') }, { requiredKeys: [] })), { maxLength: 3 }),
          ),
        },
        { requiredKeys: [] },
      ),
    ),
  },
  { requiredKeys: ['applicationId'] },
) as fc.Arbitrary<PolicyRecord>

export const incident = fc.record(
  {
    id: pick('I-1', 'I-2', 'I-3'),
    type: pick('fraud', 'data_leak', 'security_incident'),
    status: pick('confirmed', 'suspected', 'dismissed'),
    occurredAt: date,
    reportedAt: date,
  },
  { requiredKeys: ['id', 'type', 'status'] },
)

export const behaviourRecord: fc.Arbitrary<PolicyRecord> = fc.record(
  { developerId: fc.constantFrom('D-1', 'D-2'), incidents: maybe(fc.array(maybe(incident), { maxLength: 4 })) },
  { requiredKeys: ['developerId'] },
) as fc.Arbitrary<PolicyRecord>
