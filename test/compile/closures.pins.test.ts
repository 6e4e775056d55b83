/**
 * The compilers on shapes the validator keeps from policies but a direct caller can hand them (an
 * unsupported path, a path on `asOf`, an empty `any`), and the promise form of the compiled evaluator.
 * Each case is compiled both ways, so the two evaluators are pinned to the same answer.
 */
import { describe, expect, it } from 'vitest'
import { compileClosures, compileTest, workingDaysAfter } from '../../src/compile/closures.js'
import { calendarNamed } from '../../src/calendar/calendars.js'
import type { WorkingDayCalendar } from '../../src/calendar/working-days.js'
import { CollabgateError } from '../../src/errors.js'
import { compileEngine } from '../../src/compile/engine.js'
import { compileGenerated } from '../../src/compile/generated.js'
import type { Condition, Policy, PolicyRecord } from '../../src/model.js'
import { unvalidatedPolicy } from '../core/probe.js'

/** A policy of one rule with one check (not validated: the compilers take it as it is). */
const policyWith = (require: unknown): Policy => unvalidatedPolicy(require)

/** Whether the one check passes, on the closures and on json-rules-engine (which must agree). */
async function passes(require: unknown, record: PolicyRecord, asOf = '2026-11-30'): Promise<boolean> {
  const policy = policyWith(require)
  const compiled = compileClosures(policy).evaluateSync(record, asOf)
  const engine = await compileEngine(policy).evaluate(record, asOf)
  // the same answer and, for a failing check, the same tree with the same values
  expect(engine, 'json-rules-engine agrees').toEqual(compiled)
  expect(compileGenerated(policy).evaluateSync(record, asOf), 'the generated evaluator agrees').toEqual(compiled)
  return compiled[0]!.checks[0]!.passed
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
  it('is the decision date, never a record field of that name', async () => {
    const onOrAfter = { fact: 'asOf', operator: 'dateOnOrAfter', value: '2026-11-30' }
    expect(await passes(onOrAfter, { id: 'r', asOf: '1999-01-01' }, '2026-11-30')).toBe(true)
    expect(await passes(onOrAfter, { id: 'r', asOf: '2030-01-01' }, '2026-11-29')).toBe(false)
  })

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
  it('is refused by both compilers with the same typed error', () => {
    const inner = { fact: 'items', operator: 'someMatch', value: { path: '$.id', operator: 'present', value: true } }
    const nested = policyWith({ fact: 'items', operator: 'someMatch', value: inner })
    const refusal = new CollabgateError('E_INVALID_ARGUMENT', 'list matches cannot be nested')
    expect(() => compileClosures(nested)).toThrow(refusal)
    expect(() => compileEngine(nested)).toThrow(refusal)
  })
})

