/**
 * Reporters of a test run with mutation testing (`collabgate test --mutate`): the test run's own
 * report, then the mutants no case noticed (file:line:col, the change in words, the rule), the
 * declared equivalents apart with their reasons, and the mutation score. Text for people, JSON for
 * programs, JUnit for dashboards, GitHub annotations (`::warning` on the mutated line) for pull requests.
 */
import { formatProblem } from '../errors.js'
import { formatGithubAnnotation, problemAnnotation } from './github.js'
import { formatJunit, policyTestSuites, type JunitSuite } from './junit.js'
import { PLAIN, visible, type Paint, type Reporter } from './reporter.js'
import {
  coverageSummary,
  passedCount,
  policyTestJson,
  policyTestText,
  testRunFailed,
  type PolicyTestReport,
} from './policy-test.js'
import type { MutantResult, MutationReport } from '../mutate/run.js'
import { ownOptions } from '../own.js'

/** A test run and, when asked for, its mutation report. */
export interface MutationTestReport extends PolicyTestReport {
  mutation?: MutationReport | undefined
  /** The minimum mutation score in percent, when one was set. */
  minMutationScore?: number | undefined
}

/**
 * Whether the run failed: the test run failed, a declaration of an equivalent is wrong, or the score is under the
 * minimum.
 */
export function mutationRunFailed(report: MutationTestReport): boolean {
  const m = report.mutation
  const below = m !== undefined && report.minMutationScore !== undefined && m.score < report.minMutationScore
  return testRunFailed(report) || (m !== undefined && m.problems.length > 0) || below
}

/** `mutation score: K/N mutants killed (P%)[, E declared equivalent][, minimum met | below]`. */
export function mutationSummary(m: MutationReport, min: number | undefined): string {
  const equivalent = m.equivalent > 0 ? `, ${m.equivalent} declared equivalent` : ''
  const head = `mutation score: ${m.killed}/${m.total - m.equivalent} mutants killed (${m.score}%)${equivalent}`
  if (min === undefined) return head
  return m.score < min ? `${head}, below the minimum of ${min}%` : `${head}, minimum ${min}% met`
}

const where = (m: MutantResult) => `${m.file}:${m.line}:${m.column}`

/** The mutation section of the text report. */
export function mutationText(m: MutationReport, min: number | undefined, paint: Paint = PLAIN): string {
  const out: string[] = [
    '',
    'mutation testing (each mutant is the policy with one change; a case that notices it kills it):',
  ]
  for (const p of m.problems) out.push(`${paint.red('✗')} ${visible(formatProblem(p))}`)
  for (const p of m.policies) {
    const eq = p.equivalent > 0 ? `, ${p.equivalent} equivalent` : ''
    out.push(
      visible(
        `  ${p.id}@${p.version} (${p.file}): ${p.killed}/${p.total - p.equivalent} killed ` +
          `by ${p.cases} cases (${p.score}%)${eq}`,
      ),
    )
    for (const s of p.mutants.filter((x) => x.status === 'survived'))
      out.push(paint.yellow(visible(`    survived ${where(s)} ${s.description}${s.rule ? '' : ' (the whole policy)'}`)))
    for (const e of p.mutants.filter((x) => x.status === 'equivalent'))
      out.push(
        paint.dim(
          visible(
            `    equivalent ${where(e)} ${e.description}: ` +
              `${e.equivalent!.reason} (${e.equivalent!.file}:${e.equivalent!.line})`,
          ),
        ),
      )
  }
  const summary = mutationSummary(m, min)
  out.push(min !== undefined && m.score < min ? paint.red(summary) : summary)
  return out.join('\n') + '\n'
}

/** Text: the test report, then the mutation section; the last line stays `policy-tests: N passed, N failed`. */
export const mutationTestText: Reporter<MutationTestReport> = (report, given = {}) => {
  const options = ownOptions(given)
  const text = policyTestText(report, options)
  if (!report.mutation) return text
  const at = text.lastIndexOf('policy-tests: ')
  return text.slice(0, at) + mutationText(report.mutation, report.minMutationScore, options.paint) + text.slice(at)
}

/** JSON: the test report's document with a `mutation` object (every mutant, its status, where and what). */
export const mutationTestJson: Reporter<MutationTestReport> = (report) => {
  const body = JSON.parse(policyTestJson(report)) as Record<string, unknown>
  if (report.mutation) body.mutation = { ...report.mutation, minimum: report.minMutationScore ?? null }
  return JSON.stringify(body, null, 2) + '\n'
}

/** JUnit: the test suites, then one suite per policy version of its mutants (a survivor is a failure). */
export const mutationTestJunit: Reporter<MutationTestReport> = (report) => {
  const suites: JunitSuite[] = policyTestSuites(report.result)
  for (const p of report.mutation?.policies ?? []) {
    suites.push({
      name: `mutants of ${p.id}@${p.version}`,
      cases: p.mutants.map((m) => {
        const base = { name: m.description, classname: `${p.id}@${p.version}`, file: m.file, line: m.line }
        if (m.status !== 'survived') return base
        return {
          ...base,
          failure: {
            message: `survived: no case notices ${m.description}`,
            details:
              `${where(m)} ${m.description}\nadd a case whose decision this change would alter, or declare ` +
              `it equivalent with a reason`,
          },
        }
      }),
    })
  }
  const problems = report.mutation?.problems ?? []
  if (problems.length > 0)
    suites.push({
      name: 'equivalent mutant declarations',
      cases: problems.map((p) => ({
        name: `${p.file}:${p.line}:${p.column}`,
        classname: p.code,
        file: p.file,
        line: p.line,
        error: { message: `${p.code} ${p.message}`, type: p.code },
      })),
    })
  return formatJunit(suites, 'collabgate policy tests')
}

/**
 * GitHub annotations: a failed case or a problem is an error, a survivor a warning on the mutated line; then the
 * summaries.
 */
export const mutationTestGithub: Reporter<MutationTestReport> = (report) => {
  const out: string[] = []
  const { result, coverage, minCoverage, mutation, minMutationScore } = report
  for (const p of [...result.problems, ...(mutation?.problems ?? [])]) out.push(problemAnnotation(p))
  for (const c of result.cases.filter((x) => !x.passed))
    out.push(
      formatGithubAnnotation({
        level: 'error',
        file: c.file,
        line: c.line,
        title: 'policy test failed',
        message: `${c.name}: ${c.failures.join('; ')}`,
      }),
    )
  for (const p of mutation?.policies ?? [])
    for (const m of p.mutants.filter((x) => x.status === 'survived'))
      out.push(
        formatGithubAnnotation({
          level: 'warning',
          file: m.file,
          line: m.line,
          column: m.column,
          title: 'survived mutant',
          message: `no policy test notices ${m.description} (${p.id}@${p.version})`,
        }),
      )
  if (coverage) out.push(coverageSummary(coverage, minCoverage))
  if (mutation) out.push(mutationSummary(mutation, minMutationScore))
  const passed = passedCount(result)
  out.push(`policy-tests: ${passed} passed, ${result.cases.length - passed} failed`)
  return out.join('\n') + '\n'
}

/** The reporters of `collabgate test`, by format name. */
export const MUTATION_TEST_REPORTERS = Object.freeze({
  text: mutationTestText,
  json: mutationTestJson,
  junit: mutationTestJunit,
  github: mutationTestGithub,
})
