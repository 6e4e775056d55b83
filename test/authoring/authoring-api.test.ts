import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { CollabgateError, checkPolicies, diffPolicies, impactOf, loadPolicies, policyTestCoverage } from '../../src/index.js'
import { checkLock, lockOf, parseLock } from '../../src/lock/lock.js'
import { formatImpactText } from '../../src/report/impact.js'
import { hasDifferences } from '../../src/diff/diff.js'
import type { PolicyTestCaseResult } from '../../src/policy-test/run.js'
import { diffLines } from '../../src/diff/diff.js'
import { ROOT } from '../cli/run-cli.js'

const VERSIONS = join(ROOT, 'test/fixtures/authoring/versions')

async function versions() {
  const { policies, problems } = await checkPolicies(VERSIONS, { lock: false })
  expect(problems).toEqual([])
  const byVersion = (v: string) => policies.find((p) => p.version === v)!
  return { policies, v1: byVersion('1.0.0'), v2: byVersion('1.1.0') }
}

describe('lock', () => {
  it('flags a changed digest, lists unlocked and stale versions', async () => {
    const { policies, v1 } = await versions()
    const check = checkLock(policies, { 'acme.onboarding@1.0.0': 'sha256:' + 'a'.repeat(64), 'acme.onboarding@0.1.0': v1.digest })
    expect(check.problems.map((p) => [p.code, p.pointer])).toEqual([
      ['E_LOCK_MISMATCH', '/version'],
      ['E_UNRELEASED', '/version'],
    ])
    expect(check.problems[0]!.message).toContain('acme.onboarding@1.0.0 is released (locked sha256:aaaaaaaaaaaa…) but its content changed')
    expect(check.unlocked).toEqual(['acme.onboarding@1.1.0'])
    expect(check.stale).toEqual(['acme.onboarding@0.1.0'])
    expect(checkLock(policies, lockOf(policies)).problems).toEqual([])
  })

  it('refuses malformed lock files with E_LOCK_INVALID', () => {
    const code = (text: string) => {
      try {
        parseLock(text)
        return 'parsed'
      } catch (err) {
        return err instanceof CollabgateError ? err.code : 'other'
      }
    }
    expect(code('{')).toBe('E_LOCK_INVALID')
    expect(code('[]')).toBe('E_LOCK_INVALID')
    expect(code('{"a@1": "md5:00"}')).toBe('E_LOCK_INVALID')
    expect(code('{"no-version": "sha256:' + '0'.repeat(64) + '"}')).toBe('E_LOCK_INVALID')
    expect(code('{"a@1.0.0": "sha256:' + '0'.repeat(64) + '"}')).toBe('parsed')
  })
})

describe('diff', () => {
  it('diffs lines keeping the common ones', () => {
    expect(diffLines(['a', 'b', 'c'], ['a', 'x', 'c', 'd'])).toEqual([
      { op: ' ', text: 'a' },
      { op: '-', text: 'b' },
      { op: '+', text: 'x' },
      { op: ' ', text: 'c' },
      { op: '+', text: 'd' },
    ])
  })

  it('finds no difference between a version and itself, and reports graded checks by index', async () => {
    const { v1 } = await versions()
    const same = diffPolicies(v1, v1)
    expect(same.identical).toBe(true)
    expect(hasDifferences(same)).toBe(false)

    const set = await loadPolicies(join(ROOT, 'policies'))
    const termination = set.policies.find((p) => p.id === 'creator-collaboration.us.termination')!
    const edited = structuredClone(termination)
    edited.rules[0]!.checks[1]!.outcome = 'terminate'
    edited.digest = 'sha256:changed'
    const d = diffPolicies(termination, edited)
    expect(d.rules.changed).toEqual([
      {
        id: termination.rules[0]!.id,
        title: termination.rules[0]!.title,
        changes: [{ field: 'outcome', check: 1, before: 'investigate', after: 'terminate' }],
      },
    ])
  })
})

