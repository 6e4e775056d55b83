/**
 * The generated evaluator (src/compile/generated.ts): hostile policy text stays data, the generated code is
 * cached by digest (and never reused for other content), it decides the shipped policies exactly as the
 * closures do, and PolicySet uses it by default. Its equality with the closures and json-rules-engine on random
 * policies is proven in closures.property.test.ts; the pins of closures.pins.test.ts run it too.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { compileClosures } from '../../src/compile/closures.js'
import { compileGenerated, generatedCache, generateSource } from '../../src/compile/generated.js'
import { literal } from '../../src/compile/literal.js'
import { CollabgateError } from '../../src/errors.js'
import { defaultPolicies, PolicySet } from '../../src/index.js'
import { compare, OPERATORS } from '../../src/language/operators.js'
import type { PolicyRecord } from '../../src/model.js'
import { unvalidatedPolicy } from '../core/probe.js'

/** The bench's seeded records (plain JS, so typed here). */
const BENCH_RECORDS: string = '../../bench/records.mjs'
const { generateRecords } = (await import(BENCH_RECORDS)) as { generateRecords: (n: number) => PolicyRecord[] }

const AS_OF = '2026-11-30'
const probe = globalThis as { pwned?: unknown }

afterEach(() => {
  delete probe.pwned
})

/** Policy text that would be code if it were pasted into the source: each must stay a value. */
const HOSTILE = [
  '"',
  "'",
  '`',
  '\\',
  '*/',
  '/*',
  '//',
  '\u2028',
  '\u2029',
  '__proto__',
  'constructor',
  '${globalThis.pwned = 1}',
  '`; globalThis.pwned = 1; `',
  '"; globalThis.pwned = 1; "',
  "'); globalThis.pwned = 1; ('",
  '*/ globalThis.pwned = 1; /*',
  '\u2028globalThis.pwned = 1\u2029',
  '"]) || (globalThis.pwned = 1) || (["',
  '</script><script>globalThis.pwned = 1</script>',
  '',
]

/** The source with every JSON string literal taken out: what is left was written by the generator alone. */
const outsideStrings = (source: string): string => source.replace(/"(?:[^"\\\n\u2028\u2029]|\\.)*"/g, '""')

describe('hostile policy text', () => {
  it.each(HOSTILE.map((h) => [JSON.stringify(h), h]))('%s as a fact name and as values stays data', (_, h) => {
    const require = {
      all: [
        { fact: h, operator: 'equal', value: h },
        { fact: h, operator: 'in', value: [h, 'x'] },
        { fact: 'v', operator: 'notIn', value: [h] },
        { fact: 'w', operator: 'dateOnOrBefore', value: h },
        { fact: 'list', operator: 'someMatch', value: { path: '$.k', operator: 'equal', value: h } },
      ],
    }
    const policy = unvalidatedPolicy(require)
    const { source } = generateSource(policy)
    // nothing of the hostile text is left once the string literals are gone
    const rest = outsideStrings(source)
    expect(rest).not.toMatch(/pwned|`|\$\{|\*\/|\/\*|<\/script>|\u2028|\u2029/)
    // (a quote or a backslash alone is also the generator's own: longer texts show whether any was copied)
    if (h.length > 2) expect(rest).not.toContain(h)
    const generated = compileGenerated(policy)
    // JSON.parse makes `__proto__` an own key, as a record read from text has it
    const record = JSON.parse(JSON.stringify({ id: 'r', v: 'other', w: 'not a date', list: [{ k: h }] })) as PolicyRecord
    Object.defineProperty(record, h, { value: h, enumerable: true, writable: true, configurable: true })
    const results = generated.evaluateSync(record, AS_OF)
    expect(results).toEqual(compileClosures(policy).evaluateSync(record, AS_OF))
    // the date leaf fails (neither side is a date), every other leaf read the hostile value as a value
    const tree = results[0]!.checks[0]!.tree
    expect(tree?.kind === 'group' && tree.children.map((c) => c.passed)).toEqual([true, true, true, false, true])
    const other = JSON.parse('{"id":"r","v":"other","list":[]}') as PolicyRecord
    expect(generated.evaluateSync(other, AS_OF)).toEqual(compileClosures(policy).evaluateSync(other, AS_OF))
    expect(probe.pwned).toBeUndefined()
  })

  it('a `__proto__` key of a list or object constant is a key, never a prototype', () => {
    const value = JSON.parse('{"__proto__": {"polluted": true}, "a": [1, "`"]}') as Record<string, unknown>
    const back = new Function(`return ${literal(value)}`)() as Record<string, unknown>
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype)
    expect(Object.hasOwn(back, '__proto__')).toBe(true)
    expect(back).toEqual(value)
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined()
  })

  it('literal() writes every JSON value back as itself, -0 included, and refuses what is not JSON data', () => {
    for (const v of [0, -0, 1.5, -2e-7, 1e300, true, false, null, undefined, 'a"b', '\u2028', [1, ['x'], -0], {}]) {
      expect(Object.is(new Function(`return ${literal(v)}`)(), v) || typeof v === 'object').toBe(true)
      expect(new Function(`return ${literal(v)}`)()).toEqual(v)
    }
    for (const bad of [NaN, Infinity, () => 1, 1n, Symbol('s'), new Date(0), [NaN], { a: -0 }, { a: [1n] }]) {
      expect(() => literal(bad)).toThrow(CollabgateError)
    }
    const cycle: unknown[] = []
    cycle.push(cycle)
    expect(() => literal(cycle)).toThrow(CollabgateError)
  })
})

