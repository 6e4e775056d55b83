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
import { checkLock, formatLock, lockOf, nextLock, parseLock, parseLockFile, readLock, writeLock } from '../../src/lock/lock.js'
import type { Policy, RecordSchema, SourceLocation } from '../../src/model.js'

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
    expect(lockOf([policy('a', '1.0.0', D('1')), policy('a', '1.0.0', D('2'))])).toStrictEqual({ 'a@1.0.0': D('1') })
  })
})

describe('nextLock', () => {
  it('reports added, changed, removed and kept keys sorted', () => {
    const before = { 'z@1': D('1'), 'y@1': D('1'), 'x@1': D('1'), 'w@1': D('1'), 'v@1': D('1') }
    const current = { 'z@1': D('2'), 'y@1': D('2'), 'v@1': D('2'), 'w@1': D('2'), 'c@1': D('3'), 'b@1': D('3'), 'a@1': D('3') }
    const next = nextLock({ ...before, 'u@1': D('1') }, current, ['y@1', 'z@1', 'x@1', 'u@1'])
    expect(next.added).toEqual(['a@1', 'b@1', 'c@1'])
    expect(next.changed).toEqual(['y@1', 'z@1'])
    expect(next.removed).toEqual(['u@1', 'x@1'])
    expect(next.kept).toEqual(['v@1', 'w@1'])
    expect(next.lock).toEqual({ 'z@1': D('2'), 'y@1': D('2'), 'w@1': D('1'), 'v@1': D('1'), 'c@1': D('3'), 'b@1': D('3'), 'a@1': D('3') })
  })

  it('refuses to update a key the lock does not list', () => {
    expect(() => nextLock({ 'a@1': D('1') }, {}, ['b@1'])).toThrow(expect.objectContaining({ code: 'E_INVALID_ARGUMENT' }))
    expect(() => nextLock({ 'a@1': D('1') }, {}, ['b@1', 'c@1'])).toThrow(
      '--update names b@1, c@1, which the lock does not list; lock adds new versions without it',
    )
  })

  it('calls an updated entry changed, and a kept one kept, only when its digest differs', () => {
    const next = nextLock({ 'a@1': D('1'), 'b@1': D('1') }, { 'a@1': D('1'), 'b@1': D('1') }, ['a@1'])
    expect(next).toEqual({ lock: { 'a@1': D('1'), 'b@1': D('1') }, added: [], changed: [], removed: [], kept: [] })
  })
})

