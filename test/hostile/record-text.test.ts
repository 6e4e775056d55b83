/**
 * JSON text of a record is read as written or refused: a duplicate key, a number a double cannot
 * hold, or a pathological shape never reaches a decision (issue #10, part 4).
 */
import fc from 'fast-check'
import { beforeEach, describe, expect, it } from 'vitest'
import { CollabgateError, defaultPolicies, parseRecordJson, RecordValidationError, type PolicySet } from '../../src/index.js'
import { DEFAULT_MAX_RECORD_DEPTH, DEFAULT_MAX_RECORD_VALUES } from '../../src/read/json-text.js'
import { canonicalDecimal, isExactNumber, parseRecordText, scanJsonText } from '../../src/read/json-text.js'
import { decideLine } from '../../src/batch/decide-lines.js'
import { example } from '../store/helpers.js'

let shipped: PolicySet
// loaded by the first test, then the same memoised set: mutation testing credits the load to a test, not to a hook
beforeEach(async () => {
  shipped = await defaultPolicies()
})

const thrown = (f: () => unknown): unknown => {
  try {
    f()
  } catch (err) {
    return err
  }
  throw new Error('expected a throw')
}

/** The shipped example application with 10 creators, no affiliate experience, and JSON text `sellers` for its sellers. */
function applicationText(sellers: string): string {
  const record = example('applications', 'complete-us-developer') as {
    applicant: { clientsServed: { sellers: number; creators: number }; affiliateExperienceYears: number }
  }
  record.applicant.clientsServed = { sellers: 123456, creators: 10 }
  record.applicant.affiliateExperienceYears = 0
  return JSON.stringify(record).replace('123456', sellers)
}

describe('lossy numbers', () => {
  it('refuses 49.99999999999999999 instead of reading 50 and meeting the ≥ 50 threshold', async () => {
    const asOf = '2026-11-24'
    // what JSON.parse alone would do: the rounded 50 turns manual_review into approve
    const naive = await shipped.decide(JSON.parse(applicationText('49.99999999999999999')), { asOf })
    const honest49 = await shipped.decide(parseRecordJson(applicationText('49')), { asOf })
    expect([naive.outcome, honest49.outcome]).toEqual(['approve', 'manual_review'])

    const err = thrown(() => parseRecordJson(applicationText('49.99999999999999999')))
    expect(err).toBeInstanceOf(RecordValidationError)
    expect((err as RecordValidationError).code).toBe('E_RECORD_LOSSY_NUMBER')
    expect((err as RecordValidationError).problems).toEqual([
      {
        pointer: '/applicant/clientsServed/sellers',
        message: '49.99999999999999999 cannot be held exactly by a double: it would be read as 50',
      },
    ])
  })

  it.each([
    ['9007199254740993', 'an integer past 2^53'],
    ['123456789012345678901', 'a long integer'],
    ['1.00000000000000000001', 'a fraction past 17 digits'],
    ['1e400', 'beyond the range of a double'],
    ['-1e400', 'beyond the range, negative'],
    ['1e-400', 'below the smallest double: it would read as 0'],
  ])('refuses %s (%s)', (text) => {
    expect(isExactNumber(text)).toBe(false)
    expect(scanJsonText(`{"n":[${text}]}`)).toMatchObject({ kind: 'lossyNumber', pointer: '/n/0', text })
  })

  it('says a number beyond the range of a double is that, not "read as Infinity"', () => {
    const err = thrown(() => parseRecordText('{"n":1e400}')) as RecordValidationError
    expect(err.problems[0]!.message).toBe('1e400 is beyond the range of a double')
  })

  it.each([
    '0',
    '-0',
    '50',
    '50.0',
    '50.000000000000000000',
    '5e1',
    '0.5E2',
    '0.1',
    '0.30000000000000004',
    '9007199254740992',
    '1.7976931348623157e308',
    '5e-324',
    '-123.456e-7',
    '100000000000000000000',
  ])('accepts %s, whose double holds what it says', (text) => {
    expect(isExactNumber(text)).toBe(true)
    expect(scanJsonText(`[${text}]`)).toBeUndefined()
  })

  it('accepts every number JSON.stringify writes', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (d) => {
        expect(isExactNumber(JSON.stringify(d))).toBe(true)
      }),
      { numRuns: 2000 },
    )
  })

  it('spells a decimal one way whatever its form', () => {
    expect(canonicalDecimal('120')).toBe('0.12e3')
    expect(canonicalDecimal('0.0120e2')).toBe('0.12e1')
    expect(canonicalDecimal('-1.2E+21')).toBe('-0.12e22')
    expect(canonicalDecimal('0.000')).toBe('0')
    expect(canonicalDecimal('-0')).toBe('0')
  })
})

