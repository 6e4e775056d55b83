import { readFileSync } from 'node:fs'
import * as ajvFormats from 'ajv-formats/dist/formats.js'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { isFullDate } from '../../src/date-format.js'
import { calendarDate } from '../../src/language/operators.js'

const formats = (ajvFormats as unknown as { fullFormats: Record<string, { validate: (s: string) => boolean }> }).fullFormats
const ajvDate = (s: string): boolean => formats['date']!.validate(s)

// characters around the edges of what the format reads: ASCII digits, the separator, look-alike digits and dashes
const near = fc.constantFrom(...'0123456789--/ T:\n', '٣', '０', '‐', '𝟘', '\uD800')
const dateLike = fc.array(near, { minLength: 8, maxLength: 12 }).map((cs) => cs.join(''))
const two = (n: number) => String(n).padStart(2, '0')

describe('isFullDate', () => {
  it('says what ajv-formats’ full date says of any string', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), dateLike), (s) => {
        expect(isFullDate(s)).toBe(ajvDate(s))
      }),
      { numRuns: 20_000, seed: 26 },
    )
  })

  it('says what ajv-formats’ full date says of every month 00–99 and day 00–99 in leap and common years', () => {
    let differ = 0
    for (const year of ['0000', '0001', '0004', '0100', '0400', '1900', '2000', '2024', '2026', '2100', '9996', '9999'])
      for (let m = 0; m < 100; m++)
        for (let d = 0; d < 100; d++) {
          const s = `${year}-${two(m)}-${two(d)}`
          if (isFullDate(s) !== ajvDate(s)) differ++
        }
    expect(differ).toBe(0)
  })

  it.each([
    ['2024-02-29', true],
    ['2100-02-29', false],
    ['2026-12-31', true],
    ['2026-00-10', false],
    ['2026-11-31', false],
    ['2026-11-24\n', false],
    ['2026-1-245', false],
    ['２026-11-24', false],
  ])('judges %j as %s', (s, valid) => {
    expect(isFullDate(s)).toBe(valid)
    expect(ajvDate(s)).toBe(valid)
  })

  it('is the date check of the precompiled record validators and of the date operators', () => {
    const generated = readFileSync(new URL('../../src/generated/validators.js', import.meta.url), 'utf8')
    expect(generated).toContain('validate: isFullDate')
    expect(generated).not.toMatch(/= ajvFormats\.fullFormats\.date;/)
    expect(calendarDate('2100-02-29')).toBeUndefined()
    expect(calendarDate('2024-02-29')).toBe('2024-02-29')
  })
})
