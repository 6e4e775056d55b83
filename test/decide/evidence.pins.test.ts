/**
 * Evidence and explanations built from condition results written by hand: which comparisons explain a
 * failure (failing members of `all`, every member of a failed `any`, what held under `not`), the exact
 * keys each entry has (absent, not undefined), list elements named by id, and a lone comparison shown
 * without the `all` it is compiled in.
 */
import { describe, expect, it } from 'vitest'
import type { ConditionResult } from '../../src/compile/result.js'
import { elementRef, evidenceOf, explainedOf, explanationOf } from '../../src/decide/evidence.js'
import type { Check, LeafCondition, Rule } from '../../src/model.js'

const HERE = { file: 'f', line: 3, column: 5 }

const leaf = (
  condition: Partial<LeafCondition> & { operator: string },
  passed: boolean,
  actual: unknown,
  expected: unknown,
): ConditionResult => ({
  kind: 'leaf',
  leaf: condition as LeafCondition,
  passed,
  actual,
  expected,
})
const group = (op: 'all' | 'any' | 'not', passed: boolean, children: ConditionResult[]): ConditionResult => ({
  kind: 'group',
  op,
  passed,
  children,
})

describe('elementRef', () => {
  it('shows an element that is not an object whole, null and undefined included, without reading an id from it', () => {
    expect(elementRef(null)).toBeNull()
    expect(elementRef(undefined)).toBeUndefined()
    expect(elementRef('id')).toBe('id')
    expect(elementRef(0)).toBe(0)
    const list = Object.assign(['a'], { id: 'not-an-element-id' })
    expect(elementRef(list)).toBe(list)
  })

  it('names an element by its string or number id, else shows it whole', () => {
    expect(elementRef({ id: 'x-1', a: 1 })).toBe('x-1')
    expect(elementRef({ id: 7 })).toBe(7)
    expect(elementRef({ id: 0 })).toBe(0)
    expect(elementRef({ id: '' })).toBe('')
    const noId = { a: 1 }
    expect(elementRef(noId)).toBe(noId)
    const boolId = { id: true }
    expect(elementRef(boolId)).toBe(boolId)
    const nullId = { id: null }
    expect(elementRef(nullId)).toBe(nullId)
    const listWithId = Object.assign(['a'], { id: 'L' })
    expect(elementRef(listWithId)).toBe(listWithId)
    for (const v of ['text', 3, null, undefined, false]) expect(elementRef(v)).toBe(v)
  })

  it('reads only an id of the element itself, never an inherited one', () => {
    const inherited = Object.create({ id: 'from-the-prototype' }) as object
    expect(elementRef(inherited)).toBe(inherited)
    const bare = Object.assign(Object.create(null) as object, { id: 'own' })
    expect(elementRef(bare)).toBe('own')
  })
})

