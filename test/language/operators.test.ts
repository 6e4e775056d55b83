/**
 * Each operator's meaning, pinned at its boundaries (both evaluators call the same `holds`, so a
 * shared mistake would pass the property test that compares them), plus the registry's promises:
 * every module in src/language/operators/ is registered, the fast forms answer as `compare`, and the
 * table in docs/authoring.md is the one the registry makes.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { PolicySet } from '../../src/decide/policy-set.js'
import { compare, comparison, OPERATORS, operatorTable, valueFits } from '../../src/language/operators.js'
import type { Policy } from '../../src/model.js'
import { probePolicy, probeSubject } from '../core/probe.js'
import { docTableFix } from './operator-docs.js'

const ROOT = join(import.meta.dirname, '..', '..')

/** [actual, expected, holds] for each operator: every boundary, a missing value and a wrong type. */
const CASES: Record<string, [unknown, unknown, boolean][]> = {
  equal: [
    ['US', 'US', true],
    ['CA', 'US', false],
    [1, 1, true],
    [1, '1', false],
    [undefined, 'US', false],
    [null, null, false],
    [['US'], 'US', false],
    [true, true, true],
    [false, true, false],
    [0, false, false],
  ],
  notEqual: [
    ['CA', 'US', true],
    ['US', 'US', false],
    [undefined, 'US', false],
    [null, 'US', false],
    [['CA'], 'US', false],
    [{}, 'US', false],
    [2, 1, true],
    [1, 1, false],
    ['1', 1, true],
    [false, true, true],
  ],
  in: [
    ['seller', ['seller', 'partner'], true],
    ['shop', ['seller'], false],
    [undefined, ['seller'], false],
    [['seller'], ['seller'], false],
    [null, ['seller'], false],
    [1, [1, 2], true],
    ['1', [1, 2], false],
    // a string value is no list, even one that contains the text
    ['a', 'abc', false],
    // a missing value is in no list, even one that holds null
    [null, [null, 'a'], false],
  ],
  notIn: [
    ['shop', ['seller'], true],
    ['seller', ['seller'], false],
    [undefined, ['seller'], false],
    [['shop'], ['seller'], false],
    [null, ['seller'], false],
    ['1', [1, 2], true],
    [2, [1, 2], false],
    ['z', 'abc', false],
  ],
  lessThan: [
    [49, 50, true],
    [50, 50, false],
    [51, 50, false],
    ['49', 50, false],
    [undefined, 50, false],
    [null, 50, false],
    [49.9999, 50, true],
    [-1, 0, true],
    [0, 0, false],
    [true, 50, false],
    [1, '3', false],
  ],
  lessThanInclusive: [
    [50, 50, true],
    [49.5, 50, true],
    [50.5, 50, false],
    [51, 50, false],
    [null, 50, false],
    [undefined, 50, false],
    ['50', 50, false],
    [0, 0, true],
    [1, '3', false],
  ],
  greaterThan: [
    [51, 50, true],
    [50, 50, false],
    [49, 50, false],
    [undefined, 50, false],
    [null, 50, false],
    [50.0001, 50, true],
    ['51', 50, false],
    [0, 0, false],
    [5, '3', false],
  ],
  greaterThanInclusive: [
    [50, 50, true],
    [50.0001, 50, true],
    [49.9999, 50, false],
    ['50', 50, false],
    [undefined, 50, false],
    [null, 50, false],
    [51, 50, true],
    [0, 0, true],
    [5, '3', false],
  ],
  present: [
    ['a', true, true],
    [' x', true, true],
    ['', true, false],
    ['   ', true, false],
    ['\u00a0', true, false],
    [[], true, false],
    [[0], true, true],
    [{}, true, true],
    [0, true, true],
    [false, true, true],
    [undefined, true, false],
    [null, false, true],
    ['', false, true],
    ['a', false, false],
    ['\t', true, false],
    [' \t\n ', true, false],
    [' \t\n ', false, true],
    ['  a', true, true],
  ],
  containsAny: [
    [['a', 'b'], ['b'], true],
    [['a'], ['b'], false],
    [[], ['b'], false],
    ['b', ['b'], false],
    [undefined, ['b'], false],
    [['a'], 'abc', false],
  ],
  containsOnly: [
    [['a'], ['a', 'b'], true],
    [['a', 'c'], ['a', 'b'], false],
    [[], ['a'], true],
    ['a', ['a'], false],
    [undefined, ['a'], false],
    [['a'], 'abc', false],
  ],
  someMatch: [
    [[{ id: 1 }], true, true],
    [[], true, false],
    [undefined, true, false],
  ],
  noneMatch: [
    [[], true, true],
    [[{ id: 1 }], true, false],
    [undefined, true, false],
  ],
  dateBefore: [
    ['2026-11-30', '2026-12-01', true],
    ['2026-12-01', '2026-12-01', false],
    ['2026-12-02', '2026-12-01', false],
    ['2026-11-30T23:59:59-05:00', '2026-12-01', true],
    ['soon', '2026-12-01', false],
    [undefined, '2026-12-01', false],
    // the same day with a time is not before it, whatever the zone
    ['2026-12-01T00:00:00Z', '2026-12-01', false],
    ['2026-12-01T00:00:00+14:00', '2026-12-01', false],
    [null, '2026-12-01', false],
    [20261130, '2026-12-01', false],
  ],
  dateOnOrBefore: [
    ['2026-12-01', '2026-12-01', true],
    ['2026-11-30', '2026-12-01', true],
    ['2026-12-02', '2026-12-01', false],
    ['2026-02-30', '2026-12-01', false],
    ['2026-12-01T23:59:59Z', '2026-12-01', true],
    ['2026-12-01T23:59:59-12:00', '2026-12-01', true],
    ['2026-12-02T00:00:00Z', '2026-12-01', false],
    [undefined, '2026-12-01', false],
    [null, '2026-12-01', false],
    [20261201, '2026-12-01', false],
  ],
  dateAfter: [
    ['2026-12-02', '2026-12-01', true],
    ['2026-12-01', '2026-12-01', false],
    ['2026-11-30', '2026-12-01', false],
    ['2026-12-02', undefined, false],
    ['2026-12-01T23:59:59Z', '2026-12-01', false],
    ['2026-12-02T00:00:00Z', '2026-12-01', true],
    [undefined, '2026-12-01', false],
    ['later', '2026-12-01', false],
  ],
  dateOnOrAfter: [
    ['2026-12-01', '2026-12-01', true],
    ['2026-12-02', '2026-12-01', true],
    ['2026-11-30', '2026-12-01', false],
    [20261202, '2026-12-01', false],
    ['2026-12-01T00:00:00+14:00', '2026-12-01', true],
    ['2026-11-30T23:59:59Z', '2026-12-01', false],
    [undefined, '2026-12-01', false],
    [null, '2026-12-01', false],
  ],
}

