/**
 * Overlaps found before they ship (issue #25 item 2): `validate` decides whether two primary policies
 * can claim one record from their appliesTo (equal, in, notEqual, notIn, present, numeric and date
 * comparisons) and names both files, the newer first, the conditions and a witness record.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { checkPolicies } from '../../src/folder/load.js'
import { overlapOf } from '../../src/validate/overlap.js'
import type { Condition } from '../../src/model.js'

const ROOT = join(import.meta.dirname, '..', '..')
const TEXT = readFileSync(join(ROOT, 'policies', 'creator-collaboration.us.api-access.v1.1.0.yaml'), 'utf8')
const COUNTRY = { fact: 'applicant', path: '$.registration.country' }
let dir: string
let n = 0

/** A primary policy `id` claiming records by `appliesTo`, in effect from `from`. */
const primary = (id: string, appliesTo: Condition, from: string): string =>
  TEXT.replace(/^id: .*$/m, `id: ${id}`)
    .replace(/^version: .*$/m, 'version: 1.0.0')
    .replace(/^ {2}from: .*$/m, `  from: "${from}"`)
    .replace(/^subject: application$/m, `subject: application\nprimary: true\nappliesTo: ${JSON.stringify(appliesTo)}`)

async function check(files: Record<string, string>) {
  const folder = join(dir, `case-${n++}`)
  mkdirSync(folder)
  for (const [name, text] of Object.entries(files)) writeFileSync(join(folder, name), text)
  return checkPolicies(folder, { lock: false })
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'collabgate-overlap-'))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('overlapping primaries', () => {
  it('notEqual US beside equal GB: both files named, the newer first, with the conditions and a GB witness', async () => {
    const { problems } = await check({
      'acme.gb.v1.0.0.yaml': primary('acme.gb', { ...COUNTRY, operator: 'equal', value: 'GB' }, '2026-12-01'),
      'acme.world.v1.0.0.yaml': primary('acme.world', { ...COUNTRY, operator: 'notEqual', value: 'US' }, '2027-01-04'),
    })
    expect(problems.map((p) => p.code)).toEqual(['E_AMBIGUOUS_PRIMARY'])
    const [p] = problems
    expect(p!.file).toBe('acme.world.v1.0.0.yaml')
    expect(p!.pointer).toBe('/appliesTo')
    expect(p!.message).toBe(
      'acme.world@1.0.0 (in acme.world.v1.0.0.yaml) and acme.gb@1.0.0 (in acme.gb.v1.0.0.yaml) are both primary for ' +
        'application records from 2027-01-04 and can claim the same records: e.g. a record with ' +
        '{"applicant":{"registration":{"country":"GB"}}} (applicant $.registration.country notEqual "US"; ' +
        'applicant $.registration.country equal "GB")',
    )
    expect(p!.params).toMatchObject({ witness: { applicant: { registration: { country: 'GB' } } } })
  })

  it('markets told apart by notIn, numbers or dates pass', async () => {
    const { problems } = await check({
      'acme.gb.v1.0.0.yaml': primary('acme.gb', { ...COUNTRY, operator: 'equal', value: 'GB' }, '2026-12-01'),
      'acme.rest.v1.0.0.yaml': primary('acme.rest', { ...COUNTRY, operator: 'notIn', value: ['GB', 'US'] }, '2026-12-01'),
    })
    expect(problems).toEqual([])
  })
})

describe('overlapOf decides exactly', () => {
  const years = (operator: string, value: unknown): Condition => ({ fact: 'applicant', path: '$.yearsInOperation', operator, value })
  const submitted = (operator: string, value: unknown): Condition => ({ fact: 'submittedAt', operator, value })
  it.each([
    ['greaterThan 5 / lessThan 3', years('greaterThan', 5), years('lessThan', 3), 'none'],
    ['greaterThan 5 / lessThanInclusive 5', years('greaterThan', 5), years('lessThanInclusive', 5), 'none'],
    ['dateBefore / dateOnOrAfter the same day', submitted('dateBefore', '2027-01-01'), submitted('dateOnOrAfter', '2027-01-01'), 'none'],
    ['present false / equal', { ...COUNTRY, operator: 'present', value: false }, { ...COUNTRY, operator: 'equal', value: 'GB' }, 'none'],
    [
      'in / notIn of the same list',
      { ...COUNTRY, operator: 'in', value: ['GB', 'IE'] },
      { ...COUNTRY, operator: 'notIn', value: ['GB', 'IE'] },
      'none',
    ],
  ] as const)('%s: no record claimed by both', (_name, a, b, expected) => {
    expect(overlapOf(a as Condition, b as Condition)).toBe(expected)
  })

  it('finds the witness between two bounds and under a not', () => {
    expect(overlapOf(years('greaterThan', 5), years('lessThanInclusive', 6))).toEqual({
      witness: { applicant: { yearsInOperation: 6 } },
    })
    expect(overlapOf({ not: { ...COUNTRY, operator: 'equal', value: 'US' } }, years('greaterThanInclusive', 1))).toMatchObject({
      witness: { applicant: { yearsInOperation: 1 } },
    })
  })

  it('says it cannot tell for operators whose truth is not a matter of constants', () => {
    expect(overlapOf({ fact: 'product', path: '$.functions', operator: 'containsAny', value: ['a'] }, years('lessThan', 1))).toBe('unknown')
  })
})
