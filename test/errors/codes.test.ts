/**
 * Every code is declared once (src/errors.ts) with what it means; the tables of docs/ are made from
 * those declarations, and every code the source uses is declared. Problems carry their hint apart
 * from their sentence, with a "did you mean" where a known name is close.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ERROR_CODES, PROBLEM_CODES, WARNING_CODES, formatProblem } from '../../src/errors.js'
import { parseYamlSource } from '../../src/read/yaml-source.js'
import { closest } from '../../src/suggest.js'
import { checkPolicyDocument } from '../../src/validate/policy.js'
import { shippedFolder } from '../shipped-folder.js'

const ROOT = join(import.meta.dirname, '..', '..')
// the errors a caller catches are for those who embed the library; the problems and warnings for policy authors
const EMBEDDING = readFileSync(join(ROOT, 'docs', 'embedding.md'), 'utf8')
const AUTHORING = readFileSync(join(ROOT, 'docs', 'authoring.md'), 'utf8')

/** A two-column markdown table of codes and their meanings, in declaration order. */
const codeTable = (codes: Record<string, string>): string =>
  ['| code | when |', '|---|---|', ...Object.entries(codes).map(([code, when]) => `| \`${code}\` | ${when} |`)].join('\n') + '\n'

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? sources(path) : /\.ts$/.test(name) ? [path] : []
  })
}

describe('codes', () => {
  it('are the tables docs/embedding.md (errors) and docs/authoring.md (problems, warnings) show', () => {
    expect(EMBEDDING).toContain(codeTable(ERROR_CODES))
    expect(AUTHORING).toContain(codeTable({ ...PROBLEM_CODES, ...WARNING_CODES }))
  })

  it('cover every code the source names', () => {
    const declared = new Set([
      ...Object.keys(ERROR_CODES),
      ...Object.keys(PROBLEM_CODES),
      ...Object.keys(WARNING_CODES),
      'E_LINE_BLANK',
      'E_LINE_NOT_JSON',
      'E_LINE_TOO_LONG',
      'E_INTERNAL',
    ])
    const used = new Set<string>()
    for (const file of sources(join(ROOT, 'src'))) for (const m of readFileSync(file, 'utf8').matchAll(/'([EW]_[A-Z_]+)'/g)) used.add(m[1]!)
    expect([...used].filter((c) => !declared.has(c))).toEqual([])
  })
})

describe('problems as data', () => {
  const problemsOf = (yaml: string) => checkPolicyDocument(parseYamlSource('p.yaml', yaml), shippedFolder()).problems
  const policy = (leaf: string) => `id: p
version: 1.0.0
title: t
subject: application
effective: { from: "2020-01-01" }
outcomes: [reject, approve]
default: approve
rules:
  - id: R-1
    title: r
    source: { status: modelled, from: test }
    outcome: reject
    require: ${leaf}
    message: "m"
`

  it('say what is wrong in the message and what would do in the hint, with a "did you mean"', () => {
    const [op] = problemsOf(policy('{ fact: applicant, path: $.yearsInOperation, operator: greaterThenInclusive, value: 1 }'))
    expect(op).toMatchObject({
      code: 'E_UNKNOWN_OPERATOR',
      severity: 'error',
      message: "unknown operator 'greaterThenInclusive'",
      params: { operator: 'greaterThenInclusive' },
    })
    expect(op!.hint).toMatch(/^did you mean 'greaterThanInclusive'\? known operators: equal, notEqual, /)
    const [fact] = problemsOf(policy('{ fact: aplicant, path: $.yearsInOperation, operator: greaterThanInclusive, value: 1 }'))
    expect(fact!.hint).toMatch(/^did you mean 'applicant'\? this policy's records have: applicationId, /)
    // one line for people and CI logs: the sentence, then the hint
    expect(formatProblem(fact!)).toBe(`p.yaml:13:16 E_UNKNOWN_FACT unknown fact 'aplicant'; ${fact!.hint}`)
  })

  it('offer no "did you mean" when nothing known is close', () => {
    const [op] = problemsOf(policy('{ fact: category, operator: looksLike, value: x }'))
    expect(op!.hint).toMatch(/^known operators: /)
    expect(closest('looksLike', ['equal', 'notEqual'])).toBeUndefined()
    expect(closest('US', ['UK', 'GB'])).toBe('UK')
    expect(closest('x', [])).toBeUndefined()
    expect(closest('INVALID', ['invalid'])).toBe('invalid')
  })
})

describe('problems a new author meets', () => {
  const problemsOf = (leaf: string, message = '"m"') =>
    checkPolicyDocument(
      parseYamlSource(
        'p.yaml',
        `id: p\nversion: 1.0.0\ntitle: t\nsubject: application\neffective: { from: "2020-01-01" }\noutcomes: [reject, approve]\ndefault: approve\nrules:\n  - id: R-1\n    title: r\n    source: { status: modelled, from: test }\n    outcome: reject\n    require: ${leaf}\n    message: ${message}\n`,
      ),
      shippedFolder(),
    ).problems

  it('an unknown path names the fields there, with the one meant', () => {
    const [p] = problemsOf('{ fact: applicant, path: $.registration.contry, operator: equal, value: US }')
    expect(p).toMatchObject({ code: 'E_UNKNOWN_PATH', params: { field: 'contry' } })
    expect(p!.hint).toMatch(/^did you mean 'country'\? fields of registration: country, /)
  })

  it('a value the field can never hold (its enum) is refused, with the one meant', () => {
    const [p] = problemsOf('{ fact: review, path: $.result, operator: equal, value: approvd }')
    expect(p).toMatchObject({ code: 'E_BAD_VALUE', message: 'review $.result can never be "approvd"' })
    expect(p!.hint).toBe("did you mean 'approved'? the record schema allows: pending, approved, rejected")
    expect(problemsOf('{ fact: review, path: $.result, operator: in, value: [approved, rejectd] }').map((x) => x.message)).toEqual([
      'review $.result can never be "rejectd"',
    ])
    expect(problemsOf('{ fact: review, path: $.result, operator: equal, value: approved }')).toEqual([])
  })

  it('a message that opens {{ without closing it is refused', () => {
    expect(problemsOf('{ fact: category, operator: equal, value: x }', '"Applied category is {{ category ."').map((x) => x.code)).toEqual([
      'E_TEMPLATE',
    ])
  })

  it('an unquoted version says to quote it', () => {
    const problems = checkPolicyDocument(
      parseYamlSource(
        'p.yaml',
        'id: p\nversion: 1.0\ntitle: t\nsubject: application\neffective: { from: "2020-01-01" }\noutcomes: [a]\ndefault: a\nrules: []\n',
      ),
      shippedFolder(),
    ).problems
    const version = problems.find((p) => p.pointer === '/version')!
    expect(version).toMatchObject({
      code: 'E_SCHEMA',
      message: 'must be string',
      hint: 'quote it: version: "1.0.0" (YAML reads an unquoted 1 as a number)',
    })
  })

  it('an unknown key names the keys allowed there, with the one meant', () => {
    const problems = checkPolicyDocument(
      parseYamlSource(
        'p.yaml',
        'id: p\nversion: 1.0.0\ntitle: t\nsubject: application\neffective: { from: "2020-01-01" }\noutcomes: [a]\ndefault: a\ncalender: GB\nrules: []\n',
      ),
      shippedFolder(),
    ).problems
    const key = problems.find((p) => p.pointer === '/calender')!
    expect(key).toMatchObject({ code: 'E_SCHEMA', message: "unknown field 'calender'" })
    expect(key.hint).toMatch(/^did you mean 'calendar'\? the fields here: id, version, /)
  })
})
