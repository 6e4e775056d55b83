import { cpSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it, vi } from 'vitest'
import { defaultPoliciesDir, loadPolicies } from '../../src/index.js'
import { compileClosures } from '../../src/compile/closures.js'
import { clearCheckCache } from '../../src/folder/check-cache.js'
import { example } from '../core/helpers.js'

// counts the compilations of closures, still compiling them as shipped
vi.mock('../../src/compile/closures.js', async (original) => {
  const actual = await original<typeof import('../../src/compile/closures.js')>()
  return { ...actual, compileClosures: vi.fn(actual.compileClosures) }
})

const tmp = mkdtempSync(join(tmpdir(), 'collabgate-compile-reuse-'))
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

describe('closures are compiled once per policy version, when first used', () => {
  it('compiles none at load, one version for a decision, and nothing again on a reload of the same bytes', async () => {
    const dir = join(tmp, 'policies')
    cpSync(defaultPoliciesDir(), dir, { recursive: true, filter: (src) => !/\.test\.ya?ml$|test-records/.test(src) })
    const compiled = vi.mocked(compileClosures)
    clearCheckCache()
    compiled.mockClear()
    const first = await loadPolicies(dir)
    expect(first.policies.length).toBeGreaterThan(1)
    expect(compiled).toHaveBeenCalledTimes(0)
    const record = example('applications', 'complete-us-developer')
    const decision = first.decideSync(record, { asOf: '2026-11-24' })
    expect(compiled).toHaveBeenCalledTimes(1)
    first.decideSync(record, { asOf: '2026-11-24' })
    expect(compiled).toHaveBeenCalledTimes(1)
    const second = await loadPolicies(dir)
    expect(second.decideSync(record, { asOf: '2026-11-24' })).toEqual(decision)
    expect(compiled).toHaveBeenCalledTimes(1)
    // a fresh check gives another frozen policy: compiled anew
    clearCheckCache()
    const third = await loadPolicies(dir)
    expect(third.decideSync(record, { asOf: '2026-11-24' })).toEqual(decision)
    expect(compiled).toHaveBeenCalledTimes(2)
  })
})
