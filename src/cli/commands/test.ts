import { dirname } from 'node:path'
import { parseArgs } from 'node:util'
import { defaultPoliciesDir, isPolicyTestFile, loadPolicies } from '../../folder/load.js'
import { findPolicyTestFiles, runPolicyTests } from '../../policy-test/run.js'
import { policyTestCoverage } from '../../policy-test/coverage.js'
import { coverageSummary, POLICY_TEST_REPORTERS, testRunFailed } from '../../policy-test/reporter.js'
import { paintFor } from '../colour.js'
import { displayPath } from '../display.js'
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
  const result = await runPolicyTests(set, await findPolicyTestFiles(testPaths), displayPath)
  const report = { result, coverage: wantCoverage ? policyTestCoverage(set.policies, result.cases) : undefined, minCoverage }
  io.stdout(POLICY_TEST_REPORTERS[format](report, { paint: paintFor(io) }))
  const { coverage } = report
  // JUnit's stdout carries only the XML, JSON's only the document: the coverage verdict goes to stderr for people reading the log
  if (coverage && format === 'junit') io.stderr(coverageSummary(coverage, minCoverage) + '\n')
  if (coverage && format === 'json' && minCoverage !== undefined && coverage.percent < minCoverage)
    io.stderr(`collabgate: ${coverageSummary(coverage, minCoverage)}\n`)
  return testRunFailed(report) ? EXIT.FAILED : EXIT.OK
}
