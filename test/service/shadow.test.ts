/**
 * The example service shadows candidate versions (issue #23 item 1): GET /v1/shadow answers the store's
 * report behind the same bearer token as the rest of /v1/, and `collabgate report` draws it as a page.
 * The service imports the build: run `npm run build` before running this file alone.
 */
import { existsSync } from 'node:fs'
import { request } from 'node:http'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { PolicyStore, ShadowReport } from '../../src/index.js'
import { cli } from '../cli/run-cli.js'
import { example, NEW_FILE, newOnboardingVersion, OLD_FILE, ONBOARDING, ROOT, scratchPolicies, type Json } from '../store/helpers.js'

interface Service {
  store: PolicyStore
  listen(port?: number, host?: string): Promise<string>
  close(): Promise<void>
}
type CreateServer = (options: Record<string, unknown>) => Promise<Service>

const TOKEN = 'k7Qx-2f9PzL0mWc4-vR8sT1yN6bJ3hD5'
const TODAY = '2026-11-24'
let createServer: CreateServer
const cleanups: (() => Promise<void> | void)[] = []

beforeAll(async () => {
  if (!existsSync(join(ROOT, 'dist', 'index.js'))) throw new Error('dist/index.js is missing: run `npm run build` first')
  ;({ createServer } = (await import(pathToFileURL(join(ROOT, 'examples', 'service', 'server.mjs')).href)) as {
    createServer: CreateServer
  })
})
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

async function start(shadow?: unknown): Promise<{ base: string; store: PolicyStore }> {
  const scratch = scratchPolicies()
  cleanups.push(() => scratch.remove())
  scratch.write(NEW_FILE, newOnboardingVersion(scratch.read(OLD_FILE), '2027-01-01', 4).next)
  const service = await createServer({
    policiesDir: scratch.dir,
    ...{ watch: false, today: () => TODAY, token: TOKEN, requireLock: false },
    ...(shadow === undefined ? {} : { shadow }),
  })
  cleanups.push(() => service.close())
  return { base: await service.listen(0, '127.0.0.1'), store: service.store }
}

function call(base: string, method: string, path: string, body?: Json, token: string | null = TOKEN) {
  return new Promise<{ status: number; body: Json }>((resolve, reject) => {
    const headers: Record<string, string> = { 'content-type': 'application/json' }
    if (token !== null) headers.authorization = `Bearer ${token}`
    const req = request(base + path, { method, headers }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Json }))
    })
    req.on('error', reject)
    req.end(body === undefined ? undefined : JSON.stringify(body))
  })
}

describe('GET /v1/shadow', () => {
  it('answers the shadow report behind the token; the decisions answered are those of the version in effect', async () => {
    const { base, store } = await start({ candidates: [{ policy: ONBOARDING, version: '1.1.0' }] })
    for (const name of ['complete-us-developer', 'missing-details']) {
      const reply = await call(base, 'POST', '/v1/decisions', example('applications', name))
      expect(reply.status).toBe(200)
      expect((reply.body as { policy: { version: string } }).policy.version).toBe('1.0.0')
    }
    for (let i = 0; i < 1000 && store.shadowReport()!.queued > 0; i++) await new Promise((r) => setImmediate(r))
    expect((await call(base, 'GET', '/v1/shadow', undefined, null)).status).toBe(401)
    expect((await call(base, 'GET', '/v1/shadow', undefined, 'not-the-token-at-all-0123456789')).status).toBe(401)
    const reply = await call(base, 'GET', '/v1/shadow')
    expect(reply.status).toBe(200)
    const report = reply.body as unknown as ShadowReport
    expect(report).toMatchObject({ seen: 2, sampled: 2, dropped: 0 })
    expect(report.candidates[0]!.transitions.map((t) => [t.from, t.to, t.count])).toEqual([
      ['approve', 'manual_review', 1],
      ['needs_information', 'needs_information', 1],
    ])
    // the JSON as served is what `collabgate report` draws
    const page = await cli(['report', '-'], { input: JSON.stringify(report) })
    expect(page.code).toBe(0)
    expect(page.stdout).toContain('<h1>Shadow runs: 1 candidate version(s)</h1>')
    expect(page.stdout).toContain('approve → manual_review')
  })

  it('answers 404 when the service shadows nothing', async () => {
    const { base } = await start()
    const reply = await call(base, 'GET', '/v1/shadow')
    expect(reply.status).toBe(404)
    expect(reply.body).toMatchObject({ type: expect.stringMatching(/not-shadowing$/) })
  })
})
