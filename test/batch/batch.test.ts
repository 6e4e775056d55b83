/** Batch decisions: in-process (workers: 0) through the library, and the built CLI as a child process. */
import { spawn, spawnSync } from 'node:child_process'
import { once } from 'node:events'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Writable } from 'node:stream'
import { decideNdjson, decideNdjsonToStream, type BatchProgress } from '../../src/batch/batch.js'
import { formatProgress, wantsProgress } from '../../src/batch/progress.js'
import { defaultPolicies } from '../../src/folder/load.js'
import { CollabgateError } from '../../src/errors.js'
import { ROOT } from '../core/helpers.js'

const ASOF = '2026-11-24'
const EXAMPLE_LINES = readFileSync(join(ROOT, 'examples', 'records.ndjson'), 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '')
const INVALID_RECORD = JSON.stringify({ applicationId: 'APP-BAD', category: 42 })
/** Good lines with a malformed line, a blank line and a record failing its schema in the middle. */
const MIXED = [
  EXAMPLE_LINES[0]!,
  EXAMPLE_LINES[1]!,
  '{"applicationId": "APP-1", ',
  '',
  INVALID_RECORD,
  EXAMPLE_LINES[7]!,
  EXAMPLE_LINES[2]!,
]

async function* from(text: string) {
  // odd chunk sizes, so lines straddle chunks
  for (let i = 0; i < text.length; i += 97) yield text.slice(i, i + 97)
}

async function runInProcess(lines: string[], options: Partial<Parameters<typeof decideNdjson>[3]> = {}) {
  const set = await defaultPolicies()
  let out = ''
  const summary = await decideNdjson(set, from(lines.join('\n') + '\n'), (t) => void (out += t), { asOf: ASOF, workers: 0, ...options })
  return {
    summary,
    out: out
      .split('\n')
      .slice(0, -1)
      .map((l) => JSON.parse(l) as Record<string, unknown>),
  }
}

describe('decideNdjson in this thread', () => {
  it('answers every line in order: decisions, and error lines naming their line number', async () => {
    const { summary, out } = await runInProcess(MIXED)
    expect(out).toHaveLength(MIXED.length)
    expect(summary).toMatchObject({ lines: 7, decided: 4, failed: 3, workers: 0 })
    const set = await defaultPolicies()
    for (const i of [0, 1, 5, 6]) expect(out[i]).toEqual(JSON.parse(JSON.stringify(set.decideSync(JSON.parse(MIXED[i]!), { asOf: ASOF }))))
    expect(out[2]).toMatchObject({ line: 3, error: { code: 'E_LINE_NOT_JSON', problems: [] } })
    expect((out[2]!.error as { message: string }).message).toMatch(/not JSON/)
    expect(out[3]).toMatchObject({ line: 4, error: { code: 'E_LINE_BLANK' } })
    expect(out[4]).toMatchObject({ line: 5, error: { code: 'E_RECORD_INVALID' } })
    const problems = (out[4]!.error as { problems: { pointer: string }[] }).problems
    expect(problems.map((p) => p.pointer)).toContain('/category')
  })

  it('reports a line that is not a record of any kind', async () => {
    const { out } = await runInProcess(['[1, 2]', '"text"', '{"name": "no id"}'])
    expect(out.map((o) => (o.error as { code: string }).code)).toEqual(['E_SUBJECT_UNKNOWN', 'E_SUBJECT_UNKNOWN', 'E_SUBJECT_UNKNOWN'])
    expect(out.map((o) => o.line)).toEqual([1, 2, 3])
  })

  it('refuses bad options before reading a line', async () => {
    const set = await defaultPolicies()
    let read = false
    const input = (async function* () {
      read = true
      yield EXAMPLE_LINES[0]!
    })()
    const fail = (options: Parameters<typeof decideNdjson>[3]) =>
      decideNdjson(set, input, () => undefined, options).then(
        () => ({ code: 'no error' }),
        (e: unknown) => e as CollabgateError,
      )
    expect((await fail({ asOf: '24/11/2026', workers: 0 })).code).toBe('E_INVALID_ARGUMENT')
    expect((await fail({ asOf: ASOF, policy: 'no.such.policy', workers: 0 })).code).toBe('E_POLICY_NOT_FOUND')
    expect((await fail({ asOf: ASOF, workers: -1 })).code).toBe('E_INVALID_ARGUMENT')
    expect((await fail({ asOf: ASOF, workers: 1.5 })).code).toBe('E_INVALID_ARGUMENT')
    expect(read).toBe(false)
  })

  it('reports progress, ending with done', async () => {
    const seen: BatchProgress[] = []
    await runInProcess(MIXED, { onProgress: (p) => seen.push(p), progressIntervalMs: 1 })
    expect(seen.at(-1)).toMatchObject({ lines: 7, failed: 3, done: true })
    expect(seen.at(-1)!.bytesRead).toBeGreaterThan(100)
  })
})

