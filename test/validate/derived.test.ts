/**
 * `validate` on derived facts: the dependency graph has no cycle, every name it reads exists (with a
 * "did you mean"), operands have the types the computation needs in the record schema, and a derived
 * fact never takes the name of a record fact.
 */
import { describe, expect, it } from 'vitest'
import { parseYamlSource } from '../../src/read/yaml-source.js'
import { checkPolicyDocument } from '../../src/validate/policy.js'
import { shippedFolder } from '../shipped-folder.js'

function check(derived: string, require = '{ fact: applicationId, operator: present, value: true }') {
  const text = `id: test.derived
version: 1.0.0
title: Derived
subject: application
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
    message: "Failed."
`
  return checkPolicyDocument(parseYamlSource('derived.yaml', text), shippedFolder())
}

const codes = (r: ReturnType<typeof check>) => r.problems.map((p) => [p.code, p.pointer, p.message])

describe('validate on derived facts', () => {
  it('accepts a graph of facts and orders it so each comes after what it reads', () => {
    const { policy, problems } = check(
      `  b: { add: [{ fact: a }, 1] }
  a: { sum: [{ fact: applicant, path: $.clientsServed.sellers }] }`,
      '{ fact: b, operator: greaterThan, value: 1 }',
    )
    expect(problems).toEqual([])
    expect(policy!.derived!.map((f) => f.name)).toEqual(['a', 'b'])
  })

  it('refuses a cycle, naming it', () => {
    const r = check(`  a: { add: [{ fact: b }, 1] }
  b: { add: [{ fact: c }, 1] }
  c: { add: [{ fact: a }, 1] }`)
    expect(codes(r)).toEqual([['E_DERIVED_CYCLE', '/derived/a', 'derived facts read each other in a loop: a → b → c → a']])
  })

  it('refuses a fact reading itself', () => {
    expect(codes(check('  a: { add: [{ fact: a }, 1] }'))).toEqual([
      ['E_DERIVED_CYCLE', '/derived/a', 'derived facts read each other in a loop: a → a'],
    ])
  })

  it('names an unknown operand with the one meant', () => {
    const r = check(`  clients: { sum: [{ fact: aplicant, path: $.clientsServed.sellers }] }`)
    expect(r.problems[0]).toMatchObject({ code: 'E_UNKNOWN_FACT', pointer: '/derived/clients/sum/0/fact' })
    expect(r.problems[0]!.hint).toMatch(/^did you mean 'applicant'\?/)
  })

  it('names an unknown derived fact read by a rule with the one meant', () => {
    const r = check(`  clientsTotal: { sum: [1, 2] }`, '{ fact: clientTotal, operator: greaterThan, value: 1 }')
    expect(r.problems[0]).toMatchObject({ code: 'E_UNKNOWN_FACT', pointer: '/rules/0/require/fact' })
    expect(r.problems[0]!.hint).toMatch(/^did you mean 'clientsTotal'\?/)
  })

  it('refuses a name a record fact or asOf has', () => {
    expect(codes(check('  applicant: { sum: [1] }'))[0]!.slice(0, 2)).toEqual(['E_DERIVED_NAME', '/derived/applicant'])
    expect(codes(check('  asOf: { sum: [1] }'))[0]!.slice(0, 2)).toEqual(['E_DERIVED_NAME', '/derived/asOf'])
  })

  it('checks operand types against the record schema', () => {
    expect(codes(check('  x: { sum: [{ fact: applicant, path: $.legalName }] }'))).toEqual([
      ['E_BAD_VALUE', '/derived/x/sum/0', 'sum reads a number, but applicant $.legalName is string'],
    ])
    expect(codes(check('  x: { count: { fact: applicant, path: $.yearsInOperation } }'))[0]![0]).toBe('E_BAD_VALUE')
    expect(codes(check('  x: { days: [{ fact: applicant, path: $.yearsInOperation }, { fact: asOf }] }'))[0]![0]).toBe('E_BAD_VALUE')
    expect(codes(check('  x: { sum: [{ fact: applicant, path: $.nope }] }'))[0]!.slice(0, 2)).toEqual([
      'E_UNKNOWN_PATH',
      '/derived/x/sum/0/path',
    ])
    // a derived fact is a number: not a list to count, not a date
    expect(codes(check('  a: { sum: [1] }\n  b: { count: { fact: a } }'))[0]![0]).toBe('E_BAD_VALUE')
  })

  it('checks a count where against the list elements, with its own did-you-mean', () => {
    const r = check(`  n:
    count: { fact: history, path: $.terminations }
    where: { path: $.dat, operator: dateOnOrBefore, value: { fact: asOf } }`)
    expect(r.problems[0]).toMatchObject({ code: 'E_UNKNOWN_PATH', pointer: '/derived/n/where/path' })
    expect(r.problems[0]!.hint).toMatch(/did you mean 'date'\?/)
  })

  it('refuses arity, where, places and each where they do not belong', () => {
    expect(codes(check('  x: { subtract: [1] }'))[0]!.slice(0, 2)).toEqual(['E_BAD_VALUE', '/derived/x/subtract'])
    expect(codes(check('  x: { sum: [1], where: { path: $.a, operator: present, value: true } }'))[0]![0]).toBe('E_SCHEMA')
    expect(codes(check('  x: { sum: [1], places: 2 }'))[0]!.slice(0, 2)).toEqual(['E_SCHEMA', '/derived/x/places'])
    expect(codes(check('  x: { sum: [1], add: [1, 2] }'))[0]![0]).toBe('E_SCHEMA')
    expect(codes(check('  x: { add: [{ fact: product, path: $.functions, each: $ }, 1] }'))[0]!.slice(0, 2)).toEqual([
      'E_SCHEMA',
      '/derived/x/add/0/each',
    ])
    expect(codes(check('  x: { divide: [1, 2], places: 16 }'))[0]![0]).toBe('E_SCHEMA')
    expect(codes(check('  x: { frobnicate: [1] }'))[0]![0]).toBe('E_SCHEMA')
  })

  it('lets messages quote record fields only (a derived fact is not in the record a message reads)', () => {
    const text = `id: test.derived
version: 1.0.0
title: Derived
subject: application
effective: { from: "2020-01-01" }
outcomes: [block, pass]
default: pass
derived:
  x: { sum: [1] }
rules:
  - id: R-1
    title: Rule
    source: { status: modelled, from: test }
    outcome: block
    require: { fact: x, operator: equal, value: 1 }
    message: "x is {{ x }}"
`
    const r = checkPolicyDocument(parseYamlSource('derived.yaml', text), shippedFolder())
    expect(r.problems.map((p) => p.code)).toEqual(['E_TEMPLATE'])
  })
})
