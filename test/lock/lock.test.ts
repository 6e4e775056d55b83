/**
 * The lock file in-process (the CLI tests run dist/, which mutation testing of src/ never reaches):
 * its keys in sorted order, the entry pattern anchored at both ends, and readLock/writeLock on a
 * real file, a missing one and one that cannot be read or written.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { CollabgateError } from '../../src/errors.js'
import { formatLock, lockOf, nextLock, parseLock, readLock, writeLock } from '../../src/lock/lock.js'
import type { Policy, RecordSchema } from '../../src/model.js'

const D = (c: string) => `sha256:${c.repeat(64)}`
const policy = (id: string, version: string, digest: string) => ({ id, version, digest }) as unknown as Policy
const schema = (subject: string, version: string, digest: string) => ({ subject, version, digest }) as unknown as RecordSchema

const dir = mkdtempSync(join(tmpdir(), 'collabgate-lock-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('lockOf', () => {
  it('lists policy and record schema keys in code-unit order whatever order they come in', () => {
    const lock = lockOf(
      [policy('b.policy', '1.0.0', D('b')), policy('a.policy', '2.0.0', D('2')), policy('a.policy', '1.0.0', D('1'))],
      [schema('application', '1.0.0', D('c'))],
    )
    expect(Object.keys(lock)).toEqual(['a.policy@1.0.0', 'a.policy@2.0.0', 'b.policy@1.0.0', 'record:application@1.0.0'])
    expect(lock['a.policy@2.0.0']).toBe(D('2'))
    expect(lock['record:application@1.0.0']).toBe(D('c'))
  })

  it('keeps the first of a duplicated key', () => {
    expect(lockOf([policy('a', '1.0.0', D('1')), policy('a', '1.0.0', D('2'))])).toEqual({ 'a@1.0.0': D('1') })
  })
})

describe('nextLock', () => {
  it('reports added, changed, removed and kept keys sorted', () => {
    const before = { 'z@1': D('1'), 'y@1': D('1'), 'x@1': D('1'), 'w@1': D('1'), 'v@1': D('1') }
    const current = { 'z@1': D('2'), 'y@1': D('2'), 'v@1': D('2'), 'w@1': D('2'), 'c@1': D('3'), 'b@1': D('3'), 'a@1': D('3') }
    const next = nextLock(before, current, ['y@1', 'z@1', 'x@1'])
    expect(next.added).toEqual(['a@1', 'b@1', 'c@1'])
    expect(next.changed).toEqual(['y@1', 'z@1'])
    expect(next.removed).toEqual(['x@1'])
    expect(next.kept).toEqual(['v@1', 'w@1'])
    expect(next.lock).toEqual({ 'z@1': D('2'), 'y@1': D('2'), 'w@1': D('1'), 'v@1': D('1'), 'c@1': D('3'), 'b@1': D('3'), 'a@1': D('3') })
  })

  it('refuses to update a key the lock does not list', () => {
    expect(() => nextLock({ 'a@1': D('1') }, {}, ['b@1'])).toThrow(/--update names b@1/)
  })
})

describe('formatLock', () => {
  it('writes keys sorted, two-space indented, with a trailing newline', () => {
    expect(formatLock({ 'b@1': D('b'), 'a@1': D('a') })).toBe(`{\n  "a@1": "${D('a')}",\n  "b@1": "${D('b')}"\n}\n`)
  })
})

describe('parseLock', () => {
  it('reads "id@version" entries', () => {
    expect(parseLock(`{"a.b@1.0.0": "${D('f')}", "record:x@1.0.0": "${D('0')}"}`)).toEqual({
      'a.b@1.0.0': D('f'),
      'record:x@1.0.0': D('0'),
    })
  })

  it.each([
    ['text before the id', ' a@1'],
    ['a second @', 'a@1@2'],
    ['a second @ before', 'x@a@1'],
    ['text after the version', 'a@1 '],
    ['no version', 'a@'],
    ['no id', '@1'],
  ])('refuses a key with %s', (_what, key) => {
    expect(() => parseLock(JSON.stringify({ [key]: D('a') }), 'my.lock.json')).toThrow(
      `my.lock.json: entry ${JSON.stringify(key)} must map "id@version" to "sha256:<64 hex digits>"`,
    )
  })

  it.each([
    ['upper-case hex', `sha256:${'A'.repeat(64)}`],
    ['63 digits', `sha256:${'a'.repeat(63)}`],
    ['65 digits', `sha256:${'a'.repeat(65)}`],
    ['a prefix', `xsha256:${'a'.repeat(64)}`],
    ['a number', 1],
  ])('refuses a digest with %s', (_what, digest) => {
    expect(() => parseLock(JSON.stringify({ 'a@1': digest }))).toThrow(/policies\.lock\.json: entry "a@1" must map/)
  })

  it.each([['[]'], ['null'], ['"x"'], ['3']])('refuses %s, which is not an object', (text) => {
    expect(() => parseLock(text)).toThrow('policies.lock.json must be a JSON object of "id@version": "sha256:<hex>"')
  })

  it('refuses text that is not JSON, with E_LOCK_INVALID', () => {
    const err = (() => {
      try {
        parseLock('{', 'x.json')
      } catch (e) {
        return e
      }
    })()
    expect(err).toBeInstanceOf(CollabgateError)
    expect((err as CollabgateError).code).toBe('E_LOCK_INVALID')
    expect((err as Error).message).toMatch(/^x\.json is not JSON: /)
  })
})

describe('readLock and writeLock', () => {
  it('write the formatted text and read it back', async () => {
    const file = join(dir, 'policies.lock.json')
    const lock = { 'b@1': D('b'), 'a@1': D('a') }
    expect(await writeLock(file, lock)).toBe(lock)
    expect(readFileSync(file, 'utf8')).toBe(formatLock(lock))
    expect(await readLock(file)).toEqual({ 'a@1': D('a'), 'b@1': D('b') })
  })

  it('read a missing file as no lock', async () => {
    expect(await readLock(join(dir, 'none.lock.json'))).toBeUndefined()
  })

  it('read a bad file as E_LOCK_INVALID naming the file', async () => {
    const file = join(dir, 'bad.lock.json')
    writeFileSync(file, '{"a": 1}')
    await expect(readLock(file)).rejects.toThrow(`${file}: entry "a" must map`)
  })

  it('say E_IO with the system code when the file cannot be read or written', async () => {
    const read = await readLock(dir).catch((e: unknown) => e)
    expect(read).toBeInstanceOf(CollabgateError)
    expect((read as CollabgateError).code).toBe('E_IO')
    expect((read as Error).message).toBe(`cannot read ${dir}: EISDIR`)
    const target = join(dir, 'no-such-dir', 'policies.lock.json')
    const written = await writeLock(target, {}).catch((e: unknown) => e)
    expect((written as CollabgateError).code).toBe('E_IO')
    expect((written as Error).message).toBe(`cannot write ${target}: ENOENT`)
  })
})
