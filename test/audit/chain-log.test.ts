/**
 * The decision log's chain as the writer keeps it: every line names the hash of the one before and a
 * seq counting up, across rotation, a deleted file and a new log on an existing file; signed
 * checkpoints every N entries, on a timer and at close, matching the file; every entry valid against
 * schemas/audit-entry.v2.schema.json.
 */
import { generateKeyPairSync } from 'node:crypto'
import { appendFileSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PassThrough } from 'node:stream'
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import {
  checkPolicies,
  createAuditLog,
  defaultPolicies,
  loadPolicies,
  lockOfFolder,
  watchPolicies,
  withAudit,
  type AuditLogOptions,
  type PolicySet,
} from '../../src/index.js'
import { formatLock } from '../../src/lock/lock.js'
import { GENESIS, lineHash, parseCheckpoint, verifyCheckpoint } from '../../src/audit/chain.js'
import { example, scratchPolicies } from '../store/helpers.js'
import { expectChained, nonEmptyLines, validEntries } from './entries.js'

const ASOF = { asOf: '2026-11-24' }
const { privateKey, publicKey } = generateKeyPairSync('ed25519')
const other = generateKeyPairSync('ed25519')
let shipped: PolicySet
beforeAll(async () => {
  shipped = await defaultPolicies()
})
const dirs: string[] = []
afterEach(() => {
  vi.useRealTimers()
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})
function scratch(): string {
  const dir = mkdtempSync(join(tmpdir(), 'collabgate-chain-'))
  dirs.push(dir)
  return dir
}
const record = (i: number) => ({ ...example('behaviour', 'clean-developer'), developerId: `DEV-${i}` })
const read = (file: string) => readFileSync(file, 'utf8')
/** Buffered mode: waits (bounded) until the stream has opened the file and written `lines` lines to it. */
async function landed(file: string, lines: number): Promise<void> {
  for (let i = 0; i < 400 && !(existsSync(file) && nonEmptyLines(read(file)).length >= lines); i++)
    await new Promise((r) => setTimeout(r, 5))
  expect(nonEmptyLines(read(file))).toHaveLength(lines)
}
async function decideMany(log: ReturnType<typeof createAuditLog>, from: number, to: number): Promise<void> {
  const audited = withAudit(shipped, log)
  for (let i = from; i <= to; i++) await audited.decide(record(i), ASOF)
}
/** Every checkpoint verifies with the public key, and its size and head are those of the file's lines. */
function expectCheckpointsMatch(checkpoints: string, lines: readonly string[], sizes: number[]): void {
  const parsed = nonEmptyLines(checkpoints).map(parseCheckpoint)
  expect(parsed.map((c) => c.size)).toEqual(sizes)
  for (const c of parsed) {
    expect(verifyCheckpoint(c, publicKey)).toBe(true)
    expect(verifyCheckpoint(c, other.publicKey)).toBe(false)
    expect(c.origin).toBe('test.example/decisions')
    expect(c.head).toBe(lineHash(lines[c.size - 1]!))
  }
}

describe.each(['buffered', 'durable'] as const)('the chain, %s mode', (mode) => {
  it('links every line to the one before, from GENESIS, and every entry is valid against the schema', async () => {
    const file = join(scratch(), 'decisions.ndjson')
    const log = createAuditLog(file, { mode })
    const audited = withAudit(shipped, log)
    await Promise.all([1, 2, 3, 4, 5].map((i) => audited.decide(record(i), ASOF)))
    await audited.decide(example('applications', 'rejected-multiple-reasons'), ASOF)
    await log.close()
    const entries = validEntries(read(file))
    expect(entries).toHaveLength(6)
    expect(entries.every((e) => e.release === shipped.release && e.v === 2)).toBe(true)
    expectChained(nonEmptyLines(read(file)))
  })

  it('writes a signed checkpoint every N entries and one at close, whose size and head match the file', async () => {
    const dir = scratch()
    const file = join(dir, 'decisions.ndjson')
    const checkpoints = join(dir, 'checkpoints.ndjson')
    const log = createAuditLog(file, {
      mode,
      checkpoints: { file: checkpoints, key: privateKey, origin: 'test.example/decisions', every: 3 },
    })
    await decideMany(log, 1, 7)
    await log.close()
    expectCheckpointsMatch(read(checkpoints), nonEmptyLines(read(file)), [3, 6, 7])
    expect(log.health().checkpoints).toEqual({ written: 3, failed: 0, size: 7 })
    await log.close() // nothing new: no second checkpoint of the same head
    expect(nonEmptyLines(read(checkpoints))).toHaveLength(3)
  })

  it('continues seq and prev in the new file after rotation (reopen)', async () => {
    const dir = scratch()
    const file = join(dir, 'decisions.ndjson')
    const checkpoints = join(dir, 'checkpoints.ndjson')
    const log = createAuditLog(file, {
      mode,
      checkpoints: { file: checkpoints, key: privateKey, origin: 'test.example/decisions', every: 2 },
    })
    await decideMany(log, 1, 3)
    if (mode === 'buffered') await landed(file, 3)
    renameSync(file, `${file}.1`)
    await log.reopen()
    await decideMany(log, 4, 5)
    await log.close()
    const old = nonEmptyLines(read(`${file}.1`))
    const now = nonEmptyLines(read(file))
    expect(old).toHaveLength(3)
    expectChained(now, { seq: 4, prev: lineHash(old[2]!) })
    expectChained([...old, ...now])
    expectCheckpointsMatch(read(checkpoints), [...old, ...now], [2, 4, 5])
  })

  it('continues the chain of the file it is created on', async () => {
    const file = join(scratch(), 'decisions.ndjson')
    const first = createAuditLog(file, { mode })
    await decideMany(first, 1, 2)
    await first.close()
    const second = createAuditLog(file, { mode })
    await decideMany(second, 3, 4)
    await second.close()
    const lines = nonEmptyLines(read(file))
    expect(lines).toHaveLength(4)
    expectChained(lines)
  })
})

