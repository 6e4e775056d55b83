/**
 * Fuzzing with fast-check: random records against every shipped policy, random mutations of the
 * shipped YAML. Every run must end in a Decision or a typed error with a code; nothing else may
 * escape, and nothing may hang (each property is bounded by numRuns and the test timeout).
 */
import fc from 'fast-check'
import { beforeEach, describe, expect, it } from 'vitest'
import { CollabgateError, defaultPolicies, PolicySet, type Decision, type Policy } from '../../src/index.js'
import { parseYamlSource } from '../../src/read/yaml-source.js'
import { checkPolicyDocument } from '../../src/validate/policy.js'
import { shippedFolder } from '../shipped-folder.js'
import { APPLICATIONS, BEHAVIOUR, example, shippedPolicyTexts, type Json } from '../store/helpers.js'

const RECORD_RUNS = 300
const YAML_RUNS = 200
const HOSTILE_KEYS = ['__proto__', 'constructor', 'prototype', 'asOf', '$item', 'toString', 'hasOwnProperty']

let shipped: PolicySet
// loaded by the first test, then the same memoised set: mutation testing credits the load to a test, not to a hook
beforeEach(async () => {
  shipped = await defaultPolicies()
})

const examples: Json[] = [...APPLICATIONS.map((n) => example('applications', n)), ...BEHAVIOUR.map((n) => example('behaviour', n))]

/** Every path (as keys) inside a JSON value, the root included. */
function pathsOf(value: unknown, at: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(at)
  if (Array.isArray(value)) value.forEach((v, i) => pathsOf(v, [...at, i], out))
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) pathsOf(v, [...at, k], out)
  return out
}

const DOMAIN_STRINGS = [
  '',
  ' ',
  'US',
  'CA',
  'creator_collaboration',
  'app_developer',
  'approved',
  'pending',
  'rejected',
  'confirmed',
  'suspected',
  'dismissed',
  'fraud',
  'data_leak',
  'security_incident',
  'create',
  'seller',
  'affiliate_seller',
  '2026-11-24',
  '2026-02-30',
  '2026-11-24T23:59:59Z',
  '__proto__',
  '{{ $evidence }}',
]

/** One edit: where (pick), what kind (mode), and candidate values of each type. */
type RecordEdit = [pick: number, mode: number, text: string, num: number, any: unknown]

/**
 * Applies edits to a copy of an example record. Most edits keep the value's type (so records get past
 * the schema and reach the evaluators); some delete, break the type, or add a hostile key.
 */
function mutate(base: Json, edits: readonly RecordEdit[]): unknown {
  let record: unknown = structuredClone(base)
  for (const [pick, mode, text, num, any] of edits) {
    const paths = pathsOf(record)
    const path = paths[pick % paths.length]!
    if (path.length === 0) {
      if (mode === 1) record = any
      continue
    }
    let parent = record as Record<string | number, unknown>
    for (const step of path.slice(0, -1)) parent = parent[step] as Record<string | number, unknown>
    const last = path.at(-1)!
    const old = parent[last]
    if (mode === 0) {
      if (Array.isArray(parent)) parent.splice(last as number, 1)
      else delete parent[last]
    } else if (mode === 1) parent[last] = any
    else if (mode === 2 && !Array.isArray(parent)) {
      // own, enumerable, like JSON.parse makes it; never an assignment that would set a prototype
      Object.defineProperty(parent, HOSTILE_KEYS[num % HOSTILE_KEYS.length]!, {
        value: any,
        enumerable: true,
        writable: true,
        configurable: true,
      })
    } else if (typeof old === 'string') parent[last] = mode % 2 === 0 ? text : DOMAIN_STRINGS[num % DOMAIN_STRINGS.length]
    else if (typeof old === 'number') parent[last] = num
    else if (typeof old === 'boolean') parent[last] = !old
    else if (Array.isArray(old)) parent[last] = mode % 2 === 0 ? [] : [...old, ...old]
  }
  return JSON.parse(JSON.stringify(record) ?? 'null') as unknown
}