describe('paths, on both evaluators', () => {
  const at = (path: string, value: unknown) => ({ fact: 'v', path, operator: 'equal', value })

  it('read own fields one and two levels down, and no further than the value goes', async () => {
    expect(await passes(at('$.a', 1), { id: 'r', v: { a: 1 } })).toBe(true)
    expect(await passes(at('$.a', 1), { id: 'r', v: { a: 2 } })).toBe(false)
    expect(await passes(at('$.a.b', 1), { id: 'r', v: { a: { b: 1 } } })).toBe(true)
    expect(await passes(at('$.a.b', 1), { id: 'r', v: { a: { c: 1 } } })).toBe(false)
    expect(await passes(at('$.a.b', 1), { id: 'r', v: { a: 1 } })).toBe(false)
    expect(await passes(at('$.a.b', 1), { id: 'r', v: { a: null } })).toBe(false)
    expect(await passes(at('$.a.b.c', 1), { id: 'r', v: { a: { b: { c: 1 } } } })).toBe(true)
    expect(await passes(at('$.a[1]', 'y'), { id: 'r', v: { a: ['x', 'y'] } })).toBe(true)
    expect(await passes(at('$[0]', 'x'), { id: 'r', v: ['x'] })).toBe(true)
    expect(await passes(at('$.a[0].b', 2), { id: 'r', v: { a: [{ b: 2 }] } })).toBe(true)
  })

  it('never read inherited properties or an index of a list as a field', async () => {
    const present = (path: string) => ({ fact: 'v', path, operator: 'present', value: true })
    expect(await passes(present('$.constructor'), { id: 'r', v: {} })).toBe(false)
    expect(await passes(present('$.a.constructor'), { id: 'r', v: { a: {} } })).toBe(false)
    expect(await passes(present('$.a.toString'), { id: 'r', v: { a: { b: 1 } } })).toBe(false)
    expect(await passes(present('$.length'), { id: 'r', v: ['x'] })).toBe(false)
    expect(await passes(present('$.a.length'), { id: 'r', v: { a: ['x'] } })).toBe(false)
    // nor a property of text one level down
    expect(await passes(present('$.a.length'), { id: 'r', v: { a: 'abc' } })).toBe(false)
    const inherited = Object.create({ a: 1 }) as Record<string, unknown>
    expect(await passes(present('$.a'), { id: 'r', v: inherited })).toBe(false)
    expect(await passes(present('$.a.b'), { id: 'r', v: { a: Object.create({ b: 1 }) as unknown } })).toBe(false)
    // a fact is an own field of the record too
    expect(await passes({ fact: 'toString', operator: 'present', value: true }, { id: 'r' })).toBe(false)
    expect(await passes({ fact: 'toString', operator: 'present', value: false }, { id: 'r' })).toBe(true)
  })

  it('leave a value that is not an object as it is, one level down or two', async () => {
    expect(await passes(at('$.a', 'text'), { id: 'r', v: 'text' })).toBe(true)
    expect(await passes(at('$.a.b', 5), { id: 'r', v: 5 })).toBe(true)
    expect(await passes(at('$.a.b.c', 5), { id: 'r', v: 5 })).toBe(true)
    expect(await passes({ fact: 'v', path: '$.a', operator: 'present', value: false }, { id: 'r', v: null })).toBe(true)
    // null is no object: any path leaves it null (not undefined), short or long
    for (const path of ['$.a', '$.a.b', '$.a.b.c', '$[0]']) {
      const tree = compileClosures(policyWith({ fact: 'v', path, operator: 'equal', value: 1 })).explainSync(
        { id: 'r', v: null },
        '2026-11-30',
      )
      const leaf = tree[0]!.checks[0]!.tree
      expect(leaf.kind === 'group' && leaf.children[0]!.kind === 'leaf' ? leaf.children[0]!.actual : 'no leaf', path).toBeNull()
    }
  })
})

