/**
 * The durable audit mode and the audit log's health, on real files: a decision is answered only
 * after its line is on disk, a full disk (/dev/full) fails the decision with E_AUDIT_FAILED instead
 * of letting it go unrecorded, and a process killed with SIGKILL has a line for every answer it gave.
 * The SIGKILL test runs the built package (`npm run build` first).
 */
import { spawn } from 'node:child_process'
import {
  closeSync,
  createWriteStream,
  existsSync,
  mkdtempSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { Writable } from 'node:stream'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import {
  createAuditLog,
  defaultPolicies,
  defaultPoliciesDir,
  watchPolicies,
  withAudit,
  type AuditEntry,
  type PolicySet,
} from '../../src/index.js'
import { example, ROOT } from '../store/helpers.js'

const ASOF = { asOf: '2026-11-24' }
let shipped: PolicySet
beforeAll(async () => {
  shipped = await defaultPolicies()
})

const dirs: string[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})
function scratch(): string {
  const dir = mkdtempSync(join(tmpdir(), 'collabgate-durable-'))
  dirs.push(dir)
  return dir
}
const linesOf = (file: string): AuditEntry[] =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as AuditEntry)

describe('durable audit log', () => {
  it('has the line on disk when the decision is answered', async () => {
    const file = join(scratch(), 'decisions.ndjson')
    const log = createAuditLog(file, { mode: 'durable' })
    const audited = withAudit(shipped, log)
    for (let i = 1; i <= 3; i++) {
      const d = await audited.decide({ ...example('behaviour', 'suspected-fraud'), developerId: `DEV-${i}` }, ASOF)
      // read straight after the answer, before anything else can run: the line is already written
      const lines = linesOf(file)
      expect(lines).toHaveLength(i)
      expect(lines[i - 1]).toMatchObject({ subject: `DEV-${i}`, outcome: d.outcome, digest: d.policy.digest })
    }
    expect(log.health()).toEqual({ healthy: true, mode: 'durable', entries: 3, failed: 0, dropped: 0, reopened: 0 })
    await log.close()
  })

  it('writes concurrent decisions in groups, one line each, none lost', async () => {
    const file = join(scratch(), 'decisions.ndjson')
    const log = createAuditLog(file, { mode: 'durable' })
    const audited = withAudit(shipped, log)
    const ids = Array.from({ length: 300 }, (_, i) => `DEV-${i}`)
    await Promise.all(ids.map((id) => audited.decide({ ...example('behaviour', 'clean-developer'), developerId: id }, ASOF)))
    expect(
      linesOf(file)
        .map((l) => l.subject)
        .sort(),
    ).toEqual([...ids].sort())
    expect(log.entries).toBe(300)
    await log.close()
  })

  it('fails the decision with E_AUDIT_FAILED on a full disk (/dev/full) and reports why', async () => {
    expect(existsSync('/dev/full')).toBe(true)
    const errors: Error[] = []
    const log = createAuditLog('/dev/full', { mode: 'durable', onError: (e) => errors.push(e) })
    const audited = withAudit(shipped, log)
    for (let i = 0; i < 2; i++) {
      const err = await audited.decide(example('behaviour', 'confirmed-data-leak'), ASOF).catch((e: unknown) => e)
      expect(err).toMatchObject({ code: 'E_AUDIT_FAILED', message: expect.stringContaining('ENOSPC') })
    }
    expect(log.health()).toMatchObject({ healthy: false, mode: 'durable', entries: 0, failed: 2, reason: 'ENOSPC' })
    expect(errors).toHaveLength(1) // one report per failure episode
    await log.close()
  })

  it('heals once the file can be written again (the sink is reopened on the next group)', async () => {
    const dir = scratch()
    const link = join(dir, 'decisions.ndjson')
    symlinkSync('/dev/full', link)
    const log = createAuditLog(link, { mode: 'durable', onError: () => {} })
    const audited = withAudit(shipped, log)
    const record = example('behaviour', 'suspected-fraud')
    await expect(audited.decide(record, ASOF)).rejects.toMatchObject({ code: 'E_AUDIT_FAILED' })
    expect(log.health().healthy).toBe(false)
    unlinkSync(link) // the operator frees the disk: the path is a real file again
    await audited.decide(record, ASOF)
    expect(log.health()).toMatchObject({ healthy: true, entries: 1, failed: 1 })
    expect(linesOf(link)).toHaveLength(1)
    await log.close()
  })

  it('on a stream, waits for the write callback and fails the decision when it errs (EBADF)', async () => {
    const dir = scratch()
    const fd = openSync(join(dir, 'x.ndjson'), 'a')
    const stream = createWriteStream('', { fd, autoClose: false })
    closeSync(fd) // the descriptor is gone under the stream: EBADF on the next write
    const log = createAuditLog(stream, { mode: 'durable', onError: () => {} })
    await expect(withAudit(shipped, log).decide(example('behaviour', 'clean-developer'), ASOF)).rejects.toMatchObject({
      code: 'E_AUDIT_FAILED',
      message: expect.stringContaining('EBADF'),
    })
    expect(log.health()).toMatchObject({ healthy: false, reason: 'EBADF' })

    const ok = createAuditLog(
      new Writable({
        write(_c, _e, callback) {
          setTimeout(callback, 5)
        },
      }),
      { mode: 'durable' },
    )
    await withAudit(shipped, ok).decide(example('behaviour', 'clean-developer'), ASOF)
    expect(ok.entries).toBe(1) // counted only once the callback came
  })

  it('refuses an unknown mode', () => {
    expect(() => createAuditLog(join(scratch(), 'x'), { mode: 'eventually' as never })).toThrow(/audit mode/)
  })
})

