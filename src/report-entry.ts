/**
 * collabgate/report: the reporters and pages the CLI prints with (re-exports only). Each family is one way:
 * a map of format → reporter, or one function per report.
 */

// checks, policy tests and mutation runs: text, JSON, GitHub annotations, JUnit
export { VALIDATION_REPORTERS } from './report/validation.js'
export { POLICY_TEST_REPORTERS } from './report/policy-test.js'
export { MUTATION_TEST_REPORTERS } from './report/mutation.js'

// decisions and authoring reports as text
export { formatDecisionText } from './report/text.js'
export { formatPolicyDiffText } from './report/diff.js'
export { formatImpactText } from './report/impact.js'
export { formatBacktestText } from './report/backtest.js'

// pages for people
export { backtestHtml, decisionHtml, impactHtml, policyTestHtml, shadowHtml } from './html/html.js'

// colour and escaping for those who write a reporter of their own
export { ANSI_COLOURS, visible } from './report/reporter.js'

export type { Paint, ReportOptions, Reporter } from './report/reporter.js'
export type { ValidationReport } from './report/validation.js'
export type { PolicyTestReport } from './report/policy-test.js'
export type { MutationTestReport } from './report/mutation.js'
export type { DecisionHtmlOptions } from './html/html.js'
