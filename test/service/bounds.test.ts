/**
 * The example service's bounds and traces (issue 21), over real HTTP on 127.0.0.1 against a started
 * server (the build: `npm run build` first): no start without authentication unless asked, idle
 * keep-alive connections that give way to new clients, an `x-decision-id` matched to the audit line,
 * no server path in any answer of an unhealthy service, and problems capped per file.
 */
import { spawn } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import { connect, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { pathToFileURL } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { defaultPoliciesDir, loadPolicies, type AuditEntry, type PolicyStore } from '../../src/index.js'
import { example, ROOT, scratchPolicies, type Json } from '../store/helpers.js'

interface Service {
  store: PolicyStore
  listen(port?: number, host?: string): Promise<string>
  close(): Promise<void>
}
interface ServiceModule {
  createServer(options: Record<string, unknown>): Promise<Service>
}
interface Reply {
  status: number
  headers: Record<string, string | string[] | undefined>
  text: string
  body: Json
}

const TODAY = '2026-11-24'
const TOKEN = 'k7Qx-2f9PzL0mWc4-vR8sT1yN6bJ3hD5'
const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/
const JSON_TYPE = { 'content-type': 'application/json' }
const SERVER = join(ROOT, 'examples', 'service', 'server.mjs')
let mod: ServiceModule
const cleanups: (() => unknown)[] = []

beforeAll(async () => {
  if (!existsSync(join(ROOT, 'dist', 'index.js'))) throw new Error('dist/index.js is missing: run `npm run build` first')
  mod = (await import(pathToFileURL(SERVER).href)) as ServiceModule
})
afterAll(async () => {
  for (const c of cleanups.reverse()) await c()
})

async function start(options: Record<string, unknown> = {}): Promise<{ service: Service; base: string }> {
  // scratch folders here have no lock; the service requires one by default (tested below)
  const service = await mod.createServer({
    watch: false,
    today: () => TODAY,
    token: undefined,
    insecureNoAuth: true,
    requireLock: false,
    ...options,
  })
  cleanups.push(() => service.close())
  return { service, base: await service.listen(0) }
}

function call(base: string, method: string, path: string, body?: Json, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(base + path, { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8')
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, body: text ? (JSON.parse(text) as Json) : {} })
      })
    })
    req.on('error', reject)
    req.end(body === undefined ? undefined : JSON.stringify(body))
  })
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** A keep-alive connection from `localAddress` that made one request and now sits idle; `closed` says when the server ends it. */
async function idleConnection(base: string, localAddress: string): Promise<{ socket: Socket; closed: () => boolean }> {
  const url = new URL(base)
  const socket = connect({ port: Number(url.port), host: url.hostname, localAddress })
  let closed = false
  socket.on('error', () => {})
  socket.on('close', () => (closed = true))
  await new Promise<void>((resolve, reject) => {
    let data = ''
    const timer = setTimeout(() => reject(new Error('no answer within 5 s')), 5000)
    socket.on('data', (d: Buffer) => {
      data += d.toString('latin1')
      const head = data.indexOf('\r\n\r\n')
      const length = /content-length: (\d+)/i.exec(data)
      if (head >= 0 && length && data.length >= head + 4 + Number(length[1])) {
        clearTimeout(timer)
        resolve()
      }
    })
    socket.on('connect', () => socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n'))
  })
  cleanups.push(() => socket.destroy())
  return { socket, closed: () => closed }
}

/** Whether a connection from `localAddress` is answered (true) or closed without an answer (false). */
async function answered(base: string, localAddress: string): Promise<boolean> {
  return new Promise((resolve) => {
    const url = new URL(base)
    let data = ''
    const socket = connect({ port: Number(url.port), host: url.hostname, localAddress })
    socket.on('error', () => {})
    socket.on('connect', () => socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'))
    socket.on('data', (d: Buffer) => (data += d.toString('latin1')))
    socket.on('close', () => resolve(data.startsWith('HTTP/1.1 200')))
    setTimeout(() => socket.destroy(), 5000)
  })
}

describe('a served folder is a release', () => {
  it('refuses to start on a folder without a lock unless requireLock is false, and on an unsigned release with a trust file', async () => {
    const scratch = scratchPolicies()
    try {
      const noLock = await mod.createServer({ watch: false, insecureNoAuth: true, policiesDir: scratch.dir }).catch((e: unknown) => e)
      expect(noLock).toMatchObject({ code: 'E_POLICY_INVALID' })
      expect((noLock as { problems: { code: string }[] }).problems.map((p) => p.code)).toEqual(['E_LOCK_REQUIRED'])
      const trust = join(scratch.dir, '..', 'TRUST.json')
      writeFileSync(trust, JSON.stringify({ keys: [], approvals: 1 }))
      writeFileSync(join(scratch.dir, 'policies.lock.json'), JSON.stringify({ release: 1, entries: {} }))
      const unsigned = await mod
        .createServer({ watch: false, insecureNoAuth: true, policiesDir: scratch.dir, trust })
        .catch((e: unknown) => e)
      expect(unsigned).toMatchObject({ code: 'E_POLICY_INVALID' })
      // the shipped folder is locked: it starts with the default
      const { service } = await start({ requireLock: true })
      await service.close()
    } finally {
      scratch.remove()
    }
  })
})

describe('authentication at start', () => {
  it('createServer refuses to start without a token unless insecureNoAuth is given', async () => {
    const err = await mod.createServer({ watch: false, token: undefined }).catch((e: unknown) => e)
    expect(err).toMatchObject({ code: 'E_INVALID_ARGUMENT', message: expect.stringContaining('COLLABGATE_TOKEN') })
    expect((err as Error).message).toContain('--insecure-no-auth')
    const { base } = await start({ insecureNoAuth: true })
    expect((await call(base, 'GET', '/v1/policies')).status).toBe(200)
  })

  /** Runs the program; resolves with its exit code and stderr, or with the `listening` line. */
  function run(args: string[], env: Record<string, string | undefined>): Promise<{ code: number | null; stderr: string; auth?: string }> {
    const environment = { ...process.env, ...env }
    for (const [k, v] of Object.entries(environment)) if (v === undefined) delete environment[k]
    const child = spawn(process.execPath, [SERVER, '--port', '0', ...args], { env: environment, stdio: ['ignore', 'pipe', 'pipe'] })
    cleanups.push(() => child.kill('SIGKILL'))
    let stderr = ''
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')))
    return new Promise((resolve) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000)
      createInterface({ input: child.stdout }).on('line', (line) => {
        const event = JSON.parse(line) as { event: string; auth: string }
        if (event.event !== 'listening') return
        clearTimeout(timer)
        child.kill('SIGKILL')
        resolve({ code: null, stderr, auth: event.auth })
      })
      child.once('exit', (code) => {
        clearTimeout(timer)
        resolve({ code, stderr })
      })
    })
  }

  it('the program exits non-zero with a clear message without COLLABGATE_TOKEN', { timeout: 20_000 }, async () => {
    const refused = await run([], { COLLABGATE_TOKEN: undefined, COLLABGATE_ALLOW_NO_AUTH: undefined })
    expect(refused.code).toBe(1)
    expect(refused.stderr).toMatch(/E_INVALID_ARGUMENT: no bearer token: set COLLABGATE_TOKEN/)
  })

  it('the program starts open only with --insecure-no-auth or COLLABGATE_ALLOW_NO_AUTH=1', { timeout: 20_000 }, async () => {
    const flag = await run(['--insecure-no-auth'], { COLLABGATE_TOKEN: undefined, COLLABGATE_ALLOW_NO_AUTH: undefined })
    expect(flag.auth).toBe('none')
    const env = await run([], { COLLABGATE_TOKEN: undefined, COLLABGATE_ALLOW_NO_AUTH: '1' })
    expect(env.auth).toBe('none')
    const other = await run([], { COLLABGATE_TOKEN: undefined, COLLABGATE_ALLOW_NO_AUTH: 'yes' })
    expect(other.code).toBe(1)
    const token = await run([], { COLLABGATE_TOKEN: TOKEN, COLLABGATE_ALLOW_NO_AUTH: undefined })
    expect(token.auth).toBe('bearer')
  })
})

