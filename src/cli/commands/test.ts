import { dirname } from 'node:path'
import { parseArgs } from 'node:util'
import { defaultPoliciesDir, isPolicyTestFile, loadPolicies } from '../../folder/load.js'
import { findPolicyTestFiles, runPolicyTests, type PolicyTestCaseResult } from '../../policy-test/run.js'
import { policyTestCoverage, type CoverageReport } from '../../policy-test/coverage.js'
import { policyTestsToJunit } from '../../policy-test/junit.js'
import { formatProblem } from '../../errors.js'
import { paintFor, type Paint } from '../colour.js'
import { columns, displayPath } from '../display.js'
import { EXIT, formatOption, statArg, UsageError, type Io } from '../io.js'

export const testHelp = `Usage: collabgate test [options] [PATH...]

Runs the policy tests (*.test.yaml) found in PATH (files or folders; default:
the shipped policies/) against the policies found in the same paths. A failed
case shows what it expected beside what the decision held.

Options:
  --format FMT         text (default), json, or junit (JUnit XML for CI dashboards)
  --coverage           report, per rule, whether the tests saw it both pass and object
  --min-coverage N     fail when fewer than N% of the rules are covered both ways
                       (implies --coverage)
  --no-lock            do not enforce the folder's lock (a draft version not
                       released yet may then take effect on released dates)
  -h, --help           show this help

Exit: 0 all cases pass (and coverage is at least N); 1 a case fails, a
policy/test file is invalid or coverage is below N; 2 usage errors.

Examples:
  collabgate test
  collabgate test policies/ --coverage --min-coverage 100
  collabgate test policies/ --format junit > policy-tests.xml
`


async function isFolder(p: string): Promise<boolean> {
  return (await statArg(p)).isDirectory()
}

export async function testCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      format: { type: 'string', default: 'text' },
      coverage: { type: 'boolean' },
      'min-coverage': { type: 'string' },
      'no-lock': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
  })
  if (values.help) {
    io.stdout(testHelp)
    return EXIT.OK
  }
  const format = formatOption(values.format, ['text', 'json', 'junit'])
  let minCoverage: number | undefined
  if (values['min-coverage'] !== undefined) {
    minCoverage = Number(values['min-coverage'])
    if (values['min-coverage'].trim() === '' || !Number.isFinite(minCoverage) || minCoverage < 0 || minCoverage > 100) {
      throw new UsageError(`--min-coverage must be a percentage from 0 to 100, not ${values['min-coverage']}`)
    }
  }
  const wantCoverage = values.coverage === true || minCoverage !== undefined

  const paths = positionals.length > 0 ? positionals : [defaultPoliciesDir()]
  // A test file named on its own is tested against the policies beside it; a policy file named on its own holds no tests.
  const policyPaths = [...new Set(paths.map((p) => (isPolicyTestFile(p) ? dirname(p) : p)))]
  const testPaths: string[] = []
  for (const p of paths) if (isPolicyTestFile(p) || (await isFolder(p))) testPaths.push(p)
  const set = await loadPolicies(policyPaths, { displayName: displayPath, lock: !values['no-lock'] })
  const files = await findPolicyTestFiles(testPaths)
  const result = await runPolicyTests(set, files, displayPath)
  const passed = result.cases.filter((c) => c.passed).length
  const failed = result.cases.length - passed
  const coverage = wantCoverage ? policyTestCoverage(set.policies, result.cases) : undefined
  const belowMin = coverage !== undefined && minCoverage !== undefined && coverage.percent < minCoverage

  if (format === 'json') {
    const cases = result.cases.map(({ decision, ...c }) => ({ ...c, outcome: decision?.outcome, rules: decision?.reasons.map((r) => r.rule) }))
    const body = { passed, failed, problems: result.problems, cases, ...(coverage ? { coverage: { ...coverage, minimum: minCoverage ?? null } } : {}) }
    io.stdout(JSON.stringify(body, null, 2) + '\n')
  } else if (format === 'junit') {
    io.stdout(policyTestsToJunit(result))
    // stdout carries only the XML; people reading the log still see the coverage line.
    if (coverage) io.stderr(coverageSummary(coverage, minCoverage) + '\n')
  } else {
    const paint = paintFor(io)
    for (const p of result.problems) io.stdout(`${paint.red('✗')} ${formatProblem(p)}\n`)
    for (const c of result.cases) io.stdout(caseText(c, paint))
    if (files.length === 0) io.stdout('no test files found\n')
    if (coverage) io.stdout(coverageText(coverage, minCoverage, paint))
    // last, in the plain 'N passed, N failed' form CI logs and people scan for
    io.stdout(`policy-tests: ${passed} passed, ${failed} failed\n`)
  }
  if (belowMin && format === 'json') io.stderr(`collabgate: ${coverageSummary(coverage, minCoverage)}\n`)
  return failed > 0 || result.problems.length > 0 || result.cases.length === 0 || belowMin ? EXIT.FAILED : EXIT.OK
}

/** One case; a failure shows expected and actual side by side. */
function caseText(c: PolicyTestCaseResult, paint: Paint): string {
  const head = `${c.passed ? paint.green('✓') : paint.red('✗')} ${c.file}:${c.line} ${c.name}\n`
  if (c.passed) return head
  const rows = [['', 'expected', 'actual'], ...c.mismatches.map((m) => [m.what, m.expected, m.actual])]
  const table = columns(rows).map((l, i) => `    ${i === 0 ? paint.dim(l) : l}\n`)
  // Failures that are not expected/actual pairs (e.g. a record file that does not parse) are printed as they are.
  const notes = c.failures.filter((f) => f.startsWith('error: ') && c.decision === undefined && !c.mismatches.some((m) => m.what === 'error')).map((f) => `    ${f}\n`)
  return head + table.join('') + notes.join('')
}

function coverageSummary(c: CoverageReport, min: number | undefined): string {
  const head = `rule coverage: ${c.covered}/${c.total} rules exercised both passing and objecting (${c.percent}%)`
  if (min === undefined) return head
  return c.percent < min ? `${head}, below the minimum of ${min}%` : `${head}, minimum ${min}% met`
}

function coverageText(c: CoverageReport, min: number | undefined, paint: Paint): string {
  const out: string[] = ['', 'coverage (passed / objected in test cases):']
  for (const p of c.policies) {
    out.push(`  ${p.id}@${p.version} (${p.file}): ${p.covered}/${p.total} rules`)
    const rows = p.rules.map((r) => {
      const gap = r.covered ? '' : r.passed === 0 && r.objected === 0 ? 'never exercised' : r.passed === 0 ? 'never seen passing' : 'never seen objecting'
      return [`${r.covered ? '✓' : '✗'} ${r.id}`, `line ${r.line}`, `passed ${r.passed}`, `objected ${r.objected}`, gap]
    })
    const lines = columns(rows, 2)
    p.rules.forEach((r, i) => {
      const text = `    ${lines[i]!.trimEnd()}`
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
