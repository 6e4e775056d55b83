/**
 * The lock as the manifest of the whole folder (issue #21): in a locked folder only what the lock
 * releases decides, through loadPolicies and the live store alike, and a store that served a locked
 * folder never goes back to no lock, an empty lock or an older release.
 */
import { unlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { checkPolicies, loadPolicies, lockOfFolder, PolicyValidationError, watchPolicies, type PolicyStore } from '../../src/index.js'
import { formatLock, parseLockFile } from '../../src/lock/lock.js'
import { example, OLD_FILE, ONBOARDING, scratchPolicies } from '../store/helpers.js'

let scratch: ReturnType<typeof scratchPolicies>
let store: PolicyStore | undefined

/** Releases the scratch folder as it is now, as `collabgate lock` would, with this release number. */
async function release(n = 1): Promise<void> {
  const checked = await checkPolicies(scratch.dir, { lock: false })
  expect(checked.problems).toEqual([])
  scratch.write('policies.lock.json', formatLock(lockOfFolder(checked), n))
}

const codes = async (options = {}) => (await checkPolicies(scratch.dir, options)).problems.map((p) => p.code)
const REJECTED = () => example('applications', 'rejected-multiple-reasons')

/** A new policy id that would claim every application and approve it: the takeover. */
const TAKEOVER = `id: creator-collaboration.zz.onboarding
version: 1.0.0
title: Takes over
subject: application
primary: true
appliesTo: { fact: applicationId, operator: present, value: true }
effective:
  from: "2023-09-18"
outcomes: [approve]
default: approve
rules:
  - id: ZZ-NOTHING
    title: Nothing
    source: { status: modelled, from: nowhere }
    outcome: approve
    require: { fact: applicationId, operator: present, value: true }
    message: nothing
`

beforeEach(async () => {
  scratch = scratchPolicies()
  await release()
})
afterEach(() => {
  store?.close()
  store = undefined
  scratch.remove()
})

describe('in a locked folder, only what the lock lists decides', () => {
  it('refuses a new policy id that would take over, in validate and loadPolicies', async () => {
    // before: the released onboarding rejects this record
    expect((await loadPolicies(scratch.dir)).decideSync(REJECTED(), { asOf: '2026-11-24' }).outcome).toBe('reject')
    scratch.write('creator-collaboration.zz.onboarding.v1.0.0.yaml', TAKEOVER)
    const problems = (await checkPolicies(scratch.dir)).problems
    expect(problems.map((p) => [p.code, p.file, p.params?.key])).toContainEqual([
      'E_UNRELEASED',
      'creator-collaboration.zz.onboarding.v1.0.0.yaml',
      'creator-collaboration.zz.onboarding@1.0.0',
    ])
    await expect(loadPolicies(scratch.dir)).rejects.toThrow(PolicyValidationError)
  })

  it('refuses an earlier version that the lock never released, whatever dates it covers', async () => {
    const v09 = scratch.read(OLD_FILE).replace('version: 1.0.0', 'version: 0.9.0').replace('from: "2023-09-18"', 'from: "2000-01-01"')
    scratch.write(`${ONBOARDING}.v0.9.0.yaml`, v09.replace('  from: "2000-01-01"', '  from: "2000-01-01"\n  until: "2023-09-18"'))
    expect(await codes()).toEqual(['E_UNRELEASED'])
    await expect(loadPolicies(scratch.dir)).rejects.toThrow(/creator-collaboration\.us\.onboarding@0\.9\.0 is not released/)
  })

  it('releases collabgate.yaml: an edited id field or review condition is E_LOCK_MISMATCH, a deleted one E_LOCK_MISSING', async () => {
    const declaration = scratch.read('collabgate.yaml')
    scratch.write('collabgate.yaml', declaration.replace('operator: notEqual, value: pending', 'operator: present, value: true'))
    const problems = (await checkPolicies(scratch.dir)).problems
    expect(problems.map((p) => [p.code, p.file, p.params?.key])).toEqual([['E_LOCK_MISMATCH', 'collabgate.yaml', 'folder:collabgate.yaml']])
    // the same content written another way (comments, order, spacing) is the same release
    scratch.write('collabgate.yaml', `# reformatted\n${declaration}\n\n`)
    expect(await codes()).toEqual([])
    unlinkSync(join(scratch.dir, 'collabgate.yaml'))
    // without its declaration the folder releases neither it nor its record schemas
    const missing = (await checkPolicies(scratch.dir)).problems
    expect(new Set(missing.map((p) => p.code))).toEqual(new Set(['E_LOCK_MISSING']))
    expect(missing.map((p) => p.params?.key)).toContain('folder:collabgate.yaml')
  })

  it('treats a lock that lists nothing as a lock: every file is unreleased', async () => {
    scratch.write('policies.lock.json', '{}\n')
    const found = await codes()
    expect(new Set(found)).toEqual(new Set(['E_UNRELEASED']))
    // 3 policy versions, 2 record schemas and the declaration
    expect(found).toHaveLength(6)
  })

  it('requireLock refuses a folder without a lock, or with one that releases nothing; without it, a warning', async () => {
    unlinkSync(join(scratch.dir, 'policies.lock.json'))
    const loose = await checkPolicies(scratch.dir)
    // the scratch folder's newest termination policy is 1.0.0, which counts incidents dated after asOf
    expect([loose.problems, loose.warnings.map((w) => w.code)]).toEqual([[], ['W_EVENT_AFTER_AS_OF', 'W_NO_LOCK']])
    const strict = await checkPolicies(scratch.dir, { requireLock: true })
    expect(strict.problems.map((p) => [p.code, p.file, p.message])).toEqual([
      [
        'E_LOCK_REQUIRED',
        'policies.lock.json',
        'no lock file at policies.lock.json; this folder must be locked, so nothing of it is served',
      ],
    ])
    scratch.write('policies.lock.json', formatLock({}, 4))
    expect(await codes({ requireLock: true })).toContain('E_LOCK_REQUIRED')
    // the lock off wins: scratch work
    expect(await codes({ requireLock: true, lock: false })).toEqual([])
  })
})

describe('a store that served a locked folder stays locked', () => {
  const open = async () => (store = await watchPolicies(scratch.dir, { watch: false, worker: false, debounceMs: 5 }))

  it('refuses a deleted lock and an emptied one, keeps serving, and says why', async () => {
    await open()
    const digest = store!.serving().find((p) => p.id === ONBOARDING)!.digest
    // a released version cut down, and the lock deleted so nothing would check it
    const text = scratch.read(OLD_FILE)
    scratch.write(OLD_FILE, text.slice(0, text.indexOf('\n  - id:', text.indexOf('\n  - id:') + 1)) + '\n')
    unlinkSync(join(scratch.dir, 'policies.lock.json'))
    const gone = await store!.reload()
    expect(gone.status).toBe('rejected')
    expect(gone.status === 'rejected' && gone.problems.map((p) => p.code)).toEqual(['E_LOCK_REQUIRED'])
    expect(store!.status()).toMatchObject({ healthy: false, generation: 1 })
    expect(store!.status().reason).toContain('this store served release 1 of it')
    scratch.write('policies.lock.json', '{}')
    const empty = await store!.reload()
    // an empty lock releases nothing: every file is unreleased
    expect(empty.status === 'rejected' && new Set(empty.problems.map((p) => p.code))).toEqual(new Set(['E_UNRELEASED']))
    // still the released content deciding
    const d = await store!.decide(REJECTED(), { asOf: '2026-11-24' })
    expect([d.policy.digest, d.outcome]).toEqual([digest, 'reject'])
  })

  it('refuses an older release and a changed lock under the same release number, and takes a higher one', async () => {
    await open()
    const lockText = scratch.read('policies.lock.json')
    const lock = parseLockFile(lockText)
    // release 2 adds nothing new but is served: the store remembers 2
    scratch.write('policies.lock.json', formatLock(lock.entries, 2))
    expect((await store!.reload()).status).toBe('unchanged')
    scratch.write('policies.lock.json', lockText)
    const back = await store!.reload()
    expect(back.status === 'rejected' && back.problems.map((p) => [p.code, p.message])).toEqual([
      ['E_LOCK_ROLLBACK', 'the lock is release 1, older than release 2 already served; keeping the policies already served'],
    ])
    // a new version released under the same number: refused; under a higher one: served
    const next = scratch.read(OLD_FILE).replace('version: 1.0.0', 'version: 1.1.0').replace('from: "2023-09-18"', 'from: "2027-03-01"')
    scratch.write(`${ONBOARDING}.v1.1.0.yaml`, next)
    const checked = await checkPolicies(scratch.dir, { lock: false })
    scratch.write('policies.lock.json', formatLock(lockOfFolder(checked), 2))
    const same = await store!.reload()
    expect(same.status === 'rejected' && same.problems.map((p) => p.code)).toEqual(['E_LOCK_ROLLBACK'])
    scratch.write('policies.lock.json', formatLock(lockOfFolder(checked), 3))
    expect((await store!.reload()).status).toBe('swapped')
    expect(store!.status().healthy).toBe(true)
  })

  it('requireLock refuses a first load without a lock', async () => {
    unlinkSync(join(scratch.dir, 'policies.lock.json'))
    await expect(watchPolicies(scratch.dir, { watch: false, worker: false, requireLock: true })).rejects.toThrow(
      /E_LOCK_REQUIRED|must be locked/,
    )
    // the worker path carries the option too
    await expect(watchPolicies(scratch.dir, { watch: false, requireLock: true })).rejects.toThrow(/must be locked/)
    writeFileSync(join(scratch.dir, 'policies.lock.json'), '{}')
    await expect(watchPolicies(scratch.dir, { watch: false, requireLock: true })).rejects.toThrow(/releases nothing/)
  })
})