describe('evidenceOf', () => {
  it('a failed leaf: fact, path, operator, expected and actual, and no other key', () => {
    expect(evidenceOf(leaf({ fact: 'country', operator: 'equal', value: 'US' }, false, 'CA', 'US'))).toStrictEqual([
      { fact: 'country', path: '$', operator: 'equal', expected: 'US', actual: 'CA' },
    ])
    expect(evidenceOf(leaf({ fact: 'a', path: '$.b', operator: 'equal', value: 1 }, false, 2, 1))).toStrictEqual([
      { fact: 'a', path: '$.b', operator: 'equal', expected: 1, actual: 2 },
    ])
  })

  it('a missing value is marked missing, with no actual key; an absent expected value has no key either', () => {
    expect(evidenceOf(leaf({ fact: 'a', operator: 'present', value: true }, false, undefined, true))).toStrictEqual([
      { fact: 'a', path: '$', operator: 'present', expected: true, missing: true },
    ])
    expect(evidenceOf(leaf({ fact: 'a', operator: 'dateAfter', value: { fact: 'b' } }, false, null, undefined))).toStrictEqual([
      { fact: 'a', path: '$', operator: 'dateAfter', missing: true },
    ])
    // falsy values are values
    expect(evidenceOf(leaf({ fact: 'a', operator: 'equal', value: 1 }, false, 0, 1))).toStrictEqual([
      { fact: 'a', path: '$', operator: 'equal', expected: 1, actual: 0 },
    ])
    expect(evidenceOf(leaf({ fact: 'a', operator: 'present', value: true }, false, '', true))).toStrictEqual([
      { fact: 'a', path: '$', operator: 'present', expected: true, actual: '' },
    ])
  })

  it('a leaf inside a list match names the element fact', () => {
    expect(evidenceOf(leaf({ path: '$.status', operator: 'equal', value: 'x' }, false, 'y', 'x'))).toStrictEqual([
      { fact: '$item', path: '$.status', operator: 'equal', expected: 'x', actual: 'y' },
    ])
  })

  it('a list match shows its condition as expected and the matching elements by id', () => {
    const where = { path: '$.bad', operator: 'equal', value: true }
    const items = [{ id: 'a', bad: true }, { bad: true }]
    expect(evidenceOf(leaf({ fact: 'items', operator: 'noneMatch', value: where }, false, items, true))).toStrictEqual([
      { fact: 'items', path: '$', operator: 'noneMatch', expected: where, actual: ['a', { bad: true }] },
    ])
    // a list match whose list is missing
    expect(evidenceOf(leaf({ fact: 'items', operator: 'someMatch', value: where }, false, undefined, true))).toStrictEqual([
      { fact: 'items', path: '$', operator: 'someMatch', expected: where, missing: true },
    ])
    // not a list match: a list value is kept whole, and expected is the resolved value, not the rule's
    expect(evidenceOf(leaf({ fact: 'tags', operator: 'containsAny', value: ['x'] }, false, [{ id: 'k' }], ['resolved']))).toStrictEqual([
      { fact: 'tags', path: '$', operator: 'containsAny', expected: ['resolved'], actual: [{ id: 'k' }] },
    ])
  })

  it('a passed leaf explains nothing', () => {
    expect(evidenceOf(leaf({ fact: 'a', operator: 'equal', value: 1 }, true, 1, 1))).toEqual([])
  })

  it('a failed `all`: its failing members only, in order', () => {
    const tree = group('all', false, [
      leaf({ fact: 'a', operator: 'equal', value: 1 }, false, 0, 1),
      leaf({ fact: 'b', operator: 'equal', value: 1 }, true, 1, 1),
      leaf({ fact: 'c', operator: 'equal', value: 1 }, false, 2, 1),
    ])
    expect(evidenceOf(tree).map((e) => e.fact)).toEqual(['a', 'c'])
  })

  it('a failed `all` looks into its failing members only: a member group that held explains nothing', () => {
    const heldAny = group('any', true, [
      leaf({ fact: 'a', operator: 'equal', value: 1 }, true, 1, 1),
      leaf({ fact: 'b', operator: 'equal', value: 1 }, false, 0, 1),
    ])
    const tree = group('all', false, [heldAny, leaf({ fact: 'c', operator: 'equal', value: 1 }, false, 2, 1)])
    expect(evidenceOf(tree).map((e) => e.fact)).toEqual(['c'])
  })

  it('a list match whose value is not a list (no evaluator makes one) shows it as it is', () => {
    const where = { path: '$.bad', operator: 'equal', value: true }
    expect(evidenceOf(leaf({ fact: 'items', operator: 'someMatch', value: where }, false, 'oops', true))).toStrictEqual([
      { fact: 'items', path: '$', operator: 'someMatch', expected: where, actual: 'oops' },
    ])
    expect(explainedOf(leaf({ fact: 'items', operator: 'someMatch', value: where }, false, 'oops', true))).toStrictEqual({
      fact: 'items',
      path: '$',
      operator: 'someMatch',
      passed: false,
      expected: where,
      actual: 'oops',
    })
  })

  it('a failed `any`: every member', () => {
    const tree = group('any', false, [
      leaf({ fact: 'a', operator: 'equal', value: 1 }, false, 0, 1),
      group('all', false, [
        leaf({ fact: 'b', operator: 'equal', value: 1 }, false, 0, 1),
        leaf({ fact: 'c', operator: 'equal', value: 1 }, true, 1, 1),
      ]),
    ])
    expect(evidenceOf(tree).map((e) => e.fact)).toEqual(['a', 'b'])
  })

  it('under `not`: the comparisons that held, negated; under `not not`: the failing ones again, not negated', () => {
    const held = leaf({ fact: 'a', operator: 'equal', value: 1 }, true, 1, 1)
    const failed = leaf({ fact: 'b', operator: 'equal', value: 1 }, false, 0, 1)
    expect(evidenceOf(group('not', false, [group('any', true, [held, failed])]))).toStrictEqual([
      { fact: 'a', path: '$', operator: 'not equal', expected: 1, actual: 1, negated: true },
    ])
    expect(evidenceOf(group('not', false, [group('not', true, [group('all', false, [held, failed])])]))).toStrictEqual([
      { fact: 'b', path: '$', operator: 'equal', expected: 1, actual: 0 },
    ])
  })

  it('appends to the list it is given', () => {
    const out = [{ fact: 'x', path: '$', operator: 'equal' }]
    expect(evidenceOf(leaf({ fact: 'a', operator: 'equal', value: 1 }, false, 0, 1), false, out)).toBe(out)
    expect(out.map((e) => e.fact)).toEqual(['x', 'a'])
  })
})

