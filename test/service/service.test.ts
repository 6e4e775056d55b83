/**
 * The example service (examples/service/server.mjs), which imports the built package: `npm test`
 * builds first; run `npm run build` before running this file alone.
 */
import { existsSync, rmSync } from 'node:fs'
import { request } from 'node:http'
import { join, relative } from 'node:path'
import { pathToFileURL } from 'node:url'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  loadPolicies,
  RecordValidationError,
  type Decision,
  type PolicySet,
  type PolicyStore,
  type PolicySummary,
} from '../../src/index.js'
import {
  API_ACCESS,
  example,
  NEW_FILE,
  newOnboardingVersion,
  OLD_FILE,
  ONBOARDING,
  ROOT,
  scratchPolicies,
  brokenVersion,
  type Json,
} from '../store/helpers.js'

interface Service {
  server: import('node:http').Server
  store: PolicyStore
  listen(port?: number, host?: string): Promise<string>
  close(): Promise<void>
}
interface ServiceModule {
  createServer(options: {
    policiesDir?: string
    maxBodyBytes?: number
    watch?: boolean
    today?: () => string
    audit?: unknown
    insecureNoAuth?: boolean
    requireLock?: boolean
  }): Promise<Service>
}
interface Reply {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: Json
}

const TODAY = '2026-11-24'
let createServer: ServiceModule['createServer']
let scratch: ReturnType<typeof scratchPolicies>
let service: Service
let base: string
let reference: PolicySet

beforeAll(async () => {
  const entry = join(ROOT, 'dist', 'index.js')
  if (!existsSync(entry)) throw new Error('dist/index.js is missing: the example service imports the build; run `npm run build` first')
  ;({ createServer } = (await import(pathToFileURL(join(ROOT, 'examples', 'service', 'server.mjs')).href)) as ServiceModule)
  scratch = scratchPolicies()
  // the service names files relative to its folder, so the reference does too
  reference = await loadPolicies(scratch.dir, { displayName: (abs) => relative(scratch.dir, abs) })
  service = await createServer({
    policiesDir: scratch.dir,
    watch: false,
    today: () => TODAY,
    maxBodyBytes: 64 * 1024,
    insecureNoAuth: true,
    // a scratch folder without a lock: the service requires one by default (test/service/bounds.test.ts)
    requireLock: false,
  })
  base = await service.listen(0)
})
afterAll(async () => {
  await service?.close()
  scratch?.remove()
})

/** One HTTP exchange over loopback; body may be a string, an object (sent as JSON) or a chunk generator. */
function call(
  method: string,
  path: string,
  body?: string | Json | (() => Iterable<Buffer>),
  headers: Record<string, string> = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      base + path,
      { method, headers: typeof body === 'function' ? headers : { 'content-type': 'application/json', ...headers } },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8')
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text ? (JSON.parse(text) as Json) : {} })
        })
      },
    )
    req.on('error', reject)
    if (typeof body === 'function') {
      for (const chunk of body()) req.write(chunk)
      req.end()
    } else req.end(body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body))
  })
}