describe('buffered audit log (the default)', () => {
  it('keeps answering on a full disk, and says it is unhealthy', async () => {
    const errors: Error[] = []
    const log = createAuditLog('/dev/full', { onError: (e) => errors.push(e) })
    const audited = withAudit(shipped, log)
    const d = await audited.decide(example('behaviour', 'confirmed-data-leak'), ASOF)
    expect(d.outcome).toBe('terminate')
    for (let i = 0; i < 100 && log.health().healthy; i++) await new Promise((r) => setTimeout(r, 20))
    await audited.decide(example('behaviour', 'confirmed-data-leak'), ASOF)
    expect(log.health()).toMatchObject({ healthy: false, mode: 'buffered', reason: 'ENOSPC' })
    expect(log.health().failed).toBeGreaterThanOrEqual(1)
    expect(errors).toHaveLength(1)
    await log.close()
  })

  it('is healthy again after reopen() once the file can be written', async () => {
    const dir = scratch()
    const link = join(dir, 'decisions.ndjson')
    symlinkSync('/dev/full', link)
    const log = createAuditLog(link, { onError: () => {} })
    const audited = withAudit(shipped, log)
    await audited.decide(example('behaviour', 'clean-developer'), ASOF)
    for (let i = 0; i < 100 && log.health().healthy; i++) await new Promise((r) => setTimeout(r, 20))
    expect(log.health().healthy).toBe(false)
    unlinkSync(link)
    await log.reopen()
    expect(log.health().healthy).toBe(true)
    await audited.decide(example('behaviour', 'clean-developer'), ASOF)
    await log.close()
    expect(linesOf(link)).toHaveLength(1)
  })
})

