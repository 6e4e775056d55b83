/**
 * `visible`, the one function every text reporter passes data through (issue #21): what a terminal
 * or a log viewer would act on or hide becomes an escape a person can read.
 */
import { describe, expect, it } from 'vitest'
import { VALIDATION_REPORTERS } from '../../src/report/validation.js'
import type { CheckResult } from '../../src/index.js'
import { ANSI_COLOURS, visible } from '../../src/report/reporter.js'
import { escapeXml, formatJunit } from '../../src/report/junit.js'
import { formatGithubAnnotation } from '../../src/report/github.js'

describe('visible', () => {
  it('escapes C0 and C1 controls, DEL, line breaks and tabs', () => {
    expect(visible('a\u0000b\u0007c\u001b[2Jd\u007fe\u0085f\u009bg')).toBe('a\\x00b\\x07c\\x1b[2Jd\\x7fe\\x85f\\x9bg')
    expect(visible('one\ntwo\rthree\tfour')).toBe('one\\ntwo\\rthree\\tfour')
  })

  it('escapes bidi controls, line and paragraph separators and invisible format characters', () => {
    const hidden = '\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c\u200b\u200c\u200d\ufeff\u2028\u2029'
    expect(visible(hidden)).toBe([...hidden].map((c) => `\\u{${c.codePointAt(0)!.toString(16)}}`).join(''))
  })

  it('leaves printable text, including non-Latin scripts and emoji, as it is', () => {
    const text = 'Zoë — 東京 · ✓ ✗ → ≥ 🚀 "quoted" \\ back'
    expect(visible(text)).toBe(text)
  })
})

describe('the reporters built on it', () => {
  const problem = {
    code: 'E_SCHEMA' as const,
    file: 'p\u001b[2J.yaml',
    line: 3,
    column: 1,
    pointer: '/id',
    message: 'bad id \u001b]0;title\u0007\nE_FAKE all valid \u202e',
  }
  const checked = {
    policies: [],
    problems: [problem],
    warnings: [],
    files: ['p\u001b[2J.yaml'],
    subjects: [],
    declaration: undefined,
    root: '/',
    lock: undefined,
  } as unknown as CheckResult

  it('validation text keeps its own colours and escapes the data, one line per problem', () => {
    const text = VALIDATION_REPORTERS.text({ checked, paths: ['.'] }, { paint: ANSI_COLOURS })
    expect(text.split('\n')[0]).toBe(
      '\u001b[31m✗\u001b[39m p\\x1b[2J.yaml:3:1 E_SCHEMA bad id \\x1b]0;title\\x07\\nE_FAKE all valid \\u{202e}',
    )
    expect(text.split('\n')).toHaveLength(3)
  })

  it('GitHub annotations escape the data and keep the command on one line', () => {
    const line = formatGithubAnnotation({ level: 'error', file: problem.file, title: 'T\u0007', message: problem.message })
    expect(line).toBe('::error file=p\\x1b[2J.yaml,title=T\\x07::bad id \\x1b]0;title\\x07%0AE_FAKE all valid \\u{202e}')
  })

  it('JUnit XML holds only characters XML 1.0 allows and shows the controls as escapes', () => {
    const xml = formatJunit([
      { name: 's\u001b', cases: [{ name: 'c\u0000\u202e', classname: 'k', failure: { message: 'm\u0007', details: 'd\u0008\ne' } }] },
    ])
    // eslint-disable-next-line no-control-regex -- the characters XML 1.0 forbids are the point
    expect(xml).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u202e]/)
    expect(xml).toContain('name="c\\x00\\u{202e}"')
    expect(xml).toContain('>d\\x08\ne</failure>')
    expect(escapeXml('\u001b[31m')).toBe('\\x1b[31m')
  })
})
