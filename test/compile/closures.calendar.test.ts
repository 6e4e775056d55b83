/**
 * Working-day rules cost no more than other rules: deciding many records consults business-days-js
 * once per calendar year of dates, never per decision, and never for 2000–2050 (a table of its answers).
 */
import { createRequire } from 'node:module'
import { afterAll, describe, expect, it, vi } from 'vitest'

// The calendar loads business-days-js lazily with require(), so count calls through require's cache.
type Factory = (o?: object) => { getHolidays(year: number): unknown }
const calls = { factory: 0, getHolidays: [] as number[] }
const require = createRequire(import.meta.url)
const id = require.resolve('business-days-js')
const real = require('business-days-js') as Factory | { default: Factory }
const realFactory = typeof real === 'function' ? real : real.default
const cached = require.cache[id]!
const original: unknown = cached.exports
cached.exports = ((options?: object) => {
  calls.factory++
  const b = realFactory(options)
  return {
    getHolidays: (year: number) => {
      calls.getHolidays.push(year)
      return b.getHolidays(year)
    },
  }
}) satisfies Factory
afterAll(() => {
  cached.exports = original
})

// a fresh copy of the source modules, so that the calendar's lazy require meets the wrapper even when test files
// share modules (vitest.mutation.config.ts runs them without isolation)
vi.resetModules()
const { defaultPolicies } = await import('../../src/folder/load.js')

describe('working days in decisions', () => {
  it('asks business-days-js once per year, across thousands of decisions and both evaluators', async () => {
    const set = await defaultPolicies()
    const before = calls.getHolidays.length
    for (let i = 0; i < 2000; i++) {
      const day = String(1 + (i % 28)).padStart(2, '0')
      const year = i % 2 === 0 ? 2052 : 2053
      const record = {
        developerId: `D-${i}`,
        incidents: [
          {
            id: `I-${i}`,
            type: 'security_incident',
            status: 'confirmed',
            occurredAt: `${year}-03-${day}`,
            reportedAt: `${year}-03-${day}`,
          },
        ],
      }
      expect(set.decideSync(record, { asOf: '2054-06-01' }).outcome).toBe('no_action')
      if (i % 100 === 0) expect((await set.decide(record, { asOf: '2054-06-01', evaluator: 'engine' })).outcome).toBe('no_action')
    }
    // each year of dates asked once (the wrapper did count: both years appear), never per decision
    const years = calls.getHolidays.slice(before)
    expect([...years].sort()).toEqual([2052, 2053])
    expect(calls.factory).toBe(1)
  })

  it('never asks business-days-js for a year of the precomputed table', async () => {
    const set = await defaultPolicies()
    const before = calls.getHolidays.length
    const record = {
      developerId: 'D-1',
      incidents: [{ id: 'I-1', type: 'security_incident', status: 'confirmed', occurredAt: '2026-11-25', reportedAt: '2026-12-01' }],
    }
    // reported on the third working day: Thanksgiving (11-26) is no working day
    expect(set.decideSync(record, { asOf: '2026-12-07' }).outcome).toBe('no_action')
    expect((await set.decide(record, { asOf: '2026-12-07', evaluator: 'engine' })).outcome).toBe('no_action')
    expect(calls.getHolidays.length).toBe(before)
  })
})
