import { cpSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeEach, describe, expect, it } from 'vitest'
import {
  checkPolicies,
  DEFAULT_PARSE_LIMITS,
  defaultPoliciesDir,
  loadPolicies,
  PolicyValidationError,
  type Policy,
} from '../../src/index.js'
import { cachedCheck, CHECK_CACHE_LIMIT, checkKey, clearCheckCache, rememberCheck, subjectsDigest } from '../../src/folder/check-cache.js'
import { shippedSubjects } from '../shipped-folder.js'
import { caught, example, ONBOARDING } from '../core/helpers.js'

const scratchRoot = mkdtempSync(join(tmpdir(), 'collabgate-check-cache-'))
afterAll(() => rmSync(scratchRoot, { recursive: true, force: true }))
beforeEach(() => clearCheckCache())

let count = 0
/** A copy of the shipped folder (policies, declaration, record schemas, lock) without its tests. */
function scratch(): string {
  const dir = join(scratchRoot, `f${++count}`)
  cpSync(defaultPoliciesDir(), dir, { recursive: true, filter: (src) => !/\.test\.ya?ml$|test-records/.test(src) })
  return dir
}

const ONB_V1 = `${ONBOARDING}.v1.0.0.yaml`
const onboarding = (policies: readonly Policy[]) => policies.find((p) => p.id === ONBOARDING && p.version === '1.0.0')!

/** Rewrites a file with one substitution, keeping its size and modification time (what a stat would compare). */
function sameSizeEdit(file: string, from: string, to: string): void {
  expect(to.length).toBe(from.length)
  const before = statSync(file)
  const text = readFileSync(file, 'utf8')
  expect(text).toContain(from)
  writeFileSync(file, text.replace(from, to))
  utimesSync(file, before.atime, before.mtime)
  expect(statSync(file).size).toBe(before.size)
}

