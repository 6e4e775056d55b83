/**
 * A trust file given to the loader, the live store and `decide --policies`: only a release signed by
 * its author and approved by another person decides; an unsigned, under-approved or rolled-back
 * release is refused with its reason, and a store keeps serving the last good set.
 */
import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { checkPolicies, loadPolicies, lockOfFolder, watchPolicies, type PolicyStore } from '../../src/index.js'
import { formatLock, parseLockFile } from '../../src/lock/lock.js'
import { formatEnvelope, signRelease, type ReleaseEnvelope } from '../../src/release/envelope.js'
import { assertBuilt, cli } from '../cli/run-cli.js'
import { example, OLD_FILE, ONBOARDING, scratchPolicies } from '../store/helpers.js'
import { entry, newKey } from './fixtures.js'

const outside = mkdtempSync(join(tmpdir(), 'collabgate-trust-'))
afterAll(() => rmSync(outside, { recursive: true, force: true }))
const trustFile = join(outside, 'TRUST.json')
const ann = newKey() // the author
const ben = newKey() // an approver
const eve = newKey() // not trusted at all
writeFileSync(
  trustFile,
  JSON.stringify({ version: 1, keys: [entry(ann, 'Ann', ['author']), entry(ben, 'Ben', ['approver'])], approvals: 1 }),
)

let scratch: ReturnType<typeof scratchPolicies>
let store: PolicyStore | undefined

/** Releases the folder as it is now under this number; signs it with the given keys (author first). */
async function release(n: number, signers: { key: ReturnType<typeof newKey>; role: 'author' | 'approver' }[]): Promise<void> {
  const checked = await checkPolicies(scratch.dir, { lock: false })
  expect(checked.problems).toEqual([])
  const entries = lockOfFolder(checked)
  scratch.write('policies.lock.json', formatLock(entries, n))
  let envelope: ReleaseEnvelope | undefined
  for (const s of signers) envelope = signRelease({ lock: { release: n, entries }, envelope, privateKey: s.key.privateKey, role: s.role })
  if (envelope) scratch.write('policies.lock.sig.json', formatEnvelope(envelope))
}

const codes = async (options = {}) => (await checkPolicies(scratch.dir, { trust: trustFile, ...options })).problems.map((p) => p.code)
const AUTHOR = { key: ann, role: 'author' } as const
const APPROVER = { key: ben, role: 'approver' } as const

beforeAll(assertBuilt)
beforeEach(() => {
  scratch = scratchPolicies()
})
afterEach(() => {
  store?.close()
  store = undefined
  scratch.remove()
})

describe('loading with a trust file', () => {
  it('loads a release its author signed and another person approved', async () => {
    await release(1, [AUTHOR, APPROVER])
    expect(await codes()).toEqual([])
    const set = await loadPolicies(scratch.dir, { trust: trustFile })
    expect(set.decideSync(example('applications', 'rejected-multiple-reasons'), { asOf: '2026-11-24' }).outcome).toBe('reject')
  })

  it('refuses an unsigned release, an author-only one, and one signed by a key the trust file does not hold', async () => {
    await release(1, [])
    expect(await codes()).toEqual(['E_RELEASE_UNSIGNED'])
    await release(1, [AUTHOR])
    expect(await codes()).toEqual(['E_RELEASE_UNAPPROVED'])
    await release(1, [AUTHOR, { key: eve, role: 'approver' }])
    expect(await codes()).toContain('E_RELEASE_SIGNATURE')
    // the author approving their own release does not count
    await release(1, [AUTHOR, { key: ann, role: 'approver' }])
    expect((await codes()).length).toBeGreaterThan(0)
  })

  it('refuses a lock rewritten after signing (a new version released by someone without the keys)', async () => {
    await release(1, [AUTHOR, APPROVER])
    const next = scratch.read(OLD_FILE).replace('version: 1.0.0', 'version: 1.1.0').replace('from: "2023-09-18"', 'from: "2026-12-01"')
    scratch.write(`${ONBOARDING}.v1.1.0.yaml`, next)
    const checked = await checkPolicies(scratch.dir, { lock: false })
    scratch.write('policies.lock.json', formatLock(lockOfFolder(checked), 2))
    expect(await codes()).toEqual(['E_RELEASE_MISMATCH'])
    await expect(loadPolicies(scratch.dir, { trust: trustFile })).rejects.toThrow(/E_RELEASE_MISMATCH|signature file is for release 1/)
  })

  it('refuses a release below minRelease, a missing lock, and a trust file that is not one', async () => {
    await release(1, [AUTHOR, APPROVER])
    expect(await codes({ minRelease: 2 })).toEqual(['E_RELEASE_ROLLBACK'])
    unlinkSync(join(scratch.dir, 'policies.lock.json'))
    expect(await codes()).toEqual(['E_LOCK_REQUIRED'])
    const bad = join(outside, 'bad-trust.json')
    writeFileSync(bad, '{"keys": [], "approvals": 1, "__proto__": {}}')
    await release(1, [AUTHOR, APPROVER])
    const problems = (await checkPolicies(scratch.dir, { trust: bad })).problems
    expect(problems.map((p) => [p.code, p.file])).toEqual([['E_TRUST_INVALID', 'bad-trust.json']])
    expect((await checkPolicies(scratch.dir, { trust: join(outside, 'none.json') })).problems[0]!.message).toContain('ENOENT')
  })
})

