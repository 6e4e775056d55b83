/**
 * Every message names the fix (issue #25 item 4): shapes in words with an example instead of a regular
 * expression, a country calendar whose regions differ warned about, did-you-mean for commands, outcomes
 * and template names, JSON syntax at line:column, a code on every CLI error, duplicates said as such.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { checkPolicies } from '../../src/folder/load.js'
import { assertBuilt, cli, ROOT } from './run-cli.js'

const SHIPPED = readFileSync(join(ROOT, 'policies', 'creator-collaboration.us.api-access.v1.1.0.yaml'), 'utf8')
  .replace(/^id: .*$/m, 'id: acme.access')
  .replace(/^version: .*$/m, 'version: "1.0.0"')
const FILE = 'acme.access.v1.0.0.yaml'
let dir: string
let n = 0

/** Checks one policy text alone in a fresh folder (the shipped record kinds, no lock). */
async function check(text: string) {
  const folder = join(dir, `case-${n++}`)
  mkdirSync(folder)
  writeFileSync(join(folder, FILE), text)
  return checkPolicies(folder, { lock: false })
}

beforeAll(() => {
  assertBuilt()
  dir = mkdtempSync(join(tmpdir(), 'collabgate-guidance-'))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('shapes explained in words, with an example', () => {
  it('a date, an id, a rule id and a calendar name their form instead of a pattern', async () => {
    const text = SHIPPED.replace(/^id: .*$/m, 'id: Acme.Access')
      .replace(/^subject:/m, 'calendar: England\nsubject:')
      .replace(/^ {2}from: .*$/m, '  from: "01/06/2027"')
      .replace('- id: API-CATEGORY-APPROVED', '- id: api-category-approved')
    const { problems } = await check(text)
    const byPointer = Object.fromEntries(problems.map((p) => [p.pointer, p.message]))
    expect(problems.map((p) => p.message).join('\n')).not.toContain('must match pattern')
    expect(byPointer['/effective/from']).toBe('must be a date written YEAR-MONTH-DAY in quotes, e.g. "2027-06-01" for 1 June 2027')
    expect(byPointer['/id']).toContain('e.g. acme.uk.onboarding')
    expect(byPointer['/rules/0/id']).toContain('e.g. ONB-SCOPE-US')
    expect(byPointer['/calendar']).toContain('a region such as GB-ENG')
  })
})

describe('a calendar whose regions keep other holidays', () => {
  it('calendar: GB is warned about with its regions (W_CALENDAR_REGIONS); GB-ENG and the unnamed default are not', async () => {
    const gb = await check(SHIPPED.replace(/^subject:/m, 'calendar: GB\nsubject:'))
    expect(gb.problems).toEqual([])
    const warning = gb.warnings.find((w) => w.code === 'W_CALENDAR_REGIONS')
    expect(warning?.message).toContain('calendar GB is the country-level list')
    for (const region of ['GB-ENG', 'GB-NIR', 'GB-SCT', 'GB-WLS']) expect(warning?.message).toContain(region)
    expect(warning?.line).toBe(SHIPPED.split('\n').findIndex((l) => l.startsWith('subject:')) + 1)
    const eng = await check(SHIPPED.replace(/^subject:/m, 'calendar: GB-ENG\nsubject:'))
    expect(eng.warnings.filter((w) => w.code === 'W_CALENDAR_REGIONS')).toEqual([])
    const unnamed = await check(SHIPPED)
    expect(unnamed.warnings.filter((w) => w.code === 'W_CALENDAR_REGIONS')).toEqual([])
  })
})

describe('did you mean', () => {
  it('a mistyped command prints one line with its code and the command meant, not the whole help', async () => {
    const r = await cli(['decid', 'x.json'])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/^collabgate: E_USAGE: unknown command 'decid' \(did you mean 'decide'\?\); commands: decide, test, /)
    expect(r.stderr.trim().split('\n')).toHaveLength(1)
    expect(r.stdout).toBe('')
    const far = await cli(['frobnicate'])
    expect(far.stderr).not.toContain('did you mean')
  })

  it('a mistyped outcome and a mistyped template name are offered the one meant', async () => {
    const text = SHIPPED.replace(/^default: allow$/m, 'default: alow').replace('{{ category }}', '{{ categroy }}')
    const { problems } = await check(text)
    expect(problems.find((p) => p.code === 'E_UNKNOWN_OUTCOME')).toMatchObject({ pointer: '/default', hint: "did you mean 'allow'?" })
    expect(problems.find((p) => p.code === 'E_TEMPLATE')?.hint).toBe("did you mean '{{ category }}'?")
    // a nested field: the one beside it in the record schema
    const nested = await check(SHIPPED.replace('{{ review.result }}', '{{ review.reslt }}'))
    expect(nested.problems.find((p) => p.code === 'E_TEMPLATE')?.hint).toBe("did you mean '{{ review.result }}'?")
  })
})

describe('JSON errors at line:column, every CLI error with its code', () => {
  it('a record that is not JSON is placed at its line and column', async () => {
    const r = await cli(['decide', '-'], { input: '{\n  "applicationId": "A",\n  "category": ]\n}\n' })
    expect(r.code).toBe(2)
    expect(r.stderr).toBe("collabgate: E_RECORD_INVALID: standard input is not JSON: Unexpected token ']' at line 3, column 15\n")
    const end = await cli(['decide', '-'], { input: '{"a": 1,\n "b": 1' })
    expect(end.stderr).toContain('at line 2, column 8')
  })

  it('an invalid record prints E_RECORD_INVALID', async () => {
    const r = await cli(['decide', '-'], { input: JSON.stringify({ applicationId: 'A' }) })
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/^collabgate: E_RECORD_INVALID: the application record is invalid \(\d+ problem\(s\)\):/)
  })
})

describe('duplicates reported as such', () => {
  it('a key given twice names the first declaration', async () => {
    const text = SHIPPED.replace(/^version: .*$/m, 'version: "1.0.0"\nversion: "1.0.1"')
    const { problems } = await check(text)
    const line = SHIPPED.split('\n').findIndex((l) => l.startsWith('version:')) + 1
    expect(problems).toEqual([
      expect.objectContaining({
        code: 'E_YAML_SYNTAX',
        line: line + 1,
        message: `'version' is declared twice in one mapping (first at line ${line}); keep one (DUPLICATE_KEY)`,
      }),
    ])
  })
})
