/** Policy files from people we do not trust: size, alias expansion and nesting limits. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { checkPolicies, DEFAULT_PARSE_LIMITS } from '../../src/index.js'
import { nestingBeyond, parseYamlSource, yamlErrorProblems } from '../../src/read/yaml-source.js'
import { checkPolicyDocument } from '../../src/validate/policy.js'
import { shippedFolder } from '../shipped-folder.js'
import { shippedPolicyTexts } from '../store/helpers.js'

const BILLION_LAUGHS = `id: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
`

const codes = (text: string) => parseYamlSource('hostile.yaml', text).problems.map((p) => p.code)

const dirs: string[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

describe('YAML limits', () => {
  it('rejects an alias bomb (billion laughs) with E_YAML_LIMIT', () => {
    const { problems, value } = parseYamlSource('bomb.yaml', BILLION_LAUGHS)
    expect(value).toBeUndefined()
    expect(problems).toHaveLength(1)
    expect(problems[0]).toMatchObject({ code: 'E_YAML_LIMIT', file: 'bomb.yaml', message: expect.stringMatching(/alias/) })
  })

  it('rejects an alias bomb through checkPolicies too, as one problem of the folder', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'collabgate-hostile-'))
    dirs.push(dir)
    writeFileSync(join(dir, 'bomb.yaml'), BILLION_LAUGHS)
    const { problems, policies } = await checkPolicies(dir)
    expect(policies).toEqual([])
    expect(problems.map((p) => p.code)).toEqual(['E_YAML_LIMIT'])
  })

  it('still allows a few ordinary aliases', () => {
    const { problems, value } = parseYamlSource('ok.yaml', 'a: &x [1, 2]\nb: *x\nc: *x\n')
    expect(problems).toEqual([])
    expect(value).toEqual({ a: [1, 2], b: [1, 2], c: [1, 2] })
  })

  it.each([
    ['100k unclosed flow sequences', 'id: ' + '['.repeat(100_000)],
    ['500k closed flow sequences (1 MB: used to exhaust the heap)', 'x: ' + '['.repeat(499_990) + ']'.repeat(499_990)],
    ['nested flow maps', 'x: ' + '{a: '.repeat(50_000) + '1' + '}'.repeat(50_000)],
    ['300k compact block sequences on one line', '- '.repeat(300_000) + 'x'],
    ['300k explicit keys on one line', '? '.repeat(300_000) + 'x'],
  ])('rejects %s with E_YAML_LIMIT and no stack overflow', (_name, text) => {
    expect(() => parseYamlSource('deep.yaml', text)).not.toThrow()
    expect(codes(text)).toEqual(['E_YAML_LIMIT'])
  })

  it('rejects deep block nesting by indentation with E_YAML_LIMIT', () => {
    const text = 'a:\n' + Array.from({ length: 1200 }, (_, i) => ' '.repeat(i + 1) + 'b:').join('\n') + ' 1\n'
    expect(codes(text)).toEqual(['E_YAML_LIMIT'])
  })

  it("reports yaml's stack exhaustion once, however many times yaml ran out, and its syntax errors each", () => {
    // how often yaml runs out of stack on the text above depends on the stack left when the parse began:
    // called 37 frames deeper, one machine's yaml reported it twice
    const at = (offset: number) => ({ line: 1, col: offset + 1 })
    const brief = (problems: ReturnType<typeof yamlErrorProblems>) =>
      problems.map(({ code, message, file, line, column }) => ({ code, message, file, line, column }))
    const exhausted = { code: 'RESOURCE_EXHAUSTION' as const, message: 'Maximum call stack size exceeded', pos: [5, 6] as [number, number] }
    const bad = { code: 'BAD_INDENT' as const, message: 'Bad indentation at line 1, column 3:\n\n  x\n', pos: [2, 3] as [number, number] }
    expect(brief(yamlErrorProblems('f.yaml', [bad, exhausted, { ...exhausted, pos: [9, 10] }], at))).toEqual([
      { code: 'E_YAML_LIMIT', message: 'Maximum call stack size exceeded (RESOURCE_EXHAUSTION)', file: 'f.yaml', line: 1, column: 6 },
    ])
    expect(brief(yamlErrorProblems('f.yaml', [bad, { ...bad, pos: [7, 8] }], at))).toEqual([
      { code: 'E_YAML_SYNTAX', message: 'Bad indentation (BAD_INDENT)', file: 'f.yaml', line: 1, column: 3 },
      { code: 'E_YAML_SYNTAX', message: 'Bad indentation (BAD_INDENT)', file: 'f.yaml', line: 1, column: 8 },
    ])
    expect(yamlErrorProblems('f.yaml', [], at)).toEqual([])
  })

  it('accepts nesting up to maxDepth and points at the place that goes deeper', () => {
    const ok = 'x: ' + '['.repeat(DEFAULT_PARSE_LIMITS.maxDepth - 1) + ']'.repeat(DEFAULT_PARSE_LIMITS.maxDepth - 1)
    expect(codes(ok)).toEqual([])
    const deep = 'title: fine\nx: ' + '['.repeat(DEFAULT_PARSE_LIMITS.maxDepth + 5)
    const [problem] = parseYamlSource('deep.yaml', deep).problems
    expect(problem).toMatchObject({ code: 'E_YAML_LIMIT', line: 2, message: `nesting deeper than ${DEFAULT_PARSE_LIMITS.maxDepth} levels` })
  })

  it('does not count brackets inside quoted strings, block scalars or comments', () => {
    const brackets = '['.repeat(200)
    const text = `a: "${brackets}"\nb: '${brackets}'\nc: |\n  ${brackets}\n# ${brackets}\nd: plain ${brackets}\n`
    expect(nestingBeyond(text, DEFAULT_PARSE_LIMITS.maxDepth)).toBeUndefined()
    expect(codes(text)).toEqual([])
  })

  it('passes every shipped policy through the nesting pre-check', () => {
    for (const [name, text] of shippedPolicyTexts()) {
      expect(nestingBeyond(text, DEFAULT_PARSE_LIMITS.maxDepth), name).toBeUndefined()
      expect(checkPolicyDocument(parseYamlSource(name, text), shippedFolder()).problems, name).toEqual([])
    }
  })

  it('rejects a file over maxBytes before parsing it', async () => {
    expect(parseYamlSource('big.yaml', '#'.repeat(DEFAULT_PARSE_LIMITS.maxBytes + 1)).problems.map((p) => p.code)).toEqual(['E_YAML_LIMIT'])
    const dir = mkdtempSync(join(tmpdir(), 'collabgate-hostile-'))
    dirs.push(dir)
    writeFileSync(join(dir, 'big.yaml'), 'a: 1\n' + '#'.repeat(2000))
    const { problems } = await checkPolicies(dir, { limits: { maxBytes: 1000 } })
    expect(problems).toMatchObject([{ code: 'E_YAML_LIMIT', message: expect.stringMatching(/at most 1000 bytes/) }])
  })

  it('validates a policy whose message is 2,000 characters of unclosed template quickly enough to finish (linear template scan)', () => {
    const [name, text] = [...shippedPolicyTexts()].find(([n]) => n.includes('termination'))!
    const hostile = text.replace(/message: "[^"\n]*"/, `message: "{{${' '.repeat(1990)}"`)
    expect(hostile).not.toBe(text)
    const { problems } = checkPolicyDocument(parseYamlSource(name, hostile), shippedFolder())
    // it finishes, and says the braces are never closed (an unclosed {{ would be printed in every decision)
    expect(problems.map((p) => [p.code, p.message])).toEqual([['E_TEMPLATE', 'message opens {{ without closing it']])
  })
})