describe('operator emitters', () => {
  it('answer as compare does for every kind of actual value, missing ones included', () => {
    const actuals = [undefined, null, '', 'US', 'x', 0, -0, 1, 49, 50, 1.5, true, false, [], ['US'], {}, { a: 1 }, NaN]
    const emitting = Object.values(OPERATORS).filter((def) => def.emit !== undefined)
    expect(emitting.map((d) => d.name).sort()).toEqual(
      ['equal', 'greaterThan', 'greaterThanInclusive', 'in', 'lessThan', 'lessThanInclusive', 'notEqual', 'notIn'].sort(),
    )
    for (const def of emitting) {
      const expecteds: unknown[] =
        def.valueKind === 'list' ? [['US', 1, true], [], [0]] : def.valueKind === 'number' ? [0, 50, -1.5] : ['US', 1, true, 0]
      for (const expected of expecteds) {
        const emitted = new Function('v', `const k = ${literal(expected)}; return ${def.emit!('v', 'k')};`)
        for (const actual of actuals)
          expect(emitted(actual), `${def.name} ${String(actual)} ${JSON.stringify(expected)}`).toBe(compare(def.name, actual, expected))
      }
    }
  })
})

describe('the cache of generated code', () => {
  it('makes one function per digest and content, and never reuses one for other content under the same digest', () => {
    const a = unvalidatedPolicy({ fact: 'v', operator: 'equal', value: 1 })
    const made = generatedCache().made
    compileGenerated(a)
    compileGenerated(a)
    expect(generatedCache().made).toBe(made + 1)
    // unvalidatedPolicy gives every policy the same digest: the content differs, so the code is made again
    const b = unvalidatedPolicy({ fact: 'v', operator: 'equal', value: 2 })
    expect(b.digest).toBe(a.digest)
    const judged = compileGenerated(b).evaluateSync({ id: 'r', v: 2 }, AS_OF)
    expect(generatedCache().made).toBe(made + 2)
    expect(judged[0]!.checks[0]!.passed).toBe(true)
    expect(compileGenerated(a).evaluateSync({ id: 'r', v: 2 }, AS_OF)[0]!.checks[0]!.passed).toBe(false)
  })
})