describe('duplicate keys', () => {
  it('refuses a key given twice, naming where, instead of keeping the last value', () => {
    const text = applicationText('120').replace('"businessVerified":true', '"businessVerified":false,"businessVerified":true')
    const err = thrown(() => parseRecordJson(text)) as RecordValidationError
    expect(err).toBeInstanceOf(RecordValidationError)
    expect(err.code).toBe('E_RECORD_DUPLICATE_KEY')
    expect(err.problems).toEqual([
      {
        pointer: '/account/businessVerified',
        message: 'the key "businessVerified" appears twice in one object; which value is meant is unknown',
      },
    ])
  })

  it('sees a duplicate spelled with escapes, and in objects inside arrays', () => {
    expect(scanJsonText('{"a":1,"\\u0061":2}')).toEqual({ kind: 'duplicateKey', pointer: '/a', key: 'a' })
    expect(scanJsonText('{"x":[{"k":1},{"k":1,"k":2}]}')).toEqual({ kind: 'duplicateKey', pointer: '/x/1/k', key: 'k' })
    expect(scanJsonText('{"a/b~":{"c":1,"c":1}}')).toEqual({ kind: 'duplicateKey', pointer: '/a~1b~0/c', key: 'c' })
  })

  it('allows the same key in sibling objects, and __proto__ once', () => {
    expect(scanJsonText('[{"k":1},{"k":2},{"__proto__":{"k":3}}]')).toBeUndefined()
    expect(scanJsonText('{"__proto__":1,"__proto__":2}')).toMatchObject({ kind: 'duplicateKey', key: '__proto__' })
  })
})

describe('pathological shapes', () => {
  it('refuses 30 MB of nested brackets at the depth limit, before building anything', () => {
    const text = '['.repeat(30_000_000)
    const before = process.memoryUsage().rss
    const err = thrown(() => parseRecordText(text)) as CollabgateError
    expect(err.code).toBe('E_RECORD_TOO_LARGE')
    expect(err.message).toMatch(/deeper than 64 levels/)
    // nothing proportional to the text was allocated (JSON.parse of it costs over a gigabyte)
    expect(process.memoryUsage().rss - before).toBeLessThan(64 * 1024 * 1024)
  })

  it('refuses a million keys at the value limit', () => {
    const text = '{' + Array.from({ length: 1_000_000 }, (_, i) => `"k${i}":0`).join(',') + '}'
    const err = thrown(() => parseRecordText(text)) as CollabgateError
    expect(err.code).toBe('E_RECORD_TOO_LARGE')
    expect(err.message).toBe('the record holds more than 100000 values; records may hold at most 100000')
  })

  it('exports its default limits, and parseRecordJson holds them', () => {
    expect([DEFAULT_MAX_RECORD_DEPTH, DEFAULT_MAX_RECORD_VALUES]).toEqual([64, 100_000])
    const deepest = '['.repeat(DEFAULT_MAX_RECORD_DEPTH) + ']'.repeat(DEFAULT_MAX_RECORD_DEPTH)
    expect(() => parseRecordJson(deepest)).not.toThrow()
    expect((thrown(() => parseRecordJson('[' + deepest + ']')) as CollabgateError).code).toBe('E_RECORD_TOO_LARGE')
  })

  it('takes other limits through the options, read as own properties', () => {
    expect(scanJsonText('[[[1]]]', { maxDepth: 2 })).toEqual({ kind: 'tooDeep', pointer: '/0/0', maxDepth: 2 })
    expect(scanJsonText('[[[1]]]', { maxDepth: 3 })).toBeUndefined()
    expect(scanJsonText('[1,2,3]', { maxValues: 3 })).toEqual({ kind: 'tooManyValues', pointer: '/2', maxValues: 3 })
    const polluted = Object.create({ maxDepth: 1 }) as { maxDepth?: number }
    expect(parseRecordJson('[[1]]', polluted)).toEqual([[1]])
  })
})