describe('POST /v1/decisions', () => {
  it('decides a record with the default policy and today (UTC) as asOf', async () => {
    const record = example('applications', 'missing-details')
    const reply = await call('POST', '/v1/decisions', record)
    expect(reply.status).toBe(200)
    expect(reply.headers['content-type']).toBe('application/json')
    expect(reply.body).toEqual(await reference.decide(record, { asOf: TODAY }))
    expect(reply.headers['x-collabgate-policy']).toBe(`${ONBOARDING}@1.0.0`)
  })

  it('takes policy and asOf from the query', async () => {
    const record = example('applications', 'pending-review')
    const reply = await call('POST', `/v1/decisions?policy=${API_ACCESS}&asOf=2026-11-20`, record)
    expect(reply.status).toBe(200)
    expect((reply.body as unknown as Decision).policy.id).toBe(API_ACCESS)
    expect(reply.body).toEqual(await reference.decide(record, { policy: API_ACCESS, asOf: '2026-11-20' }))
  })

  it('answers 400 with an RFC 9457 problem listing every schema error of the record', async () => {
    const record = example('applications', 'complete-us-developer')
    delete record.category
    ;(record.applicant as Json).yearsInOperation = 'three'
    record.unexpected = true
    const reply = await call('POST', '/v1/decisions', record)
    expect(reply.status).toBe(400)
    expect(reply.headers['content-type']).toBe('application/problem+json')
    expect(reply.body).toMatchObject({
      type: expect.stringMatching(/record-invalid$/),
      title: expect.any(String),
      status: 400,
      detail: expect.any(String),
    })
    let expected: readonly unknown[] = []
    const shipped: PolicySet = await loadPolicies(join(ROOT, 'policies'))
    try {
      shipped.assertRecord(record, { asOf: '2026-11-24' })
    } catch (err) {
      expected = (err as RecordValidationError).problems
    }
    expect(expected.length).toBeGreaterThanOrEqual(3)
    expect(reply.body.problems).toEqual(expected)
  })

  it('lists query problems and record problems together', async () => {
    const reply = await call('POST', '/v1/decisions?asOf=2026-02-30&colour=blue', { applicationId: 'A-1' })
    expect(reply.status).toBe(400)
    const problems = reply.body.problems as { parameter?: string; message: string }[]
    expect(problems.filter((p) => p.parameter).map((p) => p.parameter)).toEqual(['colour', 'asOf'])
    expect(problems.some((p) => /missing required field 'category'/.test(p.message))).toBe(true)
  })

  it('answers 400 for a body that is not JSON, or not a record', async () => {
    expect((await call('POST', '/v1/decisions', '{"applicationId":')).body).toMatchObject({
      status: 400,
      type: expect.stringMatching(/invalid-json$/),
    })
    expect((await call('POST', '/v1/decisions', '[1,2]')).status).toBe(400)
    expect((await call('POST', '/v1/decisions', '')).status).toBe(400)
    expect((await call('POST', '/v1/decisions', { neither: 'kind' })).body).toMatchObject({
      status: 400,
      type: expect.stringMatching(/subject-unknown$/),
    })
  })

  it('answers 400 for record text that would not be read as written: a lossy number, a duplicate key', async () => {
    const text = JSON.stringify(example('applications', 'complete-us-developer')).replace('"sellers":120', '"sellers":49.99999999999999999')
    const lossy = await call('POST', '/v1/decisions', text)
    expect(lossy.body).toMatchObject({
      status: 400,
      type: expect.stringMatching(/lossy-number$/),
      problems: [{ pointer: '/applicant/clientsServed/sellers', message: expect.stringMatching(/would be read as 50$/) }],
    })
    const dup = await call('POST', '/v1/decisions', '{"applicationId":"A-1","applicationId":"A-2"}')
    expect(dup.body).toMatchObject({
      status: 400,
      type: expect.stringMatching(/duplicate-key$/),
      problems: [{ pointer: '/applicationId' }],
    })
  })

  it('answers 413 for a body over the limit, declared or streamed', async () => {
    const big = JSON.stringify({ applicationId: 'x'.repeat(70 * 1024) })
    const declared = await call('POST', '/v1/decisions', big)
    expect(declared.status).toBe(413)
    expect(declared.body).toMatchObject({ status: 413, type: expect.stringMatching(/too-large$/) })
    const streamed = await call(
      'POST',
      '/v1/decisions',
      function* () {
        for (let i = 0; i < 80; i++) yield Buffer.alloc(1024, 0x20)
      },
      { 'content-type': 'application/json' },
    )
    expect(streamed.status).toBe(413)
  })

  it('answers 404 for an unknown policy and 422 when no version is in effect', async () => {
    const record = example('applications', 'complete-us-developer')
    expect((await call('POST', '/v1/decisions?policy=nope', record)).body).toMatchObject({
      status: 404,
      type: expect.stringMatching(/policy-not-found$/),
    })
    expect((await call('POST', '/v1/decisions?asOf=2001-01-01', record)).body).toMatchObject({
      status: 422,
      type: expect.stringMatching(/no-version-in-effect$/),
    })
  })

  it('never answers 500 to a bad record (fast-check, 150 bodies)', async () => {
    const valid = example('applications', 'complete-us-developer')
    const body = fc.oneof(
      fc.json(),
      fc.jsonValue().map((v) => JSON.stringify({ ...valid, applicant: v })),
      fc
        .dictionary(fc.constantFrom('applicationId', 'developerId', '__proto__', 'constructor', 'incidents', 'product'), fc.jsonValue())
        .map((o) => JSON.stringify(o)),
      fc.string({ maxLength: 200 }),
    )
    const query = fc.record({
      policy: fc.option(fc.constantFrom(ONBOARDING, API_ACCESS, 'x', '__proto__'), { nil: undefined }),
      asOf: fc.option(fc.string({ maxLength: 12 }), { nil: undefined }),
    })
    await fc.assert(
      fc.asyncProperty(body, query, async (text, q) => {
        const params = new URLSearchParams(Object.entries(q).filter((e): e is [string, string] => e[1] !== undefined))
        const reply = await call('POST', `/v1/decisions?${params}`, text)
        expect([200, 400, 404, 413, 422]).toContain(reply.status)
      }),
      { numRuns: 150 },
    )
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })
})