describe('idle connections', () => {
  const limits = { maxConnections: 4, keepAliveTimeoutMs: 30_000 }

  it('at the global cap, the oldest idle keep-alive connection gives way to a new client', { timeout: 20_000 }, async () => {
    const { base } = await start({ limits })
    const held = []
    for (const address of ['127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.5']) held.push(await idleConnection(base, address))
    expect(await answered(base, '127.0.0.6')).toBe(true)
    for (let i = 0; i < 100 && !held[0]!.closed(); i++) await sleep(20)
    expect(held.map((h) => h.closed())).toEqual([true, false, false, false])
    // and again: the next oldest goes
    expect(await answered(base, '127.0.0.7')).toBe(true)
  })

  it('at the global cap with no idle connection, a new one is still refused', { timeout: 20_000 }, async () => {
    const { base } = await start({ limits })
    const url = new URL(base)
    // connections that never send a request are not idle keep-alives: they are bounded by headersTimeout
    for (let i = 0; i < 4; i++) {
      const s = connect({ port: Number(url.port), host: url.hostname, localAddress: `127.0.0.${10 + i}` })
      s.on('error', () => {})
      cleanups.push(() => s.destroy())
      await new Promise((r) => s.on('connect', r))
    }
    await sleep(100)
    expect(await answered(base, '127.0.0.20')).toBe(false)
  })

  it('one address keeps at most maxIdlePerIp idle connections, the oldest closed first', { timeout: 20_000 }, async () => {
    const { base } = await start({ limits: { maxIdlePerIp: 2, keepAliveTimeoutMs: 30_000 } })
    const held = []
    for (let i = 0; i < 4; i++) held.push(await idleConnection(base, '127.0.0.30'))
    for (let i = 0; i < 100 && !held[1]!.closed(); i++) await sleep(20)
    expect(held.map((h) => h.closed())).toEqual([true, true, false, false])
  })
})

