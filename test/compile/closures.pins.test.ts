/**
 * The compilers on shapes the validator keeps from policies but a direct caller can hand them (an
 * unsupported path, a path on `asOf`, an empty `any`), and the promise form of the compiled evaluator.
 * Each case is compiled both ways, so the two evaluators are pinned to the same answer.
 */
import { describe, expect, it } from 'vitest'
import { compileClosures } from '../../src/compile/closures.js'
import { compileEngine } from '../../src/compile/engine.js'
import type { Condition, Policy, PolicyRecord } from '../../src/model.js'

const HERE = { file: 'f', line: 1, column: 1 }

/** A policy of one rule with one check (not validated: the compilers take it as it is). */
function policyWith(require: unknown): Policy {
  return {
    id: 'p',
    version: '1.0.0',
    title: 't',
    subject: 'probe',
    outcomes: ['block', 'pass'],
    defaultOutcome: 'pass',
    primary: false,
    effective: { from: '2020-01-01' },
    rules: [
      {
        id: 'R-1',
        title: 'r',
        basis: { status: 'modelled', from: 'x' },
        location: HERE,
        checks: [{ outcome: 'block', require: require as Condition, message: 'm', pointer: '/rules/0', location: HERE }],
      },
    ],
    digest: 'sha256:0',
    location: HERE,
    document: {},
    calendar: 'US',
    record: { subject: 'probe', idField: 'id', recognise: { fact: 'id', operator: 'present', value: true } } as never,
  } as Policy
}

/** Whether the one check passes, on the closures and on json-rules-engine (which must agree). */
async function passes(require: unknown, record: PolicyRecord, asOf = '2026-11-30'): Promise<boolean> {
  const policy = policyWith(require)
  const compiled = compileClosures(policy).evaluateSync(record, asOf)[0]!.checks[0]!.passed
  const engine = (await compileEngine(policy).evaluate(record, asOf))[0]!.checks[0]!.passed
  expect(engine, 'json-rules-engine agrees').toBe(compiled)
  return compiled
}

describe('a path the language does not support', () => {
  it('finds nothing in an object, and leaves a non-object value as it is', async () => {
    const odd = (value: unknown) => ({ fact: 'v', path: "$['odd key']", operator: 'present', value })
    // in an object: nothing, so `present: false` holds and `present: true` does not
    expect(await passes(odd(false), { id: 'r', v: { 'odd key': 'x' } })).toBe(true)
    expect(await passes(odd(true), { id: 'r', v: { 'odd key': 'x' } })).toBe(false)
    // a string is not an object: the path is not applied, the value itself is present
    expect(await passes(odd(true), { id: 'r', v: 'text' })).toBe(true)
    expect(await passes({ fact: 'v', path: "$['odd key']", operator: 'equal', value: 'text' }, { id: 'r', v: 'text' })).toBe(true)
    // null stays null: missing
    expect(await passes(odd(false), { id: 'r', v: null })).toBe(true)
  })

  it('shows what it read in the explanation: undefined for an object, the value itself otherwise', () => {
    const evaluator = compileClosures(policyWith({ fact: 'v', path: "$['odd key']", operator: 'equal', value: 'x' }))
    const leafOf = (record: PolicyRecord) => {
      const tree = evaluator.explainSync(record, '2026-11-30')[0]!.checks[0]!.tree
      return tree.kind === 'group' ? tree.children[0] : tree
    }
    expect(leafOf({ id: 'r', v: { 'odd key': 'x' } })).toMatchObject({ kind: 'leaf', passed: false, actual: undefined })
    expect(leafOf({ id: 'r', v: 7 })).toMatchObject({ kind: 'leaf', passed: false, actual: 7 })
    // null is no object either: it stays null (json-rules-engine reports null too), not undefined
    const leaf = leafOf({ id: 'r', v: null })
    expect(leaf?.kind === 'leaf' && leaf.actual).toBeNull()
  })
})

describe('asOf with a path', () => {
  it('is the decision date itself: a string is not an object, so the path is not applied', async () => {
    const onOrAfter = { fact: 'asOf', path: '$.day', operator: 'dateOnOrAfter', value: '2026-11-30' }
    expect(await passes(onOrAfter, { id: 'r' }, '2026-11-30')).toBe(true)
    expect(await passes(onOrAfter, { id: 'r' }, '2026-11-29')).toBe(false)
    const evaluator = compileClosures(policyWith(onOrAfter))
    const tree = evaluator.explainSync({ id: 'r' }, '2026-11-29')[0]!.checks[0]!.tree
    expect(tree).toMatchObject({ kind: 'group', children: [{ kind: 'leaf', actual: '2026-11-29', expected: '2026-11-30' }] })
  })
})

describe('an empty group', () => {
  it('holds, whether `any` or `all`, on both evaluators (json-rules-engine: an empty group holds)', async () => {
    expect(await passes({ any: [] }, { id: 'r' })).toBe(true)
    expect(await passes({ all: [] }, { id: 'r' })).toBe(true)
    // inside another group too, where the fast test (not the explanation) decides
    expect(await passes({ all: [{ any: [] }, { fact: 'id', operator: 'present', value: true }] }, { id: 'r' })).toBe(true)
    expect(await passes({ not: { any: [] } }, { id: 'r' })).toBe(false)
  })
})

describe('evaluate(), the promise form of the compiled evaluator', () => {
  it('resolves to what evaluateSync returns', async () => {
    const evaluator = compileClosures(policyWith({ fact: 'v', operator: 'equal', value: 1 }))
    const record = { id: 'r', v: 2 }
    const results = await evaluator.evaluate(record, '2026-11-30')
    expect(results).toEqual(evaluator.evaluateSync(record, '2026-11-30'))
    expect(results[0]!.checks[0]!.passed).toBe(false)
    expect((await evaluator.evaluate({ id: 'r', v: 1 }, '2026-11-30'))[0]!.checks[0]!.passed).toBe(true)
  })

  it('rejects, rather than throws, when reading the record throws; a thrown non-Error becomes an Error', async () => {
    const evaluator = compileClosures(policyWith({ fact: 'v', operator: 'equal', value: 1 }))
    const throwing = (thrown: unknown) =>
      Object.defineProperty({ id: 'r' }, 'v', {
        enumerable: true,
        get() {
          throw thrown
        },
      }) as PolicyRecord
    const boom = new TypeError('boom')
    let promise: Promise<unknown> | undefined
    expect(() => {
      promise = evaluator.evaluate(throwing(boom), '2026-11-30')
    }).not.toThrow()
    await expect(promise).rejects.toBe(boom)
    const rejected = await evaluator.evaluate(throwing('plain text'), '2026-11-30').then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(rejected).toBeInstanceOf(Error)
    expect((rejected as Error).message).toBe('plain text')
  })
})

describe('a list match inside a list match', () => {
  it('is refused by both compilers with the same message', () => {
    const inner = { fact: 'items', operator: 'someMatch', value: { path: '$.id', operator: 'present', value: true } }
    const nested = policyWith({ fact: 'items', operator: 'someMatch', value: inner })
    expect(() => compileClosures(nested)).toThrow(new Error('list matches cannot be nested'))
    expect(() => compileEngine(nested)).toThrow(new Error('list matches cannot be nested'))
  })
})
