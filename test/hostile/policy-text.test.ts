/**
 * Policy text is read as written, or refused (issue #21): a number whose text says more than a double
 * holds is E_POLICY_LOSSY_NUMBER (it used to get the digest of the rounded number), and a string with a
 * character no one sees (a zero-width space inside "US") is E_INVISIBLE_CHARACTER, at file:line:column.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { checkPolicies, defaultPolicies, formatProblem } from '../../src/index.js'
import { invisibleCharacter, isExactYamlNumber, parseYamlSource } from '../../src/read/yaml-source.js'
import { runPolicyTests } from '../../src/policy-test/run.js'
import { ONBOARDING, ROOT, scratchPolicies } from '../store/helpers.js'
import { assertBuilt, cli } from '../cli/run-cli.js'

const FILE = `${ONBOARDING}.v1.0.0.yaml`
const scratches: { remove(): void }[] = []
afterEach(() => {
  for (const s of scratches.splice(0)) s.remove()
})
/** A copy of the shipped folder (no lock) with one edit to onboarding 1.0.0. */
function edited(from: string, to: string) {
  const scratch = scratchPolicies()
  scratches.push(scratch)
  const text = scratch.read(FILE)
  expect(text).toContain(from)
  scratch.write(FILE, text.replace(from, to))
  return scratch
}
/** Where `needle` is in `text`, as 1-based line and column. */
function place(text: string, needle: string): { line: number; column: number } {
  const at = text.indexOf(needle)
  const before = text.slice(0, at)
  return { line: before.split('\n').length, column: at - before.lastIndexOf('\n') }
}

describe('a policy number the double does not hold', () => {
  it('is E_POLICY_LOSSY_NUMBER at its file:line:column, with a hint, instead of the digest of 50', async () => {
    const scratch = edited('operator: greaterThanInclusive, value: 50 }', 'operator: greaterThanInclusive, value: 49.99999999999999999 }')
    const { problems } = await checkPolicies(scratch.dir, { lock: false })
    expect(problems).toEqual([
      {
        code: 'E_POLICY_LOSSY_NUMBER',
        severity: 'error',
        message: '49.99999999999999999 cannot be held exactly by a double: it would be read as 50',
        hint: 'write a number a double holds, such as 50, or quote it to make it a string',
        params: { text: '49.99999999999999999' },
        file: FILE,
        ...place(scratch.read(FILE), '49.99999999999999999'),
        pointer: expect.stringMatching(/^\/rules\/\d+\/require\/all\/1\/any\/0\/value$/) as string,
      },
    ])
  })

  it('is refused by `validate`, exit 1, as one file:line:col line', async () => {
    assertBuilt()
    const scratch = edited('value: 50 }', 'value: 9007199254740993 }')
    const run = await cli(['validate', '--no-lock', scratch.dir])
    expect(run.code).toBe(1)
    const { line, column } = place(scratch.read(FILE), '9007199254740993')
    expect(run.stdout + run.stderr).toContain(
      `${FILE}:${line}:${column} E_POLICY_LOSSY_NUMBER 9007199254740993 cannot be held exactly by a double: it would be read as 9007199254740992`,
    )
  })

  it('follows the record-text rule on every YAML spelling of a number, keys too; quoted, it is a string', () => {
    for (const text of ['50', '50.000', '5e1', '+5', '.5', '-.5', '5.', '0x1F', '0o17', '1.0e-2', '-0', '9007199254740992']) {
      const parsed = parseYamlSource('n.yaml', `a: ${text}\n`)
      expect(parsed.problems, text).toEqual([])
      expect(isExactYamlNumber(text, (parsed.value as { a: number }).a), text).toBe(true)
    }
    for (const text of [
      '49.99999999999999999',
      '9007199254740993',
      '12345678901234567890',
      '0x20000000000001',
      '0.1000000000000000055511151231257827',
    ])
      expect(
        parseYamlSource('n.yaml', `a: ${text}\n`).problems.map((p) => p.code),
        text,
      ).toEqual(['E_POLICY_LOSSY_NUMBER'])
    expect(parseYamlSource('k.yaml', `1.00000000000000000001: x\n`).problems.map((p) => p.code)).toEqual(['E_POLICY_LOSSY_NUMBER'])
    const quoted = parseYamlSource('q.yaml', `a: "49.99999999999999999"\n`)
    expect(quoted.problems).toEqual([])
    expect(quoted.value).toEqual({ a: '49.99999999999999999' })
  })
})

