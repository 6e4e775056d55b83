/**
 * Derived facts (`derived:` in a policy): each computation, its exact decimal arithmetic, what a
 * missing input gives, how evidence says it was computed, and that both evaluators read them alike.
 */
import { describe, expect, it } from 'vitest'
import { compileClosures } from '../../src/compile/closures.js'
import { compileEngine } from '../../src/compile/engine.js'
import { buildDecision } from '../../src/decide/decide.js'
import { factsRead } from '../../src/decide/reads.js'
import { parseYamlSource } from '../../src/read/yaml-source.js'
import type { Policy, PolicyRecord } from '../../src/model.js'
import { checkPolicyDocument } from '../../src/validate/policy.js'
import { shippedFolder } from '../shipped-folder.js'

/** A behaviour-record policy with one rule reading `fact` with the given condition on it. */
function policy(derived: string, require: string, subject: 'behaviour' | 'application' = 'behaviour'): Policy {
  const text = `id: test.derived
version: 1.0.0
title: Derived
subject: ${subject}
effective: { from: "2020-01-01" }
outcomes: [block, pass]
default: pass
derived:
${derived}
rules:
  - id: R-1
    title: Rule
    source: { status: modelled, from: test }
    outcome: block
    require: ${require}
    message: "Failed: {{ $evidence }}."
`
  const { policy: p, problems } = checkPolicyDocument(parseYamlSource('derived.yaml', text), shippedFolder())
  if (!p) throw new Error(JSON.stringify(problems))
  return p
}

const incidents = (...list: Record<string, unknown>[]): PolicyRecord => ({ developerId: 'D-1', incidents: list })
const AS_OF = '2027-06-17'

/** The value a derived fact has for a record, read through a rule `fact: x, operator: equal, value: probe`. */
async function both(p: Policy, record: PolicyRecord, asOf = AS_OF) {
  const closures = compileClosures(p).evaluateSync(record, asOf)
  const engine = await compileEngine(p).evaluate(record, asOf)
  expect(closures).toEqual(engine)
  return buildDecision(p, record, asOf, closures)
}

