/**
 * Equivalence proof: random valid policies (condition trees over the record schemas' fields, every
 * operator, someMatch/noneMatch, dates and addWorkingDays, and derived facts of every computation
 * read like fields) and random records, judged by
 * json-rules-engine (compileEngine), by the compiled closures and by the generated evaluator (compileGenerated),
 * must give identical rule results
 * and identical decisions (outcome, reasons, evidence, messages). The `open` kind's record schemas are
 * generated too: they allow extra keys (the JSON Schema default) and declare the evaluators' own names
 * (`$matches`, `$item`, `$addWorkingDays`, `__proto__`, `""`) as fields, and its records carry such keys.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { compileClosures } from '../../src/compile/closures.js'
import { compileEngine } from '../../src/compile/engine.js'
import { OPERATORS } from '../../src/language/operators.js'
import { compileGenerated } from '../../src/compile/generated.js'
import { buildDecision } from '../../src/decide/decide.js'
import type { Condition, Policy, PolicyRecord, SubjectDefinition } from '../../src/model.js'
import { digestOf, type FolderContext } from '../../src/validate/policy.js'
import { conditionsOver, toPolicy } from './generated-policies.js'

/** The shipped folder's record kinds, and `open`, a kind of generated record schemas that allow extra keys. */
type Subject = 'application' | 'behaviour' | 'open'

import {
  AS_OF,
  APPLICATION_FIELDS,
  INCIDENT_FIELDS,
  BEHAVIOUR_FIELDS,
  applicationRecord,
  behaviourRecord,
  date,
  maybe,
  pick,
  strings,
  type Field,
  type Kind,
} from './generated-fields.js'

const OPEN_ELEMENT_FIELDS: readonly Field[] = [
  { path: '$.id', kind: 'string', values: ['I-1', 'I-2'] },
  { path: '$.k', kind: 'string', values: ['x', 'y'] },
  { path: '$.at', kind: 'date' },
]

/** Fields named as the evaluators name their own facts (and the list element): each must stay the record's field. */
const OPEN_FIELDS: readonly Field[] = [
  { fact: 'id', kind: 'string', values: ['O-1', 'O-2'] },
  { fact: '$matches', kind: 'string', values: ['m', 'x', ''] },
  { fact: '$item', kind: 'string', values: ['x', 'y'] },
  { fact: '$addWorkingDays', kind: 'date' },
  { fact: '__proto__', kind: 'number', values: [0, 1, 2] },
  { fact: '', kind: 'boolean', values: [true, false] },
  { fact: 'asOf', kind: 'date' },
  { fact: 'when', kind: 'date' },
  { fact: 'items', kind: 'objects', element: OPEN_ELEMENT_FIELDS },
  { fact: 'tags', kind: 'strings', values: ['x', 'y', 'm'], element: [{ kind: 'string', values: ['x', 'y'] }] },
]

/** Derived facts every generated policy declares (d0..d2, see derivedFacts): rules read them like number fields. */
const DERIVED_FIELDS: readonly Field[] = ['d0', 'd1', 'd2'].map((fact) => ({ fact, kind: 'number', values: [0, 0.3, 1, 2, 49, 50, 60] }))

// the open kind's policies declare no derived facts: they prove the evaluators' own names stay record fields
const FIELDS: Record<Subject, readonly Field[]> = {
  application: [...APPLICATION_FIELDS, ...DERIVED_FIELDS],
  behaviour: [...BEHAVIOUR_FIELDS, ...DERIVED_FIELDS],
  open: OPEN_FIELDS,
}

const { condition } = conditionsOver(FIELDS, DERIVED_FIELDS)

const OUTCOMES = ['block', 'review', 'pass']
const MESSAGES: Record<Subject, readonly string[]> = {
  application: [
    'Failed: {{ $evidence }}.',
    'Applicant {{ applicant.legalName }} in {{ applicant.registration.country }}',
    'Matched {{ $matched }} on {{ $asOf }}',
  ],
  behaviour: ['Incidents {{ $matched }} of {{ developerId }}', 'Failed: {{ $evidence }}.'],
  open: ['Failed: {{ $evidence }}.', 'Matched {{ $matched }} of {{ id }} on {{ $asOf }}'],
}

