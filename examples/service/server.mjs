#!/usr/bin/env node
/**
 * collabgate embedded in a small HTTP service (node:http, no framework).
 *
 *   POST /v1/decisions?policy=ID&asOf=YYYY-MM-DD   record (JSON) in the body → the Decision
 *   GET  /v1/policies                              the policy versions being served, with digests
 *   GET  /v1/shadow                                shadow runs of candidate versions (with --shadow)
 *   GET  /healthz                                  liveness, plus the last reload's outcome
 *
 * Policies are reloaded from a folder as they change: a valid folder is swapped in atomically, an
 * invalid one is refused and the last good set keeps answering. Bad requests get 400 with an
 * RFC 9457 problem body listing every problem; bodies over the limit get 413; bodies that are not
 * JSON by their content type get 415. /v1/ requires `Authorization: Bearer <token>` with the token
 * from COLLABGATE_TOKEN (401 otherwise); without a token the service does not start unless told to
 * serve without authentication (--insecure-no-auth, or COLLABGATE_ALLOW_NO_AUTH=1). Connections and
 * slow clients are bounded (see LIMITS). Answers name policy files relative to the folder, never by
 * their path on the server. Every decision answer carries an `x-decision-id` header, the id its
 * audit line carries.
 *
 * Run (after `npm run build`):
 *   COLLABGATE_TOKEN=… node examples/service/server.mjs --policies policies --port 8080 \
 *     [--audit decisions.ndjson [--audit-mode durable|buffered]] [--trust /etc/collabgate/TRUST.json]
 * The folder must have a lock (--no-require-lock for scratch folders); with --trust, each release
 * must also be signed by its author and approved (collabgate sign), or it is refused.
 * --shadow ID@VERSION (repeatable) shadows a version not yet in effect on a share of the decisions
 * (--shadow-rate, default 1), or an unreleased one from --shadow-from DIR; never answered.
 * SIGHUP reopens the audit file (log rotation, or a disk that has room again).
 */
