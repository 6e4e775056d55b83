import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { escapeXml, formatJunit } from '../../src/report/junit.js'
import { formatGithubAnnotation } from '../../src/report/github.js'
import { paintFor } from '../../src/cli/colour.js'
import type { Io } from '../../src/cli/io.js'

describe('JUnit XML', () => {
  it('escapes markup characters and replaces characters XML 1.0 cannot carry', () => {
    expect(escapeXml(`a<b>&"c"'d'`)).toBe('a&lt;b&gt;&amp;&quot;c&quot;&apos;d&apos;')
    expect(escapeXml('bell\u0007 nul\u0000 ok\ttab')).toBe('bell\\x07 nul\\x00 ok\ttab')
    // a lone surrogate is no character XML 1.0 can carry, nor anything to show
    expect(escapeXml('half \uD800 pair')).toBe('half \uFFFD pair')
    expect(escapeXml('two\nlines\r')).toBe('two&#10;lines&#13;')
  })

  it('never lets a name or message open or close an element', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (text) => {
        const xml = formatJunit([{ name: text, cases: [{ name: text, classname: text, failure: { message: text, details: text } }] }])
        // Outside the tags we wrote, no '<' may appear: strip ours and look for strays.
        const stripped = xml.replace(/<\/?(testsuites|testsuite|testcase|failure)\b[^<>]*>/g, '').replace(/^<\?xml[^>]*\?>/, '')
        expect(stripped).not.toMatch(/[<>]/)
        expect(stripped).not.toMatch(/&(?!amp;|lt;|gt;|quot;|apos;|#10;|#13;)/)
      }),
      { numRuns: 200 },
    )
  })

  it('counts failures and errors per suite and overall', () => {
    const xml = formatJunit([
      {
        name: 's1',
        cases: [
          { name: 'ok', classname: 'p' },
          { name: 'bad', classname: 'p', failure: { message: 'm' } },
        ],
      },
      { name: 's2', cases: [{ name: 'broken', classname: 'p', error: { message: 'e', type: 'E_IO' } }] },
    ])
    expect(xml).toContain('<testsuites name="collabgate" tests="3" failures="1" errors="1">')
    expect(xml).toContain('<testsuite name="s1" tests="2" failures="1" errors="0" skipped="0">')
    expect(xml).toContain('<error message="e" type="E_IO">e</error>')
  })
})

describe('GitHub annotations', () => {
  it('formats ::error file=F,line=L,col=C::message', () => {
    expect(formatGithubAnnotation({ level: 'error', file: 'policies/a.yaml', line: 3, column: 7, message: 'bad operator' })).toBe(
      '::error file=policies/a.yaml,line=3,col=7::bad operator',
    )
  })

  it('escapes %, CR and LF in the message and also : and , in properties', () => {
    const line = formatGithubAnnotation({ level: 'warning', file: 'a,b:c.yaml', title: 'T: x', message: '100% sure\r\nsecond: line, ok' })
    expect(line).toBe('::warning file=a%2Cb%3Ac.yaml,title=T%3A x::100%25 sure%0D%0Asecond: line, ok')
    expect(line.split('\n')).toHaveLength(1)
  })
})

describe('colour', () => {
  const io = (env: NodeJS.ProcessEnv): Io => ({ stdout: () => {}, stderr: () => {}, stdin: async () => '', env, isTTY: true })
  it('colours only a terminal, and never when NO_COLOR is set', () => {
    const term = { TERM: 'xterm-256color' }
    expect(paintFor(io(term), { isTTY: true }).red('x')).toBe('\u001b[31mx\u001b[39m')
    expect(paintFor(io({ ...term, NO_COLOR: '1' }), { isTTY: true }).red('x')).toBe('x')
    expect(paintFor(io(term), { isTTY: false }).red('x')).toBe('x')
    expect(paintFor(io({ ...term, NO_COLOR: '' }), { isTTY: true }).green('x')).toBe('\u001b[32mx\u001b[39m')
  })

  it("follows Node's hasColors: FORCE_COLOR colours a pipe, FORCE_COLOR=0, TERM=dumb and plain CI do not", () => {
    expect(paintFor(io({ FORCE_COLOR: '1' }), { isTTY: false }).red('x')).toBe('\u001b[31mx\u001b[39m')
    expect(paintFor(io({ FORCE_COLOR: '1', NO_COLOR: '1' }), { isTTY: false }).red('x')).toBe('\u001b[31mx\u001b[39m')
    expect(paintFor(io({ FORCE_COLOR: '0', TERM: 'xterm' }), { isTTY: true }).red('x')).toBe('x')
    expect(paintFor(io({ TERM: 'dumb' }), { isTTY: true }).red('x')).toBe('x')
    expect(paintFor(io({ CI: 'true', TERM: 'xterm' }), { isTTY: true }).red('x')).toBe('x')
  })
})