describe('GET /v1/policies and /healthz', () => {
  it('lists the versions served with their digests', async () => {
    const reply = await call('GET', '/v1/policies')
    expect(reply.status).toBe(200)
    expect((reply.body.policies as PolicySummary[]).map((p) => [p.id, p.version, p.digest])).toEqual(
      reference.list().map((p) => [p.id, p.version, p.digest]),
    )
    expect((await call('GET', '/healthz')).body).toMatchObject({ status: 'ok', policies: 3 })
  })
})

describe('reloading under the service', () => {
  it('keeps answering with the last good set after an invalid change, then serves the valid new version', async () => {
    const original = scratch.read(OLD_FILE)
    const record = example('applications', 'complete-us-developer')
    try {
      scratch.write(NEW_FILE, brokenVersion(original))
      expect((await service.store.reload()).status).toBe('rejected')
      const health = await call('GET', '/healthz')
      expect(health.body).toMatchObject({ status: 'degraded', lastReload: { status: 'rejected' } })
      const during = await call('POST', '/v1/decisions', record)
      expect(during.status).toBe(200)
      expect(during.headers['x-collabgate-policy']).toBe(`${ONBOARDING}@1.0.0`)

      const { oldEnded, next } = newOnboardingVersion(original, '2026-11-20')
      scratch.write(OLD_FILE, oldEnded)
      scratch.write(NEW_FILE, next)
      expect((await service.store.reload()).status).toBe('swapped')
      const after = await call('POST', '/v1/decisions', record)
      expect(after.headers['x-collabgate-policy']).toBe(`${ONBOARDING}@1.1.0`)
      expect((await call('GET', '/healthz')).body).toMatchObject({ status: 'ok', generation: 2 }) // the refused reload did not count
      const listed = (await call('GET', '/v1/policies')).body.policies as PolicySummary[]
      expect(listed.filter((p) => p.id === ONBOARDING).map((p) => p.version)).toEqual(['1.0.0', '1.1.0'])
    } finally {
      scratch.write(OLD_FILE, original)
      rmSync(join(scratch.dir, NEW_FILE), { force: true })
    }
  })
})

describe('routing', () => {
  it('answers 404 for unknown paths and 405 with Allow for wrong methods', async () => {
    expect((await call('GET', '/nope')).body).toMatchObject({ status: 404 })
    const wrong = await call('GET', '/v1/decisions')
    expect(wrong.status).toBe(405)
    expect(wrong.headers.allow).toBe('POST')
  })

  it('answers 400, not 500, to a request target that is not a URL path', async () => {
    expect((await call('GET', '//')).body).toMatchObject({ status: 400, type: expect.stringMatching(/invalid-url$/) })
  })
})
