import { strictCalendarDate } from '../language/operators.js'
import { CollabgateError, RecordValidationError } from '../errors.js'
import type { RuleResult } from '../compile/result.js'
import type { Decision, Policy, PolicyRecord, Reason, ReviewStatus, RuleExplanation } from '../model.js'
import type { ValidateFunction } from 'ajv'
import { prototypeIsPolluted, withoutPrototypes } from '../own.js'
import { describeAjvErrors } from '../validate/ajv.js'
import { evidenceOf } from './evidence.js'
import { computedFor } from './computed.js'
import { renderMessage } from './message.js'

/** Checks a record against a policy's record schema; throws RecordValidationError listing every problem. */
export function assertRecordWith(
  policy: Policy,
  validate: ValidateFunction,
  record: unknown,
): asserts record is PolicyRecord {
  // evaluators read own properties only, so a record must be plain data (as JSON.parse makes it)
  const proto = record !== null && typeof record === 'object' ? Object.getPrototypeOf(record) : undefined
  if (proto !== Object.prototype && proto !== null) {
    throw new RecordValidationError(policy.subject, [{ pointer: '', message: 'a record must be a plain JSON object' }])
  }
  // a polluted Object.prototype would show its keys to the validator's for…in as unknown fields of every record
  if (!validate(prototypeIsPolluted() ? withoutPrototypes(record) : record))
    throw new RecordValidationError(policy.subject, describeAjvErrors(validate.errors))
}

/** Checks that `asOf` is a calendar date (YYYY-MM-DD) and returns it. */
export function assertAsOf(asOf: unknown): string {
  const date = strictCalendarDate(asOf)
  if (!date)
    throw new CollabgateError(
      'E_INVALID_ARGUMENT',
      `asOf must be a date written YYYY-MM-DD, got ${JSON.stringify(asOf)}`,
    )
  return date
}

/** Turns per-rule results into a Decision: the most severe objection wins, else the policy's default. */
export function buildDecision(
  policy: Policy,
  record: PolicyRecord,
  asOf: string,
  results: readonly RuleResult[],
  review?: ReviewStatus,
  explanation?: RuleExplanation[],
): Decision {
  const severity = (o: string) => policy.outcomes.indexOf(o)
  const reasons: Reason[] = []
  const severities: number[] = []
  const addComputed = computedFor(policy, record, asOf)
  // indexed loops: the checks arrays are frozen (all passed) or fresh, and for…of over both was a fifth of this
  for (let r = 0; r < results.length; r++) {
    const result = results[r]!
    const checks = result.checks
    let worst: (typeof checks)[number] | undefined
    let worstSeverity = Infinity
    for (let k = 0; k < checks.length; k++) {
      const c = checks[k]!
      if (c.passed) continue
      const s = severity(c.check.outcome)
      if (s < worstSeverity) {
        worst = c
        worstSeverity = s
      }
    }
    if (!worst || !worst.tree) continue
    const evidence = evidenceOf(worst.tree)
    addComputed(evidence)
    const reason: Reason = {
      rule: result.rule.id,
      title: result.rule.title,
      outcome: worst.check.outcome,
      message: renderMessage(worst.check.message, record, evidence, asOf),
      evidence,
      source: worst.check.location,
      basis: result.rule.basis,
    }
    // most severe first, rules of equal severity in the policy's order: placed after every reason as severe
    let at = reasons.length
    reasons.push(reason)
    severities.push(worstSeverity)
    for (; at > 0 && severities[at - 1]! > worstSeverity; at--) {
      reasons[at] = reasons[at - 1]!
      severities[at] = severities[at - 1]!
    }
    reasons[at] = reason
    severities[at] = worstSeverity
  }
  const outcome = reasons[0]?.outcome ?? policy.defaultOutcome
  const schema = policy.record.schema
  const decision: Decision = {
    policy: { id: policy.id, version: policy.version, digest: policy.digest },
    subject: {
      kind: policy.subject,
      id: String(record[policy.record.idField]),
      schema: { version: schema.version, digest: schema.digest },
    },
    outcome,
    reasons,
    asOf,
  }
  if (review) decision.review = review
  if (explanation) decision.explanation = explanation
  return decision
}