const num = (fact: string, path?: string, extra: Record<string, unknown> = {}) => ({ fact, ...(path ? { path } : {}), ...extra })
const NUMBERS: Record<Subject, readonly unknown[]> = {
  application: [
    num('applicant', '$.yearsInOperation'),
    num('applicant', '$.clientsServed.sellers', { default: 0 }),
    num('applicant', '$.clientsServed.creators'),
    0.1,
    0.2,
    50,
  ],
  behaviour: [0.1, 0.2, 3, -1],
  open: [],
}
const BINARY = ['sum', 'min', 'max', 'add', 'subtract', 'multiply', 'divide', 'ratio'] as const

/** d0 over the record's numbers, d1 a count or a span of days, d2 over d0 and d1: a graph of every computation. */
function derivedFacts(subject: Subject): fc.Arbitrary<Record<string, unknown>> {
  const numbers = fc.constantFrom(...NUMBERS[subject])
  const d0 =
    subject === 'application'
      ? fc.record({ op: fc.constantFrom(...BINARY), a: numbers, b: numbers }).map(({ op, a, b }) => ({ [op]: [a, b] }))
      : condition('behaviour', 1, INCIDENT_FIELDS, true).map((where) => ({ count: { fact: 'incidents' }, where }))
  const dates =
    subject === 'application'
      ? [num('submittedAt'), num('review', '$.decidedAt'), num('asOf')]
      : [num('incidents', '$[0].occurredAt'), num('incidents', '$[1].occurredAt'), num('asOf')]
  const counts =
    subject === 'application'
      ? [
          { count: num('product', '$.functions'), where: { path: '$', operator: 'in', value: ['create', 'track'] } },
          {
            count: num('history', '$.terminations'),
            where: { path: '$.date', operator: 'dateOnOrBefore', value: { fact: 'asOf' } },
          },
        ]
      : [{ count: num('incidents') }]
  const d1 = fc.oneof(
    fc.constantFrom(...counts),
    fc
      .record({ op: fc.constantFrom('workingDays', 'days'), from: fc.constantFrom(...dates), to: fc.constantFrom(...dates) })
      .map(({ op, from, to }) => ({ [op]: [from, to] })),
  )
  const d2 = fc.oneof(
    fc
      .record({ op: fc.constantFrom(...BINARY), other: fc.constantFrom<unknown>(num('d1'), 0.5, 3) })
      .map(({ op, other }) => ({ [op]: [num('d0'), other] })),
    fc.record({ round: fc.constant(num('d0')), places: fc.integer({ min: 0, max: 2 }) }),
    fc.record({ divide: fc.constant([num('d0'), num('d1')]), places: fc.integer({ min: 0, max: 3 }) }),
  )
  // written d2 first: the order they are computed in is the graph's, not the file's
  return fc.record({ d2, d0, d1 })
}

function policyDocument(subject: Subject): fc.Arbitrary<Record<string, unknown>> {
  const check = fc.record({
    outcome: fc.constantFrom('block', 'review'),
    require: condition(subject, 3),
    message: fc.constantFrom(...MESSAGES[subject]),
  })
  const rule = fc.oneof(
    check,
    fc.array(check, { minLength: 1, maxLength: 3 }).map((checks) => ({ checks })),
  )
  const derivedOf = subject === 'open' ? fc.constant(undefined) : derivedFacts(subject)
  return fc.tuple(fc.array(rule, { minLength: 1, maxLength: 4 }), derivedOf).map(([rules, derived]) => ({
    id: 'generated.policy',
    version: '1.0.0',
    title: 'Generated',
    subject,
    effective: { from: '2020-01-01' },
    outcomes: OUTCOMES,
    default: 'pass',
    ...(derived === undefined ? {} : { derived }),
    rules: rules.map((r, i) => ({ id: `R-${i + 1}`, title: `Rule ${i + 1}`, source: { status: 'modelled', from: 'generated' }, ...r })),
  }))
}