import { createHash, timingSafeEqual } from 'node:crypto'
import { readdirSync, realpathSync } from 'node:fs'
import { createServer as createHttpServer } from 'node:http'
import { basename, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import {
  CollabgateError,
  createAuditLog,
  DEFAULT_MAX_RECORD_BYTES,
  defaultPoliciesDir,
  newDecisionId,
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
  E_AUDIT_FAILED: 503,
}

/**
 * What the service holds clients to (every one can be changed through `createServer({ limits })`):
 * headers must arrive within 10 s and the whole request within 30 s of the connection's first byte
 * (checked every second, and the body read is cut at exactly 30 s); an idle keep-alive connection is
 * closed after 5 s; at most 1,024 connections in all and 64 from one address, of which at most 8 idle
 * (between requests). At the global cap a new connection takes the place of the oldest idle one.
 */
export const LIMITS = Object.freeze({
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  maxConnections: 1024,
  maxConnectionsPerIp: 64,
  maxIdlePerIp: 8,
})

/** Shortest token the service accepts: a guessable token is no protection. */
const MIN_TOKEN_LENGTH = 16

const TITLES = {
  400: 'The request is not valid',
  404: 'Not found',
  401: 'Authentication required',
  405: 'Method not allowed',
  408: 'The request took too long',
  413: 'The request body is too large',
  415: 'The body must be JSON',
  422: 'No policy version applies',
  500: 'Internal error',
  503: 'The service cannot answer now',
}

/** A response the handler decided on: status, JSON body, extra headers. */
/** Record text refused before it is decided (parseRecordJson): problem type and detail by code. */
const TEXT_PROBLEMS = {
  E_RECORD_DUPLICATE_KEY: ['duplicate-key', 'the body gives one key twice in an object; which value is meant is unknown'],
  E_RECORD_LOSSY_NUMBER: ['lossy-number', 'the body has a number a double cannot hold exactly; it would be decided on another value'],
}

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

/** A JSON string's inside, for finding a path in serialized JSON. */
const jsonInside = (text) => JSON.stringify(text).slice(1, -1)

/**
 * Removes server paths from a serialized answer: the policy folder (as given and as resolved) becomes
 * relative, the audit file its base name. Problems from the store can quote the folder (a deleted
 * folder, an unreadable file).
 */
function redactor(paths) {
  const pairs = paths
    .filter((p) => p.from)
    .flatMap(({ from, to }) => [
      [jsonInside(from + sep), to === '.' ? '' : jsonInside(to + '/')],
      [jsonInside(from), jsonInside(to)],
    ])
    .sort((a, b) => b[0].length - a[0].length)
  return (text) => {
    for (const [from, to] of pairs) if (text.includes(from)) text = text.replaceAll(from, to)
    return text
  }
}

/** Top-level folders of this machine's file system, read once: a path under one of them is a server path. */
let topLevel
function serverPathPattern() {
  if (!topLevel) {
    let names = []
    try {
      names = readdirSync('/').filter((n) => /^[\w.-]+$/.test(n) && !n.startsWith('.'))
    } catch {
      // no listing, no scrubbing beyond the known paths
    }
    const alternatives = names.map((n) => n.replace(/[.]/g, '\\.')).join('|')
    // not after a word character, so a relative name such as policies/tmp/x.yaml is left alone
    topLevel = alternatives ? new RegExp(String.raw`(?<![\w.~-])/(?:${alternatives})(?=[/"\\\s),;]|$)[^"\\\s(),;]*`, 'g') : null
  }
  return topLevel
}

/** Replaces absolute paths under a top-level folder of this machine (the store's problems can quote a link's target). */
function scrubServerPaths(text) {
  const pattern = serverPathPattern()
  return pattern ? text.replace(pattern, '<server path>') : text
}

/** Whether a Content-Type header names JSON (application/json or application/…+json), in UTF-8 if a charset is given. */
function isJsonType(header) {
  if (typeof header !== 'string') return false
  const [type, ...params] = header.split(';')
  const media = type.trim().toLowerCase()
  if (media !== 'application/json' && !/^application\/[a-z0-9.!#$&^_-]+\+json$/.test(media)) return false
  return params.every((p) => {
    const [name, value = ''] = p.split('=')
    return name.trim().toLowerCase() !== 'charset' || /^"?utf-8"?$/i.test(value.trim())
  })
}

/** Constant-time comparison of a presented bearer token with the expected one (hashes, so lengths match). */
function tokenMatches(presented, expected) {
  const a = createHash('sha256').update(presented).digest()
  const b = createHash('sha256').update(expected).digest()
  return timingSafeEqual(a, b)
}

function send(res, status, body, headers = {}, redact = (text) => text) {
  const text = redact(JSON.stringify(body))
  res.writeHead(status, {
    'content-type': status >= 400 ? 'application/problem+json' : 'application/json',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    ...headers,
  })
  res.end(text)
}

function sendProblem(res, p, instance, redact) {
  const body = { type: PROBLEM_TYPES + p.type, title: TITLES[p.status] ?? 'Error', status: p.status, detail: p.message, instance }
  if (p.problems.length > 0) body.problems = p.problems
  send(res, p.status, body, p.headers, redact)
}

/** Reads the body, refusing it as soon as it passes `max` bytes (declared or streamed), or when it is not whole by `deadline`. */
function readBody(req, max, deadline) {
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(
      () => {
        req.off('data', onData)
        reject(
          new HttpProblem(408, 'request-timeout', `the request was not complete within ${deadline.limitMs} ms`, [], {
            connection: 'close',
          }),
        )
      },
      Math.max(0, deadline.at - Date.now()),
    )
    req.once('close', () => clearTimeout(timer))
    const tooLarge = (size) =>
      new HttpProblem(413, 'too-large', `the body is ${size} bytes or more; records may be at most ${max} bytes`, [], {
        connection: 'close',
      })
    const declared = Number(req.headers['content-length'])
    if (Number.isFinite(declared) && declared > max) {
      clearTimeout(timer)
      req.resume() // drain without keeping anything
      reject(tooLarge(declared))
      return
    }
    const chunks = []
    let size = 0
    const onData = (chunk) => {
      size += chunk.length
      if (size > max) {
        clearTimeout(timer)
        req.off('data', onData)
        req.resume()
        reject(tooLarge(size))
        return
      }
      chunks.push(chunk)
    }
    req.on('data', onData)
    req.on('end', () => {
      clearTimeout(timer)
      resolvePromise(Buffer.concat(chunks, size))
    })
    req.on('error', (err) => {
      clearTimeout(timer)
      reject(err)
    })
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
 * audit (a DecisionSink, or a file path for an NDJSON decision log), auditMode (for a path: 'durable',
 * the default, or 'buffered'), token (default: the COLLABGATE_TOKEN environment variable; /v1/ needs
 * `Authorization: Bearer <token>`), insecureNoAuth (default: COLLABGATE_ALLOW_NO_AUTH=1; without a
 * token, only `true` lets the service start, open to anyone who can connect), limits (see LIMITS),
 * watch (default true), debounceMs, today (clock for the default asOf), log (receives one object per
 * reload event), requireLock (default true: a folder without a lock that releases something is refused,
 * E_LOCK_REQUIRED; false only for scratch folders), trust (a TRUST.json path: every release served must
 * be signed by its author and approved as it requires, kept outside the policy folder), shadow (the
 * store's ShadowOptions: GET /v1/shadow answers its report).
 */
export async function createServer(options = {}) {
  const dir = resolve(options.policiesDir ?? defaultPoliciesDir())
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_RECORD_BYTES
  const today = options.today ?? todayUtc
  const log = options.log ?? (() => {})
  const limits = { ...LIMITS, ...(options.limits ?? {}) }
  for (const [name, value] of Object.entries(limits))
    if (!(typeof value === 'number' && value > 0))
      throw new CollabgateError('E_INVALID_ARGUMENT', `limits.${name} must be a positive number`)
  const token = Object.hasOwn(options, 'token') ? options.token : process.env.COLLABGATE_TOKEN
  if (token !== undefined && (typeof token !== 'string' || token.length < MIN_TOKEN_LENGTH))
    throw new CollabgateError('E_INVALID_ARGUMENT', `the bearer token must be at least ${MIN_TOKEN_LENGTH} characters`)
  const insecureNoAuth = Object.hasOwn(options, 'insecureNoAuth')
    ? options.insecureNoAuth === true
    : process.env.COLLABGATE_ALLOW_NO_AUTH === '1'
  // an open decision service is a choice to make out loud, not what a forgotten variable gives
  if (token === undefined && !insecureNoAuth)
    throw new CollabgateError(
      'E_INVALID_ARGUMENT',
      `no bearer token: set COLLABGATE_TOKEN (at least ${MIN_TOKEN_LENGTH} characters), or pass --insecure-no-auth ` +
        '(COLLABGATE_ALLOW_NO_AUTH=1) to serve /v1/ to anyone who can connect',
    )
  const auditPath = typeof options.audit === 'string' ? resolve(options.audit) : undefined
  const audit =
    auditPath !== undefined
      ? createAuditLog(auditPath, {
          mode: options.auditMode ?? 'durable',
          onError: (err) => log({ event: 'audit-failed', reason: err.code ?? err.message }),
        })
      : options.audit
  const watching = options.watch ?? true
  let realDir
  try {
    realDir = realpathSync(dir)
  } catch {
    realDir = undefined
  }
  const known = [
    { from: dir, to: '.' },
    { from: realDir !== dir ? realDir : undefined, to: '.' },
    { from: auditPath, to: auditPath ? basename(auditPath) : '' },
  ]
  const redact = redactor(known)
  /** For answers in the store's own words: the folder as it resolves now (a swapped link), then other server paths. */
  const redactStore = (text) => {
    const resolved = store.status().resolved
    const now = resolved && resolved !== dir && resolved !== realDir ? redactor([{ from: resolved, to: '.' }, ...known]) : redact
    return scrubServerPaths(now(text))
  }
  const store = await watchPolicies(dir, {
    watch: watching,
    debounceMs: options.debounceMs,
    // a served folder must be a release: no lock is no release (issue #21), unless told otherwise out loud
    requireLock: options.requireLock ?? true,
    ...(options.trust === undefined ? {} : { trust: resolve(options.trust) }),
    audit,
    ...(options.shadow === undefined ? {} : { shadow: options.shadow }),
    maxRecordBytes: maxBodyBytes,
    // no displayName: the default already names files relative to the folder, and a function would keep a
    // store that parses in a worker thread (with a time budget) on the main thread
    onReload: (e) => log({ event: 'reload', generation: e.generation, serving: e.serving.map((p) => `${p.id}@${p.version}`) }),
    onProblems: (e) => log({ event: 'problems', generation: e.generation, problems: e.problems }),
  })

  /** What /healthz says: 503 when decisions go unrecorded or fail, 'degraded' (200) when the last good set serves but something needs a look. */
  function health() {
    const status = store.status()
    const reasons = []
    let state = 'ok'
    if (status.audit && !status.audit.healthy) {
      state = 'unhealthy'
      reasons.push(
        status.audit.mode === 'durable'
          ? `audit log failing (${status.audit.reason}): decisions are refused until it can be written`
          : `audit log failing (${status.audit.reason}): decisions are answered but not recorded`,
      )
    }
    // the store judges the folder's health itself (lock, folder at rest, watching) and says why it is not healthy
    if (!status.healthy) reasons.push(status.reason)
    if (state === 'ok' && reasons.length > 0) state = 'degraded'
    return {
      code: state === 'unhealthy' ? 503 : 200,
      body: {
        status: state,
        ...(reasons.length > 0 ? { reasons: [...new Set(reasons)] } : {}),
        generation: status.generation,
        policies: store.serving().length,
        watching: status.watching,
        lastReload: { status: status.lastReload.status, at: status.lastReload.at, problems: status.lastReload.problems.length },
        ...(status.audit
          ? {
              audit: {
                healthy: status.audit.healthy,
                mode: status.audit.mode,
                entries: status.audit.entries,
                failed: status.audit.failed,
                ...(status.audit.reopened !== undefined ? { reopened: status.audit.reopened } : {}),
              },
            }
          : {}),
      },
    }
  }

  async function decide(req, res, url, started) {
    // every answer to a decision request names the id its audit line carries (none is written for a refused one)
    const decisionId = newDecisionId()
    res.setHeader('x-decision-id', decisionId)
    if (!isJsonType(req.headers['content-type'])) {
      req.resume()
      throw new HttpProblem(
        415,
        'unsupported-media-type',
        `the body must be sent as application/json (UTF-8), got ${JSON.stringify(req.headers['content-type'] ?? 'no content type')}`,
        [],
        { 'accept-post': 'application/json', connection: 'close' },
      )
    }
    const problems = queryProblems(url)
    const body = await readBody(req, maxBodyBytes, { at: started + limits.requestTimeoutMs, limitMs: limits.requestTimeoutMs })
    let record
    try {
      record = parseRecordJson(body, { maxBytes: maxBodyBytes })
    } catch (err) {
      if (err instanceof RecordValidationError) {
        // text that would not be read as written is named as such, not as "not JSON"
        const [type, detail] = TEXT_PROBLEMS[err.code] ?? ['invalid-json', 'the body is not a JSON record']
        throw new HttpProblem(400, type, detail, [...problems, ...err.problems])
      }
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
      decision = await store.decide(record, { asOf, decisionId, ...(policy ? { policy } : {}), ...(version ? { version } : {}) })
    } catch (err) {
      if (!(err instanceof CollabgateError)) throw err
      const status = STATUS_BY_CODE[err.code] ?? 400
      const type = err.code.slice(2).toLowerCase().replaceAll('_', '-')
      const list = err instanceof RecordValidationError ? [...err.problems] : []
      throw new HttpProblem(status, type, err.message, list, status === 503 ? { 'retry-after': '5' } : {})
    }
    send(res, 200, decision, { 'x-collabgate-policy': `${decision.policy.id}@${decision.policy.version}` }, redact)
  }

  const routes = {
    '/v1/decisions': { POST: decide },
    '/v1/policies': {
      GET: (_req, res) => {
        const status = store.status()
        send(
          res,
          200,
          {
            generation: status.generation,
            loadedAt: status.loadedAt,
            policies: store.serving(),
            lastReload: status.lastReload,
          },
          {},
          redactStore,
        )
      },
    },
    '/v1/shadow': {
      GET: (_req, res) => {
        const report = store.shadowReport()
        if (!report) throw new HttpProblem(404, 'not-shadowing', 'this service shadows no candidate version; start it with --shadow')
        // a candidate's folder is a path on the server: named as the store's own answers name it
        send(res, 200, report, {}, redactStore)
      },
    },
    '/healthz': {
      GET: (_req, res) => {
        const { code, body } = health()
        send(res, code, body, {}, redactStore)
      },
    },
  }

  /** 401 unless the request carries the bearer token; /healthz stays open for probes and says nothing secret. */
  function authenticate(req, url) {
    if (token === undefined || !url.pathname.startsWith('/v1/')) return
    const header = req.headers.authorization
    const match = typeof header === 'string' ? /^Bearer +([\x21-\x7e]+) *$/i.exec(header) : null
    if (match && tokenMatches(match[1], token)) return
    req.resume()
    throw new HttpProblem(
      401,
      'unauthorized',
      match ? 'the bearer token is not valid' : 'this service needs an Authorization: Bearer <token> header',
      [],
      { 'www-authenticate': match ? 'Bearer realm="collabgate", error="invalid_token"' : 'Bearer realm="collabgate"' },
    )
  }

  async function handle(req, res, started) {
    let url
    try {
      url = new URL(req.url ?? '/', 'http://service.invalid')
    } catch {
      throw new HttpProblem(400, 'invalid-url', 'the request target is not a valid URL path')
    }
    const route = Object.hasOwn(routes, url.pathname) ? routes[url.pathname] : undefined
    if (!route)
      throw new HttpProblem(404, 'not-found', `no resource at ${url.pathname}; try POST /v1/decisions, GET /v1/policies or GET /healthz`)
    authenticate(req, url)
    const method = Object.hasOwn(route, req.method ?? '') ? route[req.method] : undefined
    if (!method) {
      const allow = Object.keys(route).join(', ')
      throw new HttpProblem(405, 'method-not-allowed', `${req.method} is not allowed on ${url.pathname}; use ${allow}`, [], { allow })
    }
    await method(req, res, url, started)
  }

  const server = createHttpServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      // Node checks the two timeouts on this interval (default 30 s, which let a 30 s limit run to 60 s)
      connectionsCheckingInterval: Math.max(10, Math.min(1000, Math.floor(Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs) / 4))),
    },
    (req, res) => {
      const started = Date.now()
      handle(req, res, started).catch((err) => {
        if (res.headersSent) {
          res.destroy()
          return
        }
        const p = err instanceof HttpProblem ? err : new HttpProblem(500, 'internal', 'the service failed; the error was logged')
        if (!(err instanceof HttpProblem)) log({ event: 'error', message: err instanceof Error ? err.message : String(err) })
        sendProblem(res, p, req.url, p.status >= 500 ? redactStore : redact)
        if (p.headers.connection === 'close') res.once('finish', () => req.socket.destroySoon?.())
      })
    },
  )
  // one address cannot take every connection: the ones over its share are closed at once
  const perIp = new Map()
  /** Every open connection, and the idle ones (between requests) oldest first, in all and per address. */
  const open = new Set()
  const idle = new Set()
  const idleByIp = new Map()
  const ipOf = (socket) => socket.remoteAddress ?? ''
  const busy = (socket) => {
    idle.delete(socket)
    idleByIp.get(ipOf(socket))?.delete(socket)
  }
  const evict = (socket) => {
    busy(socket)
    open.delete(socket)
    socket.destroy()
  }
  server.on('connection', (socket) => {
    const ip = ipOf(socket)
    const count = (perIp.get(ip) ?? 0) + 1
    if (count > limits.maxConnectionsPerIp) {
      socket.destroy()
      return
    }
    // at the cap, idle keep-alive connections give way to a new client; busy ones do not
    if (open.size >= limits.maxConnections) {
      const oldest = idle.values().next().value
      if (oldest === undefined) {
        socket.destroy()
        return
      }
      evict(oldest)
    }
    perIp.set(ip, count)
    open.add(socket)
    socket.once('close', () => {
      busy(socket)
      open.delete(socket)
      if (idleByIp.get(ip)?.size === 0) idleByIp.delete(ip)
      const left = (perIp.get(ip) ?? 1) - 1
      if (left === 0) perIp.delete(ip)
      else perIp.set(ip, left)
    })
  })
  server.on('request', (req, res) => {
    const socket = req.socket
    busy(socket)
    res.once('finish', () => {
      if (!open.has(socket) || socket.destroyed) return
      const ip = ipOf(socket)
      let mine = idleByIp.get(ip)
      if (!mine) idleByIp.set(ip, (mine = new Set()))
      idle.add(socket)
      mine.add(socket)
      // one address keeps only a few idle connections: its oldest idle one goes first
      if (mine.size > limits.maxIdlePerIp) evict(mine.values().next().value)
    })
  })

  return {
    server,
    store,
    audit,
    limits,
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
    /** Reopens the audit file (after rotation, or once a full disk has room again). */
    async reopenAudit() {
      if (audit && typeof audit.reopen === 'function') await audit.reopen()
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

/** --shadow ID@VERSION (repeatable), --shadow-from DIR, --shadow-rate R: the store's shadow option. */
function shadowOption(values) {
  const candidates = values.shadow.map((named) => {
    const at = named.lastIndexOf('@')
    if (at <= 0 || at === named.length - 1)
      throw new CollabgateError('E_INVALID_ARGUMENT', `--shadow takes ID@VERSION, got ${JSON.stringify(named)}`)
    const from = values['shadow-from']
    return { policy: named.slice(0, at), version: named.slice(at + 1), ...(from === undefined ? {} : { from }) }
  })
  const rate = values['shadow-rate']
  return { candidates, ...(rate === undefined ? {} : { sampleRate: Number(rate) }) }
}

async function main() {
  const { values } = parseArgs({
    options: {
      policies: { type: 'string' },
      port: { type: 'string', default: '8080' },
      host: { type: 'string', default: '127.0.0.1' },
      audit: { type: 'string' },
      'audit-mode': { type: 'string', default: 'durable' },
      'max-body-bytes': { type: 'string' },
      'max-connections': { type: 'string' },
      'max-connections-per-ip': { type: 'string' },
      'max-idle-per-ip': { type: 'string' },
      'insecure-no-auth': { type: 'boolean', default: false },
      trust: { type: 'string' },
      'no-require-lock': { type: 'boolean', default: false },
      shadow: { type: 'string', multiple: true },
      'shadow-from': { type: 'string' },
      'shadow-rate': { type: 'string' },
    },
  })
  const print = (o) => process.stdout.write(JSON.stringify({ time: new Date().toISOString(), ...o }) + '\n')
  const service = await createServer({
    policiesDir: values.policies,
    audit: values.audit,
    auditMode: values['audit-mode'],
    maxBodyBytes: values['max-body-bytes'] ? Number(values['max-body-bytes']) : undefined,
    ...(values['insecure-no-auth'] ? { insecureNoAuth: true } : {}),
    ...(values.trust === undefined ? {} : { trust: values.trust }),
    ...(values['no-require-lock'] ? { requireLock: false } : {}),
    ...(values.shadow === undefined ? {} : { shadow: shadowOption(values) }),
    limits: {
      ...(values['max-connections'] ? { maxConnections: Number(values['max-connections']) } : {}),
      ...(values['max-connections-per-ip'] ? { maxConnectionsPerIp: Number(values['max-connections-per-ip']) } : {}),
      ...(values['max-idle-per-ip'] ? { maxIdlePerIp: Number(values['max-idle-per-ip']) } : {}),
    },
    log: print,
  })
  const url = await service.listen(Number(values.port), values.host)
  print({ event: 'listening', url, auth: process.env.COLLABGATE_TOKEN ? 'bearer' : 'none' })
  process.on('SIGHUP', () => {
    service.reopenAudit().then(() => print({ event: 'audit-reopened' }))
  })
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
