/**
 * The command line at its edges (issue #10, part 6): a signal never leaves a torn output line, standard
 * input has the same size limit as a file, and record text that would not be read as written is refused.
 */
import { spawn } from 'node:child_process'
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { assertBuilt, cli, CLI, ROOT } from './run-cli.js'

let dir: string
let big: string
beforeAll(() => {
  assertBuilt()
  dir = mkdtempSync(join(tmpdir(), 'collabgate-edges-'))
  // enough lines that the batch is still running when the signal comes
  const lines = readFileSync(join(ROOT, 'examples', 'records.ndjson'), 'utf8')
    .trimEnd()
    .split('\n')
  const block = Array.from({ length: 2000 }, (_, i) => lines[i % lines.length]).join('\n') + '\n'
  big = join(dir, 'big.ndjson')
  writeFileSync(big, block.repeat(100))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const whole = (text: string): void => {
  expect(text.length).toBeGreaterThan(0)
  expect(text.endsWith('\n')).toBe(true)
  for (const line of text.slice(0, -1).split('\n')) expect(() => JSON.parse(line) as unknown).not.toThrow()
}

describe('a signal during a batch', () => {
  it.each([
    ['SIGTERM', 143],
    ['SIGINT', 130],
  ] as const)('%s into a pipe: the output ends with a whole line, and the exit code and message say so', async (signal, exitCode) => {
    for (let run = 0; run < 3; run++) {
      const child = spawn(process.execPath, [CLI, 'decide', big, '--workers', '2', '--as-of', '2026-11-24'], { cwd: ROOT })
      let out = ''
      let err = ''
      let sent = false
      child.stdout.setEncoding('utf8')
      child.stderr.setEncoding('utf8')
      child.stderr.on('data', (d: string) => (err += d))
      const code = await new Promise<number | null>((resolve) => {
        child.stdout.on('data', (d: string) => {
          out += d
          // a different moment each run, once output flows
          if (!sent && out.length > 200_000 * (run + 1)) {
            sent = true
            child.kill(signal)
          }
        })
        child.on('close', (c) => resolve(c))
      })
      expect(sent).toBe(true)
      whole(out)
      const answered = out.split('\n').length - 1
      expect(answered).toBeLessThan(200_000)
      expect(code).toBe(exitCode)
      expect(err).toContain(`collabgate: stopped by ${signal} after ${answered.toLocaleString('en-US')} line(s)`)
      expect(err).toContain(`answers input lines 1 to ${answered} and ends with a whole line`)
    }
  })

  it('SIGTERM into a file: the file ends with a whole line', async () => {
    const outFile = join(dir, 'out.ndjson')
    const fd = openSync(outFile, 'w')
    const child = spawn(process.execPath, [CLI, 'decide', big, '--workers', '2', '--as-of', '2026-11-24'], {
      cwd: ROOT,
      stdio: ['ignore', fd, 'pipe'],
    })
    closeSync(fd)
    let err = ''
    child.stderr!.setEncoding('utf8')
    child.stderr!.on('data', (d: string) => (err += d))
    const closed = new Promise<number | null>((resolve) => child.on('close', resolve))
    while (statSync(outFile).size < 500_000) await new Promise((r) => setTimeout(r, 20))
    child.kill('SIGTERM')
    expect(await closed).toBe(143)
    whole(readFileSync(outFile, 'utf8'))
    expect(err).toMatch(/stopped by SIGTERM after [\d,]+ line\(s\)/)
  })

  it('SIGTERM while waiting on a quiet pipe stops at once, after the lines already answered', async () => {
    const child = spawn(process.execPath, [CLI, 'decide', '-', '--ndjson', '--workers', '1', '--as-of', '2026-11-24'], { cwd: ROOT })
    const line = readFileSync(join(ROOT, 'examples', 'records.ndjson'), 'utf8').split('\n')[0]!
    let out = ''
    let err = ''
    child.stdout.setEncoding('utf8')
    child.stderr.setEncoding('utf8')
    child.stderr.on('data', (d: string) => (err += d))
    const closed = new Promise<number | null>((resolve) => child.on('close', resolve))
    child.stdin.write(line + '\n' + line + '\n')
    await new Promise<void>((resolve) =>
      child.stdout.on('data', (d: string) => {
        out += d
        if (out.split('\n').length - 1 === 2) resolve()
      }),
    )
    child.kill('SIGTERM') // standard input stays open: the batch is waiting for more
    expect(await closed).toBe(143)
    whole(out)
    expect(err).toContain('stopped by SIGTERM after 2 line(s)')
  })
})

describe('standard input', () => {
  it('is refused past the size limit of a file, without being read whole', async () => {
    const huge = 'x'.repeat(3 * 1024 * 1024)
    const fromStdin = await cli(['decide', '-'], { input: huge })
    expect(fromStdin.code).toBe(2)
    expect(fromStdin.stderr).toBe(
      'collabgate: standard input is over 1048576 bytes; it may be at most 1048576 bytes (for many records, one per line, use --ndjson)\n',
    )
    const file = join(dir, 'huge.json')
    writeFileSync(file, huge)
    const fromFile = await cli(['decide', file])
    expect(fromFile.code).toBe(2)
    expect(fromFile.stderr).toBe(
      `collabgate: ${file} is ${huge.length} bytes; it may be at most 1048576 bytes (for many records, one per line, use --ndjson)\n`,
    )
  })

  it('stops reading a 200 MB standard input at the limit instead of holding it', async () => {
    const child = spawn(process.execPath, [CLI, 'decide', '-'], { cwd: ROOT })
    let err = ''
    child.stderr.setEncoding('utf8')
    child.stderr.on('data', (d: string) => (err += d))
    const chunk = Buffer.alloc(1024 * 1024, 0x20)
    let written = 0
    child.stdin.on('error', () => undefined) // EPIPE once the CLI has stopped reading and exited
    const closed = new Promise<number | null>((resolve) => child.on('close', resolve))
    const pump = async () => {
      for (let i = 0; i < 200 && child.exitCode === null; i++) {
        if (!child.stdin.write(chunk)) await new Promise((r) => child.stdin.once('drain', r).once('close', r))
        written += chunk.length
      }
      child.stdin.end()
    }
    void pump()
    expect(await closed).toBe(2)
    expect(err).toContain('standard input is over 1048576 bytes')
    // it exited long before all 200 MB were sent
    expect(written).toBeLessThan(100 * 1024 * 1024)
  })

  it('refuses a lossy number and a duplicate key in a single record, naming the place', async () => {
    const record = JSON.parse(readFileSync(join(ROOT, 'examples', 'applications', 'complete-us-developer.json'), 'utf8')) as Record<
      string,
      unknown
    >
    const text = JSON.stringify(record).replace('"sellers":120', '"sellers":49.99999999999999999')
    const lossy = await cli(['decide', '-', '--as-of', '2026-11-24'], { input: text })
    expect(lossy.code).toBe(2)
    expect(lossy.stderr).toBe(
      'collabgate: E_RECORD_LOSSY_NUMBER: the record’s JSON text would not be read as written:\n' +
        '  /applicant/clientsServed/sellers: 49.99999999999999999 cannot be held exactly by a double: it would be read as 50\n',
    )
    const dup = await cli(['decide', '-', '--as-of', '2026-11-24'], { input: '{"a":1,\n "a":2}' })
    expect(dup.code).toBe(2)
    expect(dup.stderr).toContain('E_RECORD_DUPLICATE_KEY')
    expect(dup.stderr).toContain('/a: the key "a" appears twice in one object')
  })
})
