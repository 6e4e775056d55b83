/**
 * Overlaps found before they ship (issue #25 item 2): `validate` decides whether two primary policies
 * can claim one record from their appliesTo (equal, in, notEqual, notIn, present, numeric and date
 * comparisons exactly; list matches, asOf and fact operands by a bounded search from the record schema)
 * and names both files, the unreleased one first, the conditions and a witness record the schema accepts.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { compileTest } from '../../src/compile/closures.js'
import { checkPolicies } from '../../src/folder/load.js'
import { overlapOf } from '../../src/validate/overlap.js'
import { recordValidator } from '../../src/validate/record-schema.js'
import { exampleOf, MAX_CANDIDATES, searchWitness } from '../../src/validate/witness.js'
import type { Condition, Policy } from '../../src/model.js'

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

async function check(files: Record<string, string>, lock = false) {
  const folder = join(dir, `case-${n++}`)
  mkdirSync(folder)
  for (const [name, text] of Object.entries(files)) writeFileSync(join(folder, name), text)
  return checkPolicies(folder, { lock })
}

/** Whether a witness is a record the policy's record schema accepts and whose appliesTo claims it, as decide routes. */
function claims(policy: Policy, witness: unknown, asOf: string): { valid: boolean; claimed: boolean } {
  const record = witness as Record<string, unknown>
  return { valid: recordValidator(policy.record.schema)(record), claimed: compileTest(policy.appliesTo!, policy.calendar)(record, asOf) }
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
    // the witness is a whole record: the record schema accepts it and both markets claim it, as decide routes
    const { policies } = await check({
      'acme.gb.v1.0.0.yaml': primary('acme.gb', { ...COUNTRY, operator: 'equal', value: 'GB' }, '2026-12-01'),
      'acme.world.v1.0.0.yaml': primary('acme.world', { ...COUNTRY, operator: 'notEqual', value: 'US' }, '2027-01-04'),
    })
    for (const policy of policies) expect(claims(policy, p!.params!.witness, '2027-01-04')).toEqual({ valid: true, claimed: true })
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

const TERMINATIONS = { fact: 'history', path: '$.terminations' }
const terminatedFor = (rule: string) => ({ path: '$.rule', operator: 'equal', value: rule })

describe('overlaps the exact search cannot decide: a witness searched from the record schema', () => {
  it('a someMatch beside a containsAny: both files named and a full record both claim, valid under the schema', async () => {
    const gb = primary('acme.gb', { ...TERMINATIONS, operator: 'someMatch', value: terminatedFor('TRM-DATA-LEAK') }, '2026-12-01')
    const ads = primary('acme.ads', { fact: 'product', path: '$.functions', operator: 'containsAny', value: ['ads'] }, '2027-01-04')
    const { problems, warnings, policies } = await check({ 'acme.gb.v1.0.0.yaml': gb, 'acme.ads.v1.0.0.yaml': ads })
    expect(problems.map((p) => [p.code, p.file])).toEqual([['E_AMBIGUOUS_PRIMARY', 'acme.ads.v1.0.0.yaml']])
    expect(warnings.filter((w) => w.code === 'W_OVERLAP_UNDECIDED')).toEqual([])
    const [p] = problems
    expect(p!.message).toContain('acme.ads@1.0.0 (in acme.ads.v1.0.0.yaml) and acme.gb@1.0.0 (in acme.gb.v1.0.0.yaml)')
    expect(p!.message).toContain(
      'e.g. a record with {"product":{"functions":["ads"]},"history":{"terminations":[{"date":"2027-01-04","rule":"TRM-DATA-LEAK"}]}}',
    )
    const witness = p!.params!.witness
    for (const policy of policies) expect(claims(policy, witness, '2027-01-04')).toEqual({ valid: true, claimed: true })
    expect(witness).toMatchObject({ applicationId: expect.any(String), submittedAt: '2027-01-04' })
  })

  it('two someMatches of one list met by two elements together', async () => {
    const leak = primary('acme.leak', { ...TERMINATIONS, operator: 'someMatch', value: terminatedFor('TRM-DATA-LEAK') }, '2026-12-01')
    const fraud = primary('acme.fraud', { ...TERMINATIONS, operator: 'someMatch', value: terminatedFor('TRM-FRAUD') }, '2026-12-01')
    const { problems, policies } = await check({ 'acme.leak.v1.0.0.yaml': leak, 'acme.fraud.v1.0.0.yaml': fraud })
    expect(problems.map((p) => p.code)).toEqual(['E_AMBIGUOUS_PRIMARY'])
    const witness = problems[0]!.params!.witness as { history: { terminations: { rule: string }[] } }
    expect(witness.history.terminations.map((t) => t.rule).sort()).toEqual(['TRM-DATA-LEAK', 'TRM-FRAUD'])
    for (const policy of policies) expect(claims(policy, witness, '2026-12-01')).toEqual({ valid: true, claimed: true })
  })

  it('a someMatch and the noneMatch of the same element are disjoint: neither a problem nor a warning', async () => {
    const some = primary('acme.some', { ...TERMINATIONS, operator: 'someMatch', value: terminatedFor('TRM-DATA-LEAK') }, '2026-12-01')
    const none = primary(
      'acme.none',
      {
        all: [
          { ...TERMINATIONS, operator: 'noneMatch', value: terminatedFor('TRM-DATA-LEAK') },
          { ...COUNTRY, operator: 'equal', value: 'GB' },
        ],
      },
      '2026-12-01',
    )
    const { problems, warnings } = await check({ 'acme.some.v1.0.0.yaml': some, 'acme.none.v1.0.0.yaml': none })
    expect(problems).toEqual([])
    expect(warnings.filter((w) => w.code === 'W_OVERLAP_UNDECIDED')).toEqual([])
  })

  it('asOf in appliesTo: the witness is claimed on a day both are in effect, and the message says which', async () => {
    const late = primary('acme.late', { fact: 'asOf', operator: 'dateOnOrAfter', value: '2027-03-01' }, '2026-12-01')
    const gb = primary('acme.gb', { ...COUNTRY, operator: 'equal', value: 'GB' }, '2027-01-04')
    const { problems, policies } = await check({ 'acme.late.v1.0.0.yaml': late, 'acme.gb.v1.0.0.yaml': gb })
    expect(problems.map((p) => p.code)).toEqual(['E_AMBIGUOUS_PRIMARY'])
    expect(problems[0]!.params).toMatchObject({ asOf: '2027-03-01' })
    expect(problems[0]!.message).toContain(' on 2027-03-01 ')
    for (const policy of policies)
      expect(claims(policy, problems[0]!.params!.witness, '2027-03-01')).toEqual({ valid: true, claimed: true })
    // before 2027-03-01 no record is claimed by both: an asOf bound that ends before the other begins is disjoint
    const early = primary('acme.early', { fact: 'asOf', operator: 'dateBefore', value: '2027-01-04' }, '2026-12-01')
    const none = await check({ 'acme.early.v1.0.0.yaml': early, 'acme.gb.v1.0.0.yaml': gb })
    expect([none.problems, none.warnings.filter((w) => w.code === 'W_OVERLAP_UNDECIDED')]).toEqual([[], []])
  })

  it('gives up at the cap with a warning naming both files (the new one first), not an error', async () => {
    const numbers = ['yearsInOperation', 'affiliateExperienceYears'].map((f) => ({
      fact: 'applicant',
      path: `$.${f}`,
      operator: 'greaterThan',
      value: 1,
    }))
    const served = ['sellers', 'creators'].map((f) => ({
      fact: 'applicant',
      path: `$.clientsServed.${f}`,
      operator: 'greaterThan',
      value: 1,
    }))
    const some = primary('acme.some', { ...TERMINATIONS, operator: 'someMatch', value: terminatedFor('TRM-DATA-LEAK') }, '2026-12-01')
    const busy = primary(
      'acme.busy',
      {
        all: [
          { ...TERMINATIONS, operator: 'noneMatch', value: terminatedFor('TRM-DATA-LEAK') },
          ...numbers,
          ...served,
          { ...COUNTRY, operator: 'in', value: ['GB', 'IE'] },
          { fact: 'account', path: '$.type', operator: 'equal', value: 'app_developer' },
          { fact: 'category', operator: 'equal', value: 'creator_collaboration' },
        ],
      },
      '2027-01-04',
    )
    const { problems, warnings } = await check({ 'acme.some.v1.0.0.yaml': some, 'acme.busy.v1.0.0.yaml': busy })
    expect(problems).toEqual([])
    const undecided = warnings.filter((w) => w.code === 'W_OVERLAP_UNDECIDED')
    expect(undecided).toMatchObject([{ severity: 'warning', file: 'acme.busy.v1.0.0.yaml' }])
    expect(undecided[0]!.message).toBe(
      'acme.busy@1.0.0 (in acme.busy.v1.0.0.yaml) and acme.some@1.0.0 (in acme.some.v1.0.0.yaml) are both primary for ' +
        'application records from 2027-01-04; whether their appliesTo can claim the same record is not decided: ' +
        `no record both claim among the first ${MAX_CANDIDATES.toLocaleString('en-US')} built from the record schema`,
    )
  })

  it('warns when records both claim exist but the record schema accepts none of them', async () => {
    const some = primary('acme.some', { ...TERMINATIONS, operator: 'someMatch', value: terminatedFor('TRM-DATA-LEAK') }, '2026-12-01')
    const negative = primary(
      'acme.negative',
      { fact: 'applicant', path: '$.yearsInOperation', operator: 'lessThan', value: 0 },
      '2026-12-01',
    )
    const { problems, warnings } = await check({ 'acme.some.v1.0.0.yaml': some, 'acme.negative.v1.0.0.yaml': negative })
    expect(problems).toEqual([])
    expect(warnings.filter((w) => w.code === 'W_OVERLAP_UNDECIDED').map((w) => w.message)).toEqual([
      expect.stringMatching(/records both claim were found, but none the record schema accepts among \d+ tried$/),
    ])
  })

  it('is bounded and the same every time: a cap of 5 tries 5 candidates, in one order', () => {
    const schema = JSON.parse(readFileSync(join(ROOT, 'policies', 'records', 'application.v1.0.0.schema.json'), 'utf8')) as Record<
      string,
      unknown
    >
    const ctx = {
      schemas: [
        { subject: 'application', version: '1.0.0', digest: 'sha256:overlap-test', schema, location: { file: 's', line: 1, column: 1 } },
      ],
      calendars: ['US', 'US'] as const,
      from: '2027-01-04',
    }
    const a = { ...TERMINATIONS, operator: 'someMatch', value: terminatedFor('X') }
    const b = { ...TERMINATIONS, operator: 'noneMatch', value: terminatedFor('X') }
    expect(searchWitness(a, b, { ...ctx, cap: 5 })).toEqual({ undecided: 'cap', tried: 5 })
    expect(searchWitness(a, b, ctx)).toEqual({ none: true })
    const c = { fact: 'product', path: '$.functions', operator: 'containsOnly', value: ['ads'] }
    expect(searchWitness(a, c, ctx)).toEqual(searchWitness(a, c, ctx))
  })
})

describe('records made from a schema', () => {
  it('fill required fields with values the schema accepts: dates, enums, patterns, minimums, nested objects', () => {
    const schema = {
      type: 'object',
      required: ['id', 'at', 'kind', 'code', 'n', 'inner', 'tags'],
      properties: {
        id: { type: 'string', minLength: 3 },
        at: { type: 'string', anyOf: [{ format: 'date' }, { format: 'date-time' }] },
        kind: { enum: ['b2b', 'b2c'] },
        code: { type: 'string', pattern: '^[A-Z]{2}$' },
        n: { type: 'integer', exclusiveMinimum: 4 },
        inner: { type: 'object', required: ['ok'], properties: { ok: { type: 'boolean' } } },
        tags: { type: 'array', minItems: 1, items: { type: 'string' } },
      },
    }
    expect(exampleOf(schema, schema, '2027-01-04')).toEqual({
      id: 'x-1',
      at: '2027-01-04',
      kind: 'b2b',
      code: 'AA',
      n: 5,
      inner: { ok: false },
      tags: ['x'],
    })
  })

  it('a field named __proto__ is set as an own field of the record, and no prototype changes', () => {
    const schema = JSON.parse(
      '{"type":"object","required":["id"],"properties":{"id":{"type":"string"},"__proto__":{"type":"string"},' +
        '"tags":{"type":"array","items":{"type":"string"}}}}',
    ) as Record<string, unknown>
    const ctx = {
      schemas: [{ subject: 's', version: '1.0.0', digest: 'sha256:overlap-proto', schema, location: { file: 's', line: 1, column: 1 } }],
      calendars: ['US', 'US'] as const,
      from: '2027-01-04',
    }
    const found = searchWitness(
      { fact: '__proto__', operator: 'equal', value: 'polluted' },
      { fact: 'tags', operator: 'containsAny', value: ['a'] },
      ctx,
    )
    expect(found).toMatchObject({ witness: { id: 'x', tags: ['a'] } })
    const witness = (found as { witness: Record<string, unknown> }).witness
    expect(Object.getOwnPropertyDescriptor(witness, '__proto__')?.value).toBe('polluted')
    expect(Object.getPrototypeOf(witness)).toBe(Object.prototype)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })

  it('stop on a schema that requires itself, however wide', () => {
    const node = {
      type: 'object',
      required: ['a', 'b', 'c', 'd', 'e', 'f'],
      properties: Object.fromEntries('abcdef'.split('').map((k) => [k, { $ref: '#/$defs/node' }])),
    }
    const schema = { $defs: { node }, $ref: '#/$defs/node' }
    const made = JSON.stringify(exampleOf(schema, schema, '2027-01-04'))
    // at most 2,000 schema nodes are filled in: 6^5 would be 7,776 at five levels alone
    expect(made.match(/"a":/g)!.length).toBeLessThanOrEqual(2_000)
  })
})

describe('the new one first', () => {
  it('names first the policy the lock does not list, though the released one takes effect later', async () => {
    const gb = primary('acme.gb', { ...COUNTRY, operator: 'equal', value: 'GB' }, '2027-02-01')
    const world = primary('acme.world', { ...COUNTRY, operator: 'notEqual', value: 'US' }, '2027-01-04')
    const files = { 'acme.gb.v1.0.0.yaml': gb, 'acme.world.v1.0.0.yaml': world }
    const unlocked = await check(files)
    const digest = unlocked.policies.find((p) => p.id === 'acme.gb')!.digest
    const released = (entries: Record<string, string>) => JSON.stringify({ release: 1, entries })
    // without a lock: the later effective date first, as before
    expect(unlocked.problems.find((p) => p.code === 'E_AMBIGUOUS_PRIMARY')!.file).toBe('acme.gb.v1.0.0.yaml')
    const locked = await check({ ...files, 'policies.lock.json': released({ 'acme.gb@1.0.0': digest }) }, true)
    const p = locked.problems.find((x) => x.code === 'E_AMBIGUOUS_PRIMARY')!
    expect(p.file).toBe('acme.world.v1.0.0.yaml')
    expect(p.message).toMatch(/^acme\.world@1\.0\.0 \(in acme\.world\.v1\.0\.0\.yaml\) and acme\.gb@1\.0\.0 /)
    expect(p.params).toMatchObject({ policies: ['acme.world@1.0.0', 'acme.gb@1.0.0'] })
    // both released: the later effective date again
    const worldDigest = unlocked.policies.find((x) => x.id === 'acme.world')!.digest
    const both = await check(
      { ...files, 'policies.lock.json': released({ 'acme.gb@1.0.0': digest, 'acme.world@1.0.0': worldDigest }) },
      true,
    )
    expect(both.problems.find((x) => x.code === 'E_AMBIGUOUS_PRIMARY')!.file).toBe('acme.gb.v1.0.0.yaml')
  })
})
