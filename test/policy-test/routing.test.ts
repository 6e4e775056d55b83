/**
 * Issue #25 items 1 and 5: a case that names no policy is routed by data as `decide` routes it and
 * may expect which version decides (or which error); a case can assert a message's exact wording or
 * a pattern; and a test file whose cases cannot run still counts them, as failed, with the reason.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { defaultPoliciesDir, loadPolicies } from '../../src/folder/load.js'
import { policyTestJson, policyTestText } from '../../src/report/policy-test.js'
import { findPolicyTestFiles, runPolicyTestFiles } from '../../src/policy-test/run.js'

const temps: string[] = []
afterAll(() => temps.forEach((t) => rmSync(t, { recursive: true, force: true })))

/** A copy of the shipped folder without its tests and lock, with the given files written into it. */
function folderWith(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'collabgate-routing-'))
  temps.push(dir)
  cpSync(defaultPoliciesDir(), dir, { recursive: true })
  for (const f of readdirSync(dir)) if (f.endsWith('.test.yaml') || f === 'policies.lock.json') rmSync(join(dir, f))
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text)
  return dir
}

async function runIn(dir: string, files?: string[]) {
  const set = await loadPolicies(dir, { lock: false })
  const paths = files ?? (await findPolicyTestFiles([dir]))
  return runPolicyTestFiles(set, paths, (abs) => abs.slice(dir.length + 1))
}

const HEAD = 'asOf: "2026-11-20"\nbase: test-records/complete-us-application.json\ncases:\n'
const CA = 'patch: { applicant: { registration: { country: CA } } }'
const SCOPE_CA = 'Business registration country is CA; the category is open to developers registered in the US only.'

describe('a case without policy: is routed by data', () => {
  it('routes by record kind and date, and checks which id@version decides', async () => {
    const { result } = await runIn(
      folderWith({
        'routed.test.yaml': `${HEAD}  - name: before 1.1.0
    ${CA}
    expect: { outcome: reject, policy: creator-collaboration.us.onboarding@1.0.0 }
  - name: from 1.1.0
    asOf: "2026-12-01"
    ${CA}
    expect: { outcome: reject, policy: creator-collaboration.us.onboarding@1.1.0 }
  - name: the id alone
    expect: { outcome: approve, policy: creator-collaboration.us.onboarding }
  - name: a wrong version
    expect: { outcome: approve, policy: creator-collaboration.us.onboarding@1.1.0 }
  - name: a behaviour record
    record: { developerId: D-1, incidents: [] }
    expect: { outcome: no_action, policy: creator-collaboration.us.termination@1.0.0 }
`,
      }),
    )
    expect(result.problems).toEqual([])
    expect(result.cases.map((c) => [c.name, c.passed, c.routed, c.policy])).toEqual([
      ['before 1.1.0', true, true, 'creator-collaboration.us.onboarding'],
      ['from 1.1.0', true, true, 'creator-collaboration.us.onboarding'],
      ['the id alone', true, true, 'creator-collaboration.us.onboarding'],
      ['a wrong version', false, true, 'creator-collaboration.us.onboarding'],
      ['a behaviour record', true, true, 'creator-collaboration.us.termination'],
    ])
    expect(result.cases[3]!.mismatches).toEqual([
      { what: 'policy', expected: 'creator-collaboration.us.onboarding@1.1.0', actual: 'creator-collaboration.us.onboarding@1.0.0' },
    ])
  })

  it('meets the same appliesTo as production: a market that declines a record is an error the case can expect', async () => {
    const dir = folderWith({
      'routed.test.yaml': `${HEAD}  - name: a Canadian applicant
    ${CA}
    expect: { outcome: reject, policy: creator-collaboration.us.onboarding }
  - name: a Canadian applicant, as the market now routes it
    ${CA}
    expect: { outcome: reject, error: E_NO_POLICY_APPLIES }
`,
    })
    const file = join(dir, 'creator-collaboration.us.onboarding.v1.0.0.yaml')
    const us = 'primary: true\nappliesTo: { fact: applicant, path: $.registration.country, operator: equal, value: US }'
    writeFileSync(file, readFileSync(file, 'utf8').replace('primary: true', us))
    const { result } = await runIn(dir)
    expect(result.cases.map((c) => [c.name, c.passed, c.error])).toEqual([
      ['a Canadian applicant', false, 'E_NO_POLICY_APPLIES'],
      ['a Canadian applicant, as the market now routes it', true, 'E_NO_POLICY_APPLIES'],
    ])
  })

  it('lets a case name its own policy in a file that names none, and refuses a version on a routed case', async () => {
    const { result } = await runIn(
      folderWith({
        'mixed.test.yaml': `${HEAD}  - name: named
    policy: creator-collaboration.us.api-access
    expect: { outcome: deny, policy: creator-collaboration.us.api-access@1.0.0 }
  - name: a routed case with a version
    version: 1.0.0
    expect: { outcome: approve }
  - name: a routed case with a range
    versions: ">=1.0.0"
    expect: { outcome: approve }
equivalent:
  - mutant: "default: approve → reject"
    reason: no policy to belong to
`,
      }),
    )
    expect(result.cases.map((c) => [c.name, c.passed, c.error])).toEqual([
      ['named', true, undefined],
      ['a routed case with a version', false, 'E_SCHEMA'],
      ['a routed case with a range', false, 'E_INVALID_VERSION'],
    ])
    expect(result.problems.map((p) => [p.code, p.pointer])).toEqual([
      ['E_SCHEMA', '/equivalent/0'],
      ['E_SCHEMA', '/cases/1'],
      ['E_INVALID_VERSION', '/cases/2/versions'],
    ])
    expect(result.problems[1]!.message).toContain('a case routed by data names no version')
  })
})

