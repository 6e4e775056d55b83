#!/usr/bin/env node
/**
 * collabgate embedded in a small HTTP service (node:http, no framework).
 *
 *   POST /v1/decisions?policy=ID&asOf=YYYY-MM-DD   record (JSON) in the body → the Decision
 *   GET  /v1/policies                              the policy versions being served, with digests
 *   GET  /healthz                                  liveness, plus the last reload's outcome
 *
 * Policies are reloaded from a folder as they change: a valid folder is swapped in atomically, an
 * invalid one is refused and the last good set keeps answering. Bad requests get 400 with an
 * RFC 9457 problem body listing every problem; bodies over the limit get 413.
 *
 * Run (after `npm run build`):
 *   node examples/service/server.mjs --policies policies --port 8080 [--audit decisions.ndjson]
 */
import { createServer as createHttpServer } from 'node:http'
import { relative, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import {
  CollabgateError,
  createAuditLog,
  DEFAULT_MAX_RECORD_BYTES,
  defaultPoliciesDir,
  parseRecordJson,
  RecordValidationError,
  watchPolicies,
} from '../../dist/index.js'

const PROBLEM_TYPES = 'https://collabgate.dev/problems/'
const DECISION_PARAMS = new Set(['policy', 'asOf', 'version'])

/** HTTP status for each library error code; anything not listed is the service's own fault (500). */
const STATUS_BY_CODE = {
  E_RECORD_INVALID: 400,
  E_SUBJECT_UNKNOWN: 400,
  E_INVALID_ARGUMENT: 400,
  E_POLICY_AMBIGUOUS: 400,
  E_RECORD_TOO_LARGE: 413,
  E_POLICY_NOT_FOUND: 404,
  E_NO_VERSION_IN_EFFECT: 422,
}

const TITLES = {
  400: 'The request is not valid',
  404: 'Not found',
  405: 'Method not allowed',
  413: 'The request body is too large',
  422: 'No policy version applies',
  500: 'Internal error',
}

/** A response the handler decided on: status, JSON body, extra headers. */
class HttpProblem extends Error {
  constructor(status, type, detail, problems = [], headers = {}) {
    super(detail)
    this.status = status
    this.type = type
    this.problems = problems
    this.headers = headers
  }
}

const todayUtc = () => new Date().toISOString().slice(0, 10)

function isCalendarDate(value) {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false
  const t = new Date(`${value}T00:00:00Z`)
  return !Number.isNaN(t.getTime()) && t.toISOString().slice(0, 10) === value
}

function send(res, status, body, headers = {}) {
  const text = JSON.stringify(body)
  res.writeHead(status, {
    'content-type': status >= 400 ? 'application/problem+json' : 'application/json',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    ...headers,
  })
  res.end(text)
}

function sendProblem(res, p, instance) {
  const body = { type: PROBLEM_TYPES + p.type, title: TITLES[p.status] ?? 'Error', status: p.status, detail: p.message, instance }
  if (p.problems.length > 0) body.problems = p.problems
  send(res, p.status, body, p.headers)
}

/** Reads the body, refusing it as soon as it passes `max` bytes (declared or streamed). */
function readBody(req, max) {
  return new Promise((resolvePromise, reject) => {
    const tooLarge = (size) =>
      new HttpProblem(413, 'too-large', `the body is ${size} bytes or more; records may be at most ${max} bytes`, [], {
        connection: 'close',
      })
    const declared = Number(req.headers['content-length'])
    if (Number.isFinite(declared) && declared > max) {
      req.resume() // drain without keeping anything
      reject(tooLarge(declared))
      return
    }
    const chunks = []
    let size = 0
    const onData = (chunk) => {
      size += chunk.length
      if (size > max) {
        req.off('data', onData)
        req.resume()
        reject(tooLarge(size))
        return
      }
      chunks.push(chunk)
    }
    req.on('data', onData)
    req.on('end', () => resolvePromise(Buffer.concat(chunks, size)))
    req.on('error', reject)
  })
}

/** Every problem with the query: unknown parameters, repeated ones, a malformed asOf. */
function queryProblems(url) {
  const problems = []
  const seen = new Set()
  for (const [name] of url.searchParams) {
    if (!DECISION_PARAMS.has(name))
      problems.push({ pointer: '', parameter: name, message: `unknown query parameter '${name}'; use policy, asOf or version` })
    else if (seen.has(name)) problems.push({ pointer: '', parameter: name, message: `query parameter '${name}' is given more than once` })
    seen.add(name)
  }
  const asOf = url.searchParams.get('asOf')
  if (asOf !== null && !isCalendarDate(asOf))
    problems.push({ pointer: '', parameter: 'asOf', message: `asOf must be a date written YYYY-MM-DD, got ${JSON.stringify(asOf)}` })
  return problems
}

/**
 * Builds the service. Options: policiesDir (default: the shipped policies), maxBodyBytes (default 1 MiB),
 * audit (a DecisionSink, or a file path for an NDJSON decision log), watch (default true),
 * debounceMs, today (clock for the default asOf), log (receives one object per reload event).
 */
export async function createServer(options = {}) {
  const dir = resolve(options.policiesDir ?? defaultPoliciesDir())
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_RECORD_BYTES
  const today = options.today ?? todayUtc
  const log = options.log ?? (() => {})
  const audit = typeof options.audit === 'string' ? createAuditLog(options.audit) : options.audit
  const store = await watchPolicies(dir, {
    watch: options.watch ?? true,
    debounceMs: options.debounceMs,
    audit,
    maxRecordBytes: maxBodyBytes,
    // problems name files relative to the folder: no server paths in responses
    displayName: (abs) => relative(dir, abs).split(sep).join('/'),
    onReload: (e) => log({ event: 'reload', generation: e.generation, serving: e.serving.map((p) => `${p.id}@${p.version}`) }),
    onProblems: (e) => log({ event: 'problems', generation: e.generation, problems: e.problems }),
  })

  async function decide(req, res, url) {
    const problems = queryProblems(url)
    const body = await readBody(req, maxBodyBytes)
    let record
    try {
      record = parseRecordJson(body, { maxBytes: maxBodyBytes })
    } catch (err) {
      if (err instanceof RecordValidationError)
        throw new HttpProblem(400, 'invalid-json', 'the body is not a JSON record', [...problems, ...err.problems])
      if (err instanceof CollabgateError) throw new HttpProblem(STATUS_BY_CODE[err.code] ?? 400, 'too-large', err.message)
      throw err
    }
    const policy = url.searchParams.get('policy') ?? undefined
    const version = url.searchParams.get('version') ?? undefined
    const asOf = url.searchParams.get('asOf') ?? today()
    if (problems.length > 0) {
      // the query is wrong; still check the record so the caller sees everything at once
      const set = store.current()
      const date = /^\d{4}-\d{2}-\d{2}$/.test(asOf) && !problems.some((p) => p.parameter === 'asOf') ? asOf : today()
      try {
        set.assertRecord(record, { asOf: date, ...(policy ? { policy } : {}), ...(version ? { version } : {}) })
      } catch (err) {
        if (err instanceof RecordValidationError) problems.push(...err.problems)
        else if (err instanceof CollabgateError) problems.push({ pointer: '', message: err.message })
        else throw err
      }
      throw new HttpProblem(400, 'invalid-request', `${problems.length} problem(s) with the request`, problems)
    }
    let decision
    try {
      decision = await store.decide(record, { asOf, ...(policy ? { policy } : {}), ...(version ? { version } : {}) })
    } catch (err) {
      if (!(err instanceof CollabgateError)) throw err
      const status = STATUS_BY_CODE[err.code] ?? 400
      const type = err.code.slice(2).toLowerCase().replaceAll('_', '-')
      const list = err instanceof RecordValidationError ? [...err.problems] : []
      throw new HttpProblem(status, type, err.message, list)
    }
    send(res, 200, decision, { 'x-collabgate-policy': `${decision.policy.id}@${decision.policy.version}` })
  }

  const routes = {
    '/v1/decisions': { POST: decide },
    '/v1/policies': {
      GET: (_req, res) => {
        const status = store.status()
        send(res, 200, {
          generation: status.generation,
          loadedAt: status.loadedAt,
          policies: store.serving(),
          lastReload: status.lastReload,
        })
      },
    },
    '/healthz': {
      GET: (_req, res) => {
        const status = store.status()
        // still healthy when a reload was refused: the last good set answers; 'degraded' says someone should look
        send(res, 200, {
          status: status.lastReload.status === 'rejected' ? 'degraded' : 'ok',
          generation: status.generation,
          policies: store.serving().length,
          lastReload: { status: status.lastReload.status, at: status.lastReload.at, problems: status.lastReload.problems.length },
        })
      },
    },
  }

  async function handle(req, res) {
    let url
    try {
      url = new URL(req.url ?? '/', 'http://service.invalid')
    } catch {
      throw new HttpProblem(400, 'invalid-url', 'the request target is not a valid URL path')
    }
    const route = Object.hasOwn(routes, url.pathname) ? routes[url.pathname] : undefined
    if (!route)
      throw new HttpProblem(404, 'not-found', `no resource at ${url.pathname}; try POST /v1/decisions, GET /v1/policies or GET /healthz`)
    const method = Object.hasOwn(route, req.method ?? '') ? route[req.method] : undefined
    if (!method) {
      const allow = Object.keys(route).join(', ')
      throw new HttpProblem(405, 'method-not-allowed', `${req.method} is not allowed on ${url.pathname}; use ${allow}`, [], { allow })
    }
    await method(req, res, url)
  }

  const server = createHttpServer((req, res) => {
    handle(req, res).catch((err) => {
      if (res.headersSent) {
        res.destroy()
        return
      }
      const p = err instanceof HttpProblem ? err : new HttpProblem(500, 'internal', 'the service failed; the error was logged')
      if (!(err instanceof HttpProblem)) log({ event: 'error', message: err instanceof Error ? err.message : String(err) })
      sendProblem(res, p, req.url)
    })
  })
  // bound slow clients: a request must arrive whole within 30 s
  server.requestTimeout = 30_000
  server.headersTimeout = 10_000

  return {
    server,
    store,
    /** Starts listening; resolves with the base URL. Port 0 picks a free port. */
    listen(port = 8080, host = '127.0.0.1') {
      return new Promise((resolvePromise, reject) => {
        server.once('error', reject)
        server.listen(port, host, () => {
          server.off('error', reject)
          const address = server.address()
          resolvePromise(`http://${host}:${typeof address === 'object' && address ? address.port : port}`)
        })
      })
    },
    /** Stops accepting connections, stops watching, flushes the audit log. */
    async close() {
      store.close()
      await new Promise((resolvePromise) => {
        server.close(() => resolvePromise())
        server.closeAllConnections()
      })
      if (audit && typeof audit.close === 'function') await audit.close()
    },
  }
}

async function main() {
  const { values } = parseArgs({
    options: {
      policies: { type: 'string' },
      port: { type: 'string', default: '8080' },
      host: { type: 'string', default: '127.0.0.1' },
      audit: { type: 'string' },
      'max-body-bytes': { type: 'string' },
    },
  })
  const print = (o) => process.stdout.write(JSON.stringify({ time: new Date().toISOString(), ...o }) + '\n')
  const service = await createServer({
    policiesDir: values.policies,
    audit: values.audit,
    maxBodyBytes: values['max-body-bytes'] ? Number(values['max-body-bytes']) : undefined,
    log: print,
  })
  const url = await service.listen(Number(values.port), values.host)
  print({ event: 'listening', url })
  const stop = () => {
    service.close().then(() => process.exit(0))
  }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err) => {
    process.stderr.write(`${err instanceof CollabgateError ? `${err.code}: ` : ''}${err instanceof Error ? err.message : String(err)}\n`)
    if (err && Array.isArray(err.problems))
      for (const p of err.problems) process.stderr.write(`  ${p.file}:${p.line}:${p.column} ${p.code} ${p.message}\n`)
    process.exit(1)
  })
}
