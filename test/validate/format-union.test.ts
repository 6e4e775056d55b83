import { readFileSync } from 'node:fs'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { formatUnionsShortCircuit } from '../../scripts/build-validators.mjs'
import { validators } from '../../src/validate/ajv.js'
import { compileRecordSchema } from '../../src/validate/record-schema.js'
import { shippedSubjects } from '../shipped-folder.js'
import { loadStandalone, standaloneSource } from './standalone.js'

// the record schemas' date: a date or a date-time; beside it a union whose branches are not formats alone
const SCHEMA = {
  type: 'object',
  properties: {
    from: { $ref: '#/$defs/date' },
    until: { $ref: '#/$defs/date' },
    other: {
      anyOf: [
        { type: 'string', format: 'date' },
        { type: 'object', properties: { at: { $ref: '#/$defs/date' } } },
      ],
    },
  },
  unevaluatedProperties: false,
  $defs: { date: { type: 'string', maxLength: 64, anyOf: [{ format: 'date' }, { format: 'date-time' }] } },
}

const near = fc.constantFrom(...'0123456789-T:Z+. ', 't', 'x')
const dateLike = fc.oneof(
  fc.array(near, { maxLength: 28 }).map((cs) => cs.join('')),
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)),
  fc.string(),
)
const value = fc.oneof(
  dateLike,
  fc.integer(),
  fc.constant(null),
  dateLike.map((at) => ({ at })),
)

describe('unions of format checks in the generated validators', () => {
  const raw = standaloneSource(SCHEMA)
  const code = formatUnionsShortCircuit(raw)
  const plain = loadStandalone(raw)
  const shortcut = loadStandalone(code)

  it('skip a format branch once a branch passed, and only format branches', () => {
    // both branches of each of the three dates ($ref is inlined); `other` has a type check beside its format
    expect(code.match(/if\(!valid\d+\)\{const _errs/g)).toHaveLength(6)
  })

  it('leave a oneOf of formats whole: there every branch counts', () => {
    const oneOf = standaloneSource({ type: 'string', oneOf: [{ format: 'date' }, { format: 'date-time' }] })
    expect(formatUnionsShortCircuit(oneOf)).toBe(oneOf)
  })

  it('give ajv’s verdicts and errors for dates, date-times and anything else', () => {
    fc.assert(
      fc.property(value, value, value, (from, until, other) => {
        const record = { from, until, other }
        expect(shortcut(record)).toBe(plain(record))
        expect(shortcut.errors).toEqual(plain.errors)
      }),
      { numRuns: 3000, seed: 26 },
    )
  })

  it('leave the shipped application validator judging as ajv compiles the same schema at run time', () => {
    const schema = shippedSubjects().find((s) => s.name === 'application')!.schemas[0]!
    const precompiled = validators.recordValidators[schema.digest]!
    const compiled = compileRecordSchema({ digest: 'sha256:application-not-precompiled', schema: schema.schema })
    if (!('validate' in compiled)) throw new Error(compiled.error)
    const example = JSON.parse(readFileSync('examples/applications/complete-us-developer.json', 'utf8')) as {
      submittedAt: unknown
      history: { terminations: unknown[] }
    }
    fc.assert(
      fc.property(value, value, (submittedAt, date) => {
        const record = { ...example, submittedAt, history: { terminations: [{ date, rule: 'TRM-FRAUD' }] } }
        expect(precompiled(record)).toBe(compiled.validate(record))
        expect(precompiled.errors).toEqual(compiled.validate.errors)
      }),
      { numRuns: 1000, seed: 26 },
    )
  })
})
