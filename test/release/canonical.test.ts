/**
 * RFC 8785 (JCS) against the RFC's own vectors: the number samples of its appendix B, the sorting
 * example of §3.2.3 and the example of §3.2.4, and the input/output pairs of the reference test data
 * (github.com/cyberphone/json-canonicalization, testdata/). And why the policy digest keeps its own
 * canonicalJson: the two agree on every JSON value but a lone surrogate, which a YAML policy can hold.
 */
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { CollabgateError } from '../../src/errors.js'
import { parseYamlSource } from '../../src/read/yaml-source.js'
import { canonicalBytes, canonicalize } from '../../src/release/canonical.js'
import { canonicalJson, checkPolicyDocument } from '../../src/validate/policy.js'
import { shippedFolder } from '../shipped-folder.js'

/** RFC 8785 appendix B: IEEE-754 bit patterns and the text each must give. */
const APPENDIX_B: [string, string][] = [
  ['0000000000000000', '0'],
  ['8000000000000000', '0'],
  ['0000000000000001', '5e-324'],
  ['8000000000000001', '-5e-324'],
  ['7fefffffffffffff', '1.7976931348623157e+308'],
  ['ffefffffffffffff', '-1.7976931348623157e+308'],
  ['4340000000000000', '9007199254740992'],
  ['c340000000000000', '-9007199254740992'],
  ['4430000000000000', '295147905179352830000'],
  ['44b52d02c7e14af5', '9.999999999999997e+22'],
  ['44b52d02c7e14af6', '1e+23'],
  ['44b52d02c7e14af7', '1.0000000000000001e+23'],
  ['444b1ae4d6e2ef4e', '999999999999999700000'],
  ['444b1ae4d6e2ef4f', '999999999999999900000'],
  ['444b1ae4d6e2ef50', '1e+21'],
  ['3eb0c6f7a0b5ed8c', '9.999999999999997e-7'],
  ['3eb0c6f7a0b5ed8d', '0.000001'],
  ['41b3de4355555553', '333333333.3333332'],
  ['41b3de4355555554', '333333333.33333325'],
  ['41b3de4355555555', '333333333.3333333'],
  ['41b3de4355555556', '333333333.3333334'],
  ['41b3de4355555557', '333333333.33333343'],
  ['becbf647612f3696', '-0.0000033333333333333333'],
  ['43143ff3c1cb0959', '1424953923781206.2'],
]
const double = (hex: string): number => Buffer.from(hex, 'hex').readDoubleBE(0)

const refused = (value: unknown): string => {
  try {
    canonicalize(value)
  } catch (err) {
    expect(err).toBeInstanceOf(CollabgateError)
    return `${(err as CollabgateError).code}: ${(err as Error).message}`
  }
  throw new Error('canonicalize accepted it')
}

describe('canonicalize (RFC 8785)', () => {
  it.each(APPENDIX_B)('writes the number %s as %s (appendix B)', (hex, text) => {
    expect(canonicalize(double(hex))).toBe(text)
    expect(canonicalize([double(hex)])).toBe(`[${text}]`)
  })

  it.each(['7fffffffffffffff', '7ff0000000000000', 'fff0000000000000'])('refuses NaN and Infinity (%s, appendix B note 3)', (hex) => {
    expect(refused({ n: double(hex) })).toMatch(/^E_INVALID_ARGUMENT: .* at \/n$/)
  })

  it('sorts keys by UTF-16 code units, not by code point or locale (§3.2.3)', () => {
    const input = JSON.parse(
      '{"\\u20ac":"Euro Sign","\\r":"Carriage Return","\\ufb33":"Hebrew Letter Dalet With Dagesh","1":"One",' +
        '"\\ud83d\\ude00":"Emoji: Grinning Face","\\u0080":"Control","\\u00f6":"Latin Small Letter O With Diaeresis"}',
    ) as Record<string, string>
    // read off the text: JSON.parse would put the integer-like key "1" first again
    const order = [...canonicalize(input).matchAll(/:"([^"]*)"/g)].map((m) => m[1])
    expect(order).toEqual([
      'Carriage Return',
      'One',
      'Control',
      'Latin Small Letter O With Diaeresis',
      'Euro Sign',
      'Emoji: Grinning Face',
      'Hebrew Letter Dalet With Dagesh',
    ])
  })

  it('gives the example of §3.2.4 byte for byte', () => {
    const input = JSON.parse(
      '{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],' +
        ' "string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/", "literals": [null, true, false]}',
    ) as unknown
    const hex =
      '7b226c69746572616c73223a5b6e756c6c2c747275652c66616c73655d2c226e756d62657273223a5b3333333333333333332e33333333333333' +
      '2c31652b33302c342e352c302e3030322c31652d32375d2c22737472696e67223a22e282ac245c75303030665c6e4127425c225c5c5c5c5c22' +
      '2f227d'
    expect(canonicalBytes(input).toString('hex')).toBe(hex)
  })

  // the reference test data: testdata/input/*.json and testdata/output/*.json
  it.each([
    ['arrays', '[56, {"d": true, "10": null, "1": [ ]}]', '[56,{"1":[],"10":null,"d":true}]'],
    [
      'french',
      '{"peach": "This sorting order", "péché": "is wrong according to French", "pêche": "but canonicalization MUST", "sin": "ignore locale"}',
      '{"peach":"This sorting order","péché":"is wrong according to French","pêche":"but canonicalization MUST","sin":"ignore locale"}',
    ],
    [
      'structures',
      '{"1": {"f": {"f": "hi","F": 5} ,"\\n": 56.0}, "10": { }, "": "empty", "a": { }, "111": [ {"e": "yes","E": "no" } ], "A": { }}',
      '{"":"empty","1":{"\\n":56,"f":{"F":5,"f":"hi"}},"10":{},"111":[{"E":"no","e":"yes"}],"A":{},"a":{}}',
    ],
    ['unicode (never normalised)', '{"Unnormalized Unicode":"A\\u030a"}', '{"Unnormalized Unicode":"A\u030a"}'],
    [
      'weird',
      '{"\\u20ac": "Euro Sign", "\\r": "Carriage Return", "\\u000a": "Newline", "1": "One", "\\u0080": "Control\\u007f",' +
        ' "\\ud83d\\ude02": "Smiley", "\\u00f6": "Latin Small Letter O With Diaeresis", "\\ufb33": "Hebrew Letter Dalet With Dagesh",' +
        ' "</script>": "Browser Challenge"}',
      '{"\\n":"Newline","\\r":"Carriage Return","1":"One","</script>":"Browser Challenge","\u0080":"Control\u007f",' +
        '"\u00f6":"Latin Small Letter O With Diaeresis","\u20ac":"Euro Sign","\ud83d\ude02":"Smiley","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
    ],
  ])('gives the reference output for %s', (_name, input, output) => {
    expect(canonicalize(JSON.parse(input))).toBe(output)
  })

  it('writes a key named __proto__ as any other key', () => {
    expect(canonicalize(JSON.parse('{"b":1,"__proto__":{"x":2}}'))).toBe('{"__proto__":{"x":2},"b":1}')
  })

  it('refuses what JSON cannot hold, naming the place', () => {
    expect(refused({ a: [1, '\ud800'] })).toBe('E_INVALID_ARGUMENT: JCS (RFC 8785) cannot write a string with a lone surrogate at /a/1')
    expect(refused({ ['x\udc00']: 1 })).toContain('a key with a lone surrogate')
    expect(refused({ a: undefined })).toContain('undefined at /a')
    expect(refused({ 'a/b': { 'c~': 1n } })).toContain('a bigint at /a~1b/c~0')
    expect(refused({ d: new Date(0) })).toContain('not plain JSON')
    expect(refused(new Map())).toContain('not plain JSON')
    expect(refused(() => 1)).toContain('a function')
    let deep: unknown = 1
    for (let i = 0; i < 65; i++) deep = [deep]
    expect(refused(deep)).toContain('nesting deeper than 64 levels')
    expect(canonicalize(Object.assign(Object.create(null) as object, { b: 2, a: '\ud83d\ude00' }))).toBe('{"a":"\ud83d\ude00","b":2}')
  })
})

