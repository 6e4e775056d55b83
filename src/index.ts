/**
 * collabgate's public API (re-exports only): what a service and a policy tool need. Reporters and HTML pages are in
 * collabgate/report (src/report-entry.ts); everything else is internal. README "Public API" lists each name.
 */

// deciding
export { PolicySet } from './decide/policy-set.js'
export { defaultPolicies, defaultPoliciesDir, loadPolicies } from './folder/load.js'
export { parseRecordJson } from './read/record-json.js'
export { decideNdjson, decideNdjsonToStream } from './batch/batch.js'
export { usWorkingDays } from './calendar/working-days.js'

// loading and the live store
export { checkPolicies, lockOfFolder } from './folder/load.js'
export { watchPolicies } from './store/store.js'
export { DEFAULT_MAX_RECORD_BYTES } from './read/record-json.js'
export { DEFAULT_PARSE_LIMITS } from './read/yaml-source.js'

// authoring and testing policies
export { runPolicyTests, runPolicyTestFiles, findPolicyTestFiles } from './policy-test/run.js'
export { policyTestCoverage } from './policy-test/coverage.js'
export { mutationTest } from './mutate/run.js'
export { diffPolicies } from './diff/diff.js'
export { impactOf } from './impact/impact.js'
export { backtestOf } from './backtest/backtest.js'
export { parseLabels } from './backtest/labels.js'

// the decision log
export { createAuditLog, newDecisionId, withAudit } from './audit/audit.js'
export { verifyAuditLog } from './audit/verify.js'
export { replayAuditFiles, replayAuditLog } from './audit/replay.js'

// errors
export { CollabgateError, ERROR_CODES, formatProblem, PolicyValidationError, RecordValidationError } from './errors.js'
export { InvalidDateError } from './calendar/working-days.js'

// the types of the functions above
export type {
  Decision,
  Evidence,
  Hint,
  Policy,
  PolicyRecord,
  PolicyRef,
  Reason,
  SourceLocation,
  Subject,
  SubjectDefinition,
} from './model.js'
export type { ErrorCode, PolicyProblem, PolicyWarning, ProblemCode, RecordProblem } from './errors.js'
export type { CheckResult, FolderLock, LoadOptions } from './folder/load.js'
export type { ParseLimits } from './read/yaml-source.js'
export type {
  DecideOptions,
  DecideSyncOptions,
  EvaluatorKind,
  PolicySetOptions,
  PolicySummary,
} from './decide/policy-set.js'
export type { ParseRecordJsonOptions } from './read/record-json.js'
export type { BatchOptions, BatchSummary, BatchWrite } from './batch/batch.js'
export type { WorkingDayCalendar } from './calendar/working-days.js'
export type {
  PolicyStore,
  PolicyStoreOptions,
  ProblemsEvent,
  ReloadEvent,
  ReloadResult,
  StoreDecideOptions,
  StoreStatus,
} from './store/store.js'
export type { ShadowOptions, ShadowReport } from './store/shadow.js'
export type { PolicyTestOptions, PolicyTestResult, PolicyTestRun } from './policy-test/run.js'
export type { CoverageReport } from './policy-test/coverage.js'
export type { MutationOptions, MutationReport } from './mutate/run.js'
export type { PolicyDiff } from './diff/diff.js'
export type { ImpactOptions, ImpactReport } from './impact/impact.js'
export type { BacktestInput, BacktestOptions, BacktestReport } from './backtest/backtest.js'
export type { Labels, LabelsFormat } from './backtest/labels.js'
export type { PolicyLock } from './lock/lock.js'
export type { AuditEntry, AuditLog, AuditLogOptions, DecisionContext } from './audit/audit.js'
export type { AuditVerification, VerifyAuditOptions } from './audit/verify.js'
export type { ReplayOptions, ReplayReport } from './audit/replay.js'