describe('each operator', () => {
  it('has boundary cases here', () => {
    expect(Object.keys(CASES).sort()).toEqual(Object.keys(OPERATORS).sort())
  })

  it.each(Object.entries(CASES))('%s holds exactly where it should', (name, cases) => {
    for (const [actual, expected, holds] of cases) {
      expect(compare(name, actual, expected), `${JSON.stringify(actual)} ${name} ${JSON.stringify(expected)}`).toBe(holds)
      expect(comparison(name, expected)(actual), `fast: ${JSON.stringify(actual)} ${name} ${JSON.stringify(expected)}`).toBe(holds)
    }
  })

  it("has a fast form for every value it takes, when it has one at all (the compiled evaluator's hot path)", () => {
    for (const [name, cases] of Object.entries(CASES)) {
      const op = OPERATORS[name]!
      if (!op.given) continue
      for (const [, expected] of cases) {
        if (valueFits(op.valueKind, expected)) expect(op.given(expected), `${name} ${JSON.stringify(expected)}`).toBeTypeOf('function')
      }
    }
  })

  it('never holds for an operator nobody defined, even one named after a prototype member', () => {
    for (const name of ['looksLike', 'toString', '__proto__', 'constructor', 'hasOwnProperty']) {
      expect(compare(name, 'a', 'a')).toBe(false)
      expect(comparison(name, 'a')('a')).toBe(false)
    }
  })
})