describe('the check cache: a reload skips the parse and check of unchanged bytes', () => {
  it('gives back the same frozen policy for unchanged files, which decides as a fresh check does', async () => {
    const dir = scratch()
    const first = await loadPolicies(dir)
    const second = await loadPolicies(dir)
    expect(second.policies.length).toBe(first.policies.length)
    second.policies.forEach((p, i) => expect(p).toBe(first.policies[i]))
    expect(Object.isFrozen(onboarding(second.policies))).toBe(true)
    clearCheckCache()
    const fresh = await loadPolicies(dir)
    expect(onboarding(fresh.policies)).not.toBe(onboarding(first.policies))
    expect(onboarding(fresh.policies)).toEqual(onboarding(first.policies))
    const record = example('applications', 'complete-us-developer')
    expect(second.decideSync(record, { asOf: '2026-11-24' })).toEqual(fresh.decideSync(record, { asOf: '2026-11-24' }))
  })

  it('never reuses a check for other bytes: one byte changed, same size and mtime, is checked again', async () => {
    const dir = scratch()
    const before = onboarding((await checkPolicies(dir, { lock: false })).policies)
    sameSizeEdit(join(dir, ONB_V1), 'title: ', 'title:\t')
    const after = await checkPolicies(dir, { lock: false })
    expect(after.problems).toEqual([])
    expect(onboarding(after.policies)).not.toBe(before)
    // a tab is YAML whitespace too: the same policy content, a fresh check of it
    expect(onboarding(after.policies).digest).toBe(before.digest)
    const rule = before.rules[0]!
    sameSizeEdit(
      join(dir, ONB_V1),
      rule.id,
      rule.id.replace(/.$/, (c) => (c === 'X' ? 'Y' : 'X')),
    )
    const renamed = onboarding((await checkPolicies(dir, { lock: false })).policies)
    expect(renamed.digest).not.toBe(before.digest)
    expect(renamed.rules.map((r) => r.id)).not.toContain(rule.id)
  })

  it('keeps the lock strict: a released file changed after a cached load is refused (E_LOCK_MISMATCH)', async () => {
    const dir = scratch()
    await loadPolicies(dir, { requireLock: true })
    const rule = onboarding((await loadPolicies(dir, { requireLock: true })).policies).rules[0]!
    sameSizeEdit(
      join(dir, ONB_V1),
      rule.id,
      rule.id.replace(/.$/, (c) => (c === 'X' ? 'Y' : 'X')),
    )
    const err = await caught(() => loadPolicies(dir, { requireLock: true }))
    expect(err).toBeInstanceOf(PolicyValidationError)
    expect((err as PolicyValidationError).problems.map((p) => p.code)).toContain('E_LOCK_MISMATCH')
    // and going back to the released bytes loads again (from the cache)
    sameSizeEdit(
      join(dir, ONB_V1),
      rule.id.replace(/.$/, (c) => (c === 'X' ? 'Y' : 'X')),
      rule.id,
    )
    expect(onboarding((await loadPolicies(dir, { requireLock: true })).policies).rules[0]!.id).toBe(rule.id)
  })

  it('checks a file with problems again on every load, and reports them every time', async () => {
    const dir = scratch()
    const file = join(dir, ONB_V1)
    writeFileSync(file, readFileSync(file, 'utf8').replace(/^default: .*$/m, 'default: nonsense'))
    for (let i = 0; i < 3; i++) {
      const { problems } = await checkPolicies(dir, { lock: false })
      expect(problems.map((p) => p.code)).toContain('E_UNKNOWN_OUTCOME')
    }
  })

  it('checks again when the folder declaration changes, though the policy bytes did not', async () => {
    const dir = scratch()
    const before = onboarding((await checkPolicies(dir, { lock: false })).policies)
    expect(before.record.recognise).toEqual({ fact: 'applicationId', operator: 'present', value: true })
    const folderFile = join(dir, 'collabgate.yaml')
    writeFileSync(
      folderFile,
      readFileSync(folderFile, 'utf8').replace(
        'recognise: { fact: applicationId, operator: present, value: true }',
        'recognise: { fact: category, operator: present, value: true }',
      ),
    )
    const after = await checkPolicies(dir, { lock: false })
    expect(after.problems).toEqual([])
    expect(onboarding(after.policies).record.recognise).toEqual({ fact: 'category', operator: 'present', value: true })
  })

  it('checks again under another display name, so locations name the file as asked', async () => {
    const dir = scratch()
    const plain = onboarding((await checkPolicies(dir, { lock: false })).policies)
    expect(plain.location.file).toBe(ONB_V1)
    const named = onboarding((await checkPolicies(dir, { lock: false, displayName: (abs) => `shown/${abs.split('/').pop()!}` })).policies)
    expect(named.location.file).toBe(`shown/${ONB_V1}`)
    expect(named.rules[0]!.location.file).toBe(`shown/${ONB_V1}`)
  })

  it('checks again under other parse limits: a file the new limits refuse is refused', async () => {
    const dir = scratch()
    await checkPolicies(dir, { lock: false })
    // (the file's size is tested before any cache: the node count is the parser's, so the cache must tell)
    const limited = await checkPolicies(dir, { lock: false, limits: { maxNodes: 50 } })
    expect(limited.problems.filter((p) => p.file === ONB_V1).map((p) => p.code)).toEqual(['E_YAML_LIMIT'])
    expect(limited.policies.some((p) => p.id === ONBOARDING && p.version === '1.0.0')).toBe(false)
  })

  it('keys each check on every input: bytes, display name, each limit, the subjects', () => {
    const bytes = new TextEncoder().encode('id: a\n')
    const subjects = shippedSubjects()
    const inputs = { display: 'a.yaml', limits: DEFAULT_PARSE_LIMITS, subjects: subjectsDigest(subjects) }
    const key = checkKey(bytes, inputs)
    expect(checkKey(new TextEncoder().encode('id: a\n'), { ...inputs, subjects: subjectsDigest([...subjects]) })).toBe(key)
    const others = [
      checkKey(new TextEncoder().encode('id: b\n'), inputs),
      // a byte-order mark decodes to the same text: the key is the bytes', so it is another key
      checkKey(new Uint8Array([0xef, 0xbb, 0xbf, ...bytes]), inputs),
      checkKey(bytes, { ...inputs, display: 'b.yaml' }),
      ...Object.keys(DEFAULT_PARSE_LIMITS).map((k) => checkKey(bytes, { ...inputs, limits: { ...DEFAULT_PARSE_LIMITS, [k]: 1 } })),
      checkKey(bytes, { ...inputs, subjects: subjectsDigest(subjects.map((s) => ({ ...s, idField: 'other' }))) }),
      checkKey(bytes, { ...inputs, subjects: subjectsDigest(subjects.slice(1)) }),
    ]
    expect(new Set([key, ...others]).size).toBe(others.length + 1)
  })

  it('hashes a subjects list changed in place anew: nothing is remembered by identity', () => {
    const list = structuredClone(shippedSubjects())
    const before = subjectsDigest(list)
    list[0]!.idField = 'other'
    expect(subjectsDigest(list)).not.toBe(before)
  })

  it('holds at most CHECK_CACHE_LIMIT checks', async () => {
    const dir = scratch()
    const policy = onboarding((await checkPolicies(dir, { lock: false })).policies)
    const entry = { policy, locate: () => policy.location, namesCalendar: false }
    clearCheckCache()
    for (let i = 0; i < CHECK_CACHE_LIMIT; i++) rememberCheck(`k${i}`, entry)
    expect(cachedCheck('k0')).toBe(entry)
    rememberCheck('one-more', entry)
    expect(cachedCheck('k0')).toBeUndefined()
    expect(cachedCheck('one-more')).toBe(entry)
  })
})