const recordArb = fc.oneof(
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 4 }) },
  {
    weight: 6,
    arbitrary: fc
      .tuple(
        fc.constantFrom(...examples),
        fc.array(
          fc.tuple(
            fc.nat(),
            fc.integer({ min: 0, max: 9 }),
            fc.string({ maxLength: 20 }),
            fc.integer({ min: -5, max: 500 }),
            fc.jsonValue({ maxDepth: 3 }),
          ),
          {
            minLength: 1,
            maxLength: 4,
          },
        ),
      )
      .map(([base, edits]) => mutate(base, edits)),
  },
)

const asOfArb = fc.oneof(
  {
    weight: 4,
    arbitrary: fc
      .date({ min: new Date('2023-09-18T00:00:00Z'), max: new Date('2030-12-31T00:00:00Z'), noInvalidDate: true })
      .map((d) => d.toISOString().slice(0, 10)),
  },
  { weight: 1, arbitrary: fc.constantFrom('2020-01-01', '2026-02-29', '2026-13-01', '', '2026-11-24T00:00:00Z', '9999-12-31') },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
)

function expectDecisionOrTypedError(outcome: PromiseSettledResult<Decision>, policies: readonly Policy[]): void {
  if (outcome.status === 'fulfilled') {
    const d = outcome.value
    const policy = policies.find((p) => p.id === d.policy.id && p.version === d.policy.version)
    expect(policy).toBeDefined()
    expect(policy!.outcomes).toContain(d.outcome)
    expect(d.reasons.every((r) => policy!.outcomes.includes(r.outcome))).toBe(true)
    return
  }
  const err: unknown = outcome.reason
  if (!(err instanceof CollabgateError)) throw err
  expect(err.code).toMatch(/^E_[A-Z_]+$/)
  expect(err.message.length).toBeGreaterThan(0)
}

describe('fuzz: random records against every shipped policy', () => {
  it(`ends every decision in a Decision or a typed error (${RECORD_RUNS} runs, both evaluators)`, async () => {
    const ids = [...new Set(shipped.policies.map((p) => p.id))]
    let decided = 0
    let refused = 0
    await fc.assert(
      fc.asyncProperty(
        recordArb,
        fc.option(fc.constantFrom(...ids), { nil: undefined, freq: 2 }),
        asOfArb,
        async (record, policy, asOf) => {
          for (const evaluator of ['compiled', 'engine'] as const) {
            const [outcome] = await Promise.allSettled([shipped.decide(record, { asOf, evaluator, ...(policy ? { policy } : {}) })])
            expectDecisionOrTypedError(outcome, shipped.policies)
            if (outcome.status === 'fulfilled') decided++
            else refused++
          }
        },
      ),
      { numRuns: RECORD_RUNS, seed: 20261124 },
    )
    expect(decided + refused).toBe(RECORD_RUNS * 2)
    // the generator must reach past the schema often enough to exercise the evaluators
    expect(decided).toBeGreaterThan(RECORD_RUNS / 10)
    expect(Object.getOwnPropertyNames(Object.prototype)).not.toContain('polluted')
  })
})

const YAML_SNIPPETS = [
  ': ',
  '- ',
  '[',
  ']',
  '{',
  '}',
  '&a ',
  '*a',
  '!!str ',
  '!!js/function ',
  '# ',
  '|\n',
  '>\n',
  '"',
  "'",
  '\n',
  '  ',
  '\t',
  '~',
  'null',
  '__proto__: ',
  'constructor',
  '$.',
  '{{ ',
  ' }}',
  '1.0.0',
  '2026-02-30',
  'operator: ',
  'fact: ',
  'value: ',
  '---\n',
  '...\n',
  '? ',
  '<<: *a\n',
  '%YAML 1.1\n',
  '\u0000',
  '\uFEFF',
]

type Edit =
  | { kind: 'insert'; at: number; text: string }
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'duplicateLine'; line: number }
  | { kind: 'swapLines'; a: number; b: number }
  | { kind: 'replaceWord'; nth: number; word: string }

