import { execFileSync } from 'node:child_process'
import { chmodSync, createWriteStream, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { readPolicyFile, readWholeFile } from '../../src/read/small-file.js'

const tmp = mkdtempSync(join(tmpdir(), 'collabgate-small-file-'))
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

const code = (p: Promise<unknown>) =>
  p.then(
    () => 'read',
    (err: NodeJS.ErrnoException) => err.code,
  )

describe('reading a policy folder file', () => {
  it('a regular file: its bytes and size; over the limit, its size alone', async () => {
    const file = join(tmp, 'a.yaml')
    writeFileSync(file, 'id: a\n')
    expect(await readPolicyFile(file, 100)).toEqual({ bytes: Buffer.from('id: a\n'), size: 6 })
    expect(await readPolicyFile(file, 5)).toEqual({ size: 6 })
    expect(await readWholeFile(file)).toEqual(Buffer.from('id: a\n'))
  })

  it('fails with the codes a promise read gives: missing, a folder, a file inside a file', async () => {
    const folder = join(tmp, 'folder.yaml')
    mkdirSync(folder)
    expect(await code(readPolicyFile(join(tmp, 'missing.yaml')))).toBe('ENOENT')
    expect(await code(readPolicyFile(folder))).toBe('EISDIR')
    expect(await code(readWholeFile(folder))).toBe('EISDIR')
    expect(await code(readPolicyFile(join(tmp, 'a.yaml', 'b.yaml')))).toBe('ENOTDIR')
  })

  it('a file it may not open but whose size is over the limit: its size, as a stat before the read gave', async () => {
    const file = join(tmp, 'locked.yaml')
    writeFileSync(file, 'x'.repeat(50))
    chmodSync(file, 0o000)
    try {
      // (as root every file opens: then it is read, and the size says the same)
      expect((await readPolicyFile(file, 10)).size).toBe(50)
    } finally {
      chmodSync(file, 0o600)
    }
  })

  it('a pipe named like a policy file: read without blocking the process until its writer ends', async () => {
    const fifo = join(tmp, 'pipe.yaml')
    execFileSync('mkfifo', [fifo])
    const reading = readPolicyFile(fifo, 1000)
    // the event loop still turns while the read waits for a writer
    let ticked = false
    await new Promise<void>((resolve) => setTimeout(() => resolve(void (ticked = true)), 20))
    expect(ticked).toBe(true)
    createWriteStream(fifo).end('id: p\n')
    expect(await reading).toEqual({ bytes: Buffer.from('id: p\n'), size: 0 })
  }, 10_000)
})
