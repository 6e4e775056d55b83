/**
 * Issue #21: text from a record, a policy or a test file cannot drive the terminal or forge a report's
 * lines. Every text reporter of the built CLI shows control characters, escape sequences and bidi
 * controls from data as visible escapes; the colours a reporter adds itself are its own.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { assertBuilt, cli, ROOT } from './run-cli.js'

/** The applicationId: clear the screen, paint a false outcome on a line of its own, set the title. */
const HOSTILE = '\u001b[2J\u001b[32mAPPROVE\n no rule objected\u001b]0;title\u0007'
/** The same in a YAML double-quoted scalar, with a right-to-left override and a line separator. */
const HOSTILE_YAML = '\\e[2J\\e[32mAPPROVE\\n no rule objected\\e]0;title\\a \\u202E evil \\u2028 end'
/** Bytes no report may carry from data: ESC, BEL, NUL, CR, the bidi override, the line separator. */
// eslint-disable-next-line no-control-regex -- control characters are what is looked for
const RAW = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u2028\u2029]/

let dir: string

const example = () =>
  JSON.parse(readFileSync(join(ROOT, 'examples/applications/rejected-multiple-reasons.json'), 'utf8')) as Record<string, unknown>
let validateDir: string
/** A folder whose 1.1.0 rule title holds the hostile text: refused by every command (E_INVISIBLE_CHARACTER), its report escaped. */
let titleDir: string

beforeAll(() => {
  assertBuilt()
  dir = mkdtempSync(join(tmpdir(), 'collabgate-escape-'))
  cpSync(join(ROOT, 'test/fixtures/authoring/versions'), dir, { recursive: true })
  // the titles change, so the fixture's lock no longer holds: this folder has none (a warning only)
  rmSync(join(dir, 'policies.lock.json'))
  titleDir = mkdtempSync(join(tmpdir(), 'collabgate-escape-title-'))
  cpSync(dir, titleDir, { recursive: true })
  const v11 = join(titleDir, 'acme.onboarding.v1.1.0.yaml')
  writeFileSync(v11, readFileSync(v11, 'utf8').replace('title: Platform data is encrypted at rest', `title: "Encrypted ${HOSTILE_YAML}"`))
  writeFileSync(
    join(dir, 'acme.onboarding.test.yaml'),
    [
      'policy: acme.onboarding',
      'asOf: "2025-09-02"',
      'base: record.json',
      'cases:',
      `  - name: "case ${HOSTILE_YAML}"`,
      `    patch: { applicant: { registration: { country: "${HOSTILE_YAML}" } } }`,
      '    expect: { outcome: approve, rules: [], messages: { ONB-SCOPE-US: "Canada" } }',
      '',
    ].join('\n'),
  )
  const lines = readFileSync(join(dir, 'records.ndjson'), 'utf8').split('\n')
  lines[1] = lines[1]!.replace('"APP-2"', JSON.stringify(HOSTILE))
  writeFileSync(join(dir, 'records.ndjson'), lines.join('\n'))
  // a folder whose file names are the data: one loads with a naming warning, one is broken
  validateDir = mkdtempSync(join(tmpdir(), 'collabgate-escape-names-'))
  cpSync(join(ROOT, 'test/fixtures/authoring/versions/acme.onboarding.v1.0.0.yaml'), join(validateDir, 'a\u001b[2J\u202e.yaml'))
  writeFileSync(join(validateDir, 'b\u001b]0;t\u0007.yaml'), 'id: 5\n')
})
afterAll(() => {
  rmSync(dir, { recursive: true, force: true })
  rmSync(validateDir, { recursive: true, force: true })
  rmSync(titleDir, { recursive: true, force: true })
})

