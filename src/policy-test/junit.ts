/** Policy test results as JUnit suites: one suite per test file, one case per test case. */
import { formatJunit, type JunitSuite } from '../report/junit.js'
import type { PolicyTestResult } from './run.js'

export function policyTestsToJunit(result: PolicyTestResult): string {
  return formatJunit(policyTestSuites(result), 'collabgate policy tests')
}

/** The JUnit suites of a test run (a mutation run adds its own beside them). */
export function policyTestSuites(result: PolicyTestResult): JunitSuite[] {
  const suites = new Map<string, JunitSuite>()
  for (const c of result.cases) {
    let suite = suites.get(c.file)
    if (!suite) suites.set(c.file, (suite = { name: c.file, cases: [] }))
    const base = { name: c.name, classname: c.policy, file: c.file, line: c.line }
    if (c.passed) suite.cases.push(base)
    else if (c.decision === undefined && c.mismatches.every((m) => m.what !== 'error')) {
      suite.cases.push({
        ...base,
        error: {
          message: c.failures[0] ?? 'the case could not run',
          type: c.error ?? 'E_INTERNAL',
          details: c.failures.join('\n'),
        },
      })
    } else {
      const details = c.mismatches
        .map((m) => `${m.what}\n  expected: ${m.expected}\n  actual:   ${m.actual}`)
        .join('\n')
      suite.cases.push({ ...base, failure: { message: c.failures.join('; '), details } })
    }
  }
  const out = [...suites.values()]
  if (result.problems.length > 0) {
    out.push({
      name: 'policy and test files',
      cases: result.problems.map((p) => ({
        name: `${p.file}:${p.line}:${p.column}`,
        classname: p.code,
        file: p.file,
        line: p.line,
        error: { message: `${p.code} ${p.message}`, type: p.code },
      })),
    })
  }
  return out
}
