/**
 * Bounds of the live store (issue 21): symbolic-link loops in the folder are refused at once instead
 * of walked without end, a folder that never comes to rest is reported unhealthy after
 * `settleTimeoutMs`, and a file's problems are capped where they are collected.
 */
import { mkdirSync, symlinkSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { capProblems, MAX_PROBLEMS_PER_FILE } from '../../src/errors.js'
import { checkPolicies, watchPolicies, type PolicyProblem, type PolicyStore } from '../../src/index.js'
import { snapshotFolder } from '../../src/store/check.js'
import { manyProblems, scratchPolicies } from './helpers.js'

let scratch: ReturnType<typeof scratchPolicies>
let store: PolicyStore | undefined
beforeEach(() => {
  scratch = scratchPolicies()
})
afterEach(() => {
  store?.close()
  store = undefined
  scratch.remove()
})

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Polls until `check` holds; fails with `what` after `ms`. */
async function waitFor(what: string, check: () => boolean, ms = 10_000): Promise<void> {
  for (const start = Date.now(); !check(); await sleep(20)) if (Date.now() - start > ms) throw new Error(`timed out waiting: ${what}`)
}

/** Two links back into the folder: `loop -> .` at the top, `nested/up -> ..` one level down. */
function addLoops(dir: string): void {
  symlinkSync('.', join(dir, 'loop'))
  mkdirSync(join(dir, 'nested'))
  symlinkSync('..', join(dir, 'nested', 'up'))
}

describe('symbolic-link loops inside the folder', () => {
  it('are refused by checkPolicies with E_LINK_CYCLE naming the link', { timeout: 10_000 }, async () => {
    addLoops(scratch.dir)
    const { problems, policies } = await checkPolicies(scratch.dir)
    expect(policies).toEqual([])
    expect(problems).toEqual([expect.objectContaining({ code: 'E_LINK_CYCLE', file: 'loop', message: expect.stringContaining('loop') })])
  })

  it('name the nested link when it is the only loop', { timeout: 10_000 }, async () => {
    mkdirSync(join(scratch.dir, 'nested'))
    symlinkSync('..', join(scratch.dir, 'nested', 'up'))
    const { problems } = await checkPolicies(scratch.dir)
    expect(problems).toEqual([expect.objectContaining({ code: 'E_LINK_CYCLE', file: 'nested/up' })])
  })

  it('are noted, not walked, by the snapshot that tells a folder at rest', { timeout: 10_000 }, async () => {
    addLoops(scratch.dir)
    const snapshot = await snapshotFolder(scratch.dir)
    expect(snapshot.split('\n')).toEqual(expect.arrayContaining(['loop loop', 'nested/up loop']))
    expect(await snapshotFolder(scratch.dir)).toBe(snapshot)
  })

  it('make a reload of the live store rejected, the last good set serving and health saying why', { timeout: 15_000 }, async () => {
    store = await watchPolicies(scratch.dir, { debounceMs: 20 })
    addLoops(scratch.dir)
    const result = await store.reload()
    expect(result).toMatchObject({ status: 'rejected', generation: 1, problems: [expect.objectContaining({ code: 'E_LINK_CYCLE' })] })
    expect(store.status()).toMatchObject({ healthy: false, reason: expect.stringContaining('E_LINK_CYCLE') })
  })

  it('leave a folder that merely links to a sibling folder alone', async () => {
    mkdirSync(join(scratch.dir, 'shared'))
    symlinkSync('shared', join(scratch.dir, 'alias'))
    const { problems } = await checkPolicies(scratch.dir)
    expect(problems).toEqual([])
  })
})

describe('a folder that never comes to rest', () => {
  it('is reported unhealthy after settleTimeoutMs, and read again once it rests', { timeout: 20_000 }, async () => {
    store = await watchPolicies(scratch.dir, { debounceMs: 100, settleTimeoutMs: 600 })
    expect(store.status().healthy).toBe(true)
    let n = 0
    const writer = setInterval(() => scratch.write('notes.yaml', `# ${n++}\n`), 50)
    try {
      await waitFor('unhealthy', () => store!.status().healthy === false)
      expect(store.status().reason).toMatch(/^the folder has not been at rest for \d+ s; still serving generation 1$/)
      expect(store.generation).toBe(1)
    } finally {
      clearInterval(writer)
    }
    // a policy file (notes.yaml) that is not a policy is refused once read at rest: the store tried again
    await waitFor('read at rest', () => store!.status().lastReload.status === 'rejected')
    expect(store.status().reason).toMatch(/refused/)
  })

  it('stays healthy while changes come to rest within the bound', { timeout: 20_000 }, async () => {
    store = await watchPolicies(scratch.dir, { debounceMs: 50, settleTimeoutMs: 3000 })
    for (let i = 0; i < 5; i++) {
      scratch.write('readme.txt', `edit ${i}`)
      await sleep(150)
      expect(store.status().healthy).toBe(true)
    }
  })
})

describe('problems per file', () => {
  it('are capped at 50, the rest counted by one E_TOO_MANY_PROBLEMS (validate)', async () => {
    scratch.write('broken.v1.0.0.yaml', manyProblems())
    const { problems } = await checkPolicies(scratch.dir, { lock: false })
    const ofFile = problems.filter((p) => p.file === 'broken.v1.0.0.yaml')
    expect(ofFile).toHaveLength(MAX_PROBLEMS_PER_FILE + 1)
    expect(ofFile.at(-1)).toMatchObject({ code: 'E_TOO_MANY_PROBLEMS', message: '… and 5551 more problems in this file' })
    expect(ofFile.at(-1)!.params).toEqual({ more: 5551 })
  })

  it('are capped in the live store, its events and status', { timeout: 15_000 }, async () => {
    store = await watchPolicies(scratch.dir, { watch: false })
    const events: PolicyProblem[][] = []
    store.on('problems', (e) => events.push(e.problems))
    scratch.write('broken.v1.0.0.yaml', manyProblems())
    const result = await store.reload()
    expect(result.status).toBe('rejected')
    expect(store.status().lastReload.problems).toHaveLength(MAX_PROBLEMS_PER_FILE + 1)
    expect(events[0]).toHaveLength(MAX_PROBLEMS_PER_FILE + 1)
    expect(JSON.stringify(store.status()).length).toBeLessThan(50_000)
  })

  it('capProblems keeps each file apart, keeps the order, and counts the same when applied twice', () => {
    const p = (file: string, i: number): PolicyProblem => ({
      code: 'E_SCHEMA',
      severity: 'error',
      message: `m${i}`,
      file,
      line: i,
      column: 1,
      pointer: '',
    })
    const list = [...Array.from({ length: 5 }, (_, i) => p('a', i)), p('b', 0), ...Array.from({ length: 5 }, (_, i) => p('a', 5 + i))]
    const once = capProblems(list, 3)
    expect(once.map((x) => `${x.file}:${x.code}:${x.message}`)).toEqual([
      'a:E_SCHEMA:m0',
      'a:E_SCHEMA:m1',
      'a:E_SCHEMA:m2',
      'a:E_TOO_MANY_PROBLEMS:… and 7 more problems in this file',
      'b:E_SCHEMA:m0',
    ])
    expect(capProblems(once, 3)).toEqual(once)
    expect(capProblems([p('a', 1), p('a', 2)], 1).at(-1)!.message).toBe('… and 1 more problem in this file')
    expect(capProblems(list)).toEqual(list)
  })
})
