import { beforeAll, describe, expect, it } from 'vitest'
import type { CoverageReport } from '../../src/index.js'
import { assertBuilt, AUTHORING, cli } from './run-cli.js'

beforeAll(assertBuilt)

const FAILING = `${AUTHORING}/failing-test`
const VERSIONS = `${AUTHORING}/versions`

describe.concurrent('collabgate test', () => {
  it('shows a failing case with expected and actual side by side, and exits 1', async () => {
    const r = await cli(['test', FAILING])
    expect(r.code).toBe(1)
    expect(r.stdout).toContain(`✓ ${FAILING}/acme.onboarding.test.yaml:6 a strong US developer is recommended for approval\n`)
    expect(r.stdout).toContain(
      [
        `✗ ${FAILING}/acme.onboarding.test.yaml:8 this case expects the wrong outcome & rules <on purpose>`,
        '                              expected                        actual',
        '    outcome                   approve                         manual_review',
        '    rules                     [ONB-SCOPE-US]                  [ONB-STRENGTH]',
        '    message of ONB-STRENGTH   contains "at least two years"   "Only 1 year(s) in operation."',
      ].join('\n'),
    )
    expect(r.stdout).toContain('policy-tests: 1 passed, 1 failed\n')
  })

  it('gives the mismatches as JSON', async () => {
    const r = await cli(['test', '--format', 'json', FAILING])
    expect(r.code).toBe(1)
    const body = JSON.parse(r.stdout) as {
      passed: number
      failed: number
      cases: { passed: boolean; outcome: string; rules: string[]; mismatches: unknown[] }[]
    }
    expect(body).toMatchObject({ passed: 1, failed: 1 })
    expect(body.cases[1]).toMatchObject({
      passed: false,
      outcome: 'manual_review',
      rules: ['ONB-STRENGTH'],
      mismatches: [
        { what: 'outcome', expected: 'approve', actual: 'manual_review' },
        { what: 'rules', expected: '[ONB-SCOPE-US]', actual: '[ONB-STRENGTH]' },
        { what: 'message of ONB-STRENGTH', expected: 'contains "at least two years"', actual: '"Only 1 year(s) in operation."' },
      ],
    })
  })

  it('writes JUnit XML with escaped names and messages', async () => {
    const r = await cli(['test', '--format', 'junit', FAILING])
    expect(r.code).toBe(1)
    expect(
      r.stdout.startsWith(
        '<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="collabgate policy tests" tests="2" failures="1" errors="0">',
      ),
    ).toBe(true)
    expect(r.stdout).toContain(`<testsuite name="${FAILING}/acme.onboarding.test.yaml" tests="2" failures="1" errors="0" skipped="0">`)
    expect(r.stdout).toContain(
      '<testcase name="this case expects the wrong outcome &amp; rules &lt;on purpose&gt;" classname="acme.onboarding"',
    )
    expect(r.stdout).toContain(
      '<failure message="outcome: expected approve, got manual_review; rules: expected [ONB-SCOPE-US], got [ONB-STRENGTH]; message of ONB-STRENGTH: expected it to contain &quot;at least two years&quot;',
    )
    expect(r.stdout).not.toMatch(/&(?!amp;|lt;|gt;|quot;|apos;|#1[03];)/)
    expect(r.stdout.trimEnd().endsWith('</testsuites>')).toBe(true)
  })

  it('reports rule coverage and passes a minimum it meets', async () => {
    const r = await cli(['test', '--coverage', '--min-coverage', '60', VERSIONS])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain(`  acme.onboarding@1.0.0 (${VERSIONS}/acme.onboarding.v1.0.0.yaml): 1/4 rules\n`)
    expect(r.stdout).toMatch(/✗ ONB-SCOPE-US +line 14 +passed 2 +objected 0 +never seen objecting\n/)
    expect(r.stdout).toMatch(/✓ ONB-STRENGTH +line 28 +passed 1 +objected 1\n/)
    expect(r.stdout).toContain(`  acme.onboarding@1.1.0 (${VERSIONS}/acme.onboarding.v1.1.0.yaml): 4/4 rules\n`)
    expect(r.stdout).toContain('rule coverage: 5/8 rules exercised both passing and objecting (62.5%), minimum 60% met\n')
  })

  it('fails under --min-coverage even when every case passes (json and junit)', async () => {
    const json = await cli(['test', '--format', 'json', '--min-coverage', '100', VERSIONS])
    expect(json.code).toBe(1)
    const body = JSON.parse(json.stdout) as { failed: number; coverage: CoverageReport & { minimum: number } }
    expect(body.failed).toBe(0)
    expect(body.coverage).toMatchObject({ covered: 5, total: 8, percent: 62.5, minimum: 100 })
    expect(json.stderr).toContain('(62.5%), below the minimum of 100%')

    const junit = await cli(['test', '--format', 'junit', '--min-coverage', '100', VERSIONS])
    expect(junit.code).toBe(1)
    expect(junit.stdout).toContain('tests="7" failures="0" errors="0"')
    expect(junit.stderr).toBe('rule coverage: 5/8 rules exercised both passing and objecting (62.5%), below the minimum of 100%\n')
  })

  it('covers every shipped rule both ways (what npm test enforces)', async () => {
    const r = await cli(['test', '--coverage', '--min-coverage', '100'])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(
      /rule coverage: (\d+)\/\1 rules exercised both passing and objecting \(100%\), minimum 100% met\npolicy-tests: \d+ passed, 0 failed\n$/,
    )
  })

  it('exits 2 for a bad --min-coverage', async () => {
    const r = await cli(['test', '--min-coverage', 'most', VERSIONS])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('--min-coverage must be a percentage from 0 to 100, not most')
  })
})
