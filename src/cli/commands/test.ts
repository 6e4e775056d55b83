import { dirname } from 'node:path'
import { parseArgs } from 'node:util'
import { isPolicyTestFile, loadPolicies } from '../../folder/load.js'
import { findPolicyTestFiles, runPolicyTestFiles } from '../../policy-test/run.js'
import { policyTestCoverage } from '../../policy-test/coverage.js'
import { coverageSummary } from '../../report/policy-test.js'
import { mutationTest } from '../../mutate/run.js'
import { MUTATION_TEST_REPORTERS, mutationRunFailed, mutationSummary } from '../../report/mutation.js'
import { paintFor } from '../colour.js'
import { displayPath } from '../display.js'
import { EXIT, formatOption, statArg, UsageError, type Io } from '../io.js'
import { folderOrShipped } from '../discover.js'

export const testHelp = `Usage: collabgate test [options] [PATH...]

Runs the policy tests (*.test.yaml) found in PATH (files or folders; default:
the shipped policies/) against the policies found in the same paths. A failed
case shows what it expected beside what the decision held. Coverage and
mutation cover the policy versions the named test files test (a folder: all).

Options:
  --format FMT         text (default), json, junit (JUnit XML for CI dashboards)
                       or github (annotations: a survived mutant is a ::warning
                       on the mutated line)
  --coverage           report, per rule, whether the tests saw it both pass and object
  --min-coverage N     fail when fewer than N% of the rules are covered both ways
                       (implies --coverage)
  --mutate             mutation testing: run the cases against every mutant of each
                       policy version (one small change, e.g. >= 50 → >= 51) and
                       report the mutants no case notices
  --min-mutation-score N
                       fail when fewer than N% of the mutants (less the declared
                       equivalents) are killed (implies --mutate)
  --no-lock            do not enforce the folder's lock (a draft version not
                       in the lock may then be tested)
  --follow-symlinks    read files whose symbolic links lead outside the folder
                       (refused by default: E_SYMLINK, and E_PATH_OUTSIDE for
                       a test's record file)
  -h, --help           show this help

Exit: 0 all cases pass (and coverage and the mutation score are at least N);
1 a case fails, a policy/test file is invalid, an equivalent mutant declaration
is stale or wrong, or coverage or the mutation score is below N; 2 usage errors.

Examples:
  collabgate test
  collabgate test policies/ --coverage --min-coverage 100
  collabgate test policies/ --mutate --min-mutation-score 100
  collabgate test policies/acme.test.yaml --mutate --format github
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
      mutate: { type: 'boolean' },
      'min-mutation-score': { type: 'string' },
      'no-lock': { type: 'boolean', default: false },
      'follow-symlinks': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
  })
  if (values.help) {
    io.stdout(testHelp)
    return EXIT.OK
  }
  const format = formatOption(values.format, ['text', 'json', 'junit', 'github'])
  const minCoverage = percentage('--min-coverage', values['min-coverage'])
  const minMutationScore = percentage('--min-mutation-score', values['min-mutation-score'])
  const wantCoverage = values.coverage === true || minCoverage !== undefined
  const wantMutation = values.mutate === true || minMutationScore !== undefined

  const paths = positionals.length > 0 ? positionals : [await folderOrShipped(io, 'test')]
  // A test file named on its own is tested against the policies
  // beside it; a policy file named on its own holds no tests.
  const policyPaths = [...new Set(paths.map((p) => (isPolicyTestFile(p) ? dirname(p) : p)))]
  const testPaths: string[] = []
  for (const p of paths) if (isPolicyTestFile(p) || (await isFolder(p))) testPaths.push(p)
  const set = await loadPolicies(policyPaths, {
    displayName: displayPath,
    lock: !values['no-lock'],
    followSymlinks: values['follow-symlinks'],
  })
  // the folder the policies load from: test records are read only from inside it
  const root = (await isFolder(policyPaths[0]!)) ? policyPaths[0]! : dirname(policyPaths[0]!)
  const run = await runPolicyTestFiles(set, await findPolicyTestFiles(testPaths), displayPath, {
    root,
    followSymlinks: values['follow-symlinks'],
  })
  const { result } = run
  // test files named on their own: coverage is of the versions
  // their cases decided with, not of every policy beside them
  const named = paths.some((p) => isPolicyTestFile(p)) && !(await someFolder(paths))
  const tested = new Set(run.tested.flatMap((t) => t.versions.map((v) => `${t.policy}@${v}`)))
  const scope = named ? set.policies.filter((p) => tested.has(`${p.id}@${p.version}`)) : set.policies
  const report = {
    result,
    coverage: wantCoverage ? policyTestCoverage(scope, result.cases) : undefined,
    minCoverage,
    mutation: wantMutation ? mutationTest(scope, run) : undefined,
    minMutationScore,
  }
  io.stdout(MUTATION_TEST_REPORTERS[format](report, { paint: paintFor(io) }))
  const { coverage, mutation } = report
  // JUnit's stdout carries only the XML, JSON's only the document: the verdicts go to stderr for people reading the log
  if (coverage && format === 'junit') io.stderr(coverageSummary(coverage, minCoverage) + '\n')
  if (coverage && format === 'json' && minCoverage !== undefined && coverage.percent < minCoverage)
    io.stderr(`collabgate: ${coverageSummary(coverage, minCoverage)}\n`)
  if (mutation && format === 'junit') io.stderr(mutationSummary(mutation, minMutationScore) + '\n')
  if (mutation && format === 'json' && minMutationScore !== undefined && mutation.score < minMutationScore)
    io.stderr(`collabgate: ${mutationSummary(mutation, minMutationScore)}\n`)
  return mutationRunFailed(report) ? EXIT.FAILED : EXIT.OK
}

/** A percentage option (0 to 100), or undefined when not given. */
function percentage(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined
  const n = Number(text)
  if (text.trim() === '' || !Number.isFinite(n) || n < 0 || n > 100)
    throw new UsageError(`${name} must be a percentage from 0 to 100, not ${text}`)
  return n
}

async function someFolder(paths: readonly string[]): Promise<boolean> {
  for (const p of paths) if (!isPolicyTestFile(p) && (await isFolder(p))) return true
  return false
}