describe('formatLock', () => {
  it('writes keys sorted, two-space indented, with a trailing newline', () => {
    expect(formatLock({ 'b@1': D('b'), 'a@1': D('a') })).toBe(
      `{\n  "release": 1,\n  "entries": {\n    "a@1": "${D('a')}",\n    "b@1": "${D('b')}"\n  }\n}\n`,
    )
    expect(JSON.parse(formatLock({}, 7))).toEqual({ release: 7, entries: {} })
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

  it('refuses a digest that is not a string, even one that reads as one', () => {
    expect(() => parseLock(JSON.stringify({ 'a@1': [D('a')] }))).toThrow(/entry "a@1" must map/)
  })

  it.each([['[]'], ['null'], ['"x"'], ['3']])('refuses %s, which is not an object', (text) => {
    expect(() => parseLock(text)).toThrow('policies.lock.json must be a JSON object: { "release": N, "entries": {')
  })

  it('reads the numbered format and the first one (release 0) alike', () => {
    const entries = { 'a@1': D('a'), 'folder:collabgate.yaml': D('b'), 'record:x@1': D('c') }
    expect(parseLockFile(formatLock(entries, 4))).toEqual({ release: 4, entries })
    expect(parseLockFile(JSON.stringify(entries))).toEqual({ release: 0, entries })
  })

  it.each([
    ['a negative release', { release: -1, entries: {} }, '"release" must be a whole number'],
    ['a fractional release', { release: 1.5, entries: {} }, '"release" must be a whole number'],
    ['a release given as text', { release: '2', entries: {} }, '"release" must be a whole number'],
    ['no release', { entries: {} }, '"release" must be a whole number'],
    ['entries that are a list', { release: 1, entries: [] }, '"entries" must be a JSON object'],
    ['no entries', { release: 1 }, '"entries" must be a JSON object'],
    ['another key', { release: 1, entries: {}, signedBy: 'me' }, 'may hold only "release" and "entries"'],
    ['another folder file', { release: 1, entries: { 'folder:other.yaml': D('a') } }, 'entry "folder:other.yaml" must map'],
  ])('refuses a numbered lock with %s', (_what, value, message) => {
    expect(() => parseLockFile(JSON.stringify(value))).toThrow(message)
  })

  it('reads a __proto__ entry key as an entry it refuses, never as a prototype', () => {
    expect(() => parseLockFile('{"release": 1, "entries": {"__proto__": {"a@1": "x"}}}')).toThrow('entry "__proto__" must map')
    expect(() => parseLockFile(`{"__proto__": {"release": 9}, "entries": {}}`)).toThrow('"release" must be a whole number')
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
    expect((read as Error).cause).toMatchObject({ code: 'EISDIR' })
    const target = join(dir, 'no-such-dir', 'policies.lock.json')
    const written = await writeLock(target, {}).catch((e: unknown) => e)
    expect((written as CollabgateError).code).toBe('E_IO')
    expect((written as Error).message).toBe(`cannot write ${target}: ENOENT`)
    expect((written as Error).cause).toMatchObject({ code: 'ENOENT' })
  })
})

describe('checkLock', () => {
  const at = (file: string, line = 1): SourceLocation => ({ file, line, column: 1 })
  const recordSchema = (version: string, digest = D('5')) =>
    ({ subject: 'application', version, digest, location: at('collabgate.yaml', 7) }) as unknown as RecordSchema
  const version = (id: string, v: string, from: string, until?: string, digest = D('1'), schemaVersion = '1.0.0') =>
    ({
      id,
      version: v,
      digest,
      location: at(`${id}.v${v}.yaml`),
      effective: until === undefined ? { from } : { from, until },
      record: { schema: recordSchema(schemaVersion) },
    }) as unknown as Policy
  // where a problem points: the policy's file and the pointer the check asked for, as the line
  const pointers = ['/version', '/effective/from', '/recordSchema']
  const locate = (p: Policy, pointer: string) => at(p.location.file, 10 + pointers.indexOf(pointer))

  it('finds a released version whose content changed, policy or record schema', () => {
    const a = version('a', '1.0.0', '2026-01-01', undefined, D('b'))
    const schemaB = recordSchema('1.0.0', D('c'))
    const check = checkLock([a], { 'a@1.0.0': D('a'), 'record:application@1.0.0': D('d') }, { locate, schemas: [schemaB] })
    expect(check.problems).toEqual([
      {
        code: 'E_LOCK_MISMATCH',
        severity: 'error',
        message: `a@1.0.0 is released (locked sha256:aaaaaaaaaaaa…) but its content changed (now sha256:bbbbbbbbbbbb…)`,
        file: 'a.v1.0.0.yaml',
        line: 10,
        column: 1,
        pointer: '/version',
        hint: 'released versions are immutable: restore it and ship the change as a new version',
        params: { key: 'a@1.0.0', locked: D('a'), digest: D('b') },
      },
      {
        code: 'E_LOCK_MISMATCH',
        severity: 'error',
        message: `record:application@1.0.0 is released (locked sha256:dddddddddddd…) but its content changed (now sha256:cccccccccccc…)`,
        file: 'collabgate.yaml',
        line: 7,
        column: 1,
        pointer: '',
        hint: 'released versions are immutable: restore it and ship the change as a new version',
        params: { key: 'record:application@1.0.0', locked: D('d'), digest: D('c') },
      },
    ])
  })

  it('asks for a position only for a problem: a lock that matches locates nothing', () => {
    const asked: string[] = []
    const counting = (p: Policy, pointer: string) => (asked.push(`${p.id}${pointer}`), locate(p, pointer))
    const [a, b] = [version('a', '1.0.0', '2026-01-01'), version('b', '1.0.0', '2026-01-01')]
    expect(checkLock([a, b], { 'a@1.0.0': D('1'), 'b@1.0.0': D('1') }, { locate: counting }).problems).toEqual([])
    expect(asked).toEqual([])
    const changed = checkLock([a, b], { 'a@1.0.0': D('1'), 'b@1.0.0': D('2') }, { locate: counting })
    expect(changed.problems.map((p) => [p.code, p.file, p.line])).toEqual([['E_LOCK_MISMATCH', 'b.v1.0.0.yaml', 10]])
    expect(asked).toEqual(['b/version'])
  })

  it('lists unlocked and stale keys sorted, and calls a stale key missing only when the whole folder was loaded', () => {
    const policies = [version('c', '1.0.0', '2026-01-01'), version('b', '1.0.0', '2026-01-01')]
    const lock = { 'z@1.0.0': D('1'), 'y@1.0.0': D('1') }
    const partial = checkLock(policies, lock)
    expect(partial.unlocked).toEqual(['b@1.0.0', 'c@1.0.0'])
    expect(partial.stale).toEqual(['y@1.0.0', 'z@1.0.0'])
    // in a locked folder, a version the lock does not list may not decide
    expect(partial.problems.map((p) => [p.code, p.params])).toEqual([
      ['E_UNRELEASED', { key: 'c@1.0.0' }],
      ['E_UNRELEASED', { key: 'b@1.0.0' }],
    ])
    const whole = checkLock(policies, lock, { complete: true })
    expect(
      whole.problems.filter((p) => p.code !== 'E_UNRELEASED').map((p) => [p.code, p.message, p.file, p.line, p.pointer, p.hint, p.params]),
    ).toEqual(
      ['y@1.0.0', 'z@1.0.0'].map((key) => [
        'E_LOCK_MISSING',
        `${key} is released (in the lock) but no file in the folder holds it`,
        'policies.lock.json',
        1,
        '',
        'restore it: released versions stay',
        { key },
      ]),
    )
    const located = checkLock(policies, lock, { complete: true, locateEntry: (key) => at('lock', key === 'y@1.0.0' ? 2 : 3) })
    expect(located.problems.filter((p) => p.code !== 'E_UNRELEASED').map((p) => [p.file, p.line])).toEqual([
      ['lock', 2],
      ['lock', 3],
    ])
  })

  it('finds every record schema, policy version and declaration the lock does not list, released policy or not', () => {
    const policies = [version('a', '1.0.0', '2026-01-01'), version('c', '1.0.0', '2026-01-01')]
    const lock = { 'a@1.0.0': D('1') }
    const declaration = { digest: D('9'), location: at('collabgate.yaml') }
    const check = checkLock(policies, lock, { locate, schemas: [recordSchema('1.0.0')], declaration })
    expect(check.problems).toEqual([
      {
        code: 'E_UNRELEASED',
        severity: 'error',
        message: 'c@1.0.0 is not released: the lock does not list this policy version, so it may not decide',
        file: 'c.v1.0.0.yaml',
        line: 10,
        column: 1,
        pointer: '/version',
        hint: "release it with 'collabgate lock' (and sign the release where a trust file is used), or load with the lock off for scratch work",
        params: { key: 'c@1.0.0' },
      },
      expect.objectContaining({
        code: 'E_UNRELEASED',
        message: 'record:application@1.0.0 is not released: the lock does not list this record schema, so it may not decide',
        file: 'collabgate.yaml',
        line: 7,
      }),
      expect.objectContaining({
        code: 'E_UNRELEASED',
        message: 'folder:collabgate.yaml is not released: the lock does not list this folder declaration, so it may not decide',
        file: 'collabgate.yaml',
        line: 1,
      }),
    ])
    expect(check.unlocked).toEqual(
      ['a@1.0.0', 'c@1.0.0', 'folder:collabgate.yaml', 'record:application@1.0.0'].filter((k) => k !== 'a@1.0.0'),
    )
    // the declaration released with other content: a mismatch like any released file
    const changed = checkLock([], { 'folder:collabgate.yaml': D('8') }, { declaration })
    expect(changed.problems.map((p) => [p.code, p.params])).toEqual([
      ['E_LOCK_MISMATCH', { key: 'folder:collabgate.yaml', locked: D('8'), digest: D('9') }],
    ])
    // and gone: missing when the whole folder was loaded
    expect(checkLock([], { 'folder:collabgate.yaml': D('8') }, { complete: true }).problems.map((p) => p.code)).toEqual(['E_LOCK_MISSING'])
  })

  describe('an unreleased version in effect on a released date', () => {
    const released = [version('p', '2.0.0', '2027-01-01'), version('p', '1.0.0', '2026-01-01', '2026-09-01')]
    const lock = { 'p@1.0.0': D('1'), 'p@2.0.0': D('1') }
    const problemFor = (p: Policy, endOf?: (p: Policy) => string | undefined) =>
      checkLock([...released, p], lock, { locate, endOf }).problems

    it('is a problem from the first released day it would take, naming the released version', () => {
      expect(problemFor(version('p', '1.5.0', '2026-06-01'))).toEqual([
        {
          code: 'E_UNRELEASED',
          severity: 'error',
          message: 'p@1.5.0 is not released (not in the lock) but would be in effect from 2026-06-01, a date the released p@1.0.0 covers',
          file: 'p.v1.5.0.yaml',
          line: 11,
          column: 1,
          pointer: '/effective/from',
          hint: "release it with 'collabgate lock' (and sign the release where a trust file is used), or load with the lock off for scratch work",
          params: { key: 'p@1.5.0', from: '2026-06-01', released: 'p@1.0.0' },
        },
      ])
      // starting before the released dates: from the first released day
      expect(problemFor(version('p', '0.9.0', '2025-01-01', '2026-03-01'))[0]!.params).toEqual({
        key: 'p@0.9.0',
        from: '2026-01-01',
        released: 'p@1.0.0',
      })
      expect(problemFor(version('p', '3.0.0', '2028-01-01'))[0]!.params).toEqual({
        key: 'p@3.0.0',
        from: '2028-01-01',
        released: 'p@2.0.0',
      })
    })

    it('says only that it is not released on dates no released version covers (until is exclusive)', () => {
      const plain = (p: Policy) => problemFor(p).map((x) => [x.code, x.params, x.pointer])
      expect(plain(version('p', '0.9.0', '2025-01-01', '2026-01-01'))).toEqual([['E_UNRELEASED', { key: 'p@0.9.0' }, '/version']])
      expect(plain(version('p', '1.9.0', '2026-09-01', '2027-01-01'))).toEqual([['E_UNRELEASED', { key: 'p@1.9.0' }, '/version']])
      expect(plain(version('q', '1.0.0', '2026-06-01'))).toEqual([['E_UNRELEASED', { key: 'q@1.0.0' }, '/version']])
    })

    it('takes the end of each version from endOf when given', () => {
      const early = version('p', '0.9.0', '2025-01-01')
      expect(problemFor(early, () => '2026-01-01')[0]!.params).toEqual({ key: 'p@0.9.0' })
      expect(problemFor(early, () => '2026-01-02')[0]!.params).toEqual({ key: 'p@0.9.0', from: '2026-01-01', released: 'p@1.0.0' })
      expect(problemFor(early)[0]!.params).toEqual({ key: 'p@0.9.0', from: '2026-01-01', released: 'p@1.0.0' })
    })

    it('lets a released version cover dates only until the next released one takes effect', () => {
      const overlapping = [version('p', '2.0.0', '2027-01-01'), version('p', '1.0.0', '2026-01-01', '2027-06-01')]
      const check = checkLock([...overlapping, version('p', '2.1.0', '2027-02-01')], lock)
      expect(check.problems[0]!.params).toEqual({ key: 'p@2.1.0', from: '2027-02-01', released: 'p@2.0.0' })
      const open = [version('p', '2.0.0', '2027-01-01'), version('p', '1.0.0', '2026-01-01')]
      const after = checkLock([...open, version('p', '2.1.0', '2027-02-01')], lock).problems
      expect(after[0]!.params).toEqual({ key: 'p@2.1.0', from: '2027-02-01', released: 'p@2.0.0' })
    })

    it('sorts the unreleased keys', () => {
      const check = checkLock([...released, version('p', '1.7.0', '2026-07-01'), version('p', '1.6.0', '2026-06-01')], lock)
      expect(check.unlocked).toEqual(['p@1.6.0', 'p@1.7.0'])
    })
  })
})
