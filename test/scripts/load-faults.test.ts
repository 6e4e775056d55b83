/**
 * The fault harness's own checks (scripts/load-faults.mjs): audit lines matched to answers by decision
 * id, lines of a deleted audit file told apart by when they were decided, both lock formats, and a load
 * loop that leaves no request in flight when it stops (so no audit line can lack its answer).
 */
import { closeSync, mkdtempSync, openSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'

interface Line {
  from: 'file' | 'deleted' | 'lost'
  line: string
}
interface LoadStats {
  requests: number
  errors: number
  timeouts: number
}
interface Case {
  path: string
  body: string
}
interface HarnessModule {
  matchAudit(lines: Line[], answeredIds: string[]): { missing: number; extra: number; unreadable: number }
  auditLinesOf(dir: string, held: { fd: number; deletedAt: number }[]): Line[]
  readLock(dir: string): { release: number; entries: Record<string, string> }
  startLoad(options: {
    url: string
    connections: number
    cases: Case[]
    headers: Record<string, string>
    onAnswer: (c: Case, status: number, headers: Record<string, string | string[] | undefined>, body: string) => void
  }): { stop(): Promise<LoadStats> }
}

const ROOT = join(__dirname, '..', '..')
let harness: HarnessModule
const dirs: string[] = []
const scratch = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'collabgate-harness-'))
  dirs.push(dir)
  return dir
}
const line = (id: string): string => JSON.stringify({ id, time: new Date().toISOString() })

beforeAll(async () => {
  harness = (await import(pathToFileURL(join(ROOT, 'scripts', 'load-faults.mjs')).href)) as HarnessModule
})
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

describe('matchAudit', () => {
  it('matches lines to answers one by one: no line is missing, a duplicate or a stranger is extra', () => {
    const lines: Line[] = [
      { from: 'file', line: line('a') },
      { from: 'file', line: line('b') },
      { from: 'file', line: line('b') },
      { from: 'file', line: line('x') },
    ]
    expect(harness.matchAudit(lines, ['a', 'b', 'c'])).toEqual({ missing: 1, extra: 2, unreadable: 0 })
  })

  it('does not let a surplus line stand in for a missing one, as a count would', () => {
    const lines: Line[] = [
      { from: 'file', line: line('a') },
      { from: 'file', line: line('x') },
    ]
    const m = harness.matchAudit(lines, ['a', 'b'])
    expect([m.missing, m.extra]).toEqual([1, 1])
  })

  it('reads the id as id, decisionId or decision, and counts a line with none (or not JSON) as extra', () => {
    const lines: Line[] = [
      { from: 'file', line: JSON.stringify({ decisionId: 'a' }) },
      { from: 'file', line: JSON.stringify({ decision: 'b' }) },
      { from: 'file', line: JSON.stringify({ outcome: 'approve' }) },
      { from: 'file', line: '{"id":"c", torn' },
    ]
    expect(harness.matchAudit(lines, ['a', 'b'])).toEqual({ missing: 0, extra: 2, unreadable: 2 })
  })

  it('counts the same decision id on two answers as one answer without a line', () => {
    expect(harness.matchAudit([{ from: 'file', line: line('a') }], ['a', 'a']).missing).toBe(1)
  })

  it('does not count a line lost to a deleted file as the answer’s line', () => {
    const m = harness.matchAudit([{ from: 'lost', line: line('a') }], ['a'])
    expect(m).toEqual({ missing: 1, extra: 0, unreadable: 0 })
  })
})

describe('auditLinesOf', () => {
  it('reads real files, skips a /dev/full link, and tells a deleted file’s lines by when they were decided', () => {
    const dir = scratch()
    writeFileSync(join(dir, 'decisions.ndjson.1'), line('rotated') + '\n')
    symlinkSync('/dev/full', join(dir, 'decisions.ndjson'))
    const gone = join(dir, 'gone.ndjson')
    writeFileSync(gone, JSON.stringify({ id: 'before', time: '2026-01-01T00:00:00.000Z' }) + '\n')
    const fd = openSync(gone, 'r')
    const writer = openSync(gone, 'a')
    unlinkSync(gone)
    const deletedAt = Date.parse('2026-01-01T00:00:01.000Z')
    writeFileSync(writer, JSON.stringify({ id: 'after', time: '2026-01-01T00:00:02.000Z' }) + '\n')
    closeSync(writer)
    const lines = harness.auditLinesOf(dir, [{ fd, deletedAt }])
    const by = (from: Line['from']): string[] => lines.filter((l) => l.from === from).map((l) => (JSON.parse(l.line) as { id: string }).id)
    expect(by('file')).toEqual(['rotated'])
    expect(by('deleted')).toEqual(['before'])
    expect(by('lost')).toEqual(['after'])
  })
})

describe('readLock', () => {
  it('reads a lock with a release and the flat lock before releases (release 0)', () => {
    const dir = scratch()
    const entries = { 'a@1.0.0': 'sha256:' + '0'.repeat(64) }
    writeFileSync(join(dir, 'policies.lock.json'), JSON.stringify({ release: 3, entries }))
    expect(harness.readLock(dir)).toEqual({ release: 3, entries })
    writeFileSync(join(dir, 'policies.lock.json'), JSON.stringify(entries))
    expect(harness.readLock(dir)).toEqual({ release: 0, entries })
  })
})

describe('startLoad', () => {
  let server: Server | undefined
  afterEach(async () => {
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()))
    server?.closeAllConnections()
    server = undefined
  })

  it('gives each answer’s headers, and stop() waits for every request in flight, so none is cut off', async () => {
    let sent = 0
    let aborted = 0
    server = createServer((req, res) => {
      req.resume()
      req.on('end', () => {
        // slow answers: stop() is called while each connection has one in flight
        const timer = setTimeout(() => {
          sent++
          res.writeHead(200, { 'x-decision-id': `d${sent}`, 'content-type': 'application/json' })
          res.end('{}')
        }, 100)
        res.on('close', () => {
          if (!res.writableFinished) {
            clearTimeout(timer)
            aborted++
          }
        })
      })
    })
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', () => r()))
    const address = server.address()
    const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`
    const ids: string[] = []
    const load = harness.startLoad({
      url,
      connections: 3,
      cases: [{ path: '/v1/decisions', body: '{}' }],
      headers: {},
      onAnswer: (_c, status, headers) => {
        if (status === 200 && typeof headers['x-decision-id'] === 'string') ids.push(headers['x-decision-id'])
      },
    })
    await new Promise((r) => setTimeout(r, 250))
    const stats = await load.stop()
    expect(stats.errors + stats.timeouts).toBe(0)
    expect(aborted).toBe(0)
    expect(stats.requests).toBe(sent)
    expect(new Set(ids).size).toBe(sent)
    expect(sent).toBeGreaterThanOrEqual(3)
  })
})
