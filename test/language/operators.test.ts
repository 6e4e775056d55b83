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
import { boundaryRows, withoutBoundaries } from './boundaries.js'

const ROOT = join(import.meta.dirname, '..', '..')

/** [actual, expected, holds] for each operator, from its own file (`boundaries`): a new operator file brings its rows. */
const CASES = boundaryRows(OPERATORS)

describe('each operator', () => {
  it('has boundary rows in its file: at least three, a missing value among them', () => {
    expect(withoutBoundaries(OPERATORS)).toEqual([])
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
