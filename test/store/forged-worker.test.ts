/**
 * The store's check worker answers with plain data; the policies in it join the store's PolicySet only as the
 * validator builds them again. A worker that sends a hand-built or altered policy gets its check refused.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { defaultPolicies, defaultPoliciesDir } from '../../src/index.js'
import type { Policy } from '../../src/model.js'
import { CheckWorker, storeWorkerFile } from '../../src/store/check.js'
import { isValidatedPolicy } from '../../src/validate/policy.js'

const dir = mkdtempSync(join(tmpdir(), 'collabgate-forged-worker-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** A worker script that answers every check with these policies (no problems, no files). */
function workerSending(name: string, policies: readonly unknown[]): string {
  const file = join(dir, `${name}.mjs`)
  const answer = JSON.stringify({ policies, problems: [], files: [], subjects: [] })
  writeFileSync(
    file,
    [
      `import { parentPort } from 'node:worker_threads'`,
      `parentPort.on('message', (r) => parentPort.postMessage({ seq: r.seq, checked: ${answer} }))`,
    ].join('\n'),
  )
  return file
}

const checkWith = async (file: string) => {
  const worker = new CheckWorker(file)
  try {
    return await worker.check(dir, { lock: false }, 60_000)
  } finally {
    worker.close()
  }
}

describe('policies from the check worker', () => {
  it('are built again by the validator: the real worker’s policies come back validated', async () => {
    const worker = new CheckWorker(storeWorkerFile()!)
    try {
      const checked = await worker.check(defaultPoliciesDir(), {}, 60_000)
      expect(checked.problems).toEqual([])
      expect(checked.policies.length).toBeGreaterThan(3)
      expect(checked.policies.every(isValidatedPolicy)).toBe(true)
    } finally {
      worker.close()
    }
  })

  it('are refused when the worker sends one altered after validation', async () => {
    const [policy] = (await defaultPolicies()).policies
    const altered: Policy = { ...structuredClone(policy!), defaultOutcome: 'anything' }
    const checked = await checkWith(workerSending('altered', [altered]))
    expect(checked.policies).toEqual([])
    expect(checked.problems.map((p) => p.code)).toEqual(['E_IO'])
    expect(checked.problems[0]!.message).toMatch(/the worker sent a policy the validator refuses/)
  })

  it('are refused when the worker sends a hand-built object', async () => {
    const handBuilt = { id: 'x', version: '1.0.0', rules: [], document: { id: 'x' }, record: {} }
    const checked = await checkWith(workerSending('hand-built', [handBuilt]))
    expect(checked.policies).toEqual([])
    expect(checked.problems.map((p) => p.code)).toEqual(['E_IO'])
  })
})
