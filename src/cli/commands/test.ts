import { parseArgs } from 'node:util'
import { defaultPoliciesDir, loadPolicies } from '../../load/load.js'
import { findPolicyTestFiles, runPolicyTests } from '../../policy-test/run.js'
import { formatProblem } from '../../errors.js'
import { EXIT, type Io } from '../io.js'
import { relative, sep } from 'node:path'

export const testHelp = `Usage: collabgate test [options] [PATH...]

Runs the policy tests (*.test.yaml) found in PATH (files or folders; default:
the shipped policies/) against the policies found in the same paths.

Options:
  --format FMT       text (default) or json
  -h, --help         show this help

Exit: 0 all cases pass; 1 a case fails or a policy/test file is invalid; 2 usage errors.

Example:
  collabgate test policies/
`

export async function testCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { format: { type: 'string', default: 'text' }, help: { type: 'boolean', short: 'h' } },
  })
  if (values.help) {
    io.stdout(testHelp)
    return EXIT.OK
  }
  const paths = positionals.length > 0 ? positionals : [defaultPoliciesDir()]
  const display = (abs: string) => {
    const rel = relative(process.cwd(), abs)
    return rel.startsWith('..') ? abs : rel.split(sep).join('/')
  }
  const set = await loadPolicies(paths)
  const files = await findPolicyTestFiles(paths)
  const result = await runPolicyTests(set, files, display)
  const passed = result.cases.filter((c) => c.passed).length
  const failed = result.cases.length - passed
  if (values.format === 'json') {
    io.stdout(JSON.stringify({ passed, failed, problems: result.problems, cases: result.cases.map(({ decision, ...c }) => ({ ...c, outcome: decision?.outcome })) }, null, 2) + '\n')
  } else {
    for (const p of result.problems) io.stdout(`✗ ${formatProblem(p)}\n`)
    for (const c of result.cases) {
      io.stdout(`${c.passed ? '✓' : '✗'} ${c.file}:${c.line} ${c.name}\n`)
      for (const f of c.failures) io.stdout(`    ${f}\n`)
    }
    io.stdout(`${files.length === 0 ? 'no test files found\n' : ''}policy tests: ${passed} passed, ${failed} failed\n`)
  }
  return failed > 0 || result.problems.length > 0 || result.cases.length === 0 ? EXIT.FAILED : EXIT.OK
}
