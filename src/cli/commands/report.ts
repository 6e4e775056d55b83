import { writeFile } from 'node:fs/promises'
import { parseArgs } from 'node:util'
import { backtestHtml, decisionHtml, impactHtml, policyTestHtml, shadowHtml } from '../../html/html.js'
import type { BacktestReport } from '../../backtest/backtest.js'
import type { ImpactReport } from '../../impact/impact.js'
import type { Decision } from '../../model.js'
import type { PolicyTestCaseResult } from '../../policy-test/run.js'
import type { PolicyTestReport } from '../../report/policy-test.js'
import type { MutationTestReport } from '../../report/mutation.js'
import type { MutationReport } from '../../mutate/run.js'
import type { ShadowReport } from '../../report/shadow.js'
import { EXIT, readInput, UsageError, type Io } from '../io.js'

/** The largest JSON `report` reads: far above any decision, impact run or test run it is made for. */
const REPORT_MAX_BYTES = 256 * 1024 * 1024

export const reportHelp = `Usage: collabgate report [options] [FILE|-]

Writes one self-contained HTML page for people (no network, no JavaScript,
printable) from the JSON another command printed:
  a decision      collabgate decide [--explain] ... > decision.json
  an impact run   collabgate impact --format json ... > impact.json
  a backtest      collabgate backtest --format json ... > backtest.json
  a test run      collabgate test --format json [--coverage] ... > tests.json
  shadow runs     a store's shadowReport() (the example service's /v1/shadow)
The kind is told from the JSON itself.

Options:
  --out FILE         write the page to FILE (default: standard output)
  --calendar NAME    the calendar whose holidays a decision's review strip
                     names: the one its policy names (default: US)
  -h, --help         show this help

Exit: 0 page written; 2 unreadable input, JSON of none of these kinds, or
usage errors.

Examples:
  collabgate decide --explain examples/applications/rejected-multiple-reasons.json > d.json
  collabgate report --out decision.html d.json
  collabgate test --format json --coverage | collabgate report --out tests.html -
`

/** The page for whichever result the JSON is. */
export function htmlFor(value: unknown, calendar?: string): string {
  const v = value as Record<string, unknown> | null
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    // told by its fields, not only its kind: a page of a hostile JSON whose every value is markup is still drawn
    if (v.kind === 'backtest' || ('transitions' in v && 'versions' in v && 'excluded' in v))
      return backtestHtml(v as unknown as BacktestReport)
    if ('transitions' in v && 'changes' in v) return impactHtml(v as unknown as ImpactReport)
    if ('candidates' in v && 'sampled' in v && 'dropped' in v) return shadowHtml(v as unknown as ShadowReport)
    if ('outcome' in v && 'reasons' in v && 'policy' in v)
      return decisionHtml(v as unknown as Decision, calendar === undefined ? {} : { calendar })
    if ('cases' in v && 'passed' in v && Array.isArray(v.cases)) {
      const cases = v.cases as PolicyTestCaseResult[]
      const coverage = v.coverage as (PolicyTestReport['coverage'] & { minimum?: number | null }) | undefined
      const report: MutationTestReport = {
        result: {
          files: [...new Set(cases.map((c) => c.file))],
          cases,
          problems: (v.problems as PolicyTestReport['result']['problems']) ?? [],
        },
        coverage,
      }
      if (typeof coverage?.minimum === 'number') report.minCoverage = coverage.minimum
      const mutation = v.mutation as (MutationReport & { minimum?: number | null }) | undefined
      if (mutation && Array.isArray(mutation.policies)) report.mutation = mutation
      if (typeof mutation?.minimum === 'number') report.minMutationScore = mutation.minimum
      return policyTestHtml(report)
    }
  }
  throw new UsageError(
    'the input is not the JSON of a decision (decide), an impact run (impact --format json) or a test run (test ' +
      '--format json)',
  )
}

export async function reportCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { out: { type: 'string' }, calendar: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  })
  if (values.help) {
    io.stdout(reportHelp)
    return EXIT.OK
  }
  if (positionals.length > 1) throw new UsageError('report takes one FILE (or - for standard input)')
  const file = positionals[0] ?? '-'
  const text = await readInput(io, file, REPORT_MAX_BYTES)
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (err) {
    throw new UsageError(`${file === '-' ? 'standard input' : file} is not JSON: ${(err as Error).message}`)
  }
  const html = htmlFor(value, values.calendar)
  if (values.out === undefined) io.stdout(html)
  else {
    try {
      await writeFile(values.out, html, 'utf8')
    } catch (err) {
      throw new UsageError(`cannot write ${values.out}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`)
    }
  }
  return EXIT.OK
}
