/**
 * The example service as a real one (examples/service/server.mjs, over the build: `npm run build`
 * first): JSON content types only, a bearer token from the environment, bounded connections and slow
 * clients, no server paths in any answer, and a /healthz that reports a failing audit log and a
 * refused reload. Every check is a real HTTP exchange (or raw TCP) with a started server.
 */
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, symlinkSync, unlinkSync } from 'node:fs'
import { request } from 'node:http'
import { connect, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { pathToFileURL } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { PolicyStore } from '../../src/index.js'
import { example, ROOT, scratchPolicies, type Json } from '../store/helpers.js'

interface Limits {
  headersTimeoutMs?: number
  requestTimeoutMs?: number
  keepAliveTimeoutMs?: number
  maxConnections?: number
  maxConnectionsPerIp?: number
  maxIdlePerIp?: number
}
interface Service {
  server: import('node:http').Server
  store: PolicyStore
  limits: Required<Limits>
  listen(port?: number, host?: string): Promise<string>
  reopenAudit(): Promise<void>
  close(): Promise<void>
}
interface ServiceModule {
  createServer(options: {
    policiesDir?: string
    watch?: boolean
    today?: () => string
    audit?: unknown
    auditMode?: 'durable' | 'buffered'
    token?: string
    insecureNoAuth?: boolean
    requireLock?: boolean
    limits?: Limits
  }): Promise<Service>
  LIMITS: Required<Limits>
}
interface Reply {
  status: number
  headers: Record<string, string | string[] | undefined>
  text: string
  body: Json
}

const TODAY = '2026-11-24'
const TOKEN = 'k7Qx-2f9PzL0mWc4-vR8sT1yN6bJ3hD5'
let mod: ServiceModule
const cleanups: (() => unknown)[] = []

beforeAll(async () => {
  if (!existsSync(join(ROOT, 'dist', 'index.js'))) throw new Error('dist/index.js is missing: run `npm run build` first')
  mod = (await import(pathToFileURL(join(ROOT, 'examples', 'service', 'server.mjs')).href)) as ServiceModule
})
afterAll(async () => {
  for (const c of cleanups.reverse()) await c()
})

async function start(options: Parameters<ServiceModule['createServer']>[0] = {}): Promise<{ service: Service; base: string }> {
  const open = options.token === undefined ? { insecureNoAuth: true } : {}
  // scratch folders here have no lock; the service requires one by default (test/service/bounds.test.ts)
  const service = await mod.createServer({ watch: false, today: () => TODAY, token: undefined, requireLock: false, ...open, ...options })
  cleanups.push(() => service.close())
  return { service, base: await service.listen(0) }
}

function call(base: string, method: string, path: string, body?: string | Json, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(base + path, { method, headers }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8')
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, body: text ? (JSON.parse(text) as Json) : {} })
      })
    })
    req.on('error', reject)
    req.end(body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body))
  })
}
const JSON_TYPE = { 'content-type': 'application/json' }
const record = () => example('behaviour', 'suspected-fraud')

/** A raw TCP client: resolves when the server closes the connection, with what it sent and when. */
function rawClient(base: string, send: (s: Socket) => void, localAddress?: string): Promise<{ ms: number; data: string }> {
  const url = new URL(base)
  return new Promise((resolve) => {
    const t0 = Date.now()
    let data = ''
    const socket = connect({ port: Number(url.port), host: url.hostname, ...(localAddress ? { localAddress } : {}) })
    socket.on('connect', () => send(socket))
    socket.on('data', (d: Buffer) => (data += d.toString('latin1')))
    socket.on('error', () => {})
    socket.on('close', () => resolve({ ms: Date.now() - t0, data }))
  })
}

describe('content types', () => {
  it('answers 415 to anything but JSON, before reading the body', async () => {
    const { base } = await start()
    const body = JSON.stringify(record())
    for (const type of [
      'text/plain',
      'text/plain;charset=UTF-8',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/json; charset=latin1',
      'application/jsonp',
    ]) {
      const reply = await call(base, 'POST', '/v1/decisions', body, { 'content-type': type })
      expect(reply.status, type).toBe(415)
      expect(reply.headers['accept-post']).toBe('application/json')
      expect(reply.body).toMatchObject({ status: 415, type: expect.stringMatching(/unsupported-media-type$/) })
    }
    expect((await call(base, 'POST', '/v1/decisions', body)).status).toBe(415) // no content type at all
    for (const type of ['application/json', 'Application/JSON; charset="utf-8"', 'application/vnd.collabgate.record+json'])
      expect((await call(base, 'POST', '/v1/decisions', body, { 'content-type': type })).status, type).toBe(200)
  })
})

