import { spawnSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { validators } from '../../src/validate/ajv.js'

describe('precompiled schema validators', () => {
  it('match the schemas on disk (regenerate with npm run build)', () => {
    const run = spawnSync(process.execPath, ['scripts/build-validators.mjs', '--check'], { encoding: 'utf8' })
    expect(run.stderr).toBe('')
    expect(run.status).toBe(0)
  })

  it('still check the calendar, not just the shape, of dates', () => {
    const record = { developerId: 'D', incidents: [{ id: 'I', type: 'fraud', status: 'confirmed', occurredAt: '2026-02-30' }] }
    expect(validators.behaviourRecord(record)).toBe(false)
    expect(validators.behaviourRecord({ ...record, incidents: [{ ...record.incidents[0], occurredAt: '2028-02-29' }] })).toBe(true)
  })

  it('count string lengths in characters, as JSON Schema says, not UTF-16 units', () => {
    const record = (developerId: string) => ({ developerId, incidents: [] })
    // developerId allows 200 characters: 200 emoji are 400 UTF-16 units but still 200 characters
    expect(validators.behaviourRecord(record('😀'.repeat(200)))).toBe(true)
    expect(validators.behaviourRecord(record('😀'.repeat(201)))).toBe(false)
  })
})
