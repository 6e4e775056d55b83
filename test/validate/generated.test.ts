import { spawnSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import type { ValidateFunction } from 'ajv'
import { validators } from '../../src/validate/ajv.js'
import { compileRecordSchema } from '../../src/validate/record-schema.js'
import { shippedSubjects } from '../shipped-folder.js'

const behaviour = shippedSubjects().find((s) => s.name === 'behaviour')!.schemas[0]!
// the same schema precompiled (found by digest) and compiled at run time (any folder's own schema)
const compiled = compileRecordSchema({ digest: 'sha256:not-precompiled', schema: behaviour.schema })
const BEHAVIOUR: [string, ValidateFunction][] = [
  ['precompiled', validators.recordValidators[behaviour.digest]!],
  [
    'compiled at run time',
    'validate' in compiled
      ? compiled.validate
      : (() => {
          throw new Error(compiled.error)
        })(),
  ],
]

describe('precompiled schema validators', () => {
  it('match the schemas on disk (regenerate with npm run build)', () => {
    const run = spawnSync(process.execPath, ['scripts/build-validators.mjs', '--check'], { encoding: 'utf8' })
    expect(run.stderr).toBe('')
    expect(run.status).toBe(0)
  })

  it('find the shipped record schemas by digest', () => {
    for (const s of shippedSubjects()) expect(Object.keys(validators.recordValidators)).toContain(s.schemas[0]!.digest)
  })

  it.each(BEHAVIOUR)('still check the calendar, not just the shape, of dates (%s)', (_how, behaviourRecord) => {
    const record = { developerId: 'D', incidents: [{ id: 'I', type: 'fraud', status: 'confirmed', occurredAt: '2026-02-30' }] }
    expect(behaviourRecord(record)).toBe(false)
    expect(behaviourRecord({ ...record, incidents: [{ ...record.incidents[0], occurredAt: '2028-02-29' }] })).toBe(true)
  })

  it.each(BEHAVIOUR)('count string lengths in characters, as JSON Schema says, not UTF-16 units (%s)', (_how, behaviourRecord) => {
    const record = (developerId: string) => ({ developerId, incidents: [] })
    // developerId allows 200 characters: 200 emoji are 400 UTF-16 units but still 200 characters
    expect(behaviourRecord(record('😀'.repeat(200)))).toBe(true)
    expect(behaviourRecord(record('😀'.repeat(201)))).toBe(false)
  })
})
