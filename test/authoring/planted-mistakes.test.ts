/**
 * Issue #25's five planted mistakes: each, made in a scratch copy of the shipped folder (tests
 * included; released files may change there, so the lock is not checked), is caught by the shipped
 * policy tests or by mutation testing. The untouched copy passes both, so a catch is the mistake's.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { defaultPoliciesDir, loadPolicies } from '../../src/folder/load.js'
import { mutationTest } from '../../src/mutate/run.js'
import { findPolicyTestFiles, runPolicyTestFiles } from '../../src/policy-test/run.js'

const temps: string[] = []
afterAll(() => temps.forEach((t) => rmSync(t, { recursive: true, force: true })))

const ONBOARDING = 'creator-collaboration.us.onboarding.v1.1.0.yaml'
const ONBOARDING_OLD = 'creator-collaboration.us.onboarding.v1.0.0.yaml'
const TERMINATION = 'creator-collaboration.us.termination.v1.0.0.yaml'
// a whole folder's tests and mutants per case, on a shared machine: a bound well above the few seconds it takes
const SLOW = 120_000

/** A scratch copy of the shipped folder with `edits` made (each must change its file). */
function copyWith(edits: [file: string, from: string, to: string][]): string {
  const dir = mkdtempSync(join(tmpdir(), 'collabgate-planted-'))
  temps.push(dir)
  cpSync(defaultPoliciesDir(), dir, { recursive: true })
  for (const [file, from, to] of edits) {
    const text = readFileSync(join(dir, file), 'utf8')
    expect(text, `${file} holds the text the mistake changes`).toContain(from)
    writeFileSync(join(dir, file), text.replace(from, to))
  }
  return dir
}

/** What the shipped tests and mutation testing say of a folder. */
async function judge(dir: string) {
  const set = await loadPolicies(dir, { lock: false })
  const run = await runPolicyTestFiles(set, await findPolicyTestFiles([dir]))
  const report = mutationTest(set.policies, run)
  const failed = run.result.cases.filter((c) => !c.passed).map((c) => `${c.file}:${c.line} ${c.name}`)
  const survived = report.policies.flatMap((p) => p.mutants.filter((m) => m.status === 'survived').map((m) => m.description))
  return { failed, problems: run.result.problems.length + report.problems.length, survived, score: report.score }
}

describe('the five mistakes of issue #25, planted in a copy of the shipped folder', () => {
  it(
    'the untouched copy passes every shipped test at a mutation score of 100',
    async () => {
      expect(await judge(copyWith([]))).toEqual({ failed: [], problems: 0, survived: [], score: 100 })
    },
    SLOW,
  )

  const usOnly = 'primary: true\nappliesTo: { fact: applicant, path: $.registration.country, operator: equal, value: US }'
  const pendingLine = '          - { fact: review, path: $.result, operator: notEqual, value: pending }\n'
  const falseInfo = '"Confirmed false, forged or misleading information (false_information) in incident(s) {{ $matched }}: a bottom line."'
  const dataLeak = '"Confirmed leaking, selling or transferring platform data (data_leak) in incident(s) {{ $matched }}: a bottom line."'
  it.each<[string, [string, string, string][], RegExp]>([
    [
      'appliesTo: country equal US added to onboarding (a Canadian applicant, no policy named, gets an error)',
      [
        [ONBOARDING, 'primary: true', usOnly],
        [ONBOARDING_OLD, 'primary: true', usOnly],
      ],
      /Canadian applicant decided without naming a policy/,
    ],
    [
      'submittedAt made optional in the record schema',
      [['records/application.v1.0.0.schema.json', '"submittedAt",', '']],
      /without submittedAt is refused/,
    ],
    ["collabgate.yaml's review `decided` condition counting pending as decided", [['collabgate.yaml', pendingLine, '']], /pending review/],
    ['calendar: US-DC on onboarding', [[ONBOARDING, 'primary: true', 'primary: true\ncalendar: US-DC']], /2027-04-19/],
    ['a message copy-pasted onto the wrong rule', [[TERMINATION, dataLeak, falseInfo]], /confirmed data_leak terminates/],
  ])(
    'catches %s',
    async (_, edits, failing) => {
      const verdict = await judge(copyWith(edits))
      // caught: a shipped case fails (the one named), or mutation testing falls below 100
      expect(verdict.failed.length > 0 || verdict.survived.length > 0).toBe(true)
      expect(verdict.failed.join('\n')).toMatch(failing)
    },
    SLOW,
  )
})
