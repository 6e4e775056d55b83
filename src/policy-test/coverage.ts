/**
 * Rule coverage of policy tests: for every rule of every policy version, whether some test case saw
 * it pass and some case saw it object. A rule only ever seen passing may be unable to object at all
 * (a typo in a path, a threshold nobody reaches), which is the mistake coverage is for.
 */
import type { Policy } from '../model.js'
import type { PolicyTestCaseResult } from './run.js'
import { byIdThenEffective } from '../order.js'
import { lockKey } from '../lock/lock.js'

export interface CheckCoverage {
  /** JSON pointer of the check inside its policy document. */
  pointer: string
  outcome: string
  line: number
  /** Cases in which this check was the one the rule objected with. */
  objected: number
}

export interface RuleCoverage {
  id: string
  line: number
  /** Cases in which the rule did not object. */
  passed: number
  /** Cases in which the rule objected. */
  objected: number
  /** Exercised both ways. */
  covered: boolean
  /** Per check, for rules with graded checks. */
  checks: CheckCoverage[]
}

export interface PolicyCoverage {
  id: string
  version: string
  file: string
  rules: RuleCoverage[]
  covered: number
  total: number
}

export interface CoverageReport {
  policies: PolicyCoverage[]
  covered: number
  total: number
  /** covered / total × 100, rounded down to two decimals; 100 when there are no rules. */
  percent: number
}

/** Computes rule coverage from test case results (only cases that reached a decision count). */
export function policyTestCoverage(
  policies: readonly Policy[],
  cases: readonly PolicyTestCaseResult[],
): CoverageReport {
  const byKey = new Map<string, PolicyCoverage>()
  const sorted = [...policies].sort(byIdThenEffective)
  for (const p of sorted) {
    byKey.set(lockKey(p), {
      id: p.id,
      version: p.version,
      file: p.location.file,
      covered: 0,
      total: p.rules.length,
      rules: p.rules.map((r) => ({
        id: r.id,
        line: r.location.line,
        passed: 0,
        objected: 0,
        covered: false,
        checks:
          r.checks.length > 1
            ? r.checks.map((c) => ({ pointer: c.pointer, outcome: c.outcome, line: c.location.line, objected: 0 }))
            : [],
      })),
    })
  }
  const policyOf = new Map(policies.map((p) => [lockKey(p), p]))
  for (const c of cases) {
    const d = c.decision
    if (!d) continue
    const cov = byKey.get(lockKey(d.policy))
    const policy = policyOf.get(lockKey(d.policy))
    if (!cov || !policy) continue
    cov.rules.forEach((rc, i) => {
      const reason = d.reasons.find((r) => r.rule === rc.id)
      if (!reason) {
        rc.passed++
        return
      }
      rc.objected++
      // The reason carries the location of the check it came from; that identifies the check.
      const checks = policy.rules[i]?.checks ?? []
      const j = checks.findIndex(
        (k) => k.location.line === reason.source.line && k.location.column === reason.source.column,
      )
      const hit = j >= 0 ? rc.checks[j] : undefined
      if (hit) hit.objected++
    })
  }
  let covered = 0
  let total = 0
  for (const p of byKey.values()) {
    for (const r of p.rules) r.covered = r.passed > 0 && r.objected > 0
    p.covered = p.rules.filter((r) => r.covered).length
    covered += p.covered
    total += p.total
  }
  const percent = total === 0 ? 100 : Math.floor((covered / total) * 10000) / 100
  return { policies: [...byKey.values()], covered, total, percent }
}
