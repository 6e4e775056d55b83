import { describe, expect, it } from 'vitest'
import { inShard, parseShard, shardKey, shardOfKey } from '../../src/shard/shard.js'

describe('parseShard', () => {
  it('reads K/N', () => {
    expect(parseShard('2/3')).toEqual({ index: 2, count: 3 })
    expect(parseShard(' 1/1 ')).toEqual({ index: 1, count: 1 })
  })
  it.each(['0/3', '4/3', '3', '1/0', '-1/2', 'a/b', '1/10001', '01/3', '1/3/4', ''])('refuses %j', (text) => {
    expect(() => parseShard(text)).toThrow(expect.objectContaining({ code: 'E_INVALID_ARGUMENT' }))
  })
})

describe('shardOfKey', () => {
  it('puts every key in exactly one shard, the same one each time', () => {
    for (const n of [1, 2, 3, 7]) {
      for (let i = 0; i < 200; i++) {
        const key = shardKey(`APP-${i}`, i + 1)
        const s = shardOfKey(key, n)
        expect(s).toBeGreaterThanOrEqual(1)
        expect(s).toBeLessThanOrEqual(n)
        expect(shardOfKey(key, n)).toBe(s)
        const owners = Array.from({ length: n }, (_, k) => inShard({ index: k + 1, count: n }, key)).filter(Boolean)
        expect(owners).toHaveLength(1)
      }
    }
  })
  it('keeps a subject together whatever its line, and spreads subjects over the shards', () => {
    expect(shardKey('A', 1)).toBe(shardKey('A', 99))
    expect(shardKey(undefined, 3)).not.toBe(shardKey(undefined, 4))
    const counts = [0, 0, 0]
    for (let i = 0; i < 3000; i++) {
      const k = shardOfKey(`id:${i}`, 3) - 1
      counts[k] = (counts[k] ?? 0) + 1
    }
    for (const c of counts) expect(c).toBeGreaterThan(800)
  })
  it('is pinned: a changed hash would split logged runs differently', () => {
    expect([shardOfKey('id:APP-1', 7), shardOfKey('id:APP-2', 7), shardOfKey('line:5', 7)]).toMatchSnapshot()
  })
  it('takes every line when no shard is given', () => {
    expect(inShard(undefined, 'anything')).toBe(true)
  })
})
