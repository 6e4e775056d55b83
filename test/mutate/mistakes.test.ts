/**
 * The mistakes issue #11 lists, each of which once left every shipped test green: re-introduced one at
 * a time into a copy of the shipped policies (lock off), each must now fail the run `npm test` makes
 * (`collabgate test --mutate --min-mutation-score 100`): a case fails, or a mutant survives.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { defaultPoliciesDir, loadPolicies } from '../../src/folder/load.js'
import { mutationRunFailed } from '../../src/report/mutation.js'
import { mutationTest } from '../../src/mutate/run.js'
import { policyTestCoverage } from '../../src/policy-test/coverage.js'
import { findPolicyTestFiles, runPolicyTestFiles } from '../../src/policy-test/run.js'

const ONBOARDING = 'creator-collaboration.us.onboarding.v1.1.0.yaml'
const ONBOARDING_OLD = 'creator-collaboration.us.onboarding.v1.0.0.yaml'
const TERMINATION = 'creator-collaboration.us.termination.v1.0.0.yaml'

interface Mistake {
  name: string
  file: string
  /** The exact text of the shipped file, and what the mistake makes of it. */
  from: string | RegExp
  to: string
}

const NEVER_REPORTED_BRANCH = `
                  - all:
                      - { path: $.reportedAt, operator: present, value: false }
                      - fact: asOf
                        operator: dateAfter
                        value: { addWorkingDays: 3, to: { path: $.occurredAt } }
        message: "Suspected`

const MISTAKES: Mistake[] = [
  {
    name: 'needs_information and manual_review swapped in the outcome order',
    file: ONBOARDING,
    from: 'outcomes: [reject, needs_information, manual_review, approve]',
    to: 'outcomes: [reject, manual_review, needs_information, approve]',
  },
  {
    name: 'the ONB-STRENGTH threshold 50 → 1000',
    file: ONBOARDING,
    from: 'path: $.clientsServed.sellers, operator: greaterThanInclusive, value: 50',
    to: 'path: $.clientsServed.sellers, operator: greaterThanInclusive, value: 1000',
  },
  {
    name: 'the ONB-STRENGTH threshold 50 → 21',
    file: ONBOARDING,
    from: 'path: $.clientsServed.creators, operator: greaterThanInclusive, value: 50',
    to: 'path: $.clientsServed.creators, operator: greaterThanInclusive, value: 21',
  },
  {
    name: 'years in operation 1 → 0.6',
    file: ONBOARDING,
    from: /(path: \$\.yearsInOperation\n\s+operator: greaterThanInclusive\n\s+value: )1\n/,
    to: '$10.6\n',
  },
  {
    name: 'the "creators ≥ 50" alternative removed',
    file: ONBOARDING,
    from: /\n\s+- \{ fact: applicant, path: \$\.clientsServed\.creators, [^\n]+/,
    to: '',
  },
  {
    name: 'partner dropped from the target users',
    file: ONBOARDING,
    from: '[seller, creator_affiliate, partner]',
    to: '[seller, creator_affiliate]',
  },
  {
    name: 'matchmake dropped from the functions',
    file: ONBOARDING,
    from: '[create, manage, matchmake, track, monetize, collaborate]',
    to: '[create, manage, track, monetize, collaborate]',
  },
  {
    name: 'affiliate_partner dropped from the scopes',
    file: ONBOARDING,
    from: '[affiliate_seller, affiliate_creator, affiliate_partner]',
    to: '[affiliate_seller, affiliate_creator]',
  },
  {
    name: 'the in-transit security check dropped',
    file: ONBOARDING,
    from: /\n\s+- \{ fact: security, path: \$\.encryptionInTransit, [^\n]+/,
    to: '',
  },
  {
    name: 'the role-based-access check dropped',
    file: ONBOARDING,
    from: /\n\s+- \{ fact: security, path: \$\.roleBasedAccess, [^\n]+/,
    to: '',
  },
  {
    name: 'contactEmail dropped from ONB-REQUIRED-INFO',
    file: ONBOARDING,
    from: /\n\s+- \{ fact: applicant, path: \$\.contactEmail, [^\n]+/,
    to: '',
  },
  {
    name: 'licenceDocument dropped from ONB-REQUIRED-INFO (1.0.0)',
    file: ONBOARDING_OLD,
    from: /\n\s+- \{ fact: applicant, path: \$\.registration\.licenceDocument, [^\n]+/,
    to: '',
  },
  {
    name: 'the product name dropped from ONB-REQUIRED-INFO',
    file: ONBOARDING,
    from: /\n\s+- \{ fact: product, path: \$\.name, [^\n]+/,
    to: '',
  },
  {
    name: 'targetUsers dropped from ONB-REQUIRED-INFO',
    file: ONBOARDING,
    from: /\n\s+- \{ fact: product, path: \$\.targetUsers, operator: present, value: true \}/,
    to: '',
  },
  {
    name: 'requestedScopes dropped from ONB-REQUIRED-INFO',
    file: ONBOARDING,
    from: /\n\s+- \{ fact: product, path: \$\.requestedScopes, operator: present, value: true \}/,
    to: '',
  },
  {
    name: 'the "suspected, never reported" branch of TRM-INCIDENT-UNREPORTED deleted',
    file: TERMINATION,
    from: NEVER_REPORTED_BRANCH,
    to: '\n        message: "Suspected',
  },
]

const temps: string[] = []
afterAll(() => temps.forEach((t) => rmSync(t, { recursive: true, force: true })))

/** The run npm test makes, over a copy of the shipped folder with one file edited. */
async function npmTestRun(edit?: Mistake) {
  const dir = mkdtempSync(join(tmpdir(), 'collabgate-mistake-'))
  temps.push(dir)
  cpSync(defaultPoliciesDir(), dir, { recursive: true })
  rmSync(join(dir, 'policies.lock.json'))
  if (edit) {
    const path = join(dir, edit.file)
    const text = readFileSync(path, 'utf8')
    const edited = text.replace(edit.from, edit.to)
    expect(edited, `the mistake '${edit.name}' must change ${edit.file}`).not.toBe(text)
    writeFileSync(path, edited)
  }
  const set = await loadPolicies(dir, { lock: false })
  const run = await runPolicyTestFiles(set, await findPolicyTestFiles([dir]))
  const coverage = policyTestCoverage(set.policies, run.result.cases)
  const mutation = mutationTest(set.policies, run)
  const report = { result: run.result, coverage, minCoverage: 100, mutation, minMutationScore: 100 }
  return { report, failed: mutationRunFailed(report), failedCases: run.result.cases.filter((c) => !c.passed).map((c) => c.name) }
}

describe('the mistakes of issue #11, re-introduced into a copy of the shipped policies', () => {
  it('the copy as shipped passes (the control)', async () => {
    const { failed, report } = await npmTestRun()
    expect(failed).toBe(false)
    expect(report.mutation.score).toBe(100)
  })

  it.each(MISTAKES)('$name fails the run', async (mistake) => {
    const { failed, failedCases, report } = await npmTestRun(mistake)
    expect(failed).toBe(true)
    // caught by a case outright, or reported as a surviving mutant
    const survivors = report.mutation.policies.flatMap((p) => p.mutants.filter((m) => m.status === 'survived'))
    expect(failedCases.length + survivors.length).toBeGreaterThan(0)
  })
})