describe('a case can assert a message exactly, or by a pattern', () => {
  it('messageIs passes only on the exact wording; messageMatches on a match; a bad pattern fails the case', async () => {
    const { result } = await runIn(
      folderWith({
        'words.test.yaml': `policy: creator-collaboration.us.onboarding
${HEAD}  - name: exact
    ${CA}
    expect: { outcome: reject, messageIs: { ONB-SCOPE-US: "${SCOPE_CA}" } }
  - name: a part is not the whole
    ${CA}
    expect: { outcome: reject, messageIs: { ONB-SCOPE-US: "country is CA" } }
  - name: pattern
    ${CA}
    expect: { outcome: reject, messageMatches: { ONB-SCOPE-US: "^Business registration country is CA;" } }
  - name: pattern missed
    ${CA}
    expect: { outcome: reject, messageMatches: { ONB-SCOPE-US: "country is US" } }
  - name: not a pattern
    ${CA}
    expect: { outcome: reject, messageMatches: { ONB-SCOPE-US: "(" } }
  - name: a rule that did not object
    expect: { outcome: approve, messageIs: { ONB-CATEGORY: "anything" } }
`,
      }),
    )
    expect(result.cases.map((c) => [c.name, c.passed])).toEqual([
      ['exact', true],
      ['a part is not the whole', false],
      ['pattern', true],
      ['pattern missed', false],
      ['not a pattern', false],
      ['a rule that did not object', false],
    ])
    expect(result.cases[1]!.mismatches).toEqual([{ what: 'message of ONB-SCOPE-US', expected: '"country is CA"', actual: `"${SCOPE_CA}"` }])
    expect(result.cases[4]!.failures[0]).toContain('not a valid regular expression')
    expect(result.cases[5]!.failures[0]).toContain('did not object')
  })
})

describe('nothing hides in a count', () => {
  const good = `policy: creator-collaboration.us.onboarding\n${HEAD}  - name: fine\n    expect: { outcome: approve }\n`

  it('counts each case of a file that fails its schema as failed, with the reason', async () => {
    const bad = `policy: creator-collaboration.us.onboarding
${HEAD}  - name: one
    expect: { outcome: approve, overdue: "no" }
  - name: two
    expect: { outcome: approve }
  - expect: { outcome: approve }
`
    const dir = folderWith({ 'good.test.yaml': good, 'bad.test.yaml': bad })
    const { result } = await runIn(dir)
    const failed = result.cases.filter((c) => !c.passed)
    expect(failed.map((c) => [c.file, c.name, c.line, c.error])).toEqual([
      ['bad.test.yaml', 'one', 5, 'E_SCHEMA'],
      ['bad.test.yaml', 'two', 7, 'E_SCHEMA'],
      ['bad.test.yaml', 'case 3', 9, 'E_SCHEMA'],
    ])
    expect(failed[0]!.failures[0]).toMatch(/^error: the test file fails its schema at \/cases\//)
    const text = policyTestText({ result })
    expect(text).toContain('policy-tests: 1 passed, 3 failed')
    const json = JSON.parse(policyTestJson({ result })) as { passed: number; failed: number; cases: unknown[] }
    expect(json.passed + json.failed).toBe(json.cases.length)
    expect([json.passed, json.failed]).toEqual([1, 3])
  })

  it('counts a file that is not YAML, or has no cases to count, as one failed case, and says so', async () => {
    const dir = folderWith({ 'good.test.yaml': good, 'broken.test.yaml': 'policy: [unclosed\n', 'empty.test.yaml': 'policy: x\n' })
    const { result } = await runIn(dir)
    const failed = result.cases.filter((c) => !c.passed)
    expect(failed.map((c) => [c.file, c.uncounted, c.error])).toEqual([
      ['broken.test.yaml', true, 'E_YAML_SYNTAX'],
      ['empty.test.yaml', true, 'E_SCHEMA'],
    ])
    expect(failed[0]!.name).toBe('broken.test.yaml (its cases cannot be counted: counted as one)')
    expect(policyTestText({ result })).toContain('policy-tests: 1 passed, 2 failed')
  })

  it('counts a file that cannot be read as a failed case with an E_IO problem, instead of stopping the run', async () => {
    const dir = folderWith({ 'good.test.yaml': good })
    const { result } = await runIn(dir, [join(dir, 'good.test.yaml'), join(dir, 'gone.test.yaml')])
    expect(result.cases.map((c) => [c.file, c.passed, c.error])).toEqual([
      ['good.test.yaml', true, undefined],
      ['gone.test.yaml', false, 'E_IO'],
    ])
    expect(result.problems.map((p) => [p.code, p.file])).toEqual([['E_IO', 'gone.test.yaml']])
    expect(result.cases[1]!.failures[0]).toContain('cannot read the test file')
  })
})
