import { cpSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it, vi } from 'vitest'
import { defaultPoliciesDir, loadPolicies } from '../../src/index.js'
import { compileClosures } from '../../src/compile/closures.js'
import { clearCheckCache } from '../../src/load/check-cache.js'
import { example } from '../core/helpers.js'

// counts the compilations of closures, still compiling them as shipped
vi.mock('../../src/compile/closures.js', async (original) => {
  const actual = await original<typeof import('../../src/compile/closures.js')>()
  return { ...actual, compileClosures: vi.fn(actual.compileClosures) }
})

const tmp = mkdtempSync(join(tmpdir(), 'collabgate-compile-reuse-'))
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

describe('a reload of unchanged policies compiles nothing again', () => {
  it('compiles each policy version once across reloads, and again once its check is not cached', async () => {
    const dir = join(tmp, 'policies')
    cpSync(defaultPoliciesDir(), dir, { recursive: true, filter: (src) => !/\.test\.ya?ml$|test-records/.test(src) })
    const compiled = vi.mocked(compileClosures)
    compiled.mockClear()
    const first = await loadPolicies(dir)
    const versions = first.policies.length
    expect(compiled).toHaveBeenCalledTimes(versions)
    const second = await loadPolicies(dir)
    expect(compiled).toHaveBeenCalledTimes(versions)
    const record = example('applications', 'complete-us-developer')
    expect(second.decideSync(record, { asOf: '2026-11-24' })).toEqual(first.decideSync(record, { asOf: '2026-11-24' }))
    clearCheckCache()
    await loadPolicies(dir)
    expect(compiled).toHaveBeenCalledTimes(2 * versions)
  })
})