describe('decision ids', () => {
  it('answers every decision with x-decision-id, the id of its audit line; the decision itself has none', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'collabgate-ids-'))
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }))
    const file = join(dir, 'decisions.ndjson')
    const { base } = await start({ audit: file, auditMode: 'durable' })
    const record = example('behaviour', 'suspected-fraud')
    const replies = await Promise.all(Array.from({ length: 5 }, () => call(base, 'POST', '/v1/decisions', record, JSON_TYPE)))
    const ids = replies.map((r) => r.headers['x-decision-id'] as string)
    expect(ids.every((id) => UUID_V7.test(id))).toBe(true)
    expect(new Set(ids).size).toBe(5)
    const lines = readFileSync(file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as AuditEntry)
    expect(lines.map((l) => l.id).sort()).toEqual([...ids].sort())
    // byte-identical to the library's decision (files named relative to the folder, as the service names them)
    const reference = await (await loadPolicies(defaultPoliciesDir())).decide(record, { asOf: TODAY })
    expect(replies[0]!.text).toBe(JSON.stringify(reference))

    const refused = await call(base, 'POST', '/v1/decisions?colour=red', record, JSON_TYPE)
    expect(refused.status).toBe(400)
    expect(refused.headers['x-decision-id']).toMatch(UUID_V7)
    expect(readFileSync(file, 'utf8').split('\n').filter(Boolean)).toHaveLength(5) // no line for a refused request
  })
})

