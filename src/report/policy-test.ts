/**
 * Reporters of a policy test run (OPA's tester reporters): text for people (with expected beside
 * actual, and rule coverage), JSON for programs, JUnit for CI dashboards. `collabgate test` picks
 * one; a service or another tool can call them with the same result.
 */
import { formatProblem } from '../errors.js'
import { columns, PLAIN, visible, type Paint, type Reporter } from './reporter.js'
import type { CoverageReport } from '../policy-test/coverage.js'
import { policyTestsToJunit } from './junit.js'
import type { PolicyTestCaseResult, PolicyTestResult } from '../policy-test/run.js'

/** A test run as its reporters read it. */
export interface PolicyTestReport {
  result: PolicyTestResult
  /** Rule coverage, when it was asked for. */
  coverage?: CoverageReport | undefined
  /** The minimum coverage in percent, when one was set. */
  minCoverage?: number | undefined
}

export const passedCount = (r: PolicyTestResult): number => r.cases.filter((c) => c.passed).length

/** Whether the run failed: a failed case, a problem, no case at all, or coverage under the minimum. */
export function testRunFailed({ result, coverage, minCoverage }: PolicyTestReport): boolean {
  const below = coverage !== undefined && minCoverage !== undefined && coverage.percent < minCoverage
  return passedCount(result) < result.cases.length || result.problems.length > 0 || result.cases.length === 0 || below
}

/** `rule coverage: N/M rules exercised both passing and objecting (P%)[, minimum met | below]`. */
export function coverageSummary(c: CoverageReport, min: number | undefined): string {
  const head = `rule coverage: ${c.covered}/${c.total} rules exercised both passing and objecting (${c.percent}%)`
  if (min === undefined) return head
  return c.percent < min ? `${head}, below the minimum of ${min}%` : `${head}, minimum ${min}% met`
}

/**
 * Problems, one line per case (a failure with expected and actual side by side), coverage, then `N passed, N failed`.
 */
export const policyTestText: Reporter<PolicyTestReport> = (
  { result, coverage, minCoverage },
  { paint = PLAIN } = {},
) => {
  const passed = passedCount(result)
  let out = ''
  for (const p of result.problems) out += `${paint.red('✗')} ${visible(formatProblem(p))}\n`
  for (const c of result.cases) out += caseText(c, paint)
  if (result.files.length === 0) out += 'no test files found\n'
  if (coverage) out += coverageText(coverage, minCoverage, paint)
  // last, in the plain 'N passed, N failed' form CI logs and people scan for
  return out + `policy-tests: ${passed} passed, ${result.cases.length - passed} failed\n`
}

/** `{ passed, failed, problems, cases, coverage? }`, each case with its outcome and objecting rules. */
export const policyTestJson: Reporter<PolicyTestReport> = ({ result, coverage, minCoverage }) => {
  const passed = passedCount(result)
  const cases = result.cases.map(({ decision, ...c }) => ({
    ...c,
    outcome: decision?.outcome,
    rules: decision?.reasons.map((r) => r.rule),
  }))
  const body = {
    passed,
    failed: result.cases.length - passed,
    problems: result.problems,
    cases,
    ...(coverage ? { coverage: { ...coverage, minimum: minCoverage ?? null } } : {}),
  }
  return JSON.stringify(body, null, 2) + '\n'
}

/** JUnit XML: one suite per test file (coverage is not part of it). */
export const policyTestJunit: Reporter<PolicyTestReport> = ({ result }) => policyTestsToJunit(result)

/** The reporters of a test run, by format name. */
export const POLICY_TEST_REPORTERS = Object.freeze({
  text: policyTestText,
  json: policyTestJson,
  junit: policyTestJunit,
})

/** One case; a failure shows expected and actual side by side. */
function caseText(c: PolicyTestCaseResult, paint: Paint): string {
  const head = `${c.passed ? paint.green('✓') : paint.red('✗')} ${visible(`${c.file}:${c.line} ${c.name}`)}\n`
  if (c.passed) return head
  const rows = [['', 'expected', 'actual'], ...c.mismatches.map((m) => [m.what, m.expected, m.actual].map(visible))]
  const table = columns(rows).map((l, i) => `    ${i === 0 ? paint.dim(l) : l}\n`)
  // Failures that are not expected/actual pairs (e.g. a record file that does not parse) are printed as they are.
  const notes = c.failures
    .filter((f) => f.startsWith('error: ') && c.decision === undefined && !c.mismatches.some((m) => m.what === 'error'))
    .map((f) => `    ${visible(f)}\n`)
  return head + table.join('') + notes.join('')
}

/** Per policy version, per rule: seen passing and objecting, and the checks never seen objecting. */
function coverageText(c: CoverageReport, min: number | undefined, paint: Paint): string {
  const out: string[] = ['', 'coverage (passed / objected in test cases):']
  for (const p of c.policies) {
    out.push(visible(`  ${p.id}@${p.version} (${p.file}): ${p.covered}/${p.total} rules`))
    const rows = p.rules.map((r) => {
      const gap = r.covered
        ? ''
        : r.passed === 0 && r.objected === 0
          ? 'never exercised'
          : r.passed === 0
            ? 'never seen passing'
            : 'never seen objecting'
      const mark = r.covered ? '✓' : '✗'
      return [`${mark} ${r.id}`, `line ${r.line}`, `passed ${r.passed}`, `objected ${r.objected}`, gap]
    })
    const lines = columns(rows, 2)
    p.rules.forEach((r, i) => {
      const text = `    ${visible(lines[i]!.trimEnd())}`
      out.push(r.covered ? text : paint.yellow(text))
      const idle = r.checks.filter((k) => k.objected === 0)
      if (idle.length > 0) {
        out.push(`        checks never objecting: ${idle.map((k) => `[${k.outcome}] line ${k.line}`).join(', ')}`)
      }
    })
  }
  const summary = coverageSummary(c, min)
  out.push(min !== undefined && c.percent < min ? paint.red(summary) : summary)
  return out.join('\n') + '\n'
}