describe('syntax', () => {
  it('leaves the judgement of syntax to JSON.parse, and its message', () => {
    const err = thrown(() => parseRecordText('{"a":1,}')) as RecordValidationError
    expect(err.code).toBe('E_RECORD_INVALID')
    expect(err.problems[0]!.message).toMatch(/^not valid JSON: /)
  })

  it('agrees with JSON.parse on which texts are JSON', () => {
    const near = fc.oneof(
      fc.json(),
      fc.json().map((t) => t.slice(0, -1)),
      fc.string({ unit: fc.constantFrom('{', '}', '[', ']', '"', ':', ',', '1', '-', '.', 'e', ' ', '\\', 'u', 'n', 't') }),
    )
    fc.assert(
      fc.property(near, (text) => {
        let parses = true
        try {
          JSON.parse(text)
        } catch {
          parses = false
        }
        const fault = scanJsonText(text, { maxDepth: 1000, maxValues: 1e9 })
        // what the scanner passes, JSON.parse reads; what JSON.parse refuses, the scanner never calls fine but lossy or duplicated
        if (fault === undefined) expect(parses).toBe(true)
        if (!parses)
          expect(fault === undefined || fault.kind === 'syntax' || fault.kind === 'lossyNumber' || fault.kind === 'duplicateKey').toBe(true)
        if (parses && fault !== undefined) expect(['lossyNumber', 'duplicateKey']).toContain(fault.kind)
      }),
      { numRuns: 3000 },
    )
  })

  it('passes every document JSON.stringify writes', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), (value) => {
        const text = JSON.stringify(value)
        // fc.jsonValue gives objects with unique keys, so the text has no duplicate
        expect(scanJsonText(text)).toBeUndefined()
      }),
      { numRuns: 1000 },
    )
  })
})

/** JSON text with likely duplicate keys, lossy and exact numbers, tricky strings and random whitespace. */
const jsonText: fc.Arbitrary<string> = fc.letrec<{ value: string }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom('0', '-0', '50', '50.0', '5e1', '49.99999999999999999', '9007199254740993', '1e400', '0.1', '123456789012345678'),
    fc.constantFrom('"a"', '"\\":"', '":"', '"x\\\\"', '"\\u0061"', '":5"', 'true', 'null'),
    fc
      .array(fc.tuple(fc.constantFrom('"a"', '"b"', '"\\u0061"', '"a\\\\"', '"__proto__"'), fc.constantFrom('', ' ', '\n'), tie('value')), {
        maxLength: 4,
      })
      .map((members) => '{' + members.map(([k, ws, v]) => `${k}${ws}:${ws}${v}`).join(',') + '}'),
    fc.array(tie('value'), { maxLength: 4 }).map((items) => '[' + items.join(', ') + ']'),
  ),
})).value

describe('the quick path', () => {
  it('finds exactly the faults the full scan finds, for short and long texts', () => {
    const codes = { duplicateKey: 'E_RECORD_DUPLICATE_KEY', lossyNumber: 'E_RECORD_LOSSY_NUMBER' } as const
    fc.assert(
      fc.property(jsonText, fc.boolean(), (body, long) => {
        // a long text (over 64 Ki characters) takes the scan-first path
        const text = long ? `[${body},"${'x'.repeat(70_000)}"]` : body
        const fault = scanJsonText(text)
        if (fault === undefined) {
          expect(parseRecordText(text)).toEqual(JSON.parse(text))
          return
        }
        const err = thrown(() => parseRecordText(text)) as RecordValidationError
        expect(err.code).toBe(codes[fault.kind as keyof typeof codes])
        expect(err.problems[0]!.pointer).toBe((fault as { pointer: string }).pointer)
      }),
      { numRuns: 3000 },
    )
  })

  it('is not fooled by a spaced key and an escaped quote that would even out a count', () => {
    // a duplicate "a" (one key fewer parsed), a key end with a space before the colon, and \": inside a string
    const text = '{"a":1,"a" :2,"s":"say \\":"}'
    expect(JSON.parse(text)).toEqual({ a: 2, s: 'say ":' })
    expect((thrown(() => parseRecordText(text)) as RecordValidationError).code).toBe('E_RECORD_DUPLICATE_KEY')
    // a lossy number inside an array, beside a string that starts with a colon
    const hidden = '{"k":":5","n":[49.99999999999999999]}'
    expect((thrown(() => parseRecordText(hidden)) as RecordValidationError).problems[0]!.pointer).toBe('/n/0')
  })
})

describe('batch lines', () => {
  it('answers a lossy, duplicated or too deep line with an error line naming the line and the code', () => {
    const options = { asOf: '2026-11-24' }
    const lossy = JSON.parse(decideLine(shipped, applicationText('49.99999999999999999'), 7, options, 1e6).json)
    expect(lossy).toMatchObject({
      line: 7,
      error: { code: 'E_RECORD_LOSSY_NUMBER', problems: [{ pointer: '/applicant/clientsServed/sellers' }] },
    })
    const dup = JSON.parse(decideLine(shipped, '{"a":1,"a":2}', 8, options, 1e6).json)
    expect(dup).toMatchObject({ line: 8, error: { code: 'E_RECORD_DUPLICATE_KEY', problems: [{ pointer: '/a' }] } })
    const deep = JSON.parse(decideLine(shipped, '['.repeat(100_000), 9, options, 1e6).json)
    expect(deep).toMatchObject({ line: 9, error: { code: 'E_RECORD_TOO_LARGE' } })
    const fine = decideLine(shipped, applicationText('120'), 10, options, 1e6)
    expect(fine.ok).toBe(true)
  })
})