describe('explainedOf and explanationOf', () => {
  it('shows groups with their members and leaves with their values, exact keys only', () => {
    const where = { path: '$.bad', operator: 'equal', value: true }
    const tree = group('any', false, [
      leaf({ fact: 'a', path: '$.b', operator: 'equal', value: 1 }, false, 0, 1),
      leaf({ path: '$.c', operator: 'present', value: true }, true, 'x', true),
      leaf({ fact: 'd', operator: 'present', value: true }, false, null, undefined),
      leaf({ fact: 'items', operator: 'someMatch', value: where }, false, [{ id: 3 }, 'raw'], true),
      leaf({ fact: 'tags', operator: 'containsAny', value: ['x'] }, false, [{ id: 'k' }], ['x']),
    ])
    expect(explainedOf(tree)).toStrictEqual({
      group: 'any',
      passed: false,
      conditions: [
        { fact: 'a', path: '$.b', operator: 'equal', passed: false, expected: 1, actual: 0 },
        { fact: '$item', path: '$.c', operator: 'present', passed: true, expected: true, actual: 'x' },
        { fact: 'd', path: '$', operator: 'present', passed: false, missing: true },
        { fact: 'items', path: '$', operator: 'someMatch', passed: false, expected: where, actual: [3, 'raw'] },
        { fact: 'tags', path: '$', operator: 'containsAny', passed: false, expected: ['x'], actual: [{ id: 'k' }] },
      ],
    })
    expect(explainedOf(leaf({ fact: 'items', operator: 'someMatch', value: where }, false, undefined, true))).toStrictEqual({
      fact: 'items',
      path: '$',
      operator: 'someMatch',
      passed: false,
      expected: where,
      missing: true,
    })
  })

  it('shows a lone comparison without its `all` of one; other groups as they are; a rule passes when every check does', () => {
    const rule = { id: 'R-1', title: 'one', location: HERE } as Rule
    const check = (outcome: string) => ({ outcome }) as Check
    const lone = leaf({ fact: 'a', operator: 'equal', value: 1 }, true, 1, 1)
    const failing = leaf({ fact: 'b', operator: 'equal', value: 1 }, false, 0, 1)
    const explained = explanationOf([
      {
        rule,
        checks: [
          { check: check('reject'), tree: group('all', true, [lone]) },
          { check: check('review'), tree: group('all', false, [failing, lone]) },
          { check: check('info'), tree: group('any', false, [failing]) },
          { check: check('warn'), tree: failing },
        ],
      },
      { rule: { ...rule, id: 'R-2', title: 'two' }, checks: [{ check: check('reject'), tree: group('all', true, [lone]) }] },
      { rule: { ...rule, id: 'R-3', title: 'three' }, checks: [] },
    ])
    const shown = (r: typeof lone) => explainedOf(r)
    expect(explained).toStrictEqual([
      {
        rule: 'R-1',
        title: 'one',
        passed: false,
        checks: [
          { outcome: 'reject', passed: true, condition: shown(lone) },
          { outcome: 'review', passed: false, condition: explainedOf(group('all', false, [failing, lone])) },
          { outcome: 'info', passed: false, condition: explainedOf(group('any', false, [failing])) },
          { outcome: 'warn', passed: false, condition: shown(failing) },
        ],
        source: HERE,
      },
      { rule: 'R-2', title: 'two', passed: true, checks: [{ outcome: 'reject', passed: true, condition: shown(lone) }], source: HERE },
      { rule: 'R-3', title: 'three', passed: true, checks: [], source: HERE },
    ])
  })
})