// the open kind: a record schema per run, loosely or strictly typed, never closed to extra keys
const LOCATION = { file: 'generated', line: 1, column: 1 }
const loose = (type: string) => fc.constantFrom<Record<string, unknown>>({}, { type })
const OPEN_SCHEMA_OF: Record<Kind, fc.Arbitrary<Record<string, unknown>>> = {
  string: loose('string'),
  number: loose('number'),
  boolean: loose('boolean'),
  // a date operand reads only a field whose schema says it is a string
  date: fc.constantFrom({ type: 'string' }, { type: 'string', format: 'date' }),
  strings: fc.constantFrom({}, { type: 'array', items: { type: 'string' } }),
  objects: fc.constantFrom<Record<string, unknown>>({}, { additionalProperties: true }).map((open) => ({
    type: 'array',
    items: { type: 'object', properties: { id: {}, k: { type: 'string' }, at: { type: 'string' } }, ...open },
  })),
  object: loose('object'),
}
const openSchema: fc.Arbitrary<Record<string, unknown>> = fc
  .tuple(
    fc.tuple(...OPEN_FIELDS.map((f) => (f.fact === 'id' ? fc.constant({ type: 'string' }) : OPEN_SCHEMA_OF[f.kind]))),
    fc.constantFrom<Record<string, unknown>>({}, { additionalProperties: true }, { additionalProperties: {} }),
  )
  // fromEntries, not a literal: `__proto__` is then a property like the others
  .map(([types, open]) => ({
    type: 'object',
    required: ['id'],
    properties: Object.fromEntries(OPEN_FIELDS.map((f, i) => [f.fact!, types[i]])),
    ...open,
  }))

/** A folder of one record kind, `open`, judged by `schema`. */
function openFolder(schema: Record<string, unknown>): FolderContext {
  const subject: SubjectDefinition = {
    name: 'open',
    idField: 'id',
    recognise: { fact: 'id', operator: 'present', value: true },
    schemas: [{ subject: 'open', version: '1.0.0', digest: digestOf(schema), schema, location: LOCATION }],
    location: LOCATION,
  }
  return { subjects: new Map([['open', subject]]) }
}

/** Keys a record may carry besides its declared fields: the evaluators' own names, and the engine's field prefix. */
const OPEN_EXTRA_KEYS = ['$matches', '$addWorkingDays', '$item', '', '__proto__', 'asOf', 'record:', 'record:$item', '$where']
const openElement = maybe(fc.record({ id: pick('I-1', 'I-2'), k: pick('x', 'y'), at: date }, { requiredKeys: [] }))
const openValue = fc.oneof(pick<unknown>('x', 'y', 'm', '', 0, 1, 2, true, false), date, fc.array(openElement, { maxLength: 2 }))
const openRecord: fc.Arbitrary<PolicyRecord> = fc
  .tuple(
    fc.constantFrom('O-1', 'O-2'),
    maybe(fc.array(openElement, { maxLength: 3 })),
    strings('x', 'y', 'm'),
    date,
    fc.array(fc.tuple(fc.constantFrom(...OPEN_EXTRA_KEYS), openValue), { maxLength: 6 }),
  )
  // fromEntries, as JSON.parse makes them: `__proto__` is an own key, not a prototype
  .map(([id, items, tags, when, extra]) => Object.fromEntries([['id', id], ['items', items], ['tags', tags], ['when', when], ...extra]))

const RECORDS: Record<Subject, fc.Arbitrary<PolicyRecord>> = {
  application: applicationRecord,
  behaviour: behaviourRecord,
  open: openRecord,
}

/**
 * Judges each record by the three evaluators and expects the same rule results, review clocks and decisions; whether
 * each decision objects (so a test can count both sides).
 */
async function agreeOn(policy: Policy, records: readonly PolicyRecord[], asOf: string): Promise<boolean[]> {
  const closures = compileClosures(policy)
  const engine = compileEngine(policy)
  const generated = compileGenerated(policy)
  const objects: boolean[] = []
  for (const record of records) {
    const expected = await engine.evaluate(record, asOf)
    const actual = closures.evaluateSync(record, asOf)
    expect(actual).toEqual(expected)
    expect(generated.evaluateSync(record, asOf)).toEqual(expected)
    expect(generated.reviewSync(record, asOf)).toEqual(closures.reviewSync(record, asOf))
    const decision = buildDecision(policy, record, asOf, actual)
    expect(decision).toEqual(buildDecision(policy, record, asOf, expected))
    objects.push(decision.reasons.length > 0)
  }
  return objects
}

describe.each(['application', 'behaviour'] as const)('compiled closures equal json-rules-engine on random %s policies', (subject) => {
  it('gives identical rule results and decisions', async () => {
    let objections = 0
    let passes = 0
    await fc.assert(
      fc.asyncProperty(
        policyDocument(subject),
        fc.array(RECORDS[subject], { minLength: 1, maxLength: 4 }),
        fc.constantFrom(...AS_OF),
        async (doc, records, asOf) => {
          const policy = toPolicy(doc)
          for (const objects of await agreeOn(policy, records, asOf)) {
            if (objects) objections++
            else passes++
          }
        },
      ),
      { numRuns: 300, interruptAfterTimeLimit: 8_000, seed: 20260 + subject.length },
    )
    // the generators must exercise both sides, or the equality says little
    expect(objections).toBeGreaterThan(20)
    expect(passes).toBeGreaterThan(5)
  })
})

