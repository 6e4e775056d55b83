import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { lengthsByUnitsFirst } from '../../scripts/build-validators.mjs'
import { loadStandalone, standaloneSource, type Validate } from './standalone.js'

// limits on both sides of the shortcut's edges: N units, and 2N units for a minimum
const SCHEMA = {
  type: 'object',
  properties: {
    short: { type: 'string', minLength: 1, maxLength: 3 },
    mid: { type: 'string', minLength: 4, maxLength: 6 },
    key: { type: 'object', propertyNames: { maxLength: 2 } },
  },
}

/** The schema's standalone validator as ajv makes it, and after lengthsByUnitsFirst. */
function validators(): { plain: Validate; shortcut: Validate; code: string } {
  const raw = standaloneSource(SCHEMA)
  const code = lengthsByUnitsFirst(raw)
  return { plain: loadStandalone(raw), shortcut: loadStandalone(code), code }
}

// a character of one unit, one of two (astral), and lone surrogates that count as one character each
const unit = fc.constantFrom('a', '😀', '\uD800', '\uDC00', '\uDBFF', 'é')
const text = fc.array(unit, { maxLength: 14 }).map((parts) => parts.join(''))

describe('string length limits in the generated validators', () => {
  const { plain, shortcut, code } = validators()

  it('count characters only when the UTF-16 length does not decide', () => {
    expect(code).toMatch(/\(data\w*\.length > 3 && func\d+\(data\w*\) > 3\)/)
    expect(code).toMatch(/\(data\w*\.length < 8 && func\d+\(data\w*\) < 4\)/)
  })

  it('give ajv’s verdicts and errors for any mix of astral characters and lone surrogates', () => {
    fc.assert(
      fc.property(text, text, text, (short, mid, key) => {
        const record = { short, mid, key: { [key]: 1 } }
        expect(shortcut(record)).toBe(plain(record))
        expect(shortcut.errors).toEqual(plain.errors)
      }),
      { numRuns: 2000, seed: 26 },
    )
  })

  it.each([
    ['😀😀😀', true],
    ['😀😀😀😀', false],
    ['\uD800\uD800\uD800', true],
    ['😀\uD800😀', true],
    ['aaaa', false],
    ['', false],
  ])('judge %j at the edges of 1 to 3 characters as ajv does', (short, valid) => {
    expect(plain({ short })).toBe(valid)
    expect(shortcut({ short })).toBe(valid)
    expect(shortcut.errors).toEqual(plain.errors)
  })

  it('refuse generated code that counts characters in a way it does not know', () => {
    const odd = 'const func2 = ucs2length.default;if(func2(data) >= 3){}'
    expect(() => lengthsByUnitsFirst(odd)).toThrow(/unexpected character count/)
  })
})
