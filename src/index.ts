/** collabgate's public API: re-exports only. */
export type {
  Check,
  Condition,
  DateOperand,
  Decision,
  EffectiveWindow,
  Evidence,
  LeafCondition,
  Policy,
  PolicyRecord,
  PolicyRef,
  Reason,
  ReviewSpec,
  ReviewStatus,
  Rule,
  RuleBasis,
  SourceLocation,
  Subject,
} from './model.js'
export {
  CollabgateError,
  PolicyValidationError,
  RecordValidationError,
  formatProblem,
  type ErrorCode,
  type PolicyProblem,
  type ProblemCode,
  type RecordProblem,
} from './errors.js'
export { checkPolicies, defaultPolicies, defaultPoliciesDir, findPolicyFiles, loadPolicies, type CheckResult, type LoadOptions } from './load/load.js'
export { DEFAULT_PARSE_LIMITS, type ParseLimits } from './load/yaml-source.js'
export { PolicySet, type DecideOptions, type PolicySummary } from './decide/policy-set.js'
export { assertRecord, detectSubject } from './decide/decide.js'
export { OPERATORS, type OperatorDefinition } from './compile/operators.js'
export { createWorkingDayCalendar, InvalidDateError, usWorkingDays, type WorkingDayCalendar } from './calendar/working-days.js'
export { POLICY_SCHEMA, RECORD_SCHEMAS } from './schemas.js'
export { formatDecisionText } from './report/text.js'
export { runPolicyTests, findPolicyTestFiles, type PolicyTestResult, type PolicyTestCaseResult } from './policy-test/run.js'