describe('a character no one sees in a policy string', () => {
  it('"U\\u200bS" as a value: E_INVISIBLE_CHARACTER at the scalar, naming U+200B', async () => {
    const scratch = edited('      value: US\n', '      value: "U\\u200bS"\n')
    const { problems } = await checkPolicies(scratch.dir, { lock: false })
    expect(problems).toEqual([
      {
        code: 'E_INVISIBLE_CHARACTER',
        severity: 'error',
        message: 'the string "U<U+200B>S" holds U+200B, a zero-width or format character, which no one sees on screen',
        hint: 'delete it (in a double-quoted string, write a control character you mean as an escape, such as \\n)',
        params: { codePoint: 'U+200B' },
        file: FILE,
        ...place(scratch.read(FILE), '"U\\u200bS"'),
        pointer: '/rules/0/require/value',
      },
    ])
  })

  it('a raw zero-width space in an id, bidi controls in a message and title, a control escape: each reported', async () => {
    const scratch = scratchPolicies()
    scratches.push(scratch)
    const text = scratch
      .read(FILE)
      .replace('  - id: ONB-SCOPE-US', '  - id: ONB-SCOPE\u200b-US')
      .replace('registered in the US only."', 'registered in the \u202eSU\u202c only."')
      .replace('title: Creator Collaboration onboarding requirements (US)', 'title: "Creator Collaboration\\x01 onboarding"')
    scratch.write(FILE, text)
    const { problems } = await checkPolicies(scratch.dir, { lock: false })
    expect(problems.map((p) => `${p.code} ${p.line}:${p.column} ${String(p.params?.codePoint)}`)).toEqual([
      `E_INVISIBLE_CHARACTER ${place(text, '"Creator Collaboration\\x01').line}:${place(text, '"Creator Collaboration\\x01').column} U+0001`,
      `E_INVISIBLE_CHARACTER ${place(text, 'ONB-SCOPE\u200b').line}:${place(text, 'ONB-SCOPE\u200b').column} U+200B`,
      `E_INVISIBLE_CHARACTER ${place(text, '"Business registration').line}:${place(text, '"Business registration').column} U+202E`,
    ])
    expect(formatProblem(problems[1]!)).toMatch(/E_INVISIBLE_CHARACTER the string "ONB-SCOPE<U\+200B>-US" holds U\+200B/)
  })

  it('in collabgate.yaml: reported there', async () => {
    const scratch = scratchPolicies()
    scratches.push(scratch)
    const text = scratch.read('collabgate.yaml').replace('    id: applicationId', '    id: "application\\u2066Id"')
    scratch.write('collabgate.yaml', text)
    const { problems } = await checkPolicies(scratch.dir, { lock: false })
    expect(problems).toMatchObject([
      { code: 'E_INVISIBLE_CHARACTER', file: 'collabgate.yaml', ...place(text, '"application'), params: { codePoint: 'U+2066' } },
    ])
    expect(problems[0]!.message).toContain('a bidirectional control')
  })

  it('tab and line feed are fine, every listed character is found, and ordinary text is not', () => {
    expect(invisibleCharacter('line one\n\tline two, "quoted", é, 😀, –')).toBeUndefined()
    const listed = [0x0, 0x8, 0xb, 0xd, 0x1f, 0x7f, 0x85, 0x9f, 0xad, 0x61c, 0x200b, 0x200c, 0x200d, 0x200e, 0x200f]
    listed.push(0x202a, 0x202e, 0x2060, 0x2066, 0x2069, 0xfeff)
    for (const c of listed)
      expect(invisibleCharacter(`a${String.fromCharCode(c)}b`)?.params.codePoint, c.toString(16)).toBe(
        `U+${c.toString(16).toUpperCase().padStart(4, '0')}`,
      )
    const free = parseYamlSource('m.yaml', 'message: |\n  two\n  lines\n')
    expect(free.invisible).toEqual([])
  })

  it('a policy test record may hold one: the test runs, and the record is decided (rejected, not US)', async () => {
    const scratch = scratchPolicies()
    scratches.push(scratch)
    const shipped = readFileSync(join(ROOT, 'policies', `${ONBOARDING}.test.yaml`), 'utf8')
    // the base record is copied into the folder: test records are read from inside it only (E_PATH_OUTSIDE)
    const baseFile = /^base: (.*)$/m.exec(shipped)![1]!
    writeFileSync(join(scratch.dir, 'base.json'), readFileSync(join(ROOT, 'policies', baseFile)))
    const base = 'base: base.json'
    const file = join(scratch.dir, 'zw.test.yaml')
    writeFileSync(
      file,
      `policy: ${ONBOARDING}\nasOf: "2026-11-20"\n${base}\ncases:\n  - name: zero width\n` +
        `    patch: { applicant: { registration: { country: "U\\u200bS" } } }\n    expect: { outcome: reject, rules: [ONB-SCOPE-US] }\n`,
    )
    const result = await runPolicyTests(await defaultPolicies(), [file])
    expect(result.problems).toEqual([])
    expect(result.cases).toMatchObject([{ passed: true }])
  })
})
