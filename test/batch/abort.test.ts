/** A batch stopped by its `signal` ends at a whole line and says how far it got (issue #10, part 6). */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { decideNdjson } from '../../src/batch/batch.js'
import { defaultPolicies } from '../../src/folder/load.js'
import type { PolicySet } from '../../src/decide/policy-set.js'
import { ROOT } from '../core/helpers.js'

const LINES = readFileSync(join(ROOT, 'examples', 'records.ndjson'), 'utf8')
  .trimEnd()
  .split('\n')
let set: PolicySet
beforeAll(async () => {
  set = await defaultPolicies()
})

async function* once(text: string) {
  yield text
}

describe('decideNdjson with a signal', () => {
  it('stops between two blocks when aborted mid-way: whole lines, as many as it reports', async () => {
    const stop = new AbortController()
    let out = ''
    async function* input() {
      for (let i = 0; i < 10_000; i++) yield LINES[i % LINES.length] + '\n'
    }
    const summary = await decideNdjson(
      set,
      input(),
      (text) => {
        out += text
        if (out.length > 50_000) stop.abort()
      },
      { asOf: '2026-11-24', workers: 0, blockLines: 16, signal: stop.signal },
    )
    expect(summary.interrupted).toBe(true)
    expect(summary.lines).toBeGreaterThan(0)
    expect(summary.lines).toBeLessThan(10_000)
    expect(out.endsWith('\n')).toBe(true)
    expect(out.split('\n').length - 1).toBe(summary.lines)
  })

  it('ends a wait for input that never comes, and answers the lines it had', async () => {
    const stop = new AbortController()
    async function* quiet() {
      yield LINES[0] + '\n' + LINES[1] + '\n'
      await new Promise(() => undefined) // a pipe that stays open and silent
    }
    let out = ''
    const running = decideNdjson(set, quiet(), (t) => void (out += t), { asOf: '2026-11-24', workers: 0, signal: stop.signal })
    while (out.split('\n').length - 1 < 2) await new Promise((r) => setTimeout(r, 5))
    stop.abort()
    const summary = await running
    expect(summary).toMatchObject({ interrupted: true, lines: 2, decided: 2 })
  })

  it('reads nothing when the signal has already aborted, and a batch that ends is not interrupted', async () => {
    let out = ''
    const aborted = await decideNdjson(set, once(LINES[0] + '\n'), (t) => void (out += t), {
      asOf: '2026-11-24',
      workers: 0,
      signal: AbortSignal.abort(),
    })
    expect(aborted).toMatchObject({ interrupted: true, lines: 0 })
    expect(out).toBe('')
    const done = await decideNdjson(set, once(LINES[0] + '\n'), () => undefined, {
      asOf: '2026-11-24',
      workers: 0,
      signal: new AbortController().signal,
    })
    expect(done).toMatchObject({ interrupted: false, lines: 1 })
  })
})
