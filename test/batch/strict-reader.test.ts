/**
 * The batch's one-pass strict reader (readRecordLine) reads every text exactly as readRecordText does: the same
 * value (key order, `__proto__` as an own key, -0), the same `{ syntax }`, the same error (class, code, message,
 * problems), over random JSON, random JSON with duplicate keys, lossy numbers and deep nesting spliced in, and
 * random mutations of valid text.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { readRecordLine } from '../../src/batch/strict-reader.js'
import { DEFAULT_MAX_RECORD_DEPTH, readRecordText } from '../../src/read/json-text.js'

type Read = { value: unknown } | { syntax: string } | { error: { name: string; code: unknown; message: string } }

function outcome(read: (text: string) => { value: unknown } | { syntax: string }, text: string): Read {
  try {
    return read(text)
  } catch (err) {
    const e = err as Error & { code?: unknown; problems?: unknown }
    return { error: { name: e.constructor.name, code: e.code, message: e.message, ...{ problems: e.problems } } }
  }
}

/** The two readers agree, down to own-key order and prototypes of every object built. */
function agree(text: string): void {
  const fast = outcome(readRecordLine, text)
  const slow = outcome(readRecordText, text)
  // a value by its text and shapes: an own `constructor` key confuses the matcher's own type check
  const seen = (r: Read) => ('value' in r ? { text: JSON.stringify(r.value), shapes: shapes(r.value) } : r)
  expect(seen(fast)).toStrictEqual(seen(slow))
}

/** Every object's own keys in order and its prototype, depth first: what toStrictEqual does not fully see. */
function shapes(v: unknown, out: unknown[] = []): unknown[] {
  if (v === null || typeof v !== 'object') {
    out.push(Object.is(v, -0) ? '-0' : typeof v)
    return out
  }
  out.push(Object.getPrototypeOf(v) === Object.prototype ? 'object' : Array.isArray(v) ? 'array' : 'other')
  out.push(Reflect.ownKeys(v))
  for (const k of Reflect.ownKeys(v)) shapes((v as Record<string | symbol, unknown>)[k], out)
  return out
}

const numberText = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }).map(String),
  fc.bigInt().map(String),
  fc.constantFrom(
    '49.99999999999999999',
    '9007199254740993',
    '1e400',
    '-0',
    '0.1',
    '1E2',
    '1e-7',
    '-0.0e+0',
    '00',
    '01',
    '1.',
    '.5',
    '-',
    '1e',
    '123456789012345',
    '1234567890123456',
  ),
)
const keyText = fc.oneof(
  fc.string({ maxLength: 4 }).map((s) => JSON.stringify(s)),
  fc.constantFrom('"__proto__"', '"constructor"', '"toString"', '"1"', '"a"', '"a\\u0000"', '"\\ud800"'),
)
const stringText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 8 }).map((s) => JSON.stringify(s)),
  fc.constantFrom('"a\\"b"', '"\\u00e9"', '"\\x"', '"\\u12"', '"a\u0001"', '"\ud800"', '"unterminated', '"\\/"'),
)
/** JSON-like text: mostly valid, with duplicates, odd numbers, odd strings, whitespace and stray bytes. */
const jsonLike: fc.Arbitrary<string> = fc.letrec<{ value: string }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    numberText,
    stringText,
    fc.constantFrom('true', 'false', 'null', 'nul', 'True', ' 1 ', '\t"x"\r\n'),
    fc.array(tie('value'), { maxLength: 4 }).map((items) => `[${items.join(',')}]`),
    fc.array(fc.tuple(keyText, tie('value')), { maxLength: 4 }).chain((pairs) =>
      fc.boolean().map((dup) => {
        const all = dup && pairs.length > 0 ? [...pairs, pairs[0]!] : pairs
        return `{${all.map(([k, v]) => `${k}:${v}`).join(',')}}`
      }),
    ),
  ),
})).value

describe('readRecordLine', () => {
  it('agrees with readRecordText on random JSON-like text', () => {
    fc.assert(fc.property(jsonLike, agree), { numRuns: 3000 })
  })

  it('agrees with readRecordText on random valid JSON and on its mutations', () => {
    fc.assert(
      fc.property(fc.json(), fc.nat(), fc.constantFrom('', '"', ',', '}', ']', ':', '\\', '\u0000', ' ', '0'), (json, at, insert) => {
        agree(json)
        const p = at % (json.length + 1)
        agree(json.slice(0, p) + insert + json.slice(p))
        agree(json.slice(0, p) + json.slice(p + 1))
      }),
      { numRuns: 2000 },
    )
  })

  it('agrees at the limits: depth, and text long enough to be scanned first', () => {
    for (const depth of [DEFAULT_MAX_RECORD_DEPTH - 1, DEFAULT_MAX_RECORD_DEPTH, DEFAULT_MAX_RECORD_DEPTH + 1]) {
      agree('['.repeat(depth) + ']'.repeat(depth))
      agree('{"a":'.repeat(depth) + '1' + '}'.repeat(depth))
    }
    agree(`{"a":"${'x'.repeat(70_000)}","a":1}`)
    agree(`[${'1,'.repeat(100_000)}1]`)
    agree('[' + '0,'.repeat(30_000) + '0]')
  })

  it('keeps __proto__ an own key and the prototype untouched, as JSON.parse does', () => {
    const read = readRecordLine('{"__proto__":{"polluted":true},"a":1}')
    expect('value' in read).toBe(true)
    const value = (read as { value: Record<string, unknown> }).value
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype)
    expect(Object.keys(value)).toEqual(['__proto__', 'a'])
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    agree('{"__proto__":1,"__proto__":2}')
  })
})