describe('bearer token', () => {
  it('requires Authorization: Bearer on /v1/ (401 with WWW-Authenticate), leaves /healthz open', async () => {
    const { base } = await start({ token: TOKEN })
    const none = await call(base, 'POST', '/v1/decisions', record(), JSON_TYPE)
    expect(none.status).toBe(401)
    expect(none.headers['www-authenticate']).toBe('Bearer realm="collabgate"')
    const wrong = await call(base, 'GET', '/v1/policies', undefined, { authorization: `Bearer ${TOKEN.slice(0, -1)}x` })
    expect(wrong.status).toBe(401)
    expect(wrong.headers['www-authenticate']).toBe('Bearer realm="collabgate", error="invalid_token"')
    expect((await call(base, 'GET', '/v1/policies', undefined, { authorization: `Basic ${TOKEN}` })).status).toBe(401)
    expect((await call(base, 'GET', '/v1/policies', undefined, { authorization: `Bearer ${TOKEN} extra` })).status).toBe(401)
    const ok = await call(base, 'POST', '/v1/decisions', record(), { ...JSON_TYPE, authorization: `Bearer ${TOKEN}` })
    expect(ok.status).toBe(200)
    expect((await call(base, 'GET', '/healthz')).status).toBe(200)
  })

  it('refuses a token too short to protect anything', async () => {
    await expect(mod.createServer({ watch: false, token: 'secret' })).rejects.toMatchObject({ code: 'E_INVALID_ARGUMENT' })
  })

  it('takes the token from COLLABGATE_TOKEN when run as a program', async () => {
    const child = spawn(process.execPath, [join(ROOT, 'examples', 'service', 'server.mjs'), '--port', '0'], {
      env: { ...process.env, COLLABGATE_TOKEN: TOKEN },
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    cleanups.push(() => child.kill('SIGKILL'))
    const listening = await new Promise<{ url: string; auth: string }>((resolve) => {
      createInterface({ input: child.stdout }).on('line', (line) => {
        const event = JSON.parse(line) as { event: string; url: string; auth: string }
        if (event.event === 'listening') resolve(event)
      })
    })
    expect(listening.auth).toBe('bearer')
    expect((await call(listening.url, 'GET', '/v1/policies')).status).toBe(401)
    expect((await call(listening.url, 'GET', '/v1/policies', undefined, { authorization: `Bearer ${TOKEN}` })).status).toBe(200)
  })
})

describe('connection limits', () => {
  const limits = { headersTimeoutMs: 400, requestTimeoutMs: 1200, keepAliveTimeoutMs: 300 }

  it('closes a connection that sends nothing, or headers too slowly, after headersTimeout (408)', async () => {
    const { base } = await start({ limits })
    const [silent, partial] = await Promise.all([
      rawClient(base, () => {}),
      rawClient(base, (s) => s.write('POST /v1/decisions HTTP/1.1\r\nHost: x\r\n')),
    ])
    for (const r of [silent, partial]) {
      expect(r.data).toMatch(/^HTTP\/1\.1 408/)
      expect(r.ms).toBeGreaterThanOrEqual(limits.headersTimeoutMs - 20)
      expect(r.ms).toBeLessThan(limits.headersTimeoutMs + 1000) // Node's check interval is at most 1 s, here 100 ms
    }
  })

  it('cuts a slow body at requestTimeout with 408, not later', async () => {
    const { base } = await start({ limits })
    const slow = await rawClient(base, (s) => {
      s.write('POST /v1/decisions HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{')
      const drip = setInterval(() => s.write(' '), 100)
      s.on('close', () => clearInterval(drip))
    })
    expect(slow.data).toMatch(/^HTTP\/1\.1 408/)
    expect(slow.data).toContain('request-timeout')
    expect(slow.ms).toBeGreaterThanOrEqual(limits.requestTimeoutMs - 20)
    expect(slow.ms).toBeLessThan(limits.requestTimeoutMs + 1000) // 30 s means 30 s: it used to run to 51 s
  })

  it('closes an idle keep-alive connection', async () => {
    const { base } = await start({ limits })
    const idle = await rawClient(base, (s) => s.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n'))
    expect(idle.data).toMatch(/^HTTP\/1\.1 200/)
    expect(idle.ms).toBeLessThan(limits.keepAliveTimeoutMs + 1500) // Node adds up to 1 s of grace to keepAliveTimeout
  })

  it('caps connections per address, so one client cannot starve the others', async () => {
    const { base } = await start({ limits: { maxConnectionsPerIp: 4 } })
    const held: Socket[] = []
    let refused = 0
    const url = new URL(base)
    await Promise.all(
      Array.from(
        { length: 10 },
        () =>
          new Promise<void>((resolve) => {
            const s = connect({ port: Number(url.port), host: url.hostname, localAddress: '127.0.0.2' })
            held.push(s)
            s.on('error', () => {})
            s.on('close', () => refused++)
            s.on('connect', () => setTimeout(resolve, 100))
          }),
      ),
    )
    for (let i = 0; i < 100 && refused < 6; i++) await new Promise((r) => setTimeout(r, 20))
    await new Promise((r) => setTimeout(r, 100))
    expect(refused).toBe(6)
    // another address is still served while the first holds its share
    expect((await call(base, 'POST', '/v1/decisions', record(), JSON_TYPE)).status).toBe(200)
    for (const s of held) s.destroy()
  })

  it('caps connections in all (maxConnections)', async () => {
    const { base } = await start({ limits: { maxConnections: 3 } })
    const results = await Promise.all(
      Array.from({ length: 5 }, () =>
        Promise.race([rawClient(base, () => {}).then(() => 'closed'), new Promise<string>((r) => setTimeout(() => r('open'), 1500))]),
      ),
    )
    expect(results.filter((r) => r === 'closed')).toHaveLength(2)
  })

  it('states its defaults: 10 s for headers, 30 s for the request', () => {
    expect(mod.LIMITS).toEqual({
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 30_000,
      keepAliveTimeoutMs: 5_000,
      maxConnections: 1024,
      maxConnectionsPerIp: 64,
      maxIdlePerIp: 8,
    })
  })
})

describe('no server paths in answers', () => {
  it('names files relative to the folder even when the folder is gone or the audit log fails', async () => {
    const scratch = scratchPolicies()
    cleanups.push(() => scratch.remove())
    const auditLink = join(scratch.dir, '..', 'decisions.ndjson')
    symlinkSync('/dev/full', auditLink)
    const { base, service } = await start({ policiesDir: scratch.dir, audit: auditLink, auditMode: 'buffered' })
    const texts: string[] = []
    const collect = async (r: Promise<Reply>) => texts.push((await r).text)
    await collect(call(base, 'POST', '/v1/decisions', record(), JSON_TYPE))
    // the buffered log learns of the full disk when the write comes back
    for (let i = 0; i < 100 && service.store.status().audit?.healthy !== false; i++) await new Promise((r) => setTimeout(r, 20))
    rmSync(scratch.dir, { recursive: true })
    await service.store.reload()
    await collect(call(base, 'GET', '/v1/policies'))
    await collect(call(base, 'GET', '/healthz'))
    await collect(call(base, 'POST', '/v1/decisions?colour=x', { applicationId: 'A' }, JSON_TYPE))
    await collect(call(base, 'POST', '/v1/decisions', record(), { 'content-type': 'text/plain' }))
    const all = texts.join('\n')
    expect(all).toContain('ENOENT') // the refused reload is reported...
    expect(all).toContain('ENOSPC') // ...and so is the audit log
    expect(all).not.toContain(scratch.dir) // ...without the server's paths
    expect(all).not.toContain(tmpdir())
  })
})

describe('/healthz', () => {
  it('is 503 while a durable audit log cannot write, and decisions are refused with 503 E_AUDIT_FAILED', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'collabgate-health-'))
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }))
    const file = join(dir, 'decisions.ndjson')
    symlinkSync('/dev/full', file)
    const { base, service } = await start({ audit: file, auditMode: 'durable' })
    const refused = await call(base, 'POST', '/v1/decisions', record(), JSON_TYPE)
    expect(refused.status).toBe(503)
    expect(refused.headers['retry-after']).toBe('5')
    expect(refused.body).toMatchObject({ type: expect.stringMatching(/audit-failed$/) })
    const down = await call(base, 'GET', '/healthz')
    expect(down.status).toBe(503)
    expect(down.body).toMatchObject({ status: 'unhealthy', reasons: [expect.stringContaining('ENOSPC')], audit: { healthy: false } })

    unlinkSync(file) // room again; SIGHUP in the program does the same as reopenAudit()
    await service.reopenAudit()
    expect((await call(base, 'POST', '/v1/decisions', record(), JSON_TYPE)).status).toBe(200)
    expect((await call(base, 'GET', '/healthz')).body).toMatchObject({ status: 'ok', audit: { healthy: true, entries: 1 } })
  })

  it('is 503 when a buffered audit log fails, though decisions are still answered', async () => {
    const { base, service } = await start({ audit: '/dev/full', auditMode: 'buffered' })
    expect((await call(base, 'POST', '/v1/decisions', record(), JSON_TYPE)).status).toBe(200)
    for (let i = 0; i < 100 && service.store.status().audit?.healthy !== false; i++) await new Promise((r) => setTimeout(r, 20))
    expect((await call(base, 'POST', '/v1/decisions', record(), JSON_TYPE)).status).toBe(200)
    const health = await call(base, 'GET', '/healthz')
    expect(health.status).toBe(503)
    expect(health.body.reasons).toEqual([expect.stringMatching(/ENOSPC.*not recorded/)])
  })

  it("reports the store's own health reason when the store gives one", async () => {
    const { base, service } = await start()
    expect((await call(base, 'GET', '/healthz')).body).toMatchObject({ status: 'ok' })
    const status = service.store.status.bind(service.store)
    service.store.status = () => ({ ...status(), healthy: false, reason: 'released version missing' }) as never
    expect((await call(base, 'GET', '/healthz')).body).toMatchObject({ status: 'degraded', reasons: ['released version missing'] })
  })
})