describe('text reporters show control characters from data as visible escapes', () => {
  it('decide --format text: an applicationId of escape sequences neither clears, colours nor retitles, and the outcome line stands', async () => {
    const record = JSON.parse(readFileSync(join(ROOT, 'examples/applications/rejected-multiple-reasons.json'), 'utf8')) as {
      applicationId: string
    }
    record.applicationId = HOSTILE
    const r = await cli(['decide', '--format', 'text', '--as-of', '2026-11-24', '-'], { input: JSON.stringify(record) })
    expect(r.code).toBe(0)
    expect(r.stdout).not.toMatch(RAW)
    const lines = r.stdout.split('\n')
    expect(lines[0]).toBe('application \\x1b[2J\\x1b[32mAPPROVE\\n no rule objected\\x1b]0;title\\x07: REJECT')
    expect(lines.some((l) => l.trim() === 'no rule objected')).toBe(false)
  })

  it('decide --format text: a message quoting a record value stays on its line', async () => {
    const record = JSON.parse(readFileSync(join(dir, 'record.json'), 'utf8')) as { applicant: { registration: { country: string } } }
    record.applicant.registration.country = '\u001b[2J\u202eSU\n  - [approve] ok'
    const r = await cli(['decide', '--format', 'text', '--explain', '--no-lock', '--policies', dir, '--as-of', '2025-09-02', '-'], {
      input: JSON.stringify(record),
    })
    expect(r.stdout).not.toMatch(RAW)
    expect(r.stdout).toContain('Registered in \\x1b[2J\\u{202e}SU\\n  - [approve] ok, not the US.')
    expect(r.stdout.split('\n').some((l) => l.startsWith('  - [approve] ok'))).toBe(false)
  })

  it('decide --ndjson: an error line quoting a field name holds no raw bidi or C1 character, and is the same JSON', async () => {
    const record = { ...example(), 'x\u202e\u0085\u2028': 1 }
    const r = await cli(['decide', '--ndjson', '-'], { input: JSON.stringify(record) + '\n' })
    const [line] = r.stdout.split('\n')
    expect(line).toContain('\\u202e\\u0085\\u2028')
    expect(line).not.toMatch(RAW)
    expect(JSON.parse(line!)).toMatchObject({ line: 1, error: { code: 'E_RECORD_INVALID' } })
  })

  it('the CLI error on stderr shows a field name of escape sequences as escapes', async () => {
    const record = { ...example(), 'x\u001b[2J\u001b]0;t\u0007': 1 }
    const r = await cli(['decide', '-'], { input: JSON.stringify(record) })
    expect(r.code).toBe(2)
    expect(r.stderr).toContain("unknown field 'x\\x1b[2J\\x1b]0;t\\x07'")
    expect(r.stderr).not.toMatch(RAW)
  })

  it('validate text and GitHub annotations: file names are escaped, and each finding stays one line', async () => {
    for (const format of ['text', 'github']) {
      const r = await cli(['validate', '--no-lock', '--format', format, validateDir])
      expect(r.code).toBe(1)
      expect(r.stdout).not.toMatch(RAW)
      expect(r.stdout).toContain('a\\x1b[2J\\u{202e}.yaml')
      expect(r.stdout).toContain('b\\x1b]0;t\\x07.yaml')
    }
  })

  it('test text, JUnit and GitHub: a case name and a message quoting a record value are escaped; the XML stays XML 1.0', async () => {
    for (const format of ['text', 'junit', 'github']) {
      const r = await cli(['test', '--no-lock', '--format', format, dir])
      expect(r.code).toBe(1)
      expect(r.stdout).not.toMatch(RAW)
      expect(r.stdout).toContain('case \\x1b[2J\\x1b[32mAPPROVE')
    }
    const text = (await cli(['test', '--no-lock', dir])).stdout
    expect(text).toContain('"Registered in \\x1b[2J\\x1b[32mAPPROVE\\n no rule objected\\x1b]0;title\\x07 \\u{202e} evil')
    expect(text.trimEnd().split('\n').at(-1)).toBe('policy-tests: 0 passed, 1 failed')
  })

  it('test --coverage text: the run stays free of raw control characters', async () => {
    const r = await cli(['test', '--no-lock', '--coverage', dir])
    expect(r.stdout).not.toMatch(RAW)
  })

  it('a policy title of escape sequences: every command refuses it (E_INVISIBLE_CHARACTER), and says so in escapes', async () => {
    const runs = [
      await cli(['diff', join(titleDir, 'acme.onboarding.v1.0.0.yaml'), join(titleDir, 'acme.onboarding.v1.1.0.yaml')]),
      await cli(['validate', '--no-lock', titleDir]),
      await cli(['decide', '--format', 'text', '--no-lock', '--policies', titleDir, join(titleDir, 'record.json')]),
    ]
    for (const r of runs) {
      expect(r.code).toBe(1)
      expect(r.stdout + r.stderr).toContain('E_INVISIBLE_CHARACTER')
      expect(r.stdout + r.stderr).not.toMatch(RAW)
    }
  })

  it('impact text: a record id is escaped', async () => {
    const r = await cli([
      'impact',
      '--policies',
      dir,
      '--policy',
      'acme.onboarding',
      '--from',
      '1.0.0',
      '--to',
      '1.1.0',
      '--as-of',
      '2025-09-02',
      join(dir, 'records.ndjson'),
    ])
    expect(r.stdout).not.toMatch(RAW)
    expect(r.stdout).toContain('\\x1b[2J\\x1b[32mAPPROVE\\n no rule objected\\x1b]0;title\\x07: approve → manual_review')
  })
})