describe('an audit file deleted or replaced under the log', () => {
  const record = (i: number) => ({ ...example('behaviour', 'clean-developer'), developerId: `DEV-${i}` })

  it('durable: notices before the next write, opens the path again, and says so in health()', async () => {
    const file = join(scratch(), 'decisions.ndjson')
    const log = createAuditLog(file, { mode: 'durable' })
    const audited = withAudit(shipped, log)
    await audited.decide(record(1), ASOF)
    unlinkSync(file)
    await audited.decide(record(2), ASOF)
    expect(linesOf(file).map((l) => l.subject)).toEqual(['DEV-2'])
    expect(log.health()).toMatchObject({ healthy: true, entries: 2, reopened: 1, lastReopen: { reason: 'the audit file was deleted' } })

    renameSync(file, `${file}.1`) // rotation without a signal: a new file takes the name
    writeFileSync(file, '')
    await audited.decide(record(3), ASOF)
    expect(linesOf(file).map((l) => l.subject)).toEqual(['DEV-3'])
    expect(linesOf(`${file}.1`).map((l) => l.subject)).toEqual(['DEV-2'])
    expect(log.health()).toMatchObject({ reopened: 2, lastReopen: { reason: 'the audit file was replaced by another file' } })
    await log.close()
  })

  it('buffered: checks at most every checkFileMs, and loses no line written after the reopen', async () => {
    const file = join(scratch(), 'decisions.ndjson')
    const log = createAuditLog(file, { checkFileMs: 50 })
    const audited = withAudit(shipped, log)
    await audited.decide(record(1), ASOF)
    for (let i = 0; i < 100 && !existsSync(file); i++) await new Promise((r) => setTimeout(r, 10))
    for (let i = 0; i < 100 && readFileSync(file, 'utf8') === ''; i++) await new Promise((r) => setTimeout(r, 10))
    unlinkSync(file)
    await new Promise((r) => setTimeout(r, 80))
    for (let i = 2; i <= 4; i++) await audited.decide(record(i), ASOF)
    await log.close()
    expect(linesOf(file).map((l) => l.subject)).toEqual(['DEV-2', 'DEV-3', 'DEV-4'])
    expect(log.health()).toMatchObject({ healthy: true, reopened: 1, lastReopen: { reason: 'the audit file was deleted' } })
  })
})

describe('the store and the audit log', () => {
  it('reports the audit health in status() and refuses to answer unrecorded in durable mode', async () => {
    const store = await watchPolicies(defaultPoliciesDir(), {
      watch: false,
      audit: createAuditLog('/dev/full', { mode: 'durable', onError: () => {} }),
    })
    await expect(store.decide(example('behaviour', 'clean-developer'), ASOF)).rejects.toMatchObject({ code: 'E_AUDIT_FAILED' })
    expect(store.status().audit).toMatchObject({ healthy: false, reason: 'ENOSPC', mode: 'durable' })
    const without = await watchPolicies(defaultPoliciesDir(), { watch: false })
    expect(without.status().audit).toBeUndefined()
  })
})

describe('SIGKILL after answers', () => {
  it('leaves no answered decision without its audit line (durable mode, a child process)', async () => {
    const entry = join(ROOT, 'dist', 'index.js')
    if (!existsSync(entry)) throw new Error('dist/index.js is missing: run `npm run build` first')
    for (let run = 0; run < 3; run++) {
      const file = join(scratch(), 'decisions.ndjson')
      const child = spawn(process.execPath, [join(import.meta.dirname, 'fixtures', 'decide-until-killed.mjs'), file, 'durable'], {
        stdio: ['ignore', 'pipe', 'inherit'],
      })
      const answered: string[] = []
      const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)))
      await new Promise<void>((resolve) => {
        createInterface({ input: child.stdout }).on('line', (line) => {
          if (line === 'ready') return
          answered.push(line)
          if (answered.length === 400 + run * 300) {
            child.kill('SIGKILL')
            resolve()
          }
        })
      })
      expect(await exited).toBe('SIGKILL')
      const text = readFileSync(file, 'utf8')
      // every complete line is JSON; only a last line cut by the kill may be partial
      const complete = text.split('\n').slice(0, -1)
      const audited = new Set(complete.map((l) => (JSON.parse(l) as AuditEntry).subject))
      expect(answered.filter((id) => !audited.has(id))).toEqual([])
      expect(audited.size).toBeGreaterThanOrEqual(answered.length)
    }
  })
})
