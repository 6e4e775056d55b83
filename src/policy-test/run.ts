/**
 * Policy tests: YAML files beside the policies (`*.test.yaml`) that state, per case, a record and the
 * decision expected of it. They run through the same PolicySet.decide a service calls.
 */
import { readFile, realpath } from 'node:fs/promises'
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path'
import { CollabgateError, policyProblem, RecordValidationError, type PolicyProblem } from '../errors.js'
import type { Decision, PolicyRecord } from '../model.js'
import type { PolicySet, SubjectKind } from '../decide/policy-set.js'
import { findPolicyFiles, isPolicyTestFile } from '../folder/load.js'
import { parseYamlSource } from '../read/yaml-source.js'
import { POLICY_TEST_SCHEMA } from '../schemas.js'
import { describeAjvErrors, validators } from '../validate/ajv.js'
import { compareVersions } from '../validate/policy.js'
import { versionRange } from './range.js'

export interface PolicyTestCaseResult {
  name: string
  file: string
  line: number
  /** The policy id the case names; for a case routed by data (no `policy:`), the id that decided, or ''. */
  policy: string
  /** The case named no policy: the record was routed by data, as `decide` without a policy does. */
  routed?: true
  /** A whole test file counted as one failed case: it could not be read far enough to count its cases. */
  uncounted?: true
  /** The exact version the case ran against when its test file or the case names a range (`versions`). */
  version?: string
  passed: boolean
  /** One line per unmet expectation: "outcome: expected approve, got reject". */
  failures: string[]
  /** The unmet expectations again, as expected/actual pairs for side-by-side display. */
  mismatches: PolicyTestMismatch[]
  decision?: Decision
  /** The error code when the record was refused. */
  error?: string
}

/** One unmet expectation: what was compared, what the test expected, what the decision held. */
export interface PolicyTestMismatch {
  what: string
  expected: string
  actual: string
}

export interface PolicyTestResult {
  files: string[]
  cases: PolicyTestCaseResult[]
  /** Test files that could not be read or are malformed. */
  problems: PolicyProblem[]
}

/** What a case expects of its decision. */
export interface PolicyTestExpectation {
  outcome: string
  /** The policy that decides: `id` or `id@version` (for a case routed by data, or a version chosen by date). */
  policy?: string
  rules?: string[]
  messages?: Record<string, string>
  /** Rule id → the exact message it objects with. */
  messageIs?: Record<string, string>
  /** Rule id → a regular expression its message must match. */
  messageMatches?: Record<string, string>
  overdue?: boolean
  error?: string
}

interface RawCase {
  name: string
  policy?: string
  record?: Record<string, unknown>
  recordFile?: string
  patch?: Record<string, unknown>
  asOf?: string
  version?: string
  versions?: string
  expect: PolicyTestExpectation
}

/** A mutant a test file declares equivalent: it cannot change any decision, for the reason given. */
export interface EquivalentDeclaration {
  /** The mutant as the mutation report words it (`ONB-X: path >= 50 → >= 51`). */
  mutant: string
  reason: string
  /** The policy id of the test file (or of the declaration, in a file that names none). */
  policy: string
  /** The versions it is declared for (a semver range); absent: every version the file tests. */
  versions?: string
  file: string
  line: number
  column: number
}

/** What one case ran on, kept so that mutation testing can run the same case against a mutant. */
export interface PolicyTestCaseInput {
  result: PolicyTestCaseResult
  record: PolicyRecord
  asOf: string
  expect: PolicyTestExpectation
}

/**
 * One passing or failing case as the call it made (a decision or an error): mutation testing replays it
 * against a policy set holding a mutant, to judge mutants of routing (appliesTo, effective dates) and records.
 */
export interface PolicyTestCall {
  result: PolicyTestCaseResult
  /** The record as given to decide (after the patch), valid or not. */
  record: unknown
  asOf: string
  /** The policy the case names; absent: routed by data. */
  policy?: string
  version?: string
  expect: PolicyTestExpectation
  /** The record kind whose schema refused the record (E_RECORD_INVALID), when it was refused so. */
  refused?: string
}

/**
 * A run with what mutation testing needs beside the results: each decided case's input, and the declared equivalents.
 */
export interface PolicyTestRun {
  result: PolicyTestResult
  inputs: PolicyTestCaseInput[]
  /** Every case that reached decide, decided or refused, as its call. */
  calls: PolicyTestCall[]
  /** The record kinds of the set the cases ran against (to route a record again). */
  subjects: readonly SubjectKind[]
  equivalents: EquivalentDeclaration[]
  /** Per test file (display name): the policy id it tests and the versions its cases decided with. */
  tested: { file: string; policy: string; versions: string[] }[]
}

