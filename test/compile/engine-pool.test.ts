/** The engine pool: one engine per run in flight, engines reused after, and at most 64 kept idle. */
import type { Engine } from 'json-rules-engine'
import { describe, expect, it } from 'vitest'
import { EnginePool } from '../../src/compile/engine-pool.js'

describe('EnginePool', () => {
  it('builds one engine up front, lends each run its own, and reuses returned ones', async () => {
    let built = 0
    const pool = new EnginePool(() => ({ n: ++built }) as unknown as Engine)
    expect(built).toBe(1)
    const seen: unknown[] = []
    await pool.use(async (e) => seen.push(e))
    await pool.use(async (e) => seen.push(e))
    expect(built).toBe(1)
    expect(seen[0]).toBe(seen[1])
    // two runs at once: two engines
    let release!: () => void
    const gate = new Promise<void>((r) => (release = r))
    const both = Promise.all([pool.use(async (e) => (await gate, e)), pool.use(async (e) => (await gate, e))])
    release()
    const [a, b] = await both
    expect(a).not.toBe(b)
    expect(built).toBe(2)
  })

  it('keeps at most 64 engines idle after a burst, and returns an engine when the run throws', async () => {
    let built = 0
    const pool = new EnginePool(() => ({ n: ++built }) as unknown as Engine)
    const burst = async (size: number) => {
      let release!: () => void
      const gate = new Promise<void>((r) => (release = r))
      const runs = Array.from({ length: size }, () => pool.use(async () => gate))
      release()
      await Promise.all(runs)
    }
    await burst(70)
    expect(built).toBe(70)
    await burst(70)
    // 64 came back from the first burst: the second built 6 more
    expect(built).toBe(76)
    const failing = new EnginePool(() => ({ n: ++built }) as unknown as Engine)
    const before = built
    await expect(failing.use(() => Promise.reject(new Error('run failed')))).rejects.toThrow('run failed')
    await failing.use(async () => undefined)
    expect(built).toBe(before)
  })
})
