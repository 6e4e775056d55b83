/**
 * The reporters are the library's: a service or another tool gets the same text, JSON and
 * annotations `collabgate validate` and `collabgate test` print, from the same results.
 */
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { checkPolicies, loadPolicies, policyTestCoverage, runPolicyTests, findPolicyTestFiles } from '../../src/index.js'
import { POLICY_TEST_REPORTERS, testRunFailed } from '../../src/report/policy-test.js'
import { VALIDATION_REPORTERS, validationSummary } from '../../src/report/validation.js'
import { ANSI_COLOURS } from '../../src/report/reporter.js'

const AUTHORING = join(import.meta.dirname, '..', 'fixtures', 'authoring')

describe('validation reporters', () => {
  it('report a broken folder as text, JSON and GitHub annotations from one check', async () => {
    const paths = [join(AUTHORING, 'broken')]
    const checked = await checkPolicies(paths, { displayName: (abs) => abs.slice(AUTHORING.length + 1) })
    const text = VALIDATION_REPORTERS.text({ checked, paths })
    expect(text.split('\n')[0]).toMatch(
      /^✗ broken\/acme\.broken\.v1\.0\.0\.yaml:20:7 E_UNKNOWN_OPERATOR unknown operator 'greaterThen'; did you mean 'greaterThan'\? known operators: /,
    )
    expect(text.endsWith('✗ 2 policy file(s), 0 version(s) loaded: 4 problem(s)\n')).toBe(true)
    expect(VALIDATION_REPORTERS.text({ checked, paths }, { paint: ANSI_COLOURS })).toContain('\u001b[31m✗\u001b[39m ')
    const json = JSON.parse(VALIDATION_REPORTERS.json({ checked, paths })) as {
      valid: boolean
      problems: { code: string; hint?: string }[]
    }
    expect(json.valid).toBe(false)
    expect(json.problems.map((p) => p.code)).toEqual(['E_UNKNOWN_OPERATOR', 'E_UNKNOWN_OUTCOME', 'E_UNKNOWN_FACT', 'E_YAML_SYNTAX'])
    expect(json.problems[0]!.hint).toMatch(/^did you mean 'greaterThan'\?/)
    const github = VALIDATION_REPORTERS.github({ checked, paths }).split('\n')
    expect(github[0]).toMatch(
      /^::error file=broken\/acme\.broken\.v1\.0\.0\.yaml,line=20,col=7,title=E_UNKNOWN_OPERATOR::unknown operator 'greaterThen'; did you mean/,
    )
    expect(github.at(-2)).toBe(validationSummary({ checked, paths }))
  })

  it('print each warning with its code in text, as problems are; JSON keeps the code as a field', async () => {
    const paths = [join(AUTHORING, 'versions')]
    const checked = {
      ...(await checkPolicies(paths)),
      problems: [],
      warnings: [
        {
          code: 'W_FILE_NAME' as const,
          severity: 'warning' as const,
          message: 'uk.yaml holds a@1.0.0',
          hint: 'name it a.v1.0.0.yaml',
          file: 'uk.yaml',
          line: 3,
          column: 1,
        },
        { code: 'W_NO_LOCK' as const, severity: 'warning' as const, message: 'no lock file at policies.lock.json (not a failure)' },
      ],
    }
    const lines = VALIDATION_REPORTERS.text({ checked, paths }).split('\n')
    expect(lines.slice(0, 2)).toEqual([
      '! uk.yaml:3:1 W_FILE_NAME warning: uk.yaml holds a@1.0.0; name it a.v1.0.0.yaml',
      '! W_NO_LOCK warning: no lock file at policies.lock.json (not a failure)',
    ])
    const json = JSON.parse(VALIDATION_REPORTERS.json({ checked, paths })) as { warnings: unknown[] }
    expect(json.warnings).toEqual(checked.warnings)
  })

  it('say so when a path holds no policy at all', async () => {
    const paths = [join(AUTHORING, 'broken', 'no-such-kind')]
    const checked = { ...(await checkPolicies(join(AUTHORING, 'versions'))), files: [], policies: [], problems: [], warnings: [] }
    expect(validationSummary({ checked, paths })).toBe(`no policy files found in ${paths[0]}`)
  })
})

describe('policy test reporters', () => {
  it('report a run as text (ending in N passed, N failed), JSON and JUnit, and say when it failed', async () => {
    const dir = join(AUTHORING, 'versions')
    const set = await loadPolicies(dir)
    const result = await runPolicyTests(set, await findPolicyTestFiles([dir]))
    const report = { result, coverage: policyTestCoverage(set.policies, result.cases), minCoverage: 100 }
    const text = POLICY_TEST_REPORTERS.text(report)
    expect(text).toMatch(/policy-tests: 7 passed, 0 failed\n$/)
    expect(text).toContain('rule coverage: ')
    expect(JSON.parse(POLICY_TEST_REPORTERS.json(report))).toMatchObject({ passed: 7, failed: 0, coverage: { minimum: 100 } })
    expect(POLICY_TEST_REPORTERS.junit(report)).toMatch(/^<\?xml/)
    expect(testRunFailed(report)).toBe(report.coverage.percent < 100)
    expect(testRunFailed({ result: { ...result, cases: [] } })).toBe(true)
  })
})