describe('groups, on both evaluators', () => {
  const is = (fact: string, value: unknown) => ({ fact, operator: 'equal', value })

  it('all: every member; any: one member; not: the opposite; with one, two and three members', async () => {
    const record = { id: 'r', a: 1, b: 2, c: 3 }
    expect(await passes({ all: [is('a', 1), is('b', 2), is('c', 3)] }, record)).toBe(true)
    expect(await passes({ all: [is('a', 1), is('b', 2), is('c', 0)] }, record)).toBe(false)
    expect(await passes({ all: [is('a', 0), is('b', 2)] }, record)).toBe(false)
    expect(await passes({ all: [is('a', 1)] }, record)).toBe(true)
    expect(await passes({ all: [is('a', 0)] }, record)).toBe(false)
    expect(await passes({ any: [is('a', 0), is('b', 0), is('c', 3)] }, record)).toBe(true)
    expect(await passes({ any: [is('a', 1), is('b', 0)] }, record)).toBe(true)
    expect(await passes({ any: [is('a', 0), is('b', 0)] }, record)).toBe(false)
    expect(await passes({ any: [is('a', 0)] }, record)).toBe(false)
    expect(await passes({ any: [is('a', 1)] }, record)).toBe(true)
    expect(await passes({ not: is('a', 1) }, record)).toBe(false)
    expect(await passes({ not: is('a', 0) }, record)).toBe(true)
    expect(await passes({ all: [{ not: { any: [is('a', 0), is('b', 0)] } }, is('c', 3)] }, record)).toBe(true)
    // failing checks whose trees hold a `not`, an `any` and an `all` that passed, compared node by node
    expect(await passes({ all: [{ not: is('a', 0) }, { any: [is('b', 2)] }, { all: [is('c', 3)] }, is('b', 0)] }, record)).toBe(false)
  })

  it('explain every member, passed or not, with the group passed as the test says', () => {
    const evaluator = compileClosures(policyWith({ any: [is('a', 0), { not: is('b', 2) }, { all: [] }] }))
    const tree = evaluator.explainSync({ id: 'r', a: 1, b: 2 }, '2026-11-30')[0]!.checks[0]!.tree
    expect(tree).toEqual({
      kind: 'group',
      op: 'any',
      passed: true,
      children: [
        { kind: 'leaf', leaf: is('a', 0), passed: false, actual: 1, expected: 0 },
        { kind: 'group', op: 'not', passed: false, children: [{ kind: 'leaf', leaf: is('b', 2), passed: true, actual: 2, expected: 2 }] },
        { kind: 'group', op: 'all', passed: true, children: [] },
      ],
    })
    const empty = compileClosures(policyWith({ any: [] })).explainSync({ id: 'r' }, '2026-11-30')[0]!.checks[0]!.tree
    expect(empty).toEqual({ kind: 'group', op: 'any', passed: true, children: [] })
    const failing = compileClosures(policyWith({ all: [is('a', 1), is('b', 0)] })).explainSync({ id: 'r', a: 1, b: 2 }, '2026-11-30')
    expect(failing[0]!.checks[0]!.tree).toMatchObject({ kind: 'group', op: 'all', passed: false })
    const anyFails = compileClosures(policyWith({ any: [is('a', 0), is('b', 0)] })).explainSync({ id: 'r', a: 1, b: 2 }, '2026-11-30')
    expect(anyFails[0]!.checks[0]!.tree).toMatchObject({ kind: 'group', op: 'any', passed: false })
  })
})