describe('compiled closures equal json-rules-engine on folder schemas that allow extra keys', () => {
  it('gives identical rule results and decisions when fields and keys use the names the evaluators keep', async () => {
    let objections = 0
    let passes = 0
    await fc.assert(
      fc.asyncProperty(
        openSchema,
        policyDocument('open'),
        fc.array(RECORDS.open, { minLength: 1, maxLength: 4 }),
        fc.constantFrom(...AS_OF),
        async (schema, doc, records, asOf) => {
          const policy = toPolicy(doc, openFolder(schema))
          for (const objects of await agreeOn(policy, records, asOf)) {
            if (objects) objections++
            else passes++
          }
        },
      ),
      // a fixed number of runs, no time limit: the counts below do not depend on how busy the machine is
      { numRuns: 120, seed: 20264 },
    )
    expect(objections).toBeGreaterThan(20)
    expect(passes).toBeGreaterThan(5)
  })
})

describe('generators', () => {
  it('read every name the evaluators keep, as a field of the open kind, and put such keys in its records', () => {
    const facts = new Set<string>()
    const walk = (c: Condition): void => {
      if ('all' in c) c.all.forEach(walk)
      else if ('any' in c) c.any.forEach(walk)
      else if ('not' in c) walk(c.not)
      else {
        if (c.fact !== undefined) facts.add(c.fact)
        if (c.operator === 'someMatch' || c.operator === 'noneMatch') walk(c.value as Condition)
      }
    }
    const schemas = fc.sample(openSchema, { numRuns: 60, seed: 7 })
    fc.sample(policyDocument('open'), { numRuns: 60, seed: 7 }).forEach((doc, i) => {
      for (const rule of toPolicy(doc, openFolder(schemas[i]!)).rules) for (const check of rule.checks) walk(check.require)
    })
    for (const name of ['$matches', '$item', '$addWorkingDays', '__proto__', '']) expect(facts, JSON.stringify(name)).toContain(name)
    expect(schemas.every((s) => s.additionalProperties !== false)).toBe(true)
    const keys = new Set(fc.sample(RECORDS.open, { numRuns: 60, seed: 7 }).flatMap((r) => Object.keys(r)))
    for (const key of OPEN_EXTRA_KEYS) expect(keys, JSON.stringify(key)).toContain(key)
  })

  it('produce policies the validator accepts, with every operator somewhere', () => {
    const seen = new Set<string>()
    const walk = (c: Condition): void => {
      if ('all' in c) c.all.forEach(walk)
      else if ('any' in c) c.any.forEach(walk)
      else if ('not' in c) walk(c.not)
      else {
        seen.add(c.operator)
        if (c.operator === 'someMatch' || c.operator === 'noneMatch') walk(c.value as Condition)
        if (JSON.stringify(c.value ?? null).includes('addWorkingDays')) seen.add('addWorkingDays')
      }
    }
    for (const subject of ['application', 'behaviour'] as const) {
      for (const doc of fc.sample(policyDocument(subject), { numRuns: 60, seed: 7 })) {
        for (const rule of toPolicy(doc).rules) for (const check of rule.checks) walk(check.require)
      }
    }
    const operations = new Set<string>()
    for (const subject of ['application', 'behaviour'] as const) {
      for (const doc of fc.sample(policyDocument(subject), { numRuns: 80, seed: 7 }))
        for (const f of toPolicy(doc).derived ?? []) operations.add(f.operation + (f.where ? ' where' : ''))
    }
    expect([...operations].sort()).toEqual(
      [
        'add',
        'count',
        'count where',
        'days',
        'divide',
        'max',
        'min',
        'multiply',
        'ratio',
        'round',
        'subtract',
        'sum',
        'workingDays',
      ].sort(),
    )
    // every operator file's operator, from its `sample`: a new operator without one is found missing here
    expect([...seen].sort()).toEqual(['addWorkingDays', ...Object.keys(OPERATORS)].sort())
  })
})