/** RFC 7386 merge patch; builds new objects with own properties only. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!patch || typeof patch !== 'object' || Array.isArray(patch)) return patch
  const out: Record<string, unknown> = {}
  if (target && typeof target === 'object' && !Array.isArray(target)) {
    for (const k of Object.keys(target))
      Object.defineProperty(out, k, {
        value: (target as Record<string, unknown>)[k],
        enumerable: true,
        writable: true,
        configurable: true,
      })
  }
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k]
    else
      Object.defineProperty(out, k, {
        value: mergePatch(Object.prototype.hasOwnProperty.call(out, k) ? out[k] : undefined, v),
        enumerable: true,
        writable: true,
        configurable: true,
      })
  }
  return out
}

export const findPolicyTestFiles = (paths: readonly string[]) => findPolicyFiles(paths, isPolicyTestFile)

/** Where a test run may read records from. */
export interface PolicyTestOptions {
  /**
   * The policy folder: a test file's `recordFile` and `base` must name files inside it (symbolic links
   * resolved), else they are E_PATH_OUTSIDE and never read. Default, and for a test file outside it: the
   * folder holding the test file.
   */
  root?: string
  /** Read a record file whose symbolic link leads outside the folder (default false, as for policies). */
  followSymlinks?: boolean
}

const leaves = (from: string, to: string): boolean => {
  const rel = relative(from, to)
  return rel === '..' || rel.startsWith('..' + sep) || isAbsolute(rel)
}

/**
 * Why a record file named in a test file must not be read (it lies outside the policy folder, or a
 * symbolic link leads there), or undefined. A file that does not exist is left to the read to report.
 */
async function outsideFolder(
  testFile: string,
  rel: string,
  options: PolicyTestOptions,
  shown: (abs: string) => string,
): Promise<string | undefined> {
  const root =
    options.root !== undefined && !leaves(resolve(options.root), testFile) ? resolve(options.root) : dirname(testFile)
  const abs = resolve(dirname(testFile), rel)
  if (leaves(root, abs))
    return `'${rel}' is outside the policy folder ${shown(root)}; a test reads records only from inside it`
  if (options.followSymlinks === true) return undefined
  let real: string
  try {
    real = await realpath(abs)
  } catch {
    return undefined
  }
  if (leaves(await realpath(root), real))
    return (
      `'${rel}' is a symbolic link that leads outside the policy folder ${shown(root)}; a test reads records ` +
      `only from inside it`
    )
  return undefined
}

/** Runs every case of the given test files against a policy set. */
export async function runPolicyTests(
  set: PolicySet,
  files: readonly string[],
  displayName: (abs: string) => string = (f) => f,
  options: PolicyTestOptions = {},
): Promise<PolicyTestResult> {
  return (await runPolicyTestFiles(set, files, displayName, options)).result
}

/**
 * Runs every case of the given test files, keeping each decided case's record, date and expectation,
 * and the equivalent mutants each file declares. A case (or file) with `versions: RANGE` runs once per
 * version of the policy in that range, as if it named each exactly. A case whose record file lies outside
 * the policy folder is not run: it is an E_PATH_OUTSIDE problem at its `recordFile` (or the file's `base`).
 */