describe('list matches, on both evaluators', () => {
  const bad = { path: '$.bad', operator: 'equal', value: true }
  const list = (operator: string) => ({ fact: 'items', operator, value: bad })

  it('someMatch: an element matches; noneMatch: none does; neither holds for a value that is not a list', async () => {
    const some = [{ bad: false }, { bad: true }]
    const none = [{ bad: false }, {}]
    for (const [items, someHolds, noneHolds] of [
      [some, true, false],
      [none, false, true],
      [[], false, true],
      [[{ bad: true }], true, false],
      ['text', false, false],
      [{ bad: true }, false, false],
      [undefined, false, false],
      [null, false, false],
    ] as const) {
      const record = items === undefined ? { id: 'r' } : { id: 'r', items }
      expect(await passes(list('someMatch'), record), `someMatch ${JSON.stringify(items)}`).toBe(someHolds)
      expect(await passes(list('noneMatch'), record), `noneMatch ${JSON.stringify(items)}`).toBe(noneHolds)
    }
  })

  it('explains with the matching elements as the actual value, and true as expected', () => {
    const items = [{ id: 1, bad: true }, { id: 2 }, { id: 3, bad: true }]
    const tree = (operator: string, value: unknown) =>
      compileClosures(policyWith(list(operator))).explainSync({ id: 'r', items: value }, '2026-11-30')[0]!.checks[0]!.tree
    expect(tree('noneMatch', items)).toEqual({
      kind: 'group',
      op: 'all',
      passed: false,
      children: [{ kind: 'leaf', leaf: list('noneMatch'), passed: false, actual: [items[0], items[2]], expected: true }],
    })
    expect(tree('someMatch', items)).toMatchObject({ passed: true, children: [{ passed: true, actual: [items[0], items[2]] }] })
    expect(tree('someMatch', [{ id: 2 }])).toMatchObject({ passed: false, children: [{ passed: false, actual: [] }] })
    expect(tree('noneMatch', [{ id: 2 }])).toMatchObject({ passed: true, children: [{ passed: true, actual: [] }] })
    expect(tree('noneMatch', 'text')).toMatchObject({ passed: false, children: [{ passed: false, actual: undefined }] })
    expect(tree('someMatch', 'text')).toMatchObject({ passed: false, children: [{ passed: false, actual: undefined }] })
  })

  it('read the element as a leaf without a fact, and the record beside it (`$item` too)', async () => {
    const sameAsRecord = { fact: 'items', operator: 'someMatch', value: { path: '$.kind', operator: 'equal', value: 'x' } }
    expect(await passes(sameAsRecord, { id: 'r', items: [{ kind: 'x' }] })).toBe(true)
    const whole = { fact: 'items', operator: 'someMatch', value: { operator: 'equal', value: 'x' } }
    expect(await passes(whole, { id: 'r', items: ['y', 'x'] })).toBe(true)
    expect(await passes(whole, { id: 'r', items: ['y'] })).toBe(false)
    // a fact named `$item` is the record's field of that name, never the element
    const itemFact = { fact: 'items', operator: 'someMatch', value: { fact: '$item', operator: 'equal', value: 'x' } }
    expect(await passes(itemFact, { id: 'r', items: ['x'] })).toBe(false)
    expect(await passes(itemFact, { id: 'r', $item: 'x', items: ['y'] })).toBe(true)
    const itemPath = { fact: 'items', operator: 'someMatch', value: { fact: '$item', path: '$.k', operator: 'equal', value: 'x' } }
    expect(await passes(itemPath, { id: 'r', items: [{ k: 'x' }] })).toBe(false)
    expect(await passes(itemPath, { id: 'r', $item: { k: 'x' }, items: [{ k: 'y' }] })).toBe(true)
    // only the elements there are: none of one element is missing
    const missingElement = { fact: 'items', operator: 'noneMatch', value: { operator: 'present', value: false } }
    expect(await passes(missingElement, { id: 'r', items: ['x', 'y'] })).toBe(true)
    expect(await passes(missingElement, { id: 'r', items: ['x', null] })).toBe(false)
    // outside a list match, a leaf without a fact reads nothing
    expect(await passes({ operator: 'present', value: false }, { id: 'r', items: ['x'] })).toBe(true)
    expect(await passes({ path: '$.id', operator: 'present', value: false }, { id: 'r' })).toBe(true)
    const withRecord = {
      fact: 'items',
      operator: 'someMatch',
      value: {
        all: [
          { path: '$.k', operator: 'equal', value: 'x' },
          { fact: 'flag', operator: 'equal', value: true },
        ],
      },
    }
    expect(await passes(withRecord, { id: 'r', flag: true, items: [{ k: 'x' }] })).toBe(true)
    expect(await passes(withRecord, { id: 'r', flag: false, items: [{ k: 'x' }] })).toBe(false)
  })
})