/** A stream that keeps what is written; `lag` copies each chunk only after a delay, as a slow disk would. */
function collector(lag = 0) {
  const chunks: Buffer[] = []
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      if (lag === 0) {
        chunks.push(Buffer.from(chunk))
        return done()
      }
      setTimeout(() => {
        chunks.push(Buffer.from(chunk)) // read only now: had its buffer gone back to a worker, it could hold another block
        done()
      }, lag)
    },
  })
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') }
}

describe('decideNdjsonToStream', () => {
  // many blocks, error lines, and text beyond ASCII, so bytes and characters differ
  const LINES = Array.from({ length: 900 }, (_, i) =>
    i % 101 === 7
      ? '{"broken": '
      : i % 53 === 5
        ? JSON.stringify({ developerId: `DEV-ü-😀-${i}`, incidents: [] })
        : EXAMPLE_LINES[i % EXAMPLE_LINES.length]!,
  )
  const INPUT = LINES.join('\n') + '\n'

  it('writes byte for byte what decideNdjson writes, with 0, 1 or 2 workers', async () => {
    const set = await defaultPolicies()
    let expected = ''
    await decideNdjson(set, from(INPUT), (t) => void (expected += t), { asOf: ASOF, workers: 0 })
    expect(expected.split('\n')).toHaveLength(LINES.length + 1)
    expect(expected).toContain('DEV-ü-😀-5')
    for (const workers of [0, 1, 2]) {
      const out = collector()
      const summary = await decideNdjsonToStream(set, from(INPUT), out.stream, { asOf: ASOF, workers })
      expect(out.text(), `workers ${workers}`).toBe(expected)
      expect(summary).toMatchObject({ lines: LINES.length, failed: 9, workers })
    }
  })

  it('writes a block whose answer outgrows a worker buffer (explained decisions, 300 lines a block) byte for byte', async () => {
    const set = await defaultPolicies()
    const options = { asOf: ASOF, explain: true, blockLines: 300 }
    let expected = ''
    await decideNdjson(set, from(INPUT), (t) => void (expected += t), { ...options, workers: 0 })
    expect(Buffer.byteLength(expected) / 3).toBeGreaterThan(256 * 1024) // a block's bytes are over twice the first buffer
    const out = collector()
    await decideNdjsonToStream(set, from(INPUT), out.stream, { ...options, workers: 1 })
    expect(out.text()).toBe(expected)
  })

  it('never hands a buffer back to its worker before the stream has written it', async () => {
    const set = await defaultPolicies()
    let expected = ''
    await decideNdjson(set, from(INPUT), (t) => void (expected += t), { asOf: ASOF, workers: 0 })
    const slow = collector(2)
    await decideNdjsonToStream(set, from(INPUT), slow.stream, { asOf: ASOF, workers: 2, blockLines: 16 })
    expect(slow.text()).toBe(expected)
  })

  it('rejects with the error of a failed write, and writes nothing after it', async () => {
    const set = await defaultPolicies()
    for (const workers of [0, 2]) {
      let writes = 0
      const failing = new Writable({
        write(_chunk, _encoding, done) {
          writes++
          done(writes === 2 ? Object.assign(new Error('disk full'), { code: 'ENOSPC' }) : null)
        },
      })
      await expect(decideNdjsonToStream(set, from(INPUT), failing, { asOf: ASOF, workers, blockLines: 16 })).rejects.toMatchObject({
        code: 'ENOSPC',
      })
      expect(writes, `workers ${workers}`).toBe(2)
    }
  })
})

describe('progress line', () => {
  it('shows records, rate, ETA and failures', () => {
    const p = { lines: 12_345, failed: 3, bytesRead: 25, elapsedMs: 2_000, done: false }
    expect(formatProgress(p, 100)).toBe('12,345 records · 6,173/s · ETA 0:06 · 3 failed')
    expect(formatProgress({ ...p, failed: 0 })).toBe('12,345 records · 6,173/s')
  })

  it('is drawn only on a terminal outside CI', () => {
    expect(wantsProgress(true, {})).toBe(true)
    expect(wantsProgress(false, {})).toBe(false)
    expect(wantsProgress(true, { CI: 'true' })).toBe(false)
    expect(wantsProgress(true, { CI: '' })).toBe(true)
  })
})