export async function runPolicyTestFiles(
  set: PolicySet,
  files: readonly string[],
  displayName: (abs: string) => string = (f) => f,
  options: PolicyTestOptions = {},
): Promise<PolicyTestRun> {
  const result: PolicyTestResult = { files: files.map(displayName), cases: [], problems: [] }
  const run: PolicyTestRun = { result, inputs: [], calls: [], subjects: set.subjectKinds, equivalents: [], tested: [] }
  const validate = validators.policyTest
  for (const abs of files) {
    const file = displayName(abs)
    /** A case that was not run, counted as failed with the reason (so that no case drops out of the count). */
    const failCase = (name: string, line: number, policy: string, code: string, why: string, uncounted = false) =>
      result.cases.push({
        name,
        file,
        line,
        policy,
        ...(uncounted ? { uncounted: true as const } : {}),
        passed: false,
        failures: [`error: ${why}`],
        mismatches: [{ what: 'case', expected: 'run', actual: `not run: ${code}` }],
        error: code,
      })
    /** A file whose cases cannot run: each case it holds fails with the reason, or the file counts as one case. */
    const failFile = (value: unknown, code: string, why: string, locate?: (pointer: string) => { line: number }) => {
      const doc = value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {}
      const policy = typeof doc.policy === 'string' ? doc.policy : ''
      if (!Array.isArray(doc.cases) || doc.cases.length === 0)
        return failCase(`${file} (its cases cannot be counted: counted as one)`, 1, policy, code, why, true)
      doc.cases.forEach((c: unknown, i) => {
        const named = c && typeof c === 'object' ? (c as { name?: unknown }).name : undefined
        const name = typeof named === 'string' && named !== '' ? named : `case ${i + 1}`
        failCase(name, locate?.(`/cases/${i}`).line ?? 1, policy, code, why)
      })
    }
    let text: string
    try {
      text = await readFile(abs, 'utf8')
    } catch (err) {
      const why = `cannot read the test file: ${err instanceof Error ? err.message : String(err)}`
      result.problems.push(policyProblem('E_IO', why, { file, line: 1, column: 1 }, ''))
      failFile(undefined, 'E_IO', why)
      continue
    }
    const source = parseYamlSource(file, text)
    if (source.problems.length > 0) {
      result.problems.push(...source.problems)
      const first = source.problems[0]!
      failFile(source.value, first.code, `the test file is malformed (${first.code}): ${first.message}`)
      continue
    }
    if (!validate(source.value)) {
      const errors = describeAjvErrors(validate.errors, POLICY_TEST_SCHEMA)
      for (const e of errors) {
        result.problems.push(
          policyProblem('E_SCHEMA', e.message, { ...source.locate(e.pointer), file }, e.pointer, { hint: e.hint }),
        )
      }
      const first = errors[0]
      const why = `the test file fails its schema${first ? ` at ${first.pointer || '/'}: ${first.message}` : ''}`
      failFile(source.value, 'E_SCHEMA', why, source.locate)
      continue
    }
    const doc = source.value as {
      policy?: string
      asOf?: string
      base?: string
      versions?: string
      cases: RawCase[]
      equivalent?: { mutant: string; reason: string; versions?: string; policy?: string }[]
    }
    const versionsOf = (id: string | undefined) =>
      set.policies
        .filter((p) => p.id === id)
        .map((p) => p.version)
        .sort(compareVersions)
    const badRange = (pointer: string, range: string, why: string) =>
      result.problems.push(
        policyProblem('E_INVALID_VERSION', `versions '${range}' ${why}`, source.locate(pointer), pointer),
      )
    /** The versions a range names among the policy's, or undefined (a problem added) when it names none. */
    const inRange = (id: string | undefined, range: string, pointer: string): string[] | undefined => {
      if (id === undefined) return void badRange(pointer, range, 'needs a policy: a routed case names no versions')
      const known = versionsOf(id)
      const test = versionRange(range)
      if (!test)
        return void badRange(pointer, range, 'is not a semver range (e.g. ">=1.0.0", "^1.1.0", "1.0.0 - 1.2.0")')
      const hit = known.filter(test)
      const names = known.join(', ') || 'none'
      if (hit.length === 0) return void badRange(pointer, range, `matches no version of ${id} (${names})`)
      return hit
    }
    const fileVersions = doc.versions === undefined ? undefined : inRange(doc.policy, doc.versions, '/versions')
    if (doc.versions !== undefined && !fileVersions) {
      failFile(doc, 'E_INVALID_VERSION', `the file's versions '${doc.versions}' name no version to test`, source.locate)
      continue
    }
    const testedOf = (policy: string) => {
      let t = run.tested.find((x) => x.file === file && x.policy === policy)
      if (!t) run.tested.push((t = { file, policy, versions: [] }))
      return t
    }
    if (doc.policy !== undefined) testedOf(doc.policy)
    for (const [i, e] of (doc.equivalent ?? []).entries()) {
      if (e.versions !== undefined && !versionRange(e.versions)) {
        badRange(`/equivalent/${i}/versions`, e.versions, 'is not a semver range')
        continue
      }
      const policy = e.policy ?? doc.policy
      if (policy === undefined) {
        const pointer = `/equivalent/${i}`
        const why = 'a declaration in a file that names no policy names its own (policy: ID)'
        result.problems.push(policyProblem('E_SCHEMA', why, { ...source.locate(pointer), file }, pointer))
        continue
      }
      const at = source.locate(`/equivalent/${i}`)
      run.equivalents.push({
        mutant: e.mutant,
        reason: e.reason,
        policy,
        ...(e.versions !== undefined ? { versions: e.versions } : {}),
        file,
        line: at.line,
        column: at.column,
      })
    }
    const records = new Map<string, unknown>()
    const readRecord = async (rel: string) => {
      const p = resolve(dirname(abs), rel)
      if (!records.has(p)) records.set(p, JSON.parse(await readFile(p, 'utf8')))
      return records.get(p)
    }
    const refused = new Set<string>()
    for (const [i, c] of doc.cases.entries()) {
      const line = source.locate(`/cases/${i}`).line
      const policy = c.policy ?? doc.policy
      const recordFile = c.recordFile ?? (c.record === undefined ? doc.base : undefined)
      if (recordFile !== undefined) {
        const pointer = c.recordFile !== undefined ? `/cases/${i}/recordFile` : '/base'
        const why = await outsideFolder(abs, recordFile, options, displayName)
        if (why) {
          if (!refused.has(pointer))
            result.problems.push(policyProblem('E_PATH_OUTSIDE', why, { ...source.locate(pointer), file }, pointer))
          refused.add(pointer)
          failCase(c.name, line, policy ?? '', 'E_PATH_OUTSIDE', why)
          continue
        }
      }
      if (c.version !== undefined && (c.versions !== undefined || policy === undefined)) {
        const why =
          policy === undefined
            ? 'a case routed by data names no version (name its policy, or leave the version to the date)'
            : 'a case names one exact version or a range of versions, not both'
        result.problems.push(policyProblem('E_SCHEMA', why, source.locate(`/cases/${i}`), `/cases/${i}`))
        failCase(c.name, line, policy ?? '', 'E_SCHEMA', why)
        continue
      }
      let versions: (string | undefined)[] = [c.version]
      let ranged = false
      if (c.versions !== undefined) {
        const hit = inRange(policy, c.versions, `/cases/${i}/versions`)
        if (!hit) {
          failCase(c.name, line, policy ?? '', 'E_INVALID_VERSION', `versions '${c.versions}' name no version to test`)
          continue
        }
        versions = hit
        ranged = true
      } else if (c.version === undefined && c.policy === undefined && fileVersions) {
        versions = fileVersions
        ranged = true
      }
      for (const version of versions) {
        const out: PolicyTestCaseResult = {
          name: ranged ? `${c.name} [${version}]` : c.name,
          file,
          line,
          policy: policy ?? '',
          ...(policy === undefined ? { routed: true as const } : {}),
          ...(ranged && version !== undefined ? { version } : {}),
          passed: false,
          failures: [],
          mismatches: [],
        }
        result.cases.push(out)
        const input = await runCase(set, doc, c, policy, version, out, readRecord, run.calls)
        out.passed = out.failures.length === 0
        if (policy === undefined && out.decision) out.policy = out.decision.policy.id
        if (input && out.decision) {
          run.inputs.push(input)
          const tested = testedOf(out.decision.policy.id)
          if (!tested.versions.includes(out.decision.policy.version)) tested.versions.push(out.decision.policy.version)
        }
      }
    }
    for (const t of run.tested) if (t.file === file) t.versions.sort(compareVersions)
  }
  return run
}

