/**
 * No line in src/ is over 120 characters (counted in bytes, as `awk 'length > 120'` does). src/generated/ is exempt:
 * its files are written by scripts (scripts/build-validators.mjs and the holiday table), never edited by hand.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'

const SRC = join(import.meta.dirname, '..', '..', 'src')
const MAX = 120

/** `file:line (length)` of each line longer than `max` bytes in `text`. */
function longLines(file: string, text: string, max = MAX): string[] {
  return text
    .split('\n')
    .map((line) => Buffer.byteLength(line))
    .flatMap((n, i) => (n > max ? [`${file}:${i + 1} (${n})`] : []))
}

const sources = readdirSync(SRC, { recursive: true, encoding: 'utf8' })
  .map((f) => f.split('\\').join('/'))
  .filter((f) => f.endsWith('.ts') && !f.startsWith('generated/'))
  .sort()

describe('line length in src/', () => {
  it(`no line of a source file is over ${MAX} characters`, () => {
    const long = sources.flatMap((f) => longLines(`src/${f}`, readFileSync(join(SRC, f), 'utf8')))
    expect(long).toEqual([])
  })

  it('finds a line one character too long, and counts bytes as awk does', () => {
    expect(longLines('x.ts', `${'a'.repeat(MAX)}\n${'b'.repeat(MAX + 1)}\n`)).toEqual([`x.ts:2 (${MAX + 1})`])
    expect(longLines('x.ts', '…'.repeat(41))).toEqual(['x.ts:1 (123)'])
  })
})
