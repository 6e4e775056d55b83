/**
 * The command line at its edges (issue #10, part 6): a signal never leaves a torn output line, standard
 * input has the same size limit as a file, and record text that would not be read as written is refused.
 */
import { execFileSync, spawn } from 'node:child_process'
import { closeSync, createWriteStream, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
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
      'collabgate: E_RECORD_TOO_LARGE: standard input is over 1048576 bytes; it may be at most 1048576 bytes (for many records, one per line, use --ndjson)\n',
    )
    const file = join(dir, 'huge.json')
    writeFileSync(file, huge)
    const fromFile = await cli(['decide', file])
    expect(fromFile.code).toBe(2)
    expect(fromFile.stderr).toBe(
      `collabgate: E_RECORD_TOO_LARGE: ${file} is ${huge.length} bytes; it may be at most 1048576 bytes (for many records, one per line, use --ndjson)\n`,
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

/** Runs the CLI with `input` (bytes) on standard input; its exit code, stderr, and peak RSS in bytes. */
function run(args: string[], input: Buffer = Buffer.alloc(0)): Promise<{ code: number | null; stderr: string; maxRss: number }> {
  const preload = join(dir, 'rss.cjs')
  writeFileSync(preload, "process.on('exit', () => process.stderr.write(`\\nmaxRSS=${process.resourceUsage().maxRSS}\\n`))\n")
  const child = spawn(process.execPath, ['-r', preload, CLI, ...args], { cwd: ROOT })
  let err = ''
  child.stderr.setEncoding('utf8')
  child.stderr.on('data', (d: string) => (err += d))
  child.stdin.on('error', () => undefined)
  child.stdin.end(input)
  // bounded: a CLI that reads its input whole would be killed here and fail the exit-code check
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000)
  return new Promise((resolve) =>
    child.on('close', (code) => {
      clearTimeout(timer)
      const m = /\nmaxRSS=(\d+)\n$/.exec(err)
      resolve({ code, stderr: m ? err.slice(0, m.index) : err, maxRss: m ? Number(m[1]) * 1024 : NaN })
    }),
  )
}

const APPLICATION = readFileSync(join(ROOT, 'examples', 'applications', 'complete-us-developer.json'))

describe('a record file that is not a regular file (issue #21)', () => {
  it('/dev/zero: E_RECORD_TOO_LARGE after reading the limit, exit 2, in bounded memory', async () => {
    const started = Date.now()
    const zero = await run(['decide', '/dev/zero'])
    expect(zero.code).toBe(2)
    expect(zero.stderr).toBe(
      'collabgate: E_RECORD_TOO_LARGE: /dev/zero is over 1048576 bytes; it may be at most 1048576 bytes (for many records, one per line, use --ndjson)\n',
    )
    // reading it whole took over 600 MB before giving up
    expect(zero.maxRss).toBeLessThan(200 * 1024 * 1024)
    expect(Date.now() - started).toBeLessThan(30_000)
  })

  it('a FIFO fed more than the limit: refused at the limit instead of decided once the writer ends', async () => {
    const fifo = join(dir, 'record.fifo')
    execFileSync('mkfifo', [fifo])
    const done = run(['decide', '--as-of', '2026-11-24', fifo])
    // a whole record padded with spaces past the limit: read whole, it would be decided
    const writer = createWriteStream(fifo)
    writer.on('error', () => undefined) // EPIPE once the CLI has stopped reading
    const pad = Buffer.alloc(256 * 1024, 0x20)
    let written = 0
    const pump = async () => {
      if (writer.write(APPLICATION)) written += APPLICATION.length
      for (let i = 0; i < 16 && !writer.destroyed; i++) {
        if (!writer.write(pad)) await new Promise<void>((r) => writer.once('drain', () => r()).once('close', () => r()))
        written += pad.length
      }
      writer.end()
    }
    await Promise.all([pump(), done])
    const result = await done
    expect(written).toBeGreaterThan(1024 * 1024)
    expect(result.code).toBe(2)
    expect(result.stderr).toContain(`collabgate: E_RECORD_TOO_LARGE: ${fifo} is over 1048576 bytes`)
  })

  it('a FIFO under the limit is read and decided as a file is', async () => {
    const fifo = join(dir, 'small.fifo')
    execFileSync('mkfifo', [fifo])
    const done = run(['decide', '--as-of', '2026-11-24', fifo])
    const writer = createWriteStream(fifo)
    writer.end(APPLICATION)
    const result = await done
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
  })
})

describe('record bytes that are not UTF-8 (issue #21)', () => {
  // "US" written with a byte that is no UTF-8: read leniently, it became "U\uFFFD" and the record was decided
  const bad = Buffer.concat([APPLICATION.subarray(0, 20), Buffer.from([0xc3, 0x28]), APPLICATION.subarray(20)])

  it('a file: E_RECORD_NOT_UTF8 naming the byte and line, exit 2', async () => {
    const file = join(dir, 'bad-utf8.json')
    writeFileSync(file, bad)
    const result = await run(['decide', '--as-of', '2026-11-24', file])
    expect(result.code).toBe(2)
    const line = APPLICATION.subarray(0, 20).toString('latin1').split('\n').length
    expect(result.stderr).toBe(
      'collabgate: E_RECORD_NOT_UTF8: the record’s JSON text would not be read as written:\n' +
        `  /: the text is not valid UTF-8: byte 20 (line ${line}) begins c328${APPLICATION.subarray(20, 22).toString('hex')}, which is no UTF-8 character\n`,
    )
  })

  it('standard input: the same error', async () => {
    const result = await run(['decide', '--as-of', '2026-11-24', '-'], bad)
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('E_RECORD_NOT_UTF8')
    expect(result.stderr).toContain('byte 20 ')
  })
})
