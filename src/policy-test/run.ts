/**
 * Policy tests: YAML files beside the policies (`*.test.yaml`) that state, per case, a record and the
 * decision expected of it. They run through the same PolicySet.decide a service calls.
 */
import { readFile } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { CollabgateError, policyProblem, type PolicyProblem } from '../errors.js'
import type { Decision } from '../model.js'
import type { PolicySet } from '../decide/policy-set.js'
import { findPolicyFiles, isPolicyTestFile } from '../folder/load.js'
import { parseYamlSource } from '../load/yaml-source.js'
import { POLICY_TEST_SCHEMA } from '../schemas.js'
import { describeAjvErrors, validators } from '../validate/ajv.js'

export interface PolicyTestCaseResult {
  name: string
  file: string
  line: number
  policy: string
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

interface RawCase {
  name: string
  record?: Record<string, unknown>
  recordFile?: string
  patch?: Record<string, unknown>
  asOf?: string
  version?: string
  expect: { outcome: string; rules?: string[]; messages?: Record<string, string>; overdue?: boolean; error?: string }
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

/** Runs every case of the given test files against a policy set. */
export async function runPolicyTests(
  set: PolicySet,
  files: readonly string[],
  displayName: (abs: string) => string = (f) => f,
): Promise<PolicyTestResult> {
  const result: PolicyTestResult = { files: files.map(displayName), cases: [], problems: [] }
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
    const doc = source.value as { policy: string; asOf?: string; base?: string; cases: RawCase[] }
    const records = new Map<string, unknown>()
    const readRecord = async (rel: string) => {
      const p = resolve(dirname(abs), rel)
      if (!records.has(p)) records.set(p, JSON.parse(await readFile(p, 'utf8')))
      return records.get(p)
    }
    for (const [i, c] of doc.cases.entries()) {
      const line = source.locate(`/cases/${i}`).line
      const out: PolicyTestCaseResult = { name: c.name, file, line, policy: doc.policy, passed: false, failures: [], mismatches: [] }
      result.cases.push(out)
      try {
        const recordFile = c.recordFile ?? (c.record === undefined ? doc.base : undefined)
        let record: unknown = c.record ?? (recordFile ? await readRecord(recordFile) : undefined)
        if (record === undefined) throw new CollabgateError('E_INVALID_ARGUMENT', 'the case has no record, recordFile or base')
        if (c.patch) record = mergePatch(record, c.patch)
        const asOf = c.asOf ?? doc.asOf
        if (!asOf) throw new CollabgateError('E_INVALID_ARGUMENT', 'the case has no asOf (set it on the case or the file)')
        const options = c.version === undefined ? { policy: doc.policy, asOf } : { policy: doc.policy, asOf, version: c.version }
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
            out.passed = out.failures.length === 0
            continue
          }
          throw err
        }
        out.decision = decision
        compareExpectations(c.expect, decision, out.failures, out.mismatches)
      } catch (err) {
        out.error = err instanceof CollabgateError ? err.code : 'E_INTERNAL'
        out.failures.push(`error: ${err instanceof Error ? err.message : String(err)}`)
        out.mismatches.push({ what: 'outcome', expected: c.expect.outcome, actual: `no decision: ${out.error}` })
      }
      out.passed = out.failures.length === 0
    }
  }
  return result
}

function compareExpectations(expect: RawCase['expect'], d: Decision, failures: string[], mismatches: PolicyTestMismatch[]): void {
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
