/**
 * Each equivalent mutant is one short line in src/ naming an entry of equivalent.md, where its reasoning is: every
 * anchor a line names is there, and every entry there is named.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'

const SRC = join(import.meta.dirname, '..', '..', 'src')
const DOC = 'test/mutation/equivalent.md'
const DISABLE = /\/\/ Stryker disable/
const SHORT = /^\s*\/\/ Stryker disable next-line [A-Za-z]+(?:,[A-Za-z]+)*: test\/mutation\/equivalent\.md#([a-z0-9-]+)$/

/** The anchors the Stryker lines of `text` name, and the lines that do not have the short form. */
function strykerLines(file: string, text: string): { anchors: string[]; malformed: string[] } {
  const anchors: string[] = []
  const malformed: string[] = []
  text.split('\n').forEach((line, i) => {
    if (!DISABLE.test(line)) return
    const m = SHORT.exec(line)
    if (m) anchors.push(m[1]!)
    else malformed.push(`${file}:${i + 1}`)
  })
  return { anchors, malformed }
}

/** The `## anchor` headings of the reasoning file. */
function entries(markdown: string): string[] {
  return [...markdown.matchAll(/^## ([a-z0-9-]+)$/gm)].map((m) => m[1]!)
}

const files = readdirSync(SRC, { recursive: true, encoding: 'utf8' })
  .map((f) => f.split('\\').join('/'))
  .filter((f) => f.endsWith('.ts') && !f.startsWith('generated/'))
  .sort()
const read = (f: string) => readFileSync(join(SRC, f), 'utf8')
const named = files.map((f) => strykerLines(`src/${f}`, read(f)))
const anchors = named.flatMap((n) => n.anchors)
const documented = entries(readFileSync(join(SRC, '..', DOC), 'utf8'))

describe(`equivalent mutants (${DOC})`, () => {
  it('are disabled by one short line naming an anchor', () => {
    expect(named.flatMap((n) => n.malformed)).toEqual([])
    expect(anchors.length).toBeGreaterThan(0)
  })

  it('name only anchors the file holds, once each', () => {
    expect(anchors.filter((a) => !documented.includes(a))).toEqual([])
    expect(new Set(documented).size).toBe(documented.length)
  })

  it('have no entry that no line names', () => {
    expect(documented.filter((a) => !anchors.includes(a))).toEqual([])
  })

  it('tell a long line, a missing anchor and an unnamed entry apart', () => {
    const text = [
      '  // Stryker disable next-line ConditionalExpression,EqualityOperator: test/mutation/equivalent.md#a-one',
      '  // Stryker disable next-line StringLiteral: the reasoning written out on the line itself',
    ].join('\n')
    expect(strykerLines('x.ts', text)).toEqual({ anchors: ['a-one'], malformed: ['x.ts:2'] })
    expect(entries('# Title\n\n## a-one\n\ntext\n\n## b-two\n')).toEqual(['a-one', 'b-two'])
  })
})