describe('a live store with a trust file', () => {
  it('keeps serving the signed release when an unsigned one is written, then takes the next signed one', async () => {
    await release(1, [AUTHOR, APPROVER])
    store = await watchPolicies(scratch.dir, { watch: false, debounceMs: 5, trust: trustFile })
    const before = store.serving().map((p) => `${p.id}@${p.version}`)
    const next = scratch.read(OLD_FILE).replace('version: 1.0.0', 'version: 1.1.0').replace('from: "2023-09-18"', 'from: "2026-12-01"')
    scratch.write(`${ONBOARDING}.v1.1.0.yaml`, next)
    const entries = lockOfFolder(await checkPolicies(scratch.dir, { lock: false }))
    scratch.write('policies.lock.json', formatLock(entries, 2))
    const refused = await store.reload()
    expect(refused.status === 'rejected' && refused.problems.map((p) => p.code)).toEqual(['E_RELEASE_MISMATCH'])
    expect(store.status()).toMatchObject({ healthy: false, generation: 1 })
    expect(store.serving().map((p) => `${p.id}@${p.version}`)).toEqual(before)
    await release(2, [AUTHOR, APPROVER])
    expect((await store.reload()).status).toBe('swapped')
    expect(store.serving().map((p) => `${p.id}@${p.version}`)).toContain(`${ONBOARDING}@1.1.0`)
    expect(parseLockFile(scratch.read('policies.lock.json')).release).toBe(2)
  })
})

describe('decide --policies DIR --trust FILE', () => {
  it('decides on a signed release and refuses an unsigned one with exit 1', async () => {
    await release(1, [AUTHOR, APPROVER])
    const record = join(outside, 'record.json')
    writeFileSync(record, JSON.stringify(example('applications', 'rejected-multiple-reasons')))
    const ok = await cli(['decide', '--policies', scratch.dir, '--trust', trustFile, '--as-of', '2026-11-24', record])
    expect([ok.code, JSON.parse(ok.stdout).outcome]).toEqual([0, 'reject'])
    unlinkSync(join(scratch.dir, 'policies.lock.sig.json'))
    const unsigned = await cli(['decide', '--policies', scratch.dir, '--trust', trustFile, '--as-of', '2026-11-24', record])
    expect(unsigned.code).toBe(1)
    expect(unsigned.stderr).toContain('E_RELEASE_UNSIGNED')
    const contradiction = await cli(['decide', '--policies', scratch.dir, '--trust', trustFile, '--no-lock', record])
    expect([contradiction.code, contradiction.stderr]).toEqual([2, expect.stringContaining('cannot go with --no-lock')])
  })
})