/** Runs one case (against `version` when given); fills `out`, and returns its input when it reached a decision. */
async function runCase(
  set: PolicySet,
  doc: { asOf?: string; base?: string },
  c: RawCase,
  policy: string | undefined,
  version: string | undefined,
  out: PolicyTestCaseResult,
  readRecord: (rel: string) => Promise<unknown>,
  calls: PolicyTestCall[],
): Promise<PolicyTestCaseInput | undefined> {
  try {
    const recordFile = c.recordFile ?? (c.record === undefined ? doc.base : undefined)
    let record: unknown = c.record ?? (recordFile ? await readRecord(recordFile) : undefined)
    if (record === undefined)
      throw new CollabgateError('E_INVALID_ARGUMENT', 'the case has no record, recordFile or base')
    if (c.patch) record = mergePatch(record, c.patch)
    const asOf = c.asOf ?? doc.asOf
    if (!asOf) throw new CollabgateError('E_INVALID_ARGUMENT', 'the case has no asOf (set it on the case or the file)')
    const options = { asOf, ...(policy !== undefined ? { policy } : {}), ...(version !== undefined ? { version } : {}) }
    const call: PolicyTestCall = { result: out, record, ...options, expect: c.expect }
    calls.push(call)
    let decision: Decision
    try {
      decision = await set.decide(record, options)
    } catch (err) {
      const invalid = err instanceof RecordValidationError && err.code === 'E_RECORD_INVALID'
      if (invalid && err.subject !== undefined) call.refused = err.subject
      if (c.expect.error !== undefined && err instanceof CollabgateError) {
        out.error = err.code
        if (err.code !== c.expect.error) {
          out.failures.push(`error: expected ${c.expect.error}, got ${err.code}`)
          out.mismatches.push({ what: 'error', expected: c.expect.error, actual: err.code })
        }
        return undefined
      }
      throw err
    }
    out.decision = decision
    compareExpectations(c.expect, decision, out.failures, out.mismatches)
    return { result: out, record: record as PolicyRecord, asOf, expect: c.expect }
  } catch (err) {
    out.error = err instanceof CollabgateError ? err.code : 'E_INTERNAL'
    out.failures.push(`error: ${err instanceof Error ? err.message : String(err)}`)
    out.mismatches.push({ what: 'outcome', expected: c.expect.outcome, actual: `no decision: ${out.error}` })
    return undefined
  }
}

