/** One edit distance serves the "did you mean" hints and the calendar names' suggestions. */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { editDistance } from '../../src/suggest.js'

/** The textbook full-matrix optimal string alignment distance, to check the three-row one against. */
function reference(a: string, b: string, transpositions: boolean): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)))
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) {
      const row = d[i]!
      row[j] = Math.min(d[i - 1]![j]! + 1, row[j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1))
      if (transpositions && i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        row[j] = Math.min(row[j]!, d[i - 2]![j - 2]! + 1)
    }
  return d[a.length]![b.length]!
}

describe('editDistance', () => {
  it('is Levenshtein by default and counts a swap as one edit with transpositions', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3)
    expect(editDistance('', 'abc')).toBe(3)
    expect(editDistance('GB-SCT', 'GB-SCT')).toBe(0)
    expect(editDistance('US-CA', 'US-AC')).toBe(2)
    expect(editDistance('US-CA', 'US-AC', true)).toBe(1)
    // optimal string alignment, not Damerau-Levenshtein: no substring is edited twice
    expect(editDistance('ca', 'abc', true)).toBe(3)
  })

  it('agrees with the full matrix on random short strings over a small alphabet', () => {
    const text = fc.string({ unit: fc.constantFrom('a', 'b', 'c'), maxLength: 7 })
    fc.assert(
      fc.property(text, text, fc.boolean(), (a, b, t) => {
        expect(editDistance(a, b, t)).toBe(reference(a, b, t))
      }),
      { numRuns: 500, seed: 20261208 },
    )
  })
})
