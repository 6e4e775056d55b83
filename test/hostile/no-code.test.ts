/** Nothing in a policy is executed as code, and no operator matches patterns. */
import { describe, expect, it } from 'vitest'
import { OPERATORS } from '../../src/language/operators.js'
import { parsePath, resolvePath } from '../../src/language/paths.js'
import { parseYamlSource } from '../../src/read/yaml-source.js'
import { checkPolicyDocument } from '../../src/validate/policy.js'
import { shippedFolder } from '../shipped-folder.js'
import { ONBOARDING, shippedPolicyTexts } from '../store/helpers.js'

const onboarding = shippedPolicyTexts().get(`${ONBOARDING}.v1.0.0.yaml`)!
const problemsOf = (text: string) => checkPolicyDocument(parseYamlSource('hostile.yaml', text), shippedFolder()).problems

describe('no code in policies', () => {
  it('has no regular-expression or pattern operator (so none can backtrack catastrophically)', () => {
    const names = Object.keys(OPERATORS)
    for (const name of names) expect(name).not.toMatch(/regex|pattern|^matches$|like|glob|script|eval/i)
    expect(new Set(Object.values(OPERATORS).map((o) => o.valueKind))).toEqual(
      new Set(['scalar', 'list', 'number', 'boolean', 'date', 'condition']),
    )
  })

  it.each([
    '$..registration',
    '$.registration[?(@.country == "US")]',
    '$.registration[(process.exit(1))]',
    "$['registration']",
    '$.registration.*',
    '$.registration[-1:]',
    '$.a;process.exit(1)',
  ])('refuses the JSONPath expression %s: paths are a plain subset', (path) => {
    expect(parsePath(path)).toBeUndefined()
    expect(resolvePath({ registration: { country: 'US' } }, path)).toBeUndefined()
    const problems = problemsOf(onboarding.replace('path: $.registration.country', `path: ${JSON.stringify(path)}`))
    expect(problems.map((p) => p.code)).toContain('E_UNKNOWN_PATH')
  })

  it.each([
    ['a JavaScript function tag', 'description: !!js/function "function () { process.exit(1) }"'],
    ['a JavaScript regexp tag', 'description: !!js/regexp /a+$/'],
    ['an undefined tag', 'description: !!js/undefined ""'],
    ['a custom tag', 'description: !exec "rm -rf /"'],
  ])('refuses %s', (_name, line) => {
    const problems = problemsOf(onboarding.replace(/^description: >\n(?: {2}.*\n)+/m, line + '\n'))
    expect(problems.length).toBeGreaterThan(0)
    expect(problems.every((p) => /^E_/.test(p.code))).toBe(true)
  })

  it('treats template text as field names only, never as expressions', () => {
    const problems = problemsOf(onboarding.replace('{{ category }}', '{{ process.exit(1) }}'))
    expect(problems.map((p) => p.code)).toEqual(['E_TEMPLATE'])
  })
})
