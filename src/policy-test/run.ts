/**
 * Policy tests: YAML files beside the policies (`*.test.yaml`) that state, per case, a record and the
 * decision expected of it. They run through the same PolicySet.decide a service calls.
 */
import { readFile, realpath } from 'node:fs/promises'
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path'
import { CollabgateError, policyProblem, type PolicyProblem } from '../errors.js'
import type { Decision, PolicyRecord } from '../model.js'
import type { PolicySet } from '../decide/policy-set.js'
import { findPolicyFiles, isPolicyTestFile } from '../folder/load.js'
import { parseYamlSource } from '../load/yaml-source.js'
import { POLICY_TEST_SCHEMA } from '../schemas.js'
import { describeAjvErrors, validators } from '../validate/ajv.js'
import { compareVersions } from '../validate/policy.js'
import { versionRange } from './range.js'

export interface PolicyTestCaseResult {
  name: string
  file: string
  line: number
  policy: string
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
  rules?: string[]
  messages?: Record<string, string>
  overdue?: boolean
  error?: string
}

interface RawCase {
  name: string
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
  /** The policy id of the test file. */
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

/** A run with what mutation testing needs beside the results: each decided case's input, and the declared equivalents. */
export interface PolicyTestRun {
  result: PolicyTestResult
  inputs: PolicyTestCaseInput[]
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
      Object.defineProperty(out, k, { value: (target as Record<string, unknown>)[k], enumerable: true, writable: true, configurable: true })
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
  const root = options.root !== undefined && !leaves(resolve(options.root), testFile) ? resolve(options.root) : dirname(testFile)
  const abs = resolve(dirname(testFile), rel)
  if (leaves(root, abs)) return `'${rel}' is outside the policy folder ${shown(root)}; a test reads records only from inside it`
  if (options.followSymlinks === true) return undefined
  let real: string
  try {
    real = await realpath(abs)
  } catch {
    return undefined
  }
  if (leaves(await realpath(root), real))
    return `'${rel}' is a symbolic link that leads outside the policy folder ${shown(root)}; a test reads records only from inside it`
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
  const run: PolicyTestRun = { result, inputs: [], equivalents: [], tested: [] }
  const validate = validators.policyTest
  for (const abs of files) {
    const file = displayName(abs)
    const source = parseYamlSource(file, await readFile(abs, 'utf8'))
    if (source.problems.length > 0) {
      result.problems.push(...source.problems)
      continue
    }
    if (!validate(source.value)) {
      for (const e of describeAjvErrors(validate.errors, POLICY_TEST_SCHEMA)) {
        result.problems.push(policyProblem('E_SCHEMA', e.message, { ...source.locate(e.pointer), file }, e.pointer, { hint: e.hint }))
      }
      continue
    }
    const doc = source.value as {
      policy: string
      asOf?: string
      base?: string
      versions?: string
      cases: RawCase[]
      equivalent?: { mutant: string; reason: string; versions?: string }[]
    }
    const known = set.policies
      .filter((p) => p.id === doc.policy)
      .map((p) => p.version)
      .sort(compareVersions)
    const badRange = (pointer: string, range: string, why: string) =>
      result.problems.push(policyProblem('E_INVALID_VERSION', `versions '${range}' ${why}`, source.locate(pointer), pointer))
    /** The versions a range names among the policy's, or undefined (a problem added) when it names none. */
    const inRange = (range: string, pointer: string): string[] | undefined => {
      const test = versionRange(range)
      if (!test) return void badRange(pointer, range, 'is not a semver range (e.g. ">=1.0.0", "^1.1.0", "1.0.0 - 1.2.0")')
      const hit = known.filter(test)
      if (hit.length === 0) return void badRange(pointer, range, `matches no version of ${doc.policy} (${known.join(', ') || 'none'})`)
      return hit
    }
    const fileVersions = doc.versions === undefined ? undefined : inRange(doc.versions, '/versions')
    if (doc.versions !== undefined && !fileVersions) continue
    const tested = { file, policy: doc.policy, versions: [] as string[] }
    run.tested.push(tested)
    for (const [i, e] of (doc.equivalent ?? []).entries()) {
      if (e.versions !== undefined && !versionRange(e.versions)) {
        badRange(`/equivalent/${i}/versions`, e.versions, 'is not a semver range')
        continue
      }
      const at = source.locate(`/equivalent/${i}`)
      run.equivalents.push({
        mutant: e.mutant,
        reason: e.reason,
        policy: doc.policy,
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
      const recordFile = c.recordFile ?? (c.record === undefined ? doc.base : undefined)
      if (recordFile !== undefined) {
        const pointer = c.recordFile !== undefined ? `/cases/${i}/recordFile` : '/base'
        const why = await outsideFolder(abs, recordFile, options, displayName)
        if (why) {
          if (!refused.has(pointer))
            result.problems.push(policyProblem('E_PATH_OUTSIDE', why, { ...source.locate(pointer), file }, pointer))
          refused.add(pointer)
          continue
        }
      }
      if (c.version !== undefined && c.versions !== undefined) {
        result.problems.push(
          policyProblem(
            'E_SCHEMA',
            'a case names one exact version or a range of versions, not both',
            source.locate(`/cases/${i}`),
            `/cases/${i}`,
          ),
        )
        continue
      }
      let versions: (string | undefined)[] = [c.version]
      let ranged = false
      if (c.versions !== undefined) {
        const hit = inRange(c.versions, `/cases/${i}/versions`)
        if (!hit) continue
        versions = hit
        ranged = true
      } else if (c.version === undefined && fileVersions) {
        versions = fileVersions
        ranged = true
      }
      for (const version of versions) {
        const out: PolicyTestCaseResult = {
          name: ranged ? `${c.name} [${version}]` : c.name,
          file,
          line,
          policy: doc.policy,
          ...(ranged && version !== undefined ? { version } : {}),
          passed: false,
          failures: [],
          mismatches: [],
        }
        result.cases.push(out)
        const input = await runCase(set, doc, c, version, out, readRecord)
        out.passed = out.failures.length === 0
        if (input && out.decision) {
          run.inputs.push(input)
          if (!tested.versions.includes(out.decision.policy.version)) tested.versions.push(out.decision.policy.version)
        }
      }
    }
    tested.versions.sort(compareVersions)
  }
  return run
}

/** Runs one case (against `version` when given); fills `out`, and returns its input when it reached a decision. */
async function runCase(
  set: PolicySet,
  doc: { policy: string; asOf?: string; base?: string },
  c: RawCase,
  version: string | undefined,
  out: PolicyTestCaseResult,
  readRecord: (rel: string) => Promise<unknown>,
): Promise<PolicyTestCaseInput | undefined> {
  try {
    const recordFile = c.recordFile ?? (c.record === undefined ? doc.base : undefined)
    let record: unknown = c.record ?? (recordFile ? await readRecord(recordFile) : undefined)
    if (record === undefined) throw new CollabgateError('E_INVALID_ARGUMENT', 'the case has no record, recordFile or base')
    if (c.patch) record = mergePatch(record, c.patch)
    const asOf = c.asOf ?? doc.asOf
    if (!asOf) throw new CollabgateError('E_INVALID_ARGUMENT', 'the case has no asOf (set it on the case or the file)')
    const options = version === undefined ? { policy: doc.policy, asOf } : { policy: doc.policy, asOf, version }
    let decision: Decision
    try {
      decision = await set.decide(record, options)
    } catch (err) {
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

/** The expectations of a case that a decision does not meet, one line each (empty: the case passes). */
export function unmetExpectations(expect: PolicyTestExpectation, d: Decision): string[] {
  const failures: string[] = []
  compareExpectations(expect, d, failures, [])
  return failures
}

function compareExpectations(expect: PolicyTestExpectation, d: Decision, failures: string[], mismatches: PolicyTestMismatch[]): void {
  const miss = (what: string, expected: string, actual: string, line: string) => {
    failures.push(line)
    mismatches.push({ what, expected, actual })
  }
  if (expect.error !== undefined)
    miss('error', expect.error, `a decision (${d.outcome})`, `error: expected ${expect.error}, got a decision (${d.outcome})`)
  if (d.outcome !== expect.outcome) miss('outcome', expect.outcome, d.outcome, `outcome: expected ${expect.outcome}, got ${d.outcome}`)
  const got = d.reasons.map((r) => r.rule)
  if (expect.rules) {
    const want = [...expect.rules].sort()
    const have = [...got].sort()
    if (want.join(',') !== have.join(','))
      miss('rules', `[${want.join(', ')}]`, `[${have.join(', ')}]`, `rules: expected [${want.join(', ')}], got [${have.join(', ')}]`)
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
  if (expect.overdue !== undefined && d.review?.overdue !== expect.overdue) {
    const actual = d.review ? String(d.review.overdue) : 'no review'
    miss('overdue', String(expect.overdue), actual, `overdue: expected ${expect.overdue}, got ${actual}`)
  }
}