describe('impact', () => {
  it('counts blank lines out, undecidable lines in, other kinds apart, and fails early for an unknown version or bad date', async () => {
    const set = await loadPolicies(VERSIONS)
    const options = { policy: 'acme.onboarding', from: '1.0.0', to: '1.1.0', asOf: '2025-09-02' }
    const report = await impactOf(set, ['', 'null', '{"developerId": "D-1", "incidents": []}'], options)
    expect(report.lines).toBe(2)
    expect(report.decided).toBe(0)
    // a behaviour record in a file of applications is another kind, skipped and counted, not an undecidable line
    expect(report.invalid.map((i) => i.line)).toEqual([2])
    expect(report.otherKind).toBe(1)
    await expect(impactOf(set, [], { ...options, to: '3.0.0' })).rejects.toMatchObject({ code: 'E_POLICY_NOT_FOUND' })
    await expect(impactOf(set, [], { ...options, asOf: '2025-02-30' })).rejects.toMatchObject({ code: 'E_INVALID_ARGUMENT' })
  })
})

describe('coverage', () => {
  it('counts a rule covered only when seen both passing and objecting, per version', async () => {
    const { policies, v1, v2 } = await versions()
    const set = await loadPolicies(VERSIONS)
    const record = {
      applicationId: 'A',
      category: 'c',
      submittedAt: '2025-09-01',
      applicant: { registration: { country: 'CA' }, yearsInOperation: 5 },
      account: { type: 'app_developer', businessVerified: true },
      product: { requestedScopes: [] },
      security: { encryptionAtRest: true },
    }
    const decided = async (version: string, r: unknown): Promise<PolicyTestCaseResult> => ({
      name: version,
      file: 'f',
      line: 1,
      policy: 'acme.onboarding',
      passed: true,
      failures: [],
      mismatches: [],
      decision: await set.decide(r, { policy: 'acme.onboarding', asOf: '2025-09-02', version }),
    })
    const us = { ...record, applicant: { registration: { country: 'US' }, yearsInOperation: 5 } }
    const cov = policyTestCoverage(policies, [
      await decided('1.1.0', record),
      await decided('1.1.0', us),
      await decided('1.0.0', us),
      { name: 'no decision', file: 'f', line: 2, policy: 'x', passed: false, failures: ['error: x'], mismatches: [] },
    ])
    const v2cov = cov.policies.find((p) => p.version === v2.version)!
    expect(v2cov.rules.map((r) => [r.id, r.passed, r.objected, r.covered])).toEqual([
      ['ONB-SCOPE-US', 1, 1, true],
      ['ONB-BUSINESS-VERIFIED', 2, 0, false],
      ['ONB-STRENGTH', 2, 0, false],
      ['ONB-TECH-SECURITY', 2, 0, false],
    ])
    expect(cov.policies.find((p) => p.version === v1.version)!.covered).toBe(0)
    expect(cov).toMatchObject({ covered: 1, total: 8, percent: 12.5 })
    expect(policyTestCoverage([], []).percent).toBe(100)
  })
})

describe('impact text for a file of mostly wrong lines', () => {
  it('lists the first 20 undecidable lines and sums up the rest by code', async () => {
    const set = await loadPolicies(VERSIONS)
    const lines = Array.from({ length: 45 }, (_, i) => (i % 3 === 0 ? 'not json' : '{"applicationId": "A"}'))
    const report = await impactOf(set, lines, { policy: 'acme.onboarding', from: '1.0.0', to: '1.1.0', asOf: '2025-09-02' })
    expect(report.invalid).toHaveLength(45)
    const text = formatImpactText(report)
    expect(text.split('\n').filter((l) => /^ {2}line \d+: /.test(l))).toHaveLength(20)
    expect(text).toContain('  … and 25 more (45 E_RECORD_INVALID in all; --format json lists every one)\n')
  })
})

describe('impact of a brand-new policy', () => {
  it('takes every record from no decision (--from none) to its outcome under the new policy', async () => {
    const set = await loadPolicies(VERSIONS)
    const lines = ['{"applicationId": "A"}', '', '{"developerId": "D", "incidents": []}']
    const report = await impactOf(set, [readFileSync(join(VERSIONS, 'record.json'), 'utf8').replace(/\n/g, ' '), ...lines], {
      policy: 'acme.onboarding',
      from: 'none',
      to: '1.1.0',
      asOf: '2025-09-02',
    })
    expect(report.from).toEqual({ id: 'acme.onboarding', version: 'none', digest: 'none' })
    expect([report.decided, report.changed, report.otherKind, report.invalid.map((i) => i.line)]).toEqual([1, 1, 1, [2]])
    expect(report.transitions.map((t) => t.from)).toEqual(['(no policy)'])
    expect(report.changes[0]!.before).toEqual({ outcome: '(no policy)', rules: [] })
    expect(formatImpactText(report)).toMatch(/^impact of acme\.onboarding none → 1\.1\.0 /)
  })
})
