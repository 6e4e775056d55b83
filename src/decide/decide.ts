import { usWorkingDays } from '../calendar/working-days.js'
import { calendarDate, strictCalendarDate } from '../compile/operators.js'
import { CollabgateError, RecordValidationError } from '../errors.js'
import type { RuleResult } from '../evaluate/result.js'
import type { Decision, Policy, PolicyRecord, Reason, ReviewStatus, Subject } from '../model.js'
import { describeAjvErrors, validators } from '../validate/ajv.js'
import { evidenceOf } from './evidence.js'
import { renderMessage } from './message.js'

const SUBJECT_ID: Record<Subject, string> = { application: 'applicationId', behaviour: 'developerId' }

/** Tells an application record from a behaviour record by its id field. */
export function detectSubject(record: unknown): Subject {
  if (record && typeof record === 'object' && !Array.isArray(record)) {
    if (Object.prototype.hasOwnProperty.call(record, 'applicationId')) return 'application'
    if (Object.prototype.hasOwnProperty.call(record, 'developerId')) return 'behaviour'
  }
  throw new CollabgateError('E_SUBJECT_UNKNOWN', 'cannot tell the record kind: an application record has applicationId, a behaviour record has developerId')
}

/** Checks a record against its subject's schema; throws RecordValidationError listing every problem. */
export function assertRecord(subject: Subject, record: unknown): asserts record is PolicyRecord {
  // evaluators read own properties only, so a record must be plain data (as JSON.parse makes it)
  const proto = record !== null && typeof record === 'object' ? Object.getPrototypeOf(record) : undefined
  if (proto !== Object.prototype && proto !== null) {
    throw new RecordValidationError(subject, [{ pointer: '', message: 'a record must be a plain JSON object' }])
  }
  const validate = subject === 'application' ? validators.applicationRecord : validators.behaviourRecord
  if (!validate(record)) throw new RecordValidationError(subject, describeAjvErrors(validate.errors))
}

/** Checks that `asOf` is a calendar date (YYYY-MM-DD) and returns it. */
export function assertAsOf(asOf: unknown): string {
  const date = strictCalendarDate(asOf)
  if (!date) throw new CollabgateError('E_INVALID_ARGUMENT', `asOf must be a date written YYYY-MM-DD, got ${JSON.stringify(asOf)}`)
  return date
}

function reviewStatus(policy: Policy, record: PolicyRecord, asOf: string): ReviewStatus | undefined {
  if (!policy.review) return undefined
  const submittedAt = calendarDate(record.submittedAt)
  if (!submittedAt) return undefined
  const dueBy = usWorkingDays.addWorkingDays(submittedAt, policy.review.workingDays)
  const review = record.review as { result?: unknown } | undefined
  const decided = review !== undefined && review.result !== undefined && review.result !== 'pending'
  return { submittedAt, dueBy, overdue: !decided && asOf > dueBy }
}

/** Turns per-rule results into a Decision: the most severe objection wins, else the policy's default. */
export function buildDecision(policy: Policy, record: PolicyRecord, asOf: string, results: readonly RuleResult[]): Decision {
  const severity = (o: string) => policy.outcomes.indexOf(o)
  const reasons: Reason[] = []
  for (const result of results) {
    let worst: (typeof result.checks)[number] | undefined
    let worstSeverity = Infinity
    for (const c of result.checks) {
      if (c.passed) continue
      const s = severity(c.check.outcome)
      if (s < worstSeverity) {
        worst = c
        worstSeverity = s
      }
    }
    if (!worst || !worst.tree) continue
    const evidence = evidenceOf(worst.tree)
    reasons.push({
      rule: result.rule.id,
      title: result.rule.title,
      outcome: worst.check.outcome,
      message: renderMessage(worst.check.message, record, evidence, asOf),
      evidence,
      source: worst.check.location,
      basis: result.rule.basis,
    })
  }
  // most severe first; sort is stable, so rules of equal severity keep the policy's order
  if (reasons.length > 1) reasons.sort((a, b) => severity(a.outcome) - severity(b.outcome))
  const outcome = reasons[0]?.outcome ?? policy.defaultOutcome
  const decision: Decision = {
    policy: { id: policy.id, version: policy.version, digest: policy.digest },
    subject: { kind: policy.subject, id: String(record[SUBJECT_ID[policy.subject]]) },
    outcome,
    reasons,
    asOf,
  }
  const review = reviewStatus(policy, record, asOf)
  if (review) decision.review = review
  return decision
}