describe('dates, on both evaluators', () => {
  const after = (value: unknown, fact = 'd') => ({ fact, operator: 'dateAfter', value })

  it('compare with a literal, another field (with a path), the element, or working days after any of them', async () => {
    expect(await passes(after('2026-11-30'), { id: 'r', d: '2026-12-01' })).toBe(true)
    expect(await passes(after('2026-11-30'), { id: 'r', d: '2026-11-30' })).toBe(false)
    expect(await passes(after({ fact: 'e' }), { id: 'r', d: '2026-12-01', e: '2026-11-30' })).toBe(true)
    expect(await passes(after({ fact: 'e' }), { id: 'r', d: '2026-12-01', e: '2026-12-01' })).toBe(false)
    expect(await passes(after({ fact: 'e', path: '$.at' }), { id: 'r', d: '2026-12-01', e: { at: '2026-11-30' } })).toBe(true)
    expect(await passes(after({ fact: 'asOf' }), { id: 'r', d: '2026-12-01' }, '2026-11-30')).toBe(true)
    expect(await passes(after({ fact: 'asOf' }), { id: 'r', d: '2026-12-01' }, '2026-12-01')).toBe(false)
    // Friday 2026-11-27 + 1 working day = Monday 2026-11-30
    const due = { addWorkingDays: 1, to: '2026-11-27' }
    expect(await passes(after(due), { id: 'r', d: '2026-11-30' })).toBe(false)
    expect(await passes(after(due), { id: 'r', d: '2026-12-01' })).toBe(true)
    const dueOf = { addWorkingDays: 2, to: { fact: 'e' } }
    expect(await passes(after(dueOf), { id: 'r', d: '2026-12-01', e: '2026-11-27' })).toBe(false)
    expect(await passes(after(dueOf), { id: 'r', d: '2026-12-02', e: '2026-11-27' })).toBe(true)
    // a date-time counts by its day; a value that is no date makes no deadline
    expect(await passes(after(dueOf), { id: 'r', d: '2026-12-02', e: '2026-11-27T23:00:00Z' })).toBe(true)
    expect(await passes(after(dueOf), { id: 'r', d: '2026-12-02', e: 'soon' })).toBe(false)
    expect(await passes(after(dueOf), { id: 'r', d: '2026-12-02' })).toBe(false)
    const nested = { addWorkingDays: 1, to: { addWorkingDays: 1, to: '2026-11-26' } }
    expect(await passes(after(nested), { id: 'r', d: '2026-11-30' })).toBe(false)
    expect(await passes(after(nested), { id: 'r', d: '2026-12-01' })).toBe(true)
    const inList = {
      fact: 'items',
      operator: 'someMatch',
      value: { path: '$.done', operator: 'dateAfter', value: { addWorkingDays: 1, to: { path: '$.start' } } },
    }
    expect(await passes(inList, { id: 'r', items: [{ start: '2026-11-27', done: '2026-12-01' }] })).toBe(true)
    expect(await passes(inList, { id: 'r', items: [{ start: '2026-11-27', done: '2026-11-30' }] })).toBe(false)
    // inside a list match, a date operand may read the record's own fields, directly or as a working-day base
    for (const value of [{ fact: 'start' }, { addWorkingDays: 1, to: { fact: 'start' } }]) {
      const readsRecord = { fact: 'items', operator: 'someMatch', value: { path: '$.done', operator: 'dateOnOrAfter', value } }
      expect(await passes(readsRecord, { id: 'r', start: '2026-11-27', items: [{ done: '2026-12-01' }] }), JSON.stringify(value)).toBe(true)
      expect(await passes(readsRecord, { id: 'r', start: '2026-12-02', items: [{ done: '2026-12-01' }] }), JSON.stringify(value)).toBe(
        false,
      )
    }
    // a base that is no date operand at all (a number) is no date, even inside a list of dates
    const numberBase = { fact: 'items', operator: 'someMatch', value: { operator: 'dateOnOrAfter', value: { addWorkingDays: 0, to: 5 } } }
    expect(await passes(numberBase, { id: 'r', items: ['2026-11-27'] })).toBe(false)
    const nullBase = { fact: 'items', operator: 'someMatch', value: { operator: 'dateOnOrAfter', value: { addWorkingDays: 0, to: null } } }
    expect(await passes(nullBase, { id: 'r', items: ['2026-11-27'] })).toBe(false)
  })

  it('explain with the resolved deadline as expected', () => {
    const evaluator = compileClosures(policyWith(after({ addWorkingDays: 1, to: { fact: 'e' } })))
    const tree = evaluator.explainSync({ id: 'r', d: '2026-11-30', e: '2026-11-27' }, '2026-11-30')[0]!.checks[0]!.tree
    expect(tree).toMatchObject({ children: [{ kind: 'leaf', passed: false, actual: '2026-11-30', expected: '2026-11-30' }] })
  })
})

