/** One canonical JSON: the build script keys precompiled validators by the digest src/ computes, with src/'s code. */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { canonicalJson, digestOf } from '../../src/validate/policy.js'

const ROOT = join(import.meta.dirname, '..', '..')

describe('canonical JSON and digests', () => {
  it('sort keys at every level and keep arrays in order', () => {
    expect(canonicalJson({ b: [2, { d: 1, c: null }], a: 'x' })).toBe('{"a":"x","b":[2,{"c":null,"d":1}]}')
    expect(digestOf({ b: 1, a: 2 })).toBe(digestOf({ a: 2, b: 1 }))
    expect(digestOf({ a: 1 })).toMatch(/^sha256:[0-9a-f]{64}$/)
  })

  it('are one source: scripts/build-validators.mjs imports it and has no copy of its own', () => {
    const script = readFileSync(join(ROOT, 'scripts', 'build-validators.mjs'), 'utf8')
    expect(script).toMatch(/import \{ digestOf \} from '\.\.\/src\/validate\/canonical-json\.js'/)
    expect(script).not.toMatch(/function canonicalJson|canonicalJson\s*=|createHash\(/)
  })
})