describe('on the shipped policies', () => {
  it('gives the closures’ results, review clocks and decisions for every version and record kind', async () => {
    const shipped = await defaultPolicies()
    const records = generateRecords(400).concat([{ applicationId: 'A-0' }, { developerId: 'D-0' }])
    for (const policy of shipped.policies) {
      const closures = compileClosures(policy)
      const generated = compileGenerated(policy)
      const idField = policy.record.idField
      for (const record of records.filter((r) => idField in r)) {
        for (const asOf of ['2026-11-24', '2027-06-17', '2028-12-26']) {
          expect(generated.evaluateSync(record, asOf)).toEqual(closures.evaluateSync(record, asOf))
          expect(generated.reviewSync(record, asOf)).toEqual(closures.reviewSync(record, asOf))
        }
      }
    }
  })

  it('is what decide and decideSync use by default; `compiled` and `engine` still decide the same', async () => {
    const shipped = await defaultPolicies()
    const policies = shipped.policies
    const byDefault = new PolicySet(policies)
    const closures = new PolicySet(policies, { evaluator: 'compiled' })
    const made = generatedCache().made
    const entries = generatedCache().entries
    for (const record of generateRecords(60)) {
      const options = { asOf: '2026-11-24' }
      const expected = JSON.stringify(closures.decideSync(record, options))
      expect(JSON.stringify(byDefault.decideSync(record, options))).toBe(expected)
      expect(JSON.stringify(await byDefault.decide(record, options))).toBe(expected)
      expect(JSON.stringify(await closures.decide(record, { ...options, evaluator: 'generated' }))).toBe(expected)
      expect(JSON.stringify(await byDefault.decide(record, { ...options, evaluator: 'engine' }))).toBe(expected)
    }
    // the generated code ran: it was made (or found, by digest) for the versions in effect
    expect(generatedCache().made + generatedCache().hits).toBeGreaterThan(made)
    expect(generatedCache().entries).toBeGreaterThanOrEqual(entries)
  })

  it('refuses a nested list match, as the closures do', () => {
    const nested = {
      fact: 'a',
      operator: 'someMatch',
      value: { path: '$.b', operator: 'someMatch', value: { operator: 'present', value: true } },
    }
    expect(() => compileGenerated(unvalidatedPolicy(nested))).toThrow('list matches cannot be nested')
  })
})

describe('explaining a failed check', () => {
  it('builds the closures’ very tree on the shipped policies, with the policy’s own leaf and value objects', async () => {
    const shipped = await defaultPolicies()
    const records = generateRecords(300)
    let failed = 0
    for (const policy of shipped.policies) {
      const closures = compileClosures(policy)
      const generated = compileGenerated(policy)
      for (const record of records.filter((r) => policy.record.idField in r)) {
        const mine = generated.evaluateSync(record, AS_OF)
        const theirs = closures.evaluateSync(record, AS_OF)
        mine.forEach((result, r) =>
          result.checks.forEach((c, k) => {
            const other = theirs[r]!.checks[k]!
            if (c.passed) return
            failed++
            expect(c.tree).toStrictEqual(other.tree)
            const leaves = (t: typeof c.tree): unknown[] =>
              t === undefined ? [] : t.kind === 'leaf' ? [t.leaf, t.expected] : t.children.flatMap(leaves)
            leaves(c.tree).forEach((x, i) => expect(x).toBe(leaves(other.tree)[i]))
          }),
        )
      }
    }
    expect(failed).toBeGreaterThan(100)
  })
})

describe('the review clock', () => {
  it('dates each start value as the closures do, again when asked again, in a fresh object each time', async () => {
    const shipped = await defaultPolicies()
    const policy = shipped.policies.find((p) => p.review !== undefined && p.record.idField === 'applicationId')!
    const closures = compileClosures(policy)
    const generated = compileGenerated(policy)
    const starts = ['2026-11-20', '2026-11-20T23:59:59Z', '2026-02-30', '9999-12-31', '', 20261120, null, undefined]
    for (const round of [1, 2])
      for (const submittedAt of starts)
        for (const result of ['pending', 'approved']) {
          const record: PolicyRecord = { applicationId: `A-${round}`, submittedAt, review: { result } }
          const mine = generated.reviewSync(record, AS_OF)
          expect(mine, `${String(submittedAt)} ${result}`).toStrictEqual(closures.reviewSync(record, AS_OF))
          if (mine) expect(mine).not.toBe(generated.reviewSync(record, AS_OF))
        }
  })
})