describe('evaluateSync', () => {
  const is = (fact: string, value: unknown) => ({ fact, operator: 'equal', value })

  it('reports each check of each rule: passed ones without a tree, failing ones with theirs', () => {
    const policy = policyWith(is('a', 1))
    const second = { ...policy.rules[0]!.checks[0]!, outcome: 'pass', require: is('b', 2) as Condition }
    policy.rules = [
      { ...policy.rules[0]!, checks: [policy.rules[0]!.checks[0]!, second] },
      { ...policy.rules[0]!, id: 'R-2' },
    ]
    const evaluator = compileClosures(policy)
    const results = evaluator.evaluateSync({ id: 'r', a: 0, b: 2 }, '2026-11-30')
    expect(results.map((r) => [r.rule.id, r.checks.map((c) => [c.passed, c.tree === undefined])])).toEqual([
      [
        'R-1',
        [
          [false, false],
          [true, true],
        ],
      ],
      ['R-2', [[false, false]]],
    ])
    const onlySecond = evaluator.evaluateSync({ id: 'r', a: 1, b: 0 }, '2026-11-30')
    expect(onlySecond[0]!.checks.map((c) => c.passed)).toEqual([true, false])
    expect(onlySecond[0]!.checks[1]!.tree).toMatchObject({ children: [{ actual: 0, expected: 2 }] })
    expect(onlySecond[1]!.checks.map((c) => c.passed)).toEqual([true])
    const both = evaluator.evaluateSync({ id: 'r', a: 0, b: 0 }, '2026-11-30')
    expect(both[0]!.checks.map((c) => [c.passed, c.tree === undefined])).toEqual([
      [false, false],
      [false, false],
    ])
    // a failing result is new each time; the shared passed one is not changed by it
    const again = evaluator.evaluateSync({ id: 'r', a: 1, b: 2 }, '2026-11-30')
    expect(again[0]!.checks.map((c) => c.passed)).toEqual([true, true])
  })
})

describe('the review clock', () => {
  function reviewed(review: unknown): ReturnType<typeof compileClosures> {
    return compileClosures({ ...policyWith(is('id', 'r')), review } as Policy)
  }
  const is = (fact: string, value: unknown) => ({ fact, operator: 'equal', value })
  const review = { from: { fact: 'sent' }, workingDays: 2, decided: { fact: 'result', operator: 'present', value: true } }

  it('is due working days after the from date, and overdue only after that day with no decision', () => {
    const clock = reviewed(review)
    expect(clock.reviewSync({ id: 'r', sent: '2026-11-27' }, '2026-12-01')).toEqual({
      submittedAt: '2026-11-27',
      dueBy: '2026-12-01',
      overdue: false,
    })
    expect(clock.reviewSync({ id: 'r', sent: '2026-11-27' }, '2026-12-02')).toEqual({
      submittedAt: '2026-11-27',
      dueBy: '2026-12-01',
      overdue: true,
    })
    expect(clock.reviewSync({ id: 'r', sent: '2026-11-27', result: 'ok' }, '2026-12-02')).toEqual({
      submittedAt: '2026-11-27',
      dueBy: '2026-12-01',
      overdue: false,
    })
    expect(clock.reviewSync({ id: 'r', sent: '2026-11-27T10:00:00Z' }, '2026-12-02')).toMatchObject({ submittedAt: '2026-11-27' })
    const withPath = reviewed({ ...review, from: { fact: 'dates', path: '$.sent' } })
    expect(withPath.reviewSync({ id: 'r', dates: { sent: '2026-11-27' } }, '2026-12-02')).toMatchObject({
      dueBy: '2026-12-01',
      overdue: true,
    })
  })

  it('has no state without a from date, past 9999, or when the policy declares no review', () => {
    const clock = reviewed(review)
    expect(clock.reviewSync({ id: 'r' }, '2026-12-02')).toBeUndefined()
    expect(clock.reviewSync({ id: 'r', sent: 'soon' }, '2026-12-02')).toBeUndefined()
    expect(clock.reviewSync({ id: 'r', sent: '9999-12-31' }, '2026-12-02')).toBeUndefined()
    expect(reviewed(undefined).reviewSync({ id: 'r', sent: '2026-11-27' }, '2026-12-02')).toBeUndefined()
  })
})