const editArb: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    text: fc.oneof(fc.constantFrom(...YAML_SNIPPETS), fc.string({ maxLength: 8 })),
  }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ kind: fc.constant('duplicateLine' as const), line: fc.nat() }),
  fc.record({ kind: fc.constant('swapLines' as const), a: fc.nat(), b: fc.nat() }),
  fc.record({
    kind: fc.constant('replaceWord' as const),
    nth: fc.nat(),
    word: fc.constantFrom(
      'equal',
      'present',
      'someMatch',
      'in',
      'dateBefore',
      'reject',
      'allow',
      'true',
      '0',
      '-1',
      '[]',
      '{}',
      'asOf',
      'incidents',
      '$.x',
      '__proto__',
      '"2026-11-24"',
      '*a',
      '&a',
    ),
  }),
)

function applyEdits(text: string, edits: readonly Edit[]): string {
  let out = text
  for (const e of edits) {
    const lines = out.split('\n')
    switch (e.kind) {
      case 'insert': {
        const at = e.at % (out.length + 1)
        out = out.slice(0, at) + e.text + out.slice(at)
        break
      }
      case 'delete': {
        const at = e.at % (out.length + 1)
        out = out.slice(0, at) + out.slice(at + e.length)
        break
      }
      case 'duplicateLine': {
        const i = e.line % lines.length
        lines.splice(i, 0, lines[i]!)
        out = lines.join('\n')
        break
      }
      case 'swapLines': {
        const a = e.a % lines.length
        const b = e.b % lines.length
        ;[lines[a], lines[b]] = [lines[b]!, lines[a]!]
        out = lines.join('\n')
        break
      }
      case 'replaceWord': {
        const words = [...out.matchAll(/[A-Za-z_$][\w.$-]*/g)]
        const w = words[e.nth % Math.max(words.length, 1)]
        if (w && w.index !== undefined) out = out.slice(0, w.index) + e.word + out.slice(w.index + w[0].length)
        break
      }
    }
  }
  return out
}

describe('fuzz: random mutations of the shipped YAML', () => {
  it(`validates every mutant into a policy or typed problems, and decides with valid ones (${YAML_RUNS} runs)`, async () => {
    const texts = [...shippedPolicyTexts()]
    let valid = 0
    let invalid = 0
    const codes = new Set<string>()
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...texts), fc.array(editArb, { minLength: 1, maxLength: 4 }), async ([name, text], edits) => {
        const mutant = applyEdits(text, edits)
        const { policy, problems } = checkPolicyDocument(parseYamlSource(name, mutant), shippedFolder())
        for (const p of problems) {
          expect(p.code).toMatch(/^E_[A-Z_]+$/)
          expect(p.file).toBe(name)
          expect(p.line).toBeGreaterThanOrEqual(1)
          expect(p.column).toBeGreaterThanOrEqual(1)
          expect(typeof p.pointer).toBe('string')
          expect(p.message.length).toBeGreaterThan(0)
          codes.add(p.code)
        }
        if (!policy) {
          expect(problems.length).toBeGreaterThan(0)
          invalid++
          return
        }
        expect(problems).toEqual([])
        valid++
        const set = new PolicySet([policy])
        const records =
          policy.subject === 'application'
            ? APPLICATIONS.map((n) => example('applications', n))
            : BEHAVIOUR.map((n) => example('behaviour', n))
        for (const record of records.slice(0, 2)) {
          for (const evaluator of ['compiled', 'engine'] as const) {
            const [outcome] = await Promise.allSettled([set.decide(record, { asOf: policy.effective.from, policy: policy.id, evaluator })])
            expectDecisionOrTypedError(outcome, [policy])
          }
        }
      }),
      { numRuns: YAML_RUNS, seed: 20261125 },
    )
    expect(valid + invalid).toBe(YAML_RUNS)
    // both sides must be reached, or the property proves little
    expect(valid).toBeGreaterThan(0)
    expect(invalid).toBeGreaterThan(0)
    expect(codes.size).toBeGreaterThan(3)
  })
})