describe('collabgate decide, batch mode (built CLI)', () => {
  const CLI = join(ROOT, 'dist', 'cli.js')
  let dir = ''
  beforeAll(() => {
    if (!existsSync(join(ROOT, 'dist', 'batch-worker.js'))) throw new Error('build first: npm run build (the CLI tests run dist/cli.js)')
    dir = mkdtempSync(join(tmpdir(), 'collabgate-batch-'))
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  const cli = (args: string[], input?: string, env: NodeJS.ProcessEnv = {}) => {
    const r = spawnSync(process.execPath, [CLI, ...args], {
      cwd: ROOT,
      input,
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
      env: { ...process.env, CI: '', ...env },
    })
    return { code: r.status, stdout: r.stdout, stderr: r.stderr, lines: r.stdout.split('\n').slice(0, -1) }
  }
  const file = (name: string, lines: string[]) => {
    const p = join(dir, name)
    writeFileSync(p, lines.join('\n') + '\n')
    return p
  }

  it('a malformed line in the middle: one output line per input line, in order, exit 1', () => {
    const r = cli(['decide', '--as-of', ASOF, file('mixed.ndjson', MIXED)])
    expect(r.code).toBe(1)
    expect(r.lines).toHaveLength(MIXED.length)
    const out = r.lines.map((l) => JSON.parse(l) as { line?: number; error?: { code: string }; subject?: { id: string } })
    expect(out.map((o) => o.error?.code ?? 'decided')).toEqual([
      'decided',
      'decided',
      'E_LINE_NOT_JSON',
      'E_LINE_BLANK',
      'E_RECORD_INVALID',
      'decided',
      'decided',
    ])
    expect(out[2]!.line).toBe(3)
    const idOf = (line: string) => {
      const rec = JSON.parse(line) as { applicationId?: string; developerId?: string }
      return rec.applicationId ?? rec.developerId
    }
    expect(out.map((o) => o.subject?.id)).toEqual([
      idOf(MIXED[0]!),
      idOf(MIXED[1]!),
      undefined,
      undefined,
      undefined,
      idOf(MIXED[5]!),
      idOf(MIXED[6]!),
    ])
    expect(r.stderr).toMatch(/3 of 7 line\(s\) could not be decided/)
  })

  it('workers 0, 1 and 2 write the same output over many blocks', () => {
    const lines = Array.from({ length: 1_500 }, (_, i) => (i % 97 === 50 ? 'oops' : EXAMPLE_LINES[i % EXAMPLE_LINES.length]!))
    const big = file('many.ndjson', lines)
    const outputs = ['0', '1', '2'].map((w) => cli(['decide', '--as-of', ASOF, '--workers', w, big]))
    for (const o of outputs) {
      expect(o.code).toBe(1)
      expect(o.lines).toHaveLength(lines.length)
    }
    expect(outputs[1]!.stdout).toBe(outputs[0]!.stdout)
    expect(outputs[2]!.stdout).toBe(outputs[0]!.stdout)
    expect(JSON.parse(outputs[2]!.lines[50]!)).toMatchObject({ line: 51, error: { code: 'E_LINE_NOT_JSON' } })
    expect(outputs[2]!.stderr).toMatch(/15 of 1,500 line\(s\)/)
  })

  it('decides a very long line in the main thread, never in a worker with a capped heap', () => {
    // over the 1,000,000 bytes a worker takes, under the record cap (1 MiB)
    const lines = [EXAMPLE_LINES[0]!, 'y'.repeat(1_020_000), EXAMPLE_LINES[7]!]
    const r = cli(['decide', '--as-of', ASOF, '--workers', '2', file('long.ndjson', lines)])
    expect(r.code).toBe(1)
    expect(r.lines.map((l) => (JSON.parse(l) as { error?: { code: string } }).error?.code ?? 'decided')).toEqual([
      'decided',
      'E_LINE_NOT_JSON',
      'decided',
    ])
  })

  it('reads standard input with --ndjson, exits 0 when every line is decided, and prints nothing on stderr in a pipe', () => {
    const r = cli(['decide', '--ndjson', '--as-of', ASOF, '-'], EXAMPLE_LINES.join('\n') + '\n')
    expect(r.code).toBe(0)
    expect(r.lines).toHaveLength(EXAMPLE_LINES.length)
    expect(r.stderr).toBe('')
  })

  it('stops quietly with exit 0 when the reader closes the pipe (| head)', async () => {
    const lines = Array.from({ length: 3_000 }, (_, i) => EXAMPLE_LINES[i % EXAMPLE_LINES.length]!)
    const child = spawn(process.execPath, [CLI, 'decide', '--as-of', ASOF, '--workers', '2', file('head.ndjson', lines)], {
      cwd: ROOT,
      env: { ...process.env, CI: '' },
    })
    let stderr = ''
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    // read the first chunk, then hang up, as `head -c` does
    await once(child.stdout, 'data')
    child.stdout.destroy()
    const [code] = (await once(child, 'exit')) as [number]
    expect(stderr).toBe('')
    expect(code).toBe(0)
  })

  it('refuses usage errors with exit 2', () => {
    const good = file('good.ndjson', EXAMPLE_LINES)
    expect(cli(['decide', '--format', 'text', good]).code).toBe(2)
    expect(cli(['decide', '--workers', 'many', good]).code).toBe(2)
    expect(cli(['decide', '--workers', '2', join(ROOT, 'examples', 'applications', 'complete-us-developer.json')]).code).toBe(2)
    expect(cli(['decide', join(dir, 'missing.ndjson')]).stderr).toMatch(/cannot read .*missing\.ndjson: ENOENT/)
    const badDate = cli(['decide', '--as-of', 'tomorrow', good])
    expect(badDate.code).toBe(2)
    expect(badDate.stdout).toBe('')
  })
})
