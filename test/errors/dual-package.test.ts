/**
 * The dual-package hazard: the ESM and CommonJS builds each hold their own copy of the error classes.
 * An error thrown by one is still `instanceof` the other's classes (by a mark both copies share).
 */
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { beforeAll, describe, expect, it } from 'vitest'
import { assertBuilt, ROOT } from '../cli/run-cli.js'

beforeAll(assertBuilt)

type Lib = typeof import('../../src/index.js')

describe('errors across the ESM and CommonJS builds', () => {
  it('are instanceof the other build’s classes, and only of the classes they are', async () => {
    const cjs = createRequire(import.meta.url)(join(ROOT, 'dist', 'index.cjs')) as Lib
    const esm = (await import(pathToFileURL(join(ROOT, 'dist', 'index.js')).href)) as Lib
    expect(cjs.CollabgateError).not.toBe(esm.CollabgateError)
    const policy = new cjs.PolicyValidationError([])
    expect(policy instanceof esm.CollabgateError).toBe(true)
    expect(policy instanceof esm.PolicyValidationError).toBe(true)
    expect(policy instanceof esm.RecordValidationError).toBe(false)
    const record = new esm.RecordValidationError('application', [])
    expect(record instanceof cjs.RecordValidationError).toBe(true)
    expect(record instanceof cjs.PolicyValidationError).toBe(false)
    expect(new cjs.InvalidDateError('bad', 'x') instanceof esm.CollabgateError).toBe(true)
    expect(new Error('plain') instanceof esm.CollabgateError).toBe(false)
    expect((null as unknown as object) instanceof esm.CollabgateError).toBe(false)
    // the marks are invisible: not in JSON, not among the keys
    expect(Object.keys(policy)).toEqual(['code', 'name', 'problems'])
  })

  it('come from a real failure in one build and are caught by the other’s class', async () => {
    const cjs = createRequire(import.meta.url)(join(ROOT, 'dist', 'index.cjs')) as Lib
    const esm = (await import(pathToFileURL(join(ROOT, 'dist', 'index.js')).href)) as Lib
    const err = await cjs.loadPolicies(join(ROOT, 'test', 'fixtures', 'authoring', 'broken')).catch((e: unknown) => e)
    expect(err instanceof esm.PolicyValidationError).toBe(true)
  })
})