describe('the chain across a deleted file and failures', () => {
  it('durable: a deleted file is reopened and its first new entry continues seq and prev', async () => {
    const file = join(scratch(), 'decisions.ndjson')
    const log = createAuditLog(file, { mode: 'durable' })
    await decideMany(log, 1, 2)
    const before = nonEmptyLines(read(file))
    unlinkSync(file)
    await decideMany(log, 3, 3)
    await log.close()
    expect(log.health().reopened).toBe(1)
    expectChained(nonEmptyLines(read(file)), { seq: 3, prev: lineHash(before[1]!) })
  })

  it('buffered: a deleted file found by the check is reopened and the chain continues', async () => {
    const file = join(scratch(), 'decisions.ndjson')
    const log = createAuditLog(file, { checkFileMs: 0 })
    await decideMany(log, 1, 2)
    await landed(file, 2)
    const before = nonEmptyLines(read(file))
    unlinkSync(file)
    await decideMany(log, 3, 4)
    await log.close()
    expect(log.health().reopened).toBe(1)
    expectChained(nonEmptyLines(read(file)), { seq: 3, prev: lineHash(before[1]!) })
  })

  it('durable: a group that failed gives its place in the chain back', async () => {
    const link = join(scratch(), 'decisions.ndjson')
    symlinkSync('/dev/full', link)
    const log = createAuditLog(link, { mode: 'durable', onError: () => {} })
    await expect(decideMany(log, 1, 1)).rejects.toMatchObject({ code: 'E_AUDIT_FAILED' })
    unlinkSync(link)
    await decideMany(log, 2, 3)
    await log.close()
    expectChained(nonEmptyLines(read(link)))
  })

  it('a new log on a file whose last line is torn or not JSON is E_AUDIT_FAILED; after format-1 lines a chain starts', async () => {
    const dir = scratch()
    const torn = join(dir, 'torn.ndjson')
    const first = createAuditLog(torn, { mode: 'durable' })
    await decideMany(first, 1, 1)
    await first.close()
    appendFileSync(torn, '{"v":2,"seq":2,"prev":"sha')
    for (const mode of ['buffered', 'durable'] as const)
      expect(() => createAuditLog(torn, { mode })).toThrow(
        expect.objectContaining({ code: 'E_AUDIT_FAILED', message: expect.stringMatching(/torn/) }),
      )
    const garbage = join(dir, 'garbage.ndjson')
    writeFileSync(garbage, 'not json\n')
    expect(() => createAuditLog(garbage)).toThrow(
      expect.objectContaining({ code: 'E_AUDIT_FAILED', message: expect.stringMatching(/not JSON/) }),
    )
    const formatOne = join(dir, 'v1.ndjson')
    const v1 = '{"id":"x","time":"2026-11-24T00:00:00.000Z","policy":"p","outcome":"approve","rules":[]}\n'
    writeFileSync(formatOne, v1)
    const log = createAuditLog(formatOne, { mode: 'durable' })
    await decideMany(log, 1, 1)
    await log.close()
    expectChained(nonEmptyLines(read(formatOne)).slice(1))
  })

  it('reads a long last line back across several chunks', async () => {
    const file = join(scratch(), 'decisions.ndjson')
    const log = createAuditLog(file, { mode: 'durable', extra: () => ({ pad: 'x'.repeat(200_000) }) })
    await decideMany(log, 1, 2)
    await log.close()
    const next = createAuditLog(file, { mode: 'durable' })
    await decideMany(next, 3, 3)
    await next.close()
    expectChained(nonEmptyLines(read(file)))
  })
})