describe('an audit file deleted under the service', () => {
  it('is reopened by the log, the next decision lands in the new file, and /healthz counts it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'collabgate-reopen-'))
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }))
    const file = join(dir, 'decisions.ndjson')
    const { base } = await start({ audit: file, auditMode: 'durable' })
    const record = example('behaviour', 'clean-developer')
    expect((await call(base, 'POST', '/v1/decisions', record, JSON_TYPE)).status).toBe(200)
    rmSync(file)
    const after = await call(base, 'POST', '/v1/decisions', record, JSON_TYPE)
    const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean)
    expect(lines.map((l) => (JSON.parse(l) as AuditEntry).id)).toEqual([after.headers['x-decision-id']])
    const health = await call(base, 'GET', '/healthz')
    expect(health.body).toMatchObject({ status: 'ok', audit: { healthy: true, entries: 2, reopened: 1 } })
  })
})

describe('an unhealthy service', () => {
  it('shows no absolute path in any answer: a link out of the folder, a swapped link, a broken file', { timeout: 20_000 }, async () => {
    const base0 = mkdtempSync(join(tmpdir(), 'collabgate-paths-'))
    cleanups.push(() => rmSync(base0, { recursive: true, force: true }))
    const scratch = scratchPolicies()
    cleanups.push(() => scratch.remove())
    const v1 = join(base0, 'v1')
    cpSync(scratch.dir, v1, { recursive: true })
    const current = join(base0, 'current')
    symlinkSync(v1, current)
    const { base, service } = await start({ policiesDir: current })
    const texts: string[] = []
    const collect = async () => {
      for (const path of ['/healthz', '/v1/policies']) texts.push((await call(base, 'GET', path)).text)
    }
    writeFileSync(join(base0, 'outside.yaml'), 'id: x\n')
    symlinkSync(join(base0, 'outside.yaml'), join(v1, 'outside.v1.0.0.yaml'))
    expect((await service.store.reload()).status).toBe('rejected')
    await collect()
    // a new version of the folder behind the link, itself broken
    const v2 = join(base0, 'v2')
    cpSync(scratch.dir, v2, { recursive: true })
    mkdirSync(join(v2, 'sub'))
    writeFileSync(join(v2, 'sub', 'bad.v1.0.0.yaml'), 'a: [')
    symlinkSync(v2, join(base0, 'next'))
    renameSync(join(base0, 'next'), current)
    expect((await service.store.reload()).status).toBe('rejected')
    await collect()
    const all = texts.join('\n')
    expect(all).toContain('E_SYMLINK')
    expect(all).toContain('E_YAML_SYNTAX')
    expect(all).not.toContain(base0)
    expect(all).not.toContain(tmpdir())
    expect(all).not.toContain(ROOT)
    expect(all).not.toMatch(/"\/(tmp|work|home|root)\b/)
  })

  it('answers /v1/policies with at most 50 problems per file, the rest counted', { timeout: 20_000 }, async () => {
    const scratch = scratchPolicies()
    cleanups.push(() => scratch.remove())
    const { base, service } = await start({ policiesDir: scratch.dir })
    const rules = Array.from({ length: 800 }, (_, i) => `  - {id: r${i}, zz: 1}`)
    const head = 'id: broken\nversion: 1.0.0\ntitle: t\nsubject: application\neffective: { from: "2020-01-01" }\n'
    scratch.write('broken.v1.0.0.yaml', `${head}outcomes: [reject, approve]\ndefault: approve\nrules:\n${rules.join('\n')}\n`)
    expect((await service.store.reload()).status).toBe('rejected')
    const reply = await call(base, 'GET', '/v1/policies')
    const problems = (reply.body as { lastReload: { problems: { code: string; message: string }[] } }).lastReload.problems
    expect(problems).toHaveLength(51)
    expect(problems.at(-1)).toMatchObject({ code: 'E_TOO_MANY_PROBLEMS', message: '… and 5551 more problems in this file' })
    expect(reply.text.length).toBeLessThan(50_000)
  })
})
