/** collabgate's public API: re-exports only. */
export type {
  Check,
  Condition,
  ArithmeticOperation,
  DateOperand,
  Decision,
  DerivedFact,
  DerivedOperand,
  DerivedOperation,
  EffectiveWindow,
  Evidence,
  Hint,
  HintChange,
  HintSettings,
  HintWant,
  LeafCondition,
  MaskAction,
  MaskRule,
  Policy,
  PolicyRecord,
  PolicyRef,
  Reason,
  RecordKind,
  RecordSchema,
  JsonSchema,
  SubjectDefinition,
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
  ERROR_CODES,
  PROBLEM_CODES,
  WARNING_CODES,
  capProblems,
  MAX_PROBLEMS_PER_FILE,
  formatProblem,
  policyProblem,
  withHint,
  type ErrorCode,
  type PolicyProblem,
  type PolicyWarning,
  type ProblemCode,
  type ProblemDetails,
  type RecordProblem,
  type WarningCode,
} from './errors.js'
export {
  checkPolicies,
  defaultPolicies,
  defaultPoliciesDir,
  findPolicyFiles,
  loadPolicies,
  lockOfFolder,
  relativeTo,
  type CheckResult,
  type FolderLock,
  type LoadOptions,
} from './folder/load.js'
export { FOLDER_FILE } from './folder/declaration.js'
export { DEFAULT_PARSE_LIMITS, type ParseLimits } from './load/yaml-source.js'
export { PolicySet, type DecideOptions, type PolicySummary } from './decide/policy-set.js'
export type { DecideSyncOptions, EvaluatorKind, PolicySetOptions, SubjectKind } from './decide/policy-set.js'
export { compileClosures, type SyncEvaluator } from './compile/closures.js'
export { compileGenerated } from './compile/generated.js'
export {
  decideNdjson,
  decideNdjsonToStream,
  type BatchOptions,
  type BatchProgress,
  type BatchSummary,
  type BatchWrite,
} from './batch/batch.js'
export type { BatchErrorLine, BatchLineErrorCode } from './batch/decide-lines.js'
export { OPERATORS, type OperatorDefinition } from './language/operators.js'
export {
  createWorkingDayCalendar,
  InvalidDateError,
  usWorkingDays,
  type WorkingDayCalendar,
} from './calendar/working-days.js'
export {
  calendarNamed,
  DEFAULT_CALENDAR,
  knownCalendars,
  unknownCalendarMessage,
  UnknownCalendarError,
} from './calendar/calendars.js'
export { POLICY_SCHEMA } from './schemas.js'
export { formatDecisionText } from './report/text.js'
export { applyHint } from './decide/hints.js'
export { decisionHtml, escapeHtml, impactHtml, policyTestHtml, type DecisionHtmlOptions } from './html/html.js'
export { shadowHtml } from './html/html.js'
export {
  isValid,
  validationSummary,
  VALIDATION_REPORTERS,
  validationGithub,
  validationJson,
  validationText,
  type ValidationReport,
} from './report/validation.js'
export type { Paint, ReportOptions, Reporter } from './report/reporter.js'
export {
  runPolicyTests,
  findPolicyTestFiles,
  type PolicyTestResult,
  type PolicyTestCaseResult,
} from './policy-test/run.js'
export {
  PolicyStore,
  watchPolicies,
  type PolicyStoreOptions,
  type ProblemsEvent,
  type ReloadEvent,
  type ReloadResult,
  type StoreDecideOptions,
  type StoreStatus,
} from './store/store.js'
export type {
  ShadowCandidate,
  ShadowCandidateReport,
  ShadowOptions,
  ShadowReport,
  ShadowRuleShift,
  ShadowTransition,
} from './store/shadow.js'
export type { ShadowOf } from './audit/audit.js'
export {
  assertRecordSize,
  DEFAULT_MAX_RECORD_BYTES,
  parseRecordJson,
  type ParseRecordJsonOptions,
} from './store/record.js'
export { DEFAULT_MAX_RECORD_DEPTH, DEFAULT_MAX_RECORD_VALUES } from './load/json-text.js'
export {
  AuditLog,
  auditEntry,
  createAuditLog,
  withAudit,
  type AuditEntry,
  auditFailure,
  recordDecision,
  type AuditHealth,
  type AuditLogOptions,
  type AuditMode,
  type Decider,
  type DecisionContext,
  type DecisionSink,
  newDecisionId,
  type AppliedMask,
  type AuditReason,
  type CheckpointOptions,
  DEFAULT_HMAC_KEY_ENV,
} from './audit/audit.js'
export { factsRead, type DecisionSource } from './decide/reads.js'
export {
  verifyAuditLog,
  type AuditFinding,
  type AuditFindingKind,
  type AuditVerification,
  type VerifyAuditOptions,
} from './audit/verify.js'
export {
  replayAuditFiles,
  replayAuditLog,
  replayEntry,
  type LocatedEntry,
  type ReplayedDecision,
  type ReplayItem,
  type ReplayOptions,
  type ReplayRefusal,
  type ReplayReport,
  type ReplayResult,
} from './audit/replay.js'
export { readLogLines, type LogLine } from './audit/read.js'
export {
  runPolicyTestFiles,
  type EquivalentDeclaration,
  type PolicyTestCaseInput,
  type PolicyTestExpectation,
  type PolicyTestMismatch,
  type PolicyTestOptions,
  type PolicyTestRun,
} from './policy-test/run.js'
export { versionRange } from './policy-test/range.js'
export { policyMutants, type Mutant, type MutationOperator } from './mutate/mutants.js'
export {
  mutationTest,
  type MutantResult,
  type MutantStatus,
  type MutationOptions,
  type MutationReport,
  type PolicyMutation,
} from './mutate/run.js'
export {
  MUTATION_TEST_REPORTERS,
  mutationRunFailed,
  mutationSummary,
  mutationTestGithub,
  mutationTestJson,
  mutationTestJunit,
  mutationTestText,
  type MutationTestReport,
} from './mutate/reporter.js'
export {
  policyTestCoverage,
  type CheckCoverage,
  type CoverageReport,
  type PolicyCoverage,
  type RuleCoverage,
} from './policy-test/coverage.js'
export { policyTestsToJunit } from './policy-test/junit.js'
export {
  coverageSummary,
  POLICY_TEST_REPORTERS,
  policyTestJson,
  policyTestJunit,
  policyTestText,
  testRunFailed,
  type PolicyTestReport,
} from './policy-test/reporter.js'
export {
  checkLock,
  formatLock,
  lockKey,
  lockOf,
  nextLock,
  parseLock,
  parseLockFile,
  readLock,
  readLockFile,
  recordSchemaKey,
  writeLock,
  DECLARATION_KEY,
  LOCK_FILE_NAME,
  type CheckLockOptions,
  type LockCheck,
  type LockFile,
  type PolicyLock,
} from './lock/lock.js'
export { canonicalize, canonicalBytes } from './release/canonical.js'
export {
  ENVELOPE_FILE_NAME,
  RELEASE_PAYLOAD_TYPE,
  RELEASE_ROLES,
  RELEASE_STATEMENT_TYPE,
  formatEnvelope,
  keyIdOf,
  lockContentOf,
  pae,
  parseEnvelope,
  signRelease,
  signedBytes,
  statementIn,
  type ReleaseEnvelope,
  type ReleaseRole,
  type ReleaseSignature,
  type ReleaseStatement,
  type SignedLockContent,
  type SignReleaseOptions,
} from './release/envelope.js'
export {
  parseTrust,
  trustOf,
  TRUST_FORMAT_VERSION,
  type Trust,
  type TrustedKey,
  type TrustFile,
} from './release/trust.js'
export {
  checkRelease,
  verifyRelease,
  ReleaseVerificationError,
  type ReleaseErrorCode,
  type ReleaseProblem,
  type VerifiedRelease,
  type VerifyReleaseOptions,
} from './release/verify.js'
export {
  diffPolicies,
  formatPolicyDiffText,
  hasDifferences,
  type FieldChange,
  type PolicyDiff,
  type PolicyDiffSide,
  type RuleChange,
  type RuleChangeField,
  type RuleFieldChange,
  type RuleSummary,
} from './diff/diff.js'
export {
  formatImpactText,
  impactOf,
  type ImpactChange,
  type ImpactInvalidLine,
  type ImpactOptions,
  type ImpactRefusedLine,
  type ImpactReport,
  type ImpactSide,
  type ImpactTransition,
  type RuleShift,
} from './impact/impact.js'
export {
  backtestOf,
  mergeBacktestReports,
  wilson,
  EXCLUSION_REASONS,
  type BacktestExclusion,
  type BacktestExclusionCount,
  type BacktestInput,
  type BacktestOptions,
  type BacktestReport,
  type BinaryScore,
  type Rate,
  type RuleScore,
  type VersionScore,
} from './backtest/backtest.js'
export { parseLabels, labelsFormatOf, type Label, type Labels, type LabelsFormat } from './backtest/labels.js'
export { checkThresholds, formatBacktestText, parseThreshold } from './backtest/report.js'
export type { Threshold, ThresholdResult } from './backtest/report.js'
export { backtestHtml } from './html/html.js'
export { mergeImpactReports } from './impact/merge.js'
export { MERGE_KINDS, mergeShards } from './merge/merge.js'
export { parseShard, type Shard } from './shard/shard.js'
export { shardStamp, type ShardOutput, type ShardStamp } from './shard/stamp.js'