/** Whether a call's result (a decision, or the error it threw) meets what its case expects. */
export function callMeets(expect: PolicyTestExpectation, got: { decision: Decision } | { error: unknown }): boolean {
  if ('decision' in got) return unmetExpectations(expect, got.decision).length === 0
  return expect.error !== undefined && got.error instanceof CollabgateError && got.error.code === expect.error
}

/** The expectations of a case that a decision does not meet, one line each (empty: the case passes). */
export function unmetExpectations(expect: PolicyTestExpectation, d: Decision): string[] {
  const failures: string[] = []
  compareExpectations(expect, d, failures, [])
  return failures
}

function compareExpectations(
  expect: PolicyTestExpectation,
  d: Decision,
  failures: string[],
  mismatches: PolicyTestMismatch[],
): void {
  const miss = (what: string, expected: string, actual: string, line: string) => {
    failures.push(line)
    mismatches.push({ what, expected, actual })
  }
  if (expect.error !== undefined)
    miss(
      'error',
      expect.error,
      `a decision (${d.outcome})`,
      `error: expected ${expect.error}, got a decision (${d.outcome})`,
    )
  if (d.outcome !== expect.outcome)
    miss('outcome', expect.outcome, d.outcome, `outcome: expected ${expect.outcome}, got ${d.outcome}`)
  if (expect.policy !== undefined) {
    const at = expect.policy.includes('@') ? `${d.policy.id}@${d.policy.version}` : d.policy.id
    if (at !== expect.policy) miss('policy', expect.policy, at, `policy: expected ${expect.policy}, got ${at}`)
  }
  const got = d.reasons.map((r) => r.rule)
  if (expect.rules) {
    const want = [...expect.rules].sort()
    const have = [...got].sort()
    if (want.join(',') !== have.join(','))
      miss(
        'rules',
        `[${want.join(', ')}]`,
        `[${have.join(', ')}]`,
        `rules: expected [${want.join(', ')}], got [${have.join(', ')}]`,
      )
  }
  for (const [rule, text] of Object.entries(expect.messages ?? {})) {
    const reason = d.reasons.find((r) => r.rule === rule)
    if (!reason)
      miss(
        `message of ${rule}`,
        `contains "${text}"`,
        `${rule} did not object`,
        `message of ${rule}: expected one containing "${text}", but ${rule} did not object`,
      )
    else if (!reason.message.includes(text))
      miss(
        `message of ${rule}`,
        `contains "${text}"`,
        `"${reason.message}"`,
        `message of ${rule}: expected it to contain "${text}", got "${reason.message}"`,
      )
  }
  const wording = (rule: string, want: string, holds: (message: string) => boolean) => {
    const reason = d.reasons.find((r) => r.rule === rule)
    const what = `message of ${rule}`
    if (!reason) miss(what, want, `${rule} did not object`, `${what}: expected ${want}, but it did not object`)
    else if (!holds(reason.message)) {
      const got = `"${reason.message}"`
      miss(what, want, got, `${what}: expected ${want}, got ${got}`)
    }
  }
  for (const [rule, text] of Object.entries(expect.messageIs ?? {})) wording(rule, `"${text}"`, (m) => m === text)
  for (const [rule, pattern] of Object.entries(expect.messageMatches ?? {})) {
    let re: RegExp | undefined
    try {
      re = new RegExp(pattern, 'u')
    } catch {
      re = undefined
    }
    const want = re ? `a match of /${pattern}/` : `a match of /${pattern}/ (not a valid regular expression)`
    wording(rule, want, (m) => re !== undefined && re.test(m))
  }
  if (expect.overdue !== undefined && d.review?.overdue !== expect.overdue) {
    const actual = d.review ? String(d.review.overdue) : 'no review'
    miss('overdue', String(expect.overdue), actual, `overdue: expected ${expect.overdue}, got ${actual}`)
  }
}