describe('the registry', () => {
  it('registers every module of src/language/operators/ under the name it declares', async () => {
    const dir = join(ROOT, 'src', 'language', 'operators')
    const files = readdirSync(dir).filter((f) => f.endsWith('.ts') && f !== 'operator.ts' && f !== 'dates.ts')
    const declared: string[] = []
    for (const file of files) {
      const module = (await import(join(dir, file))) as Record<string, { name?: string }>
      for (const value of Object.values(module)) if (value && typeof value.name === 'string') declared.push(value.name)
    }
    expect(declared.sort()).toEqual(Object.keys(OPERATORS).sort())
    for (const op of Object.values(OPERATORS)) expect(Object.isFrozen(op), op.name).toBe(true)
  })

  it('gives fast forms that answer as compare for any value (fast-check)', () => {
    const value = fc.oneof(
      fc.constantFrom(undefined, null, '', ' ', 'US', 'a', '2026-12-01', '2026-11-30T10:00:00Z', 0, 1, 50, 49.99, true, false),
      fc.array(fc.constantFrom('a', 'b', 'US', 1, 50), { maxLength: 3 }),
      fc.constant({}),
    )
    fc.assert(
      fc.property(fc.constantFrom(...Object.keys(OPERATORS)), value, value, (name, actual, expected) => {
        expect(comparison(name, expected)(actual)).toBe(compare(name, actual, expected))
        const same = OPERATORS[name]!.strictlyEquals?.(expected)
        if (same) expect(actual === same.value).toBe(compare(name, actual, expected))
      }),
      { numRuns: 5000, seed: 20261129 },
    )
  })

  it('is the list the policy schema gives editors', () => {
    const schema = JSON.parse(readFileSync(join(ROOT, 'schemas', 'policy.schema.json'), 'utf8')) as {
      $defs: { condition: { properties: { operator: { enum: string[] } } } }
    }
    expect(schema.$defs.condition.properties.operator.enum).toEqual(Object.keys(OPERATORS))
  })

  it('is the operator table of docs/authoring.md (a difference prints the table to paste)', () => {
    const doc = readFileSync(join(ROOT, 'docs', 'authoring.md'), 'utf8')
    const fix = docTableFix(doc, operatorTable())
    if (fix) expect.fail(fix)
    for (const name of Object.keys(OPERATORS)) expect(operatorTable()).toContain(`| \`${name}\` |`)
  })
})

describe('each row of the table, on both evaluators', () => {
  // a record kind whose field `v` may hold anything, so every case's value can reach the operator
  const schema = { type: 'object', required: ['id'], properties: { id: { type: 'string' }, v: {} } }
  // made when a test asks, not while the file is collected: npm run mutation counts code run then as reached by every test
  const probe = () => probeSubject(schema)

  /** The leaf `v <operator> expected` as a policy, or undefined when the validator refuses that value. */
  function policyFor(operator: string, expected: unknown): Policy | undefined {
    return probePolicy(probe(), {
      outcomes: ['fail', 'pass'],
      default: 'pass',
      rules: [{ id: 'P-1', outcome: 'fail', require: { fact: 'v', operator, value: expected } }],
    })
  }

  it.each(Object.entries(CASES).filter(([name]) => OPERATORS[name]!.valueKind !== 'condition'))(
    '%s means the same on the compiled and the json-rules-engine path',
    async (name, cases) => {
      let run = 0
      for (const [actual, expected, holds] of cases) {
        const policy = policyFor(name, expected)
        if (!policy) continue
        const set = new PolicySet([policy], { subjects: [probe()] })
        const record: Record<string, unknown> = actual === undefined ? { id: 'r' } : { id: 'r', v: actual }
        for (const evaluator of ['compiled', 'engine'] as const) {
          const decision = await set.decide(record, { asOf: '2026-11-29', evaluator })
          expect(decision.outcome, `${evaluator}: ${JSON.stringify(actual)} ${name} ${JSON.stringify(expected)}`).toBe(
            holds ? 'pass' : 'fail',
          )
        }
        run++
      }
      expect(run).toBeGreaterThanOrEqual(3)
    },
  )
})