describe('checkpoints', () => {
  it('on a timer, signs the head at most every `seconds` while entries come', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] })
    const dir = scratch()
    const checkpoints = join(dir, 'checkpoints.ndjson')
    const stream = new PassThrough()
    let text = ''
    stream.on('data', (c: Buffer) => (text += c.toString('utf8')))
    const log = createAuditLog(stream, {
      mode: 'durable',
      checkpoints: {
        file: checkpoints,
        key: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
        origin: 'test.example/decisions',
        seconds: 5,
      },
    })
    await decideMany(log, 1, 2)
    vi.advanceTimersByTime(5000)
    vi.advanceTimersByTime(5000) // nothing new: no checkpoint
    await decideMany(log, 3, 3)
    vi.advanceTimersByTime(5000)
    await log.close()
    expectCheckpointsMatch(read(checkpoints), nonEmptyLines(text), [2, 3])
  })

  it('a checkpoints file that cannot be written makes the log unhealthy, not the decisions fail', async () => {
    const dir = scratch()
    const log = createAuditLog(join(dir, 'decisions.ndjson'), {
      mode: 'durable',
      onError: () => {},
      checkpoints: { file: join(dir, 'no-such-dir', 'checkpoints.ndjson'), key: privateKey, origin: 'o', every: 1 },
    })
    await decideMany(log, 1, 2)
    // tried after each `every` (1) entries
    expect(log.health()).toMatchObject({ healthy: false, reason: 'checkpoint: ENOENT', checkpoints: { written: 0, failed: 2 } })
    await log.close()
  })

  it('refuses options it cannot sign with', () => {
    const file = join(scratch(), 'decisions.ndjson')
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey
    const bad: AuditLogOptions['checkpoints'][] = [
      { file: 'c', key: rsa, origin: 'o' },
      { file: 'c', key: publicKey, origin: 'o' },
      { file: 'c', key: 'not a pem', origin: 'o' },
      { file: 'c', key: privateKey, origin: 'two\nlines' },
      { file: 'c', key: privateKey, origin: 'o', every: 0 },
      { file: 'c', key: privateKey, origin: 'o', seconds: 0 },
      { file: '', key: privateKey, origin: 'o' },
    ]
    for (const checkpoints of bad)
      expect(() => createAuditLog(file, { checkpoints })).toThrow(expect.objectContaining({ code: 'E_INVALID_ARGUMENT' }))
  })
})

describe('release', () => {
  it("is the store's served release, raised by a higher release of the same content without a swap", async () => {
    const folder = scratchPolicies()
    dirs.push(join(folder.dir, '..'))
    const releaseAs = async (n: number) =>
      folder.write('policies.lock.json', formatLock(lockOfFolder(await checkPolicies(folder.dir, { lock: false })), n))
    await releaseAs(1)
    const stream = new PassThrough()
    let text = ''
    stream.on('data', (c: Buffer) => (text += c.toString('utf8')))
    const store = await watchPolicies(folder.dir, { watch: false, worker: false, debounceMs: 5, audit: createAuditLog(stream) })
    await store.decide(record(1), ASOF)
    await releaseAs(2)
    expect((await store.reload()).status).toBe('unchanged')
    await store.decide(record(2), ASOF)
    store.close()
    expect(validEntries(text).map((e) => e.release)).toEqual([1, 2])
  })

  it('is the lock release of a locked folder, and absent for a set without a lock', async () => {
    const scratchSet = scratchPolicies()
    dirs.push(join(scratchSet.dir, '..'))
    const unlocked = await loadPolicies(scratchSet.dir, { lock: false })
    expect(unlocked.release).toBeUndefined()
    expect(shipped.release).toBeGreaterThan(0)
    const file = join(scratch(), 'decisions.ndjson')
    const log = createAuditLog(file, { mode: 'durable' })
    await withAudit(unlocked, log).decide(record(1), ASOF)
    await withAudit(shipped, log).decide(record(2), ASOF)
    await log.close()
    const [a, b] = validEntries(read(file))
    expect('release' in a!).toBe(false)
    expect(b!.release).toBe(shipped.release)
    expect(a!.prev).toBe(GENESIS)
  })
})