describe('derived facts', () => {
  it('count the elements of a list that meet `where`', async () => {
    const p = policy(
      `  confirmed:
    count: { fact: incidents }
    where: { path: $.status, operator: equal, value: confirmed }`,
      '{ fact: confirmed, operator: lessThan, value: 2 }',
    )
    const one = incidents({ id: 'a', type: 'x', status: 'confirmed' }, { id: 'b', type: 'x', status: 'dismissed' })
    expect((await both(p, one)).outcome).toBe('pass')
    const two = incidents({ id: 'a', type: 'x', status: 'confirmed' }, { id: 'b', type: 'x', status: 'confirmed' })
    const d = await both(p, two)
    expect(d.outcome).toBe('block')
    expect(d.reasons[0]!.evidence).toEqual([
      { fact: 'confirmed', path: '$', operator: 'lessThan', expected: 2, actual: 2, computed: 'count(incidents 2 of 2) = 2' },
    ])
  })

  it('sum exactly: 0.1 + 0.2 meets a threshold of 0.3', async () => {
    const p = policy(
      `  total:
    sum: [0.1, 0.2]`,
      '{ fact: total, operator: equal, value: 0.3 }',
    )
    expect((await both(p, incidents())).outcome).toBe('pass')
  })

  it('sum, min and max a list element by element (each), and say so in evidence', async () => {
    // no shipped record schema has a list of numbers: the derived fact is set on a validated policy by hand
    const base = policy('  total:\n    count: { fact: incidents }', '{ fact: total, operator: lessThan, value: 0.3 }')
    const withEach = (operation: 'sum' | 'min' | 'max'): Policy => ({
      ...base,
      derived: [{ name: 'total', operation, operands: [{ fact: 'incidents', each: '$.amount' }], pointer: '/derived/total' }],
    })
    const record = incidents({ id: 'a', amount: 0.1 }, { id: 'b', amount: 0.2 })
    const d = await both(withEach('sum'), record)
    expect(d.reasons[0]!.evidence[0]).toMatchObject({ actual: 0.3, computed: 'sum(incidents[].amount 0.1 0.2) = 0.3' })
    expect((await both(withEach('max'), record)).reasons).toEqual([])
    expect((await both(withEach('min'), incidents())).reasons[0]!.evidence[0]).toMatchObject({ missing: true })
    expect((await both(withEach('sum'), incidents())).reasons).toEqual([]) // the sum of no element is 0
    const odd = await both(withEach('sum'), incidents({ id: 'a', amount: '1' }))
    expect(odd.reasons[0]!.evidence[0]).toMatchObject({ missing: true, computed: 'sum(incidents[].amount (missing)) = (missing)' })
  })

  it('add, subtract, multiply, divide, ratio, round, min and max, exactly', async () => {
    const cases: [string, number][] = [
      ['add: [0.1, 0.2, 0.3]', 0.6],
      ['subtract: [0.3, 0.1]', 0.2],
      ['multiply: [1.1, 1.1]', 1.21],
      ['divide: [1, 3]', 0.333333],
      ['divide: [2, 3]\n    places: 2', 0.67],
      ['ratio: [-2, 3]\n    places: 2', -0.67],
      ['round: 2.5', 3],
      ['round: -2.5', -3],
      ['round: 1.005\n    places: 2', 1.01],
      ['min: [3, 1.5, 2]', 1.5],
      ['max: [3, 1.5, 2]', 3],
      ['sum: [1e21, 1]', 1e21 + 1],
    ]
    for (const [spec, expected] of cases) {
      const p = policy(`  x:\n    ${spec}`, `{ fact: x, operator: equal, value: ${expected} }`)
      expect({ spec, outcome: (await both(p, incidents())).outcome }).toEqual({ spec, outcome: 'pass' })
    }
  })

  it('read other derived facts, in dependency order whatever the order written', async () => {
    const p = policy(
      `  share:
    ratio: [{ fact: confirmed }, { fact: all }]
    places: 2
  confirmed:
    count: { fact: incidents }
    where: { path: $.status, operator: equal, value: confirmed }
  all:
    count: { fact: incidents }`,
      '{ fact: share, operator: lessThan, value: 0.5 }',
    )
    const record = incidents(
      { id: 'a', type: 'x', status: 'confirmed' },
      { id: 'b', type: 'x', status: 'dismissed' },
      { id: 'c', type: 'x', status: 'dismissed' },
    )
    expect((await both(p, record)).outcome).toBe('pass')
    const d = await both(p, incidents({ id: 'a', type: 'x', status: 'confirmed' }, { id: 'b', type: 'x', status: 'dismissed' }))
    expect(d.reasons[0]!.evidence[0]).toMatchObject({ actual: 0.5, computed: 'ratio(confirmed 1, all 2) = 0.5' })
  })

  it('count working days and calendar days on the policy calendar', async () => {
    const p = policy(
      `  working:
    workingDays: [{ fact: submittedAt }, { fact: asOf }]
  calendar:
    days: [{ fact: submittedAt }, { fact: asOf }]`,
      '{ all: [{ fact: working, operator: equal, value: -1 }, { fact: calendar, operator: equal, value: -1 }] }',
      'application',
    )
    // Thursday 2027-06-17 → Monday 2027-06-21: Friday 18th is Juneteenth observed, so one working day
    const d = await both(p, { applicationId: 'A-1', submittedAt: '2027-06-17' }, '2027-06-21')
    expect(d.reasons[0]!.evidence.map((e) => e.computed)).toEqual([
      'workingDays(submittedAt 2027-06-17, asOf 2027-06-21) = 1',
      'days(submittedAt 2027-06-17, asOf 2027-06-21) = 4',
    ])
    const back = await both(p, { applicationId: 'A-1', submittedAt: '2027-06-21T10:00:00Z' }, '2027-06-17')
    // backwards: negative counts (working = -1 holds, so only the calendar days are evidence)
    expect(back.reasons[0]!.evidence.map((e) => [e.fact, e.actual])).toEqual([['calendar', -4]])
    // a span over 100 years is not counted (bounded cost), a date that is no date is missing
    const far = await both(p, { applicationId: 'A-1', submittedAt: '1900-01-01' }, '2027-06-17')
    expect(far.reasons[0]!.evidence[0]).toMatchObject({ fact: 'working', missing: true })
    const bad = await both(p, { applicationId: 'A-1', submittedAt: 'soon' }, '2027-06-17')
    expect(bad.reasons[0]!.evidence.map((e) => e.missing)).toEqual([true, true])
  })

  it('are missing when an input is (no exception), unless the operand gives a default', async () => {
    const p = policy(
      `  clients:
    sum:
      - { fact: applicant, path: $.clientsServed.sellers }
      - { fact: applicant, path: $.clientsServed.creators, default: 0 }`,
      '{ fact: clients, operator: greaterThanInclusive, value: 50 }',
      'application',
    )
    const missing = await both(p, { applicationId: 'A-1', applicant: { clientsServed: { creators: 60 } } })
    expect(missing.reasons[0]!.evidence[0]).toEqual({
      fact: 'clients',
      path: '$',
      operator: 'greaterThanInclusive',
      expected: 50,
      missing: true,
      computed: 'sum(applicant.clientsServed.sellers (missing), applicant.clientsServed.creators 60) = (missing)',
    })
    const defaulted = await both(p, { applicationId: 'A-1', applicant: { clientsServed: { sellers: 30 } } })
    expect(defaulted.reasons[0]!.evidence[0]!.computed).toBe(
      'sum(applicant.clientsServed.sellers 30, applicant.clientsServed.creators (missing, default 0)) = 30',
    )
    expect((await both(p, { applicationId: 'A-1', applicant: { clientsServed: { sellers: 30, creators: 30 } } })).outcome).toBe('pass')
    // a division by zero, a list that is no list, a date that is no date: missing as well
    const zero = policy('  x:\n    divide: [1, 0]', '{ fact: x, operator: present, value: true }')
    expect((await both(zero, incidents())).reasons[0]!.evidence[0]).toMatchObject({ missing: true })
    const noList = policy('  n:\n    count: { fact: incidents }', '{ fact: n, operator: present, value: true }')
    expect((await both(noList, { developerId: 'D-1', incidents: 'none' })).outcome).toBe('block')
  })

  it('replace a record key of the same name the record schema lets through, on both paths', async () => {
    const p = policy('  n:\n    count: { fact: incidents }', '{ fact: n, operator: equal, value: 0 }')
    expect((await both(p, { developerId: 'D-1', incidents: [], n: 5 })).outcome).toBe('pass')
    expect((await both(p, { developerId: 'D-1', n: 0 })).outcome).toBe('block')
  })

  it('log what they are computed from, never their own names, for replays', () => {
    const p = policy('  n:\n    count: { fact: incidents }', '{ fact: n, operator: equal, value: 0 }')
    expect(factsRead(p)).toEqual(['developerId', 'incidents'])
  })
})

describe('derived facts on whole numbers', () => {
  it('agree with the exact decimal path near and past 2^53 (no double rounding at the edge)', async () => {
    const big = Number.MAX_SAFE_INTEGER
    const p = policy(`  x:\n    sum: [${big}, 2, -3]`, `{ fact: x, operator: equal, value: ${big - 1} }`)
    expect((await both(p, incidents())).outcome).toBe('pass')
    const q = policy(`  x:\n    subtract: [0, 0]`, '{ fact: x, operator: equal, value: 0 }')
    expect((await both(q, incidents())).reasons).toEqual([])
    const m = policy(`  x:\n    min: [3, -7, 2]\n  y:\n    max: [{ fact: x }, -9]`, '{ fact: y, operator: equal, value: -8 }')
    const d = await both(m, incidents())
    expect(d.reasons[0]!.evidence[0]).toMatchObject({ actual: -7, computed: 'max(x -7, -9) = -7' })
  })
})