describe('the policy digest’s canonicalJson', () => {
  it('equals JCS on every JSON value without a lone surrogate (UTF-16 key order, ECMAScript numbers)', () => {
    fc.assert(
      fc.property(fc.jsonValue({ depthSize: 'small', stringUnit: 'grapheme' }), (value) => {
        expect(canonicalJson(value)).toBe(canonicalize(value))
      }),
      { numRuns: 500 },
    )
    expect(canonicalJson(-0)).toBe(canonicalize(-0))
  })

  it('gives the digest JCS gives for every shipped policy version and record schema in the lock', () => {
    const root = join(import.meta.dirname, '..', '..', 'policies')
    const lock = (JSON.parse(readFileSync(join(root, 'policies.lock.json'), 'utf8')) as { entries: Record<string, string> }).entries
    const cache = JSON.parse(readFileSync(join(root, 'policies.parsed.json'), 'utf8')) as { entries: { file: string; value: unknown }[] }
    const sha = (v: unknown) => 'sha256:' + createHash('sha256').update(canonicalBytes(v)).digest('hex')
    const docs = cache.entries.map((e) => e.value as { id?: string; version?: string }).filter((v) => v.id !== undefined)
    const schemas = ['application', 'behaviour'].map((kind) => ({
      key: `record:${kind}@1.0.0`,
      value: JSON.parse(readFileSync(join(root, 'records', `${kind}.v1.0.0.schema.json`), 'utf8')) as unknown,
    }))
    const declaration = { key: 'folder:collabgate.yaml', value: cache.entries.find((e) => e.file === 'collabgate.yaml')!.value }
    const pairs = [...docs.map((d) => ({ key: `${d.id}@${d.version}`, value: d as unknown })), ...schemas, declaration]
    expect(pairs.map((p) => p.key).sort()).toEqual(Object.keys(lock).sort())
    for (const p of pairs)
      expect([p.key, canonicalJson(p.value) === canonicalize(p.value), sha(p.value)]).toEqual([p.key, true, lock[p.key]])
  })

  it('is not JCS on every policy: a YAML escape gives a lone surrogate, which JCS must refuse and the digest has always taken', () => {
    const yaml = `id: p
version: 1.0.0
title: "\\ud800"
subject: application
effective: { from: "2020-01-01" }
outcomes: [reject, approve]
default: approve
rules:
  - id: R-1
    title: r
    source: { status: modelled, from: test }
    outcome: reject
    require: { fact: applicationId, operator: present, value: true }
    message: "m"
`
    const { policy, problems } = checkPolicyDocument(parseYamlSource('p.yaml', yaml), shippedFolder())
    expect(problems).toEqual([])
    expect(policy!.title).toBe('\ud800')
    expect(canonicalJson(policy!.title)).toBe('"\\ud800"')
    expect(() => canonicalize(policy!.title)).toThrow(/lone surrogate/)
  })
})
