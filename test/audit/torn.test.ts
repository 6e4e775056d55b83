/**
 * A durable audit log whose writes fail part-way (an fs shim: the file takes N more bytes, then
 * ENOSPC; or flushing fails; or cutting back fails too). Every line left in the file must be whole
 * and belong to a decision that was answered: a failed group is cut off, never glued to.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import type { FileHandle } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { createAuditLog, defaultPolicies, withAudit, type AuditEntry, type PolicySet } from '../../src/index.js'
import { example } from '../store/helpers.js'

/** What the shim does to the next file operations: bytes the disk still takes, and which calls fail. */
const fault: { room?: number; datasync?: boolean; truncate?: boolean } = {}
const enospc = () => Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' })

vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs/promises')>()
  const open = async (...args: Parameters<typeof real.open>): Promise<FileHandle> => {
    const handle = await real.open(...args)
    return new Proxy(handle, {
      get(target, key) {
        if (key === 'write')
          return async (buffer: Buffer, offset: number, length: number) => {
            if (fault.room === undefined) return target.write(buffer, offset, length)
            if (fault.room === 0) throw enospc()
            const part = Math.min(length, fault.room)
            fault.room -= part
            return target.write(buffer, offset, part)
          }
        if (key === 'datasync') return () => (fault.datasync ? Promise.reject(enospc()) : target.datasync())
        if (key === 'truncate')
          return (len: number) => (fault.truncate ? Promise.reject(new Error('EIO: cannot truncate')) : target.truncate(len))
        const value = Reflect.get(target, key, target) as unknown
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value
      },
    })
  }
  return { ...real, open, default: { ...real, open } }
})

const ASOF = { asOf: '2026-11-24' }
let shipped: PolicySet
beforeAll(async () => {
  shipped = await defaultPolicies()
})
const dirs: string[] = []
afterEach(() => {
  for (const key of Object.keys(fault)) delete fault[key as keyof typeof fault]
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'collabgate-torn-'))
  dirs.push(dir)
  const file = join(dir, 'decisions.ndjson')
  const log = createAuditLog(file, { mode: 'durable', onError: () => {} })
  const audited = withAudit(shipped, log)
  const answered: string[] = []
  const decide = async (id: string): Promise<boolean> => {
    try {
      await audited.decide({ ...example('behaviour', 'clean-developer'), developerId: id }, ASOF)
      answered.push(id)
      return true
    } catch (err) {
      expect(err).toMatchObject({ code: 'E_AUDIT_FAILED' })
      return false
    }
  }
  /** Every line of the file: each must parse whole (throws otherwise), and the text ends with a newline. */
  const subjects = (): string[] => {
    const text = readFileSync(file, 'utf8')
    expect(text === '' || text.endsWith('\n')).toBe(true)
    return text
      .split('\n')
      .filter(Boolean)
      .map((l) => (JSON.parse(l) as AuditEntry).subject)
  }
  return { log, decide, answered, subjects }
}

describe('a durable write that fails part-way', () => {
  it('cuts the torn line off, so the next line starts at a line boundary', async () => {
    const { log, decide, answered, subjects } = setup()
    expect(await decide('DEV-1')).toBe(true)
    fault.room = 40 // part of the next line, then a full disk
    expect(await decide('DEV-2')).toBe(false)
    expect(subjects()).toEqual(['DEV-1'])
    delete fault.room
    expect(await decide('DEV-3')).toBe(true)
    expect(subjects()).toEqual(answered)
    expect(answered).toEqual(['DEV-1', 'DEV-3'])
    expect(log.health()).toMatchObject({ healthy: true, entries: 2, failed: 1 })
    await log.close()
  })

  it('leaves no line of a group whose flush failed, though every byte was written', async () => {
    const { log, decide, answered, subjects } = setup()
    expect(await decide('DEV-1')).toBe(true)
    fault.datasync = true
    const group = await Promise.all(['DEV-2', 'DEV-3', 'DEV-4'].map(decide))
    expect(group).toEqual([false, false, false])
    expect(subjects()).toEqual(['DEV-1'])
    fault.datasync = false
    expect(await decide('DEV-5')).toBe(true)
    expect(subjects()).toEqual(answered)
    await log.close()
  })

  it('when cutting back fails too, cuts before the next write, and writes nothing after a tail it cannot cut', async () => {
    const { log, decide, answered, subjects } = setup()
    expect(await decide('DEV-1')).toBe(true)
    fault.room = 25
    fault.truncate = true
    expect(await decide('DEV-2')).toBe(false)
    delete fault.room
    // the tail is still there and cannot be cut: the next decision is refused rather than written after it
    expect(await decide('DEV-3')).toBe(false)
    fault.truncate = false
    expect(await decide('DEV-4')).toBe(true)
    expect(subjects()).toEqual(answered)
    expect(answered).toEqual(['DEV-1', 'DEV-4'])
    await log.close()
  })
})