describe('a two-field path through a null', () => {
  it('finds nothing under a null first field, on both evaluators (no TypeError from reading into null)', async () => {
    const present = (value: boolean) => ({ fact: 'v', path: '$.a.b', operator: 'present', value })
    expect(await passes(present(false), { id: 'r', v: { a: null } })).toBe(true)
    expect(await passes(present(true), { id: 'r', v: { a: null } })).toBe(false)
  })
})

describe('workingDaysAfter', () => {
  it('is no date for a date the calendar refuses (E_INVALID_DATE), and passes any other calendar error on', () => {
    const refusing = {
      addWorkingDays: () => {
        throw new CollabgateError('E_INVALID_DATE', 'past 9999')
      },
    } as unknown as WorkingDayCalendar
    const broken = {
      addWorkingDays: () => {
        throw new Error('holiday source down')
      },
    } as unknown as WorkingDayCalendar
    expect(workingDaysAfter(refusing, '9999-12-31', 1)).toBeUndefined()
    expect(() => workingDaysAfter(broken, '2026-11-30', 1)).toThrow(new Error('holiday source down'))
    expect(workingDaysAfter(calendarNamed('US'), '2026-11-27', 1)).toBe('2026-11-30')
  })
})

describe('list matches outside any list element', () => {
  const tagged = { fact: 'tags', operator: 'someMatch', value: { operator: 'equal', value: 'x' } }

  it('compile in compileTest (a top-level condition is not inside an element)', () => {
    const test = compileTest(tagged as Condition)
    expect(test({ id: 'r', tags: ['y', 'x'] }, '2026-11-30')).toBe(true)
    expect(test({ id: 'r', tags: ['y'] }, '2026-11-30')).toBe(false)
  })

  it("compile in a review's decided condition", () => {
    const policy = {
      ...policyWith({ fact: 'id', operator: 'present', value: true }),
      review: { from: { fact: 'submittedAt' }, workingDays: 1, decided: tagged },
    } as Policy
    const review = compileClosures(policy).reviewSync
    expect(review({ id: 'r', submittedAt: '2026-11-02', tags: ['x'] }, '2026-11-30')).toEqual({
      submittedAt: '2026-11-02',
      dueBy: '2026-11-03',
      overdue: false,
    })
    expect(review({ id: 'r', submittedAt: '2026-11-02', tags: [] }, '2026-11-30')).toEqual({
      submittedAt: '2026-11-02',
      dueBy: '2026-11-03',
      overdue: true,
    })
  })
})

describe('a check that reads one field in several comparisons (the generated code reads it once)', () => {
  const require = {
    all: [
      { fact: 'a', path: '$.n', operator: 'greaterThanInclusive', value: 1 },
      { not: { fact: 'a', path: '$.s', operator: 'equal', value: 'x' } },
      { fact: 'a', path: '$.d', operator: 'dateOnOrBefore', value: { fact: 'a', path: '$.e' } },
      { fact: 'a', path: '$.list', operator: 'someMatch', value: { fact: 'a', path: '$.n', operator: 'equal', value: 2 } },
      { fact: 'a', operator: 'present', value: true },
    ],
  }
  const whole = { n: 2, s: 'y', d: '2026-01-01', e: '2026-02-01', list: [1] }

  it('answers as the closures and json-rules-engine whatever the field holds', async () => {
    expect(await passes(require, { a: whole })).toBe(true)
    for (const a of [undefined, null, 3, 'text', [], [whole], { ...whole, n: 0 }, { ...whole, s: 'x' }, { n: 2 }])
      expect(await passes(require, a === undefined ? {} : { a })).toBe(false)
  })

  it('never reads the field from a polluted Object.prototype', async () => {
    const proto = Object.prototype as Record<string, unknown>
    proto.a = whole
    try {
      expect(await passes(require, {})).toBe(false)
      const either = {
        any: [
          { fact: 'a', operator: 'present', value: true },
          { fact: 'a', path: '$.n', operator: 'equal', value: 2 },
        ],
      }
      expect(await passes(either, {})).toBe(false)
      expect(await passes(either, { a: { n: 2 } })).toBe(true)
    } finally {
      delete proto.a
    }
  })
})
