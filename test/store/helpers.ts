/** Helpers shared by the store, audit, service and hostile-input tests. */
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

// the shared constants and example records live in test/core/helpers.ts; these tests use the same ones
export { API_ACCESS, example, ONBOARDING, ROOT, TERMINATION, type Json } from '../core/helpers.js'
import { ONBOARDING, ROOT } from '../core/helpers.js'
export const OLD_FILE = `${ONBOARDING}.v1.0.0.yaml`
export const NEW_FILE = `${ONBOARDING}.v1.1.0.yaml`

export const APPLICATIONS = [
  'complete-us-developer',
  'rejected-multiple-reasons',
  'missing-details',
  'pending-review',
  'approved-for-api-access',
]
export const BEHAVIOUR = ['clean-developer', 'confirmed-data-leak', 'late-incident-report', 'suspected-fraud']

/** The shipped policy files (no tests, no lock file), by name. */
export function shippedPolicyTexts(): Map<string, string> {
  const dir = join(ROOT, 'policies')
  const names = readdirSync(dir).filter((n) => /\.v\d+\.\d+\.\d+\.ya?ml$/.test(n))
  return new Map(names.map((n) => [n, readFileSync(join(dir, n), 'utf8')]))
}

/** A temporary folder holding a copy of the shipped 1.0.0 policies (and the folder's record kinds, without lock); `remove()` deletes it. */
export function scratchPolicies(): { dir: string; write(name: string, text: string): void; read(name: string): string; remove(): void } {
  const base = mkdtempSync(join(tmpdir(), 'collabgate-test-'))
  const dir = join(base, 'policies')
  cpSync(join(ROOT, 'policies'), dir, {
    recursive: true,
    filter: (src) => !/\.test\.ya?ml$|lock\.json$|test-records|\.v(?!1\.0\.0\.)\d+\.\d+\.\d+\.ya?ml$/.test(src),
  })
  return {
    dir,
    write: (name, text) => writeFileSync(join(dir, name), text),
    read: (name) => readFileSync(join(dir, name), 'utf8'),
    remove: () => rmSync(base, { recursive: true, force: true }),
  }
}

/** Onboarding 1.1.0 from `from`, with 1.0.0 ended on the same day; `strength` changes ONB-STRENGTH's year threshold so versions decide differently. */
export function newOnboardingVersion(original: string, from: string, strengthYears = 1): { oldEnded: string; next: string } {
  const fromLine = '  from: "2023-09-18"'
  if (!original.includes(fromLine) || !original.includes('version: 1.0.0'))
    throw new Error('the onboarding policy no longer has the lines these tests edit')
  return {
    oldEnded: original.replace(fromLine, `${fromLine}\n  until: "${from}"`),
    next: original
      .replace('version: 1.0.0', 'version: 1.1.0')
      .replace(fromLine, `  from: "${from}"`)
      .replace(/(path: \$\.yearsInOperation\s+operator: greaterThanInclusive\s+value: )1\b/, `$1${strengthYears}`),
  }
}

/** A policy file that parses but fails validation (unknown operator, unknown outcome). */
export const brokenVersion = (text: string): string =>
  text.replace('version: 1.0.0', 'version: 1.1.0').replace('operator: equal', 'operator: looksLike')

/** A policy of 800 rules, each with an unknown field: thousands of schema problems in one file. */
export const manyProblems = (): string =>
  [
    'id: broken',
    'version: 1.0.0',
    'title: t',
    'subject: application',
    'effective: { from: "2020-01-01" }',
    'outcomes: [reject, approve]',
    'default: approve',
    'rules:',
    ...Array.from({ length: 800 }, (_, i) => `  - {id: r${i}, zz: 1}`),
  ].join('\n')
