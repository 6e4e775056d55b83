/**
 * Fault injection under load (npm run load -- --faults [--json] [--only NAME,…] [--trust]).
 *
 * For each operator fault: a fresh example service (a child process, durable audit log, bearer token) over
 * a temporary copy of the shipped policies with their lock, reached through a directory symlink. Before
 * the load, one request per case of the mix learns what decides the traffic (the baseline's served
 * versions: `asOf id@version`, `-` where no version is in effect); a fault declares what it touches and
 * counts as touching nothing unless that is among them. The load is this script's own loop (N keep-alive
 * connections), so every request in flight is awaited before the service is killed. Checked:
 * - every 200 answer's policy.digest is the lock's entry for its id@version in the release being served
 *   (the lock at baseline, plus a legitimate new release a fault installs), and an answer under the
 *   baseline's digest answers as the baseline did (a folder declaration the lock does not release);
 * - after SIGKILL, audit lines are matched to 200 answers by the x-decision-id header and the line's
 *   `id` (or `decision`, `decisionId`): audit_missing (an answer without a line), audit_extra (a line
 *   without an answer, a duplicate, an unreadable line);
 * - /healthz, polled every 50 ms: its timeouts (health_timeouts), and whether it was degraded (non-200 or
 *   status not ok) with a reason while the fault lasted, unless the fault is declared harmless to health;
 * - recovery after the fault is undone: healthy, the expected digests served, and a reload done since.
 * With --trust, the copy is signed (an author and an approver of three keys made by `collabgate keygen`,
 * a trust file requiring 1 approval), the service gets --trust, and `unsigned-lock-rewrite` is added.
 * Features not in this build (decision ids, --trust) give a note and a failed run, never a crash.
 */
import { execFileSync } from 'node:child_process'
import { createHash, createPublicKey, randomBytes } from 'node:crypto'
import {
  closeSync,
  fstatSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  realpathSync,
  renameSync,
  rmSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs'
import { Agent, request as httpRequest } from 'node:http'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { copyPolicies, decisionCase, EXAMPLE_CASES, startService } from './load-service.mjs'

const ONBOARDING = 'creator-collaboration.us.onboarding'
const LOCK = 'policies.lock.json'
const SIG = 'policies.lock.sig.json'
/** A date before every released onboarding version: traffic there is 422 until an unreleased version answers it. */
const EARLY = '2023-01-01'
const REQUEST_TIMEOUT_MS = 5000
const HEALTH_TIMEOUT_MS = 1000
/** The store's default settle timeout is 5 s: a never-resting folder must last longer for health to say so. */
const CONTINUOUS_MS = 7000
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

/** A lock file's entries (the flat format before releases, or { release, entries }) and its release. */
export function readLock(dir) {
  const json = JSON.parse(readFileSync(join(dir, LOCK), 'utf8'))
  return typeof json.entries === 'object' && json.entries !== null
    ? { release: json.release ?? 0, entries: json.entries }
    : { release: 0, entries: json }
}

/**
 * The faults. Each: touches (what decides traffic it changes, as baseline slots), run (break, hold, undo;
 * returns the digests to be served after, when not the baseline's), and optionally expectedStatus,
 * harmlessToHealth (why health may stay ok), folder: false (the policy folder is not touched).
 */
function faults({ cli, trust }) {
  const list = [
    {
      name: 'slow-rewrite',
      what: 'the served onboarding file rewritten in place, 200 bytes per 20 ms, at rest 600 ms+ after 15 chunks',
      touches: (ctx) => [ctx.servedSlot(ONBOARDING)],
      async run(ctx) {
        const file = join(ctx.target(), ctx.servedFile(ONBOARDING))
        const text = readFileSync(file)
        const fd = openSync(file, 'w')
        try {
          for (let at = 0, chunk = 1; at < text.length; at += 200, chunk++) {
            writeSync(fd, text, at, Math.min(200, text.length - at))
            // a torn released file left at rest (600 ms, and until health says so, at most 3 s more) must be refused
            if (chunk % 15 === 0) await ctx.hold({ ms: 600, capMs: 3000 })
            else await sleep(20)
          }
        } finally {
          closeSync(fd)
        }
      },
    },
    {
      name: 'rename',
      what: 'the served onboarding file renamed to .bak for the hold time, then back',
      touches: (ctx) => [ctx.servedSlot(ONBOARDING)],
      async run(ctx) {
        const file = join(ctx.target(), ctx.servedFile(ONBOARDING))
        renameSync(file, file + '.bak')
        await ctx.hold()
        renameSync(file + '.bak', file)
      },
    },
    {
      name: 'delete',
      what: 'the served onboarding file deleted for the hold time, then written again',
      touches: (ctx) => [ctx.servedSlot(ONBOARDING)],
      async run(ctx) {
        const file = join(ctx.target(), ctx.servedFile(ONBOARDING))
        const text = readFileSync(file)
        unlinkSync(file)
        await ctx.hold()
        writeFileSync(file, text)
      },
    },
    {
      name: 'delete-recreate-folder',
      what: 'the policy folder deleted for the hold time, then recreated with the same release',
      touches: (ctx) => ctx.allServed(),
      async run(ctx) {
        const dir = ctx.target()
        rmSync(dir, { recursive: true, force: true })
        await ctx.hold()
        copyPolicies(ctx.template, dir)
      },
    },
    {
      name: 'symlink-swap',
      what: 'the folder link swapped to a copy without the served onboarding file, then to release + 1 without 1.1.0',
      touches: (ctx) => [ctx.servedSlot(ONBOARDING)],
      async run(ctx) {
        const served = ctx.servedFile(ONBOARDING)
        const broken = join(ctx.work, 'gen-2')
        copyPolicies(ctx.template, broken, (src) => basename(src) === served)
        ctx.swap(broken)
        await ctx.hold()
        const next = join(ctx.work, 'gen-3')
        copyPolicies(ctx.template, next, (src) => /\.v1\.1\.0\.yaml$/.test(src) || basename(src) === SIG)
        const { release, entries } = readLock(next)
        const kept = Object.fromEntries(Object.entries(entries).filter(([k]) => !k.endsWith('@1.1.0')))
        const droppedDigests = new Set(
          Object.entries(entries)
            .filter(([k]) => k.endsWith('@1.1.0'))
            .map(([, d]) => d),
        )
        writeFileSync(join(next, LOCK), JSON.stringify({ release: release + 1, entries: kept }, null, 2) + '\n')
        ctx.sign(next)
        // a legitimate release: its entries decide from now on
        ctx.release(kept)
        ctx.swap(next)
        return ctx.baseline.filter((d) => !droppedDigests.has(d))
      },
    },
    {
      name: 'many-keys',
      what: 'a policy file with 100,000 distinct keys written into the folder for the hold time, then deleted',
      touches: (ctx) => ctx.allServed(),
      async run(ctx) {
        const file = join(ctx.target(), 'many-keys.yaml')
        const lines = []
        for (let i = 0; i < 100_000; i++) lines.push(`k${i.toString(36)}: 1`)
        writeFileSync(file, lines.join('\n') + '\n')
        await ctx.hold()
        rmSync(file, { force: true })
      },
    },
    {
      name: 'audit-disk-full',
      what: 'the audit file rotated onto /dev/full (SIGHUP) for the hold time, then onto a real file again (SIGHUP)',
      expectedStatus: 503,
      folder: false,
      touches: (ctx) => ctx.allServed(),
      async run(ctx) {
        const file = ctx.auditFile
        renameSync(file, file + '.1')
        symlinkSync('/dev/full', file)
        ctx.child.kill('SIGHUP')
        await ctx.hold()
        unlinkSync(file)
        ctx.child.kill('SIGHUP')
      },
    },
    {
      name: 'lock-deleted',
      what: `${LOCK} deleted for the hold time, then written again`,
      touches: (ctx) => ctx.allServed(),
      async run(ctx) {
        const file = join(ctx.target(), LOCK)
        const text = readFileSync(file)
        unlinkSync(file)
        await ctx.hold()
        writeFileSync(file, text)
      },
    },
    {
      name: 'lock-emptied',
      what: `${LOCK} rewritten as {} for the hold time, then restored`,
      touches: (ctx) => ctx.allServed(),
      async run(ctx) {
        const file = join(ctx.target(), LOCK)
        const text = readFileSync(file)
        writeFileSync(file, '{}\n')
        await ctx.hold()
        writeFileSync(file, text)
      },
    },
    {
      name: 'new-primary-id',
      what: 'creator-collaboration.zz.onboarding 1.0.0 added: primary, appliesTo every application, default approve',
      touches: (ctx) => [ctx.servedSlot(ONBOARDING)],
      async run(ctx) {
        const served = readFileSync(join(ctx.target(), ctx.servedFile(ONBOARDING)), 'utf8')
        const zz = edit(served, [
          [/^id: .*$/m, 'id: creator-collaboration.zz.onboarding'],
          [/^version: .*$/m, 'version: 1.0.0'],
          [/^primary: .*$/m, 'primary: true\nappliesTo: { fact: applicationId, operator: present, value: true }'],
          [/^default: .*$/m, 'default: approve'],
        ])
        const file = join(ctx.target(), 'creator-collaboration.zz.onboarding.v1.0.0.yaml')
        writeFileSync(file, zz)
        await ctx.hold()
        unlinkSync(file)
      },
    },
    {
      name: 'earlier-unreleased',
      what: `onboarding 0.9.0 added, in effect 2000-01-01 until 2023-09-18 (no released version at ${EARLY})`,
      touches: () => [`${EARLY} ${ONBOARDING}@-`],
      async run(ctx) {
        const first = readFileSync(join(ctx.target(), `${ONBOARDING}.v1.0.0.yaml`), 'utf8')
        const early = edit(first, [
          [/^version: .*$/m, 'version: 0.9.0'],
          [/^ {2}from: .*$/m, '  from: "2000-01-01"\n  until: "2023-09-18"'],
        ])
        const file = join(ctx.target(), `${ONBOARDING}.v0.9.0.yaml`)
        writeFileSync(file, early)
        await ctx.hold()
        unlinkSync(file)
      },
    },
    {
      name: 'declaration-edited',
      what: 'collabgate.yaml edited: the application kind’s id field applicationId becomes category',
      touches: (ctx) => ctx.allServed(),
      async run(ctx) {
        const file = join(ctx.target(), 'collabgate.yaml')
        const text = readFileSync(file, 'utf8')
        writeFileSync(file, edit(text, [[/^( {4}id: )applicationId$/m, '$1category']]))
        await ctx.hold()
        writeFileSync(file, text)
      },
    },
    {
      name: 'link-cycle',
      what: 'two links inside the folder, a -> . and b -> .., for the hold time, then removed',
      touches: (ctx) => ctx.allServed(),
      async run(ctx) {
        const dir = ctx.target()
        symlinkSync('.', join(dir, 'a'))
        symlinkSync('..', join(dir, 'b'))
        await ctx.hold()
        unlinkSync(join(dir, 'a'))
        unlinkSync(join(dir, 'b'))
      },
    },
    {
      name: 'continuous-rewrite',
      what: `the served onboarding file rewritten every 50 ms for ${CONTINUOUS_MS / 1000} s (new comment, same digest)`,
      touches: (ctx) => [ctx.servedSlot(ONBOARDING)],
      async run(ctx) {
        const file = join(ctx.target(), ctx.servedFile(ONBOARDING))
        const text = readFileSync(file, 'utf8')
        const until = Date.now() + Math.max(ctx.holdMs, CONTINUOUS_MS)
        // past the settle timeout, and then until health says so (at most 5 s more)
        for (let n = 0; Date.now() < until || (!ctx.degraded() && Date.now() < until + 5000); n++) {
          writeFileSync(file, `${text}# rewrite ${n}\n`)
          await sleep(50)
        }
        writeFileSync(file, text)
      },
    },
    {
      name: 'audit-deleted',
      what: 'the audit file deleted while the service writes; nothing undone: the service must reopen it',
      folder: false,
      // the service's own repair: when it reports the reopen (audit.reopened), every later answer is logged again
      harmlessToHealth: (ctx) =>
        ctx.reopenedGrew() ? 'the service reopened the deleted audit file and says so (audit.reopened)' : undefined,
      touches: (ctx) => ctx.allServed(),
      async run(ctx) {
        // held open to tell lines deleted with the file from lines the service wrote to it after it was gone
        const fd = openSync(ctx.auditFile, 'r')
        unlinkSync(ctx.auditFile)
        ctx.keepDeleted(fd, Date.now())
        await ctx.hold({ until: () => ctx.degraded() || ctx.reopenedGrew() })
      },
    },
  ]
  if (trust)
    list.push({
      name: 'unsigned-lock-rewrite',
      what: `onboarding 1.2.0 (from asOf) added and released with collabgate lock, ${SIG} not signed again`,
      touches: (ctx) => [ctx.servedSlot(ONBOARDING)],
      async run(ctx) {
        const dir = ctx.target()
        const lockText = readFileSync(join(dir, LOCK))
        const served = readFileSync(join(dir, ctx.servedFile(ONBOARDING)), 'utf8')
        const file = join(dir, `${ONBOARDING}.v1.2.0.yaml`)
        writeFileSync(
          file,
          edit(served, [
            [/^version: .*$/m, 'version: 1.2.0'],
            [/^ {2}from: .*$/m, `  from: "${ctx.asOf}"`],
          ]),
        )
        runCli(cli, ['lock', dir])
        await ctx.hold()
        unlinkSync(file)
        writeFileSync(join(dir, LOCK), lockText)
      },
    })
  return list
}

/** Applies replacements, failing when one no longer matches (the shipped files changed shape). */
function edit(text, pairs) {
  for (const [pattern, to] of pairs) {
    if (!pattern.test(text)) throw new Error(`the file no longer matches ${pattern}`)
    text = text.replace(pattern, to)
  }
  return text
}

/** Runs the built CLI; throws (with its stderr) when it fails. */
const runCli = (cli, args) => execFileSync(process.execPath, [cli, ...args], { stdio: 'pipe', timeout: 30_000 })

/** Keys for signed mode: an author and two approvers, a trust file needing one approval. */
function makeTrust(cli, dir) {
  const keys = [
    ['author', 'Author A', 'author'],
    ['approver-1', 'Approver B', 'approver'],
    ['approver-2', 'Approver C', 'approver'],
  ].map(([file, name, role]) => {
    const out = join(dir, file)
    runCli(cli, ['keygen', '--out', out, '--name', name, '--role', role])
    const publicKey = readFileSync(out + '.pub.pem', 'utf8')
    const raw = Buffer.from(createPublicKey(publicKey).export({ format: 'jwk' }).x, 'base64url')
    const keyid = 'sha256:' + createHash('sha256').update(raw).digest('hex')
    return { keyid, name, publicKey, roles: [role], pem: out + '.pem' }
  })
  const trustFile = join(dir, 'TRUST.json')
  const trust = { keys: keys.map(({ pem: _pem, ...k }) => k), approvals: 1 }
  writeFileSync(trustFile, JSON.stringify(trust, null, 2) + '\n')
  const sign = (folder) => {
    runCli(cli, ['sign', '--key', keys[0].pem, '--role', 'author', folder])
    runCli(cli, ['sign', '--key', keys[1].pem, '--role', 'approver', folder])
  }
  return { trustFile, sign }
}

/** The load: `connections` loops of keep-alive requests, each awaited, so stop() leaves none in flight. */
export function startLoad({ url, connections, cases, headers, onAnswer }) {
  const { hostname, port } = new URL(url)
  const agent = new Agent({ keepAlive: true, maxSockets: connections })
  const stats = { requests: 0, errors: 0, timeouts: 0, latencies: [], errorCodes: {} }
  let stopping = false
  const loops = Array.from({ length: connections }, async (_, w) => {
    for (let i = w; !stopping; i++) {
      const ok = await send({ agent, hostname, port, c: cases[i % cases.length], headers, stats, onAnswer })
      // a dead or refusing service must not turn this loop into a busy spin
      if (!ok) await sleep(50)
    }
  })
  return {
    async stop() {
      stopping = true
      await Promise.all(loops)
      agent.destroy()
      return stats
    },
  }
}

/** One request; resolves true when answered (any status), false on a connection error or timeout. */
function send({ agent, hostname, port, c, headers, stats, onAnswer }) {
  return new Promise((resolve) => {
    const started = performance.now()
    let settled = false
    let timedOut = false
    const settle = (ok) => {
      if (settled) return
      settled = true
      resolve(ok)
    }
    const req = httpRequest(
      {
        agent,
        host: hostname,
        port,
        method: 'POST',
        path: c.path,
        headers: { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(c.body) },
      },
      (res) => {
        const chunks = []
        res.on('data', (d) => chunks.push(d))
        res.on('end', () => {
          if (settled) return
          stats.requests++
          stats.latencies.push(performance.now() - started)
          onAnswer(c, res.statusCode, res.headers, Buffer.concat(chunks).toString('utf8'))
          settle(true)
        })
        res.on('error', () => req.destroy())
      },
    )
    req.setTimeout(REQUEST_TIMEOUT_MS, () => {
      timedOut = true
      req.destroy(new Error('timeout'))
    })
    req.on('error', (err) => {
      if (settled) return
      stats.requests++
      if (timedOut) stats.timeouts++
      else stats.errors++
      const code = err.code ?? err.message
      if (!timedOut) stats.errorCodes[code] = (stats.errorCodes[code] ?? 0) + 1
      settle(false)
    })
    req.end(c.body)
  })
}

const percentile = (values, p) => {
  if (values.length === 0) return null
  const sorted = [...values].sort((a, b) => a - b)
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] * 10) / 10
}

/** What an answer says besides its policy: the same under one digest unless the folder's declaration changed. */
const shapeOf = (d) => JSON.stringify([d.outcome, (d.reasons ?? []).map((r) => r.rule), d.subject?.kind, d.subject?.id, d.review ?? null])

/** The decision id of an audit line, under any of the names the service may give it. */
const lineId = (entry) => [entry?.id, entry?.decisionId, entry?.decision].find((v) => typeof v === 'string')

/**
 * Every line of every real file in `dir` (not the /dev/full link), and of the deleted files held open: a line
 * there decided (`time`) after the file was gone is `lost` (no one reading the log will find it).
 */
export function auditLinesOf(dir, heldFds) {
  const texts = []
  for (const name of readdirSync(dir)) {
    const path = join(dir, name)
    if (lstatSync(path).isFile()) texts.push({ from: 'file', text: readFileSync(path, 'utf8') })
  }
  for (const { fd, deletedAt } of heldFds) {
    const size = fstatSync(fd).size
    const buf = Buffer.alloc(size)
    let at = 0
    while (at < size) {
      const n = readSync(fd, buf, at, size - at, at)
      if (n === 0) break
      at += n
    }
    closeSync(fd)
    texts.push({ from: 'deleted', deletedAt, text: buf.subarray(0, at).toString('utf8') })
  }
  const lines = []
  for (const { from, deletedAt, text } of texts)
    for (const line of text.split('\n').filter((l) => l.length > 0)) {
      const time = from === 'deleted' ? Date.parse(/"time":"([^"]+)"/.exec(line)?.[1] ?? '') : NaN
      lines.push({ from: time >= deletedAt ? 'lost' : from, line })
    }
  return lines
}

/** Audit lines matched one by one to the 200 answers' decision ids. */
export function matchAudit(lines, answeredIds) {
  const byId = new Map()
  let unreadable = 0
  for (const { from, line } of lines) {
    // its answer has no line anyone can read: missing, unless another line has its id
    if (from === 'lost') continue
    let id
    try {
      id = lineId(JSON.parse(line))
    } catch {
      id = undefined
    }
    if (id === undefined) {
      unreadable++
      continue
    }
    byId.set(id, (byId.get(id) ?? 0) + 1)
  }
  let missing = 0
  let extra = unreadable
  const answered = new Set()
  for (const id of answeredIds) {
    // the same id on two answers: the second has no line of its own
    if (answered.has(id)) {
      missing++
      continue
    }
    answered.add(id)
    const n = byId.get(id) ?? 0
    if (n === 0) missing++
    else extra += n - 1
  }
  for (const [id, n] of byId) if (!answered.has(id)) extra += n
  return { missing, extra, unreadable }
}

export async function runFaults({ root, connections, json, auditMode, holdMs, recoverTimeoutMs, only, trust, say }) {
  const cli = join(root, 'dist/cli.js')
  const asOf = new Date().toISOString().slice(0, 10)
  const base = mkdtempSync(join(tmpdir(), 'collabgate-faults-'))
  const token = randomBytes(24).toString('base64url')
  const cases = [
    ...EXAMPLE_CASES.map(([policy, file]) => ({ ...decisionCase(root, asOf, policy, file), expect: [200] })),
    // no onboarding version is released for this date: 422 until something unreleased answers it
    { ...decisionCase(root, EARLY, ONBOARDING, 'applications/complete-us-developer.json'), expect: [422] },
  ]
  const notes = []
  const results = []
  const children = new Set()
  let signedMode = trust ? 'requested' : 'off'
  try {
    // the folder every fault starts from, signed in signed mode
    const template = join(base, 'template')
    copyPolicies(join(root, 'policies'), template)
    let signing
    if (trust) {
      try {
        signing = makeTrust(cli, base)
        signing.sign(template)
        // the harness's own check that the copy it serves is a release the trust file accepts
        runCli(cli, ['verify', '--trust', signing.trustFile, template])
        signedMode = 'on'
      } catch (err) {
        signedMode = `unavailable: ${
          String(err.stderr ?? err.message)
            .trim()
            .split('\n')[0]
        }`
        notes.push(`signed mode could not be set up (${signedMode}); the faults ran unsigned`)
      }
    }
    const all = faults({ cli, trust: signedMode === 'on' }).filter((f) => only.length === 0 || only.includes(f.name))
    if (only.length > 0 && all.length < only.length)
      notes.push(`unknown fault name(s): ${only.filter((n) => !all.some((f) => f.name === n)).join(', ')}`)
    for (const fault of all) {
      const entry = await runOne({
        fault,
        base,
        template,
        signing,
        asOf,
        cases,
        token,
        connections,
        auditMode,
        holdMs,
        recoverTimeoutMs,
        root,
        children,
      })
      results.push(entry)
      say(describe(fault, entry, recoverTimeoutMs))
      // a service that does not start for one fault will not for the next: stop here
      if (!entry.started) {
        notes.push(`stopped after ${fault.name}: the service did not start`)
        break
      }
    }
  } finally {
    for (const c of children) c.kill('SIGKILL')
    rmSync(base, { recursive: true, force: true })
  }
  const sum = (k) => results.reduce((n, r) => n + (r[k] ?? 0), 0)
  const logging = auditMode !== 'none'
  const idsKnown = results.every((r) => r.audit_missing !== null)
  const noIds = results.filter((r) => r.started && r.audit_missing === null && logging).map((r) => r.fault)
  if (noIds.length > 0) notes.push(`no x-decision-id from the service: audit lines not matched (${noIds.join(', ')})`)
  const summary = {
    mode: 'faults',
    audit_mode: auditMode,
    signed: signedMode,
    connections,
    hold_ms: holdMs,
    requests: sum('requests'),
    non2xx: sum('non2xx'),
    unexpected_non2xx: sum('unexpected_non2xx'),
    errors: sum('errors'),
    unreleased_answers: sum('unreleased'),
    audit_missing: logging && idsKnown ? sum('audit_missing') : null,
    audit_extra: logging && idsKnown ? sum('audit_extra') : null,
    health_timeouts: sum('health_timeouts'),
    faults_touching_nothing: results.filter((r) => r.touched_nothing.length > 0).map((r) => r.fault),
    faults_with_health_ok: results.filter((r) => r.started && !r.health_degraded && !r.harmless_to_health).map((r) => r.fault),
    not_recovered: results.filter((r) => r.started && !r.recovered).map((r) => r.fault),
    not_started: results.filter((r) => !r.started).map((r) => r.fault),
    faults: Object.fromEntries(
      results.map((r) => [
        r.fault,
        {
          requests: r.requests,
          non2xx: r.non2xx,
          errors: r.errors,
          unreleased: r.unreleased,
          p99_ms: r.p99_ms,
          recover_ms: r.recover_ms,
          audit_missing: r.audit_missing,
          audit_extra: r.audit_extra,
          touches: r.touches,
          health: r.health_seen,
          degraded_because: r.health_reasons,
          ...(r.harmless_to_health ? { harmless_to_health: r.harmless_to_health } : {}),
          ...(r.notes.length > 0 ? { notes: r.notes } : {}),
        },
      ]),
    ),
    ...(notes.length > 0 ? { notes } : {}),
  }
  const ok =
    results.length > 0 &&
    results.every((r) => r.started) &&
    summary.unreleased_answers === 0 &&
    (!logging || (summary.audit_extra === 0 && (auditMode !== 'durable' || summary.audit_missing === 0))) &&
    summary.health_timeouts === 0 &&
    summary.faults_touching_nothing.length === 0 &&
    summary.faults_with_health_ok.length === 0 &&
    summary.not_recovered.length === 0 &&
    summary.unexpected_non2xx === 0 &&
    summary.errors === 0 &&
    !(trust && signedMode !== 'on')
  for (const n of notes) say(`note: ${n}`)
  const failures = [
    `unreleased answers ${summary.unreleased_answers}`,
    `audit missing ${summary.audit_missing}, extra ${summary.audit_extra}`,
    `health timeouts ${summary.health_timeouts}`,
    `touching nothing: ${summary.faults_touching_nothing.join(', ') || 'none'}`,
    `health ok throughout: ${summary.faults_with_health_ok.join(', ') || 'none'}`,
    `not recovered: ${summary.not_recovered.join(', ') || 'none'}`,
    `not run: ${summary.not_started.join(', ') || 'none'}`,
    `unexpected non-2xx ${summary.unexpected_non2xx}, errors ${summary.errors}`,
  ]
  say(
    ok
      ? `ok: ${results.length} faults: no unreleased answer, audit matched, health said so, all recovered`
      : `FAILED: ${failures.join(', ')}`,
  )
  if (json) say(JSON.stringify({ ...summary, ok }))
  return ok
}

function describe(fault, e, recoverTimeoutMs) {
  const pad = ' '.repeat(23)
  if (!e.started) return `${fault.name.padEnd(22)} NOT RUN: ${e.notes.join('; ')}`
  const missed = e.touched_nothing.length > 0 ? ` — NOT served at baseline: ${e.touched_nothing.join(', ')}` : ''
  const during = e.health_degraded
    ? `degraded (${e.health_reasons.join(' / ')})`
    : e.harmless_to_health
      ? `ok, harmless: ${e.harmless_to_health}`
      : 'OK THROUGHOUT'
  const recovery = e.recovered ? `recovered in ${e.recover_ms} ms` : `NOT recovered within ${recoverTimeoutMs} ms`
  const lines = [
    `${fault.name.padEnd(22)} ${fault.what}`,
    `${pad}touches ${e.touches.join(', ') || '(nothing declared)'}${missed}`,
    `${pad}requests ${e.requests}, non-2xx ${e.non2xx} (unexpected ${e.unexpected_non2xx}), errors ${e.errors}` +
      `, unreleased ${e.unreleased}, p99 ${e.p99_ms} ms`,
    `${pad}health ${e.health_seen.join(' | ') || '-'}; during the fault: ${during}; probe timeouts ${e.health_timeouts}`,
    `${pad}${recovery}; audit ${e.audit_lines} lines for ${e.answered} answers:` +
      ` missing ${e.audit_missing ?? 'n/a'}, extra ${e.audit_extra ?? 'n/a'}`,
  ]
  for (const n of e.notes) lines.push(`${pad}note: ${n}`)
  return lines.join('\n')
}

async function runOne({
  fault,
  base,
  template,
  signing,
  asOf,
  cases,
  token,
  connections,
  auditMode,
  holdMs,
  recoverTimeoutMs,
  root,
  children,
}) {
  const work = join(base, fault.name)
  const gen1 = join(work, 'gen-1')
  const live = join(work, 'live')
  const auditDir = join(work, 'audit')
  mkdirSync(auditDir, { recursive: true })
  copyPolicies(template, gen1)
  symlinkSync(gen1, live)
  const auditFile = join(auditDir, 'decisions.ndjson')
  const notes = []
  const entry = {
    fault: fault.name,
    started: false,
    requests: 0,
    non2xx: 0,
    unexpected_non2xx: 0,
    errors: 0,
    unreleased: 0,
    p99_ms: null,
    touches: [],
    touched_nothing: [],
    health_seen: [],
    health_degraded: false,
    health_reasons: [],
    health_timeouts: 0,
    harmless_to_health: undefined,
    recovered: false,
    recover_ms: null,
    answered: 0,
    audit_lines: 0,
    audit_missing: null,
    audit_extra: null,
    notes,
  }

  // released content: the lock's entry for each id@version (a legitimate new release adds its own)
  const released = new Map()
  const release = (entries) => {
    for (const [key, digest] of Object.entries(entries)) released.set(key, (released.get(key) ?? new Set()).add(digest))
  }
  release(readLock(gen1).entries)

  const service = startService({
    root,
    policies: live,
    connections,
    args: [
      ...(auditMode === 'none' ? [] : ['--audit', auditFile, '--audit-mode', auditMode]),
      ...(signing ? ['--trust', signing.trustFile] : []),
    ],
    env: { COLLABGATE_TOKEN: token },
  })
  const { child, exited } = service
  children.add(child)
  let url
  try {
    url = await service.listening()
  } catch (err) {
    const why = err.message
    const hint = signing && /trust/.test(why) ? ' (the service does not take --trust yet)' : ''
    notes.push(`the service did not start: ${why}${hint}`)
    child.kill('SIGKILL')
    await exited
    children.delete(child)
    return entry
  }
  entry.started = true

  const auth = { authorization: `Bearer ${token}` }
  const { hostname, port } = new URL(url)
  // a connection per probe, closed after it: no idle keep-alive of the harness's own competes with the load's
  const get = (path) =>
    new Promise((resolve) => {
      let done = false
      const finish = (r) => {
        if (done) return
        done = true
        clearTimeout(timer)
        resolve(r)
      }
      const headers = { ...auth, connection: 'close' }
      const req = httpRequest({ host: hostname, port, path, method: 'GET', headers, agent: false }, (res) => {
        const chunks = []
        res.on('data', (d) => chunks.push(d))
        res.on('end', () => {
          let body
          try {
            body = JSON.parse(Buffer.concat(chunks).toString('utf8'))
          } catch {
            body = undefined
          }
          finish({ status: res.statusCode, body })
        })
        res.on('error', () => finish({ status: 0, body: undefined }))
      })
      const timer = setTimeout(() => {
        if (!done) entry.health_timeouts++
        finish({ status: 0, body: undefined, timedOut: true })
        req.destroy()
      }, HEALTH_TIMEOUT_MS)
      req.on('error', () => finish({ status: 0, body: undefined }))
      req.end()
    })
  const servedList = async () => {
    const r = await get('/v1/policies')
    return r.status === 200 ? r.body : undefined
  }

  // every answer is checked as it comes
  const counts = { byStatus: {}, unexpected: 0, answered: 0, unreleased: 0, withoutId: 0 }
  const answeredIds = []
  const unreleasedSeen = new Set()
  const onAnswer = (c, status, headers, text) => {
    counts.byStatus[status] = (counts.byStatus[status] ?? 0) + 1
    if (!c.expect.includes(status) && status !== 200 && status !== fault.expectedStatus) counts.unexpected++
    if (status !== 200) return
    counts.answered++
    const id = headers['x-decision-id']
    if (typeof id === 'string') answeredIds.push(id)
    else counts.withoutId++
    let d
    try {
      d = JSON.parse(text)
    } catch {
      counts.unreleased++
      unreleasedSeen.add('an answer that is not JSON')
      return
    }
    const key = `${d.policy?.id}@${d.policy?.version}`
    if (!released.get(key)?.has(d.policy?.digest)) {
      counts.unreleased++
      unreleasedSeen.add(`${key} ${d.policy?.digest}`)
    } else if (c.baseline?.digest === d.policy.digest && c.baseline.shape !== shapeOf(d)) {
      counts.unreleased++
      unreleasedSeen.add(`${key}: answered otherwise than at baseline under one digest (the folder's declaration?)`)
    }
  }

  // the baseline: what decides each case now
  const slots = new Set()
  const probeStats = { requests: 0, errors: 0, timeouts: 0, latencies: [] }
  const probeAgent = new Agent({ keepAlive: false })
  for (const c of cases) {
    let seen
    await send({
      agent: probeAgent,
      hostname,
      port,
      c,
      headers: auth,
      stats: probeStats,
      onAnswer: (cc, status, headers, text) => {
        seen = { status, text }
        onAnswer(cc, status, headers, text)
      },
    })
    if (seen?.status === 200) {
      const d = JSON.parse(seen.text)
      c.baseline = { key: `${d.policy.id}@${d.policy.version}`, digest: d.policy.digest, shape: shapeOf(d) }
      slots.add(`${c.asOf} ${c.baseline.key}`)
    } else {
      c.baseline = undefined
      if (seen?.status === 422 && c.policy) slots.add(`${c.asOf} ${c.policy}@-`)
    }
  }
  probeAgent.destroy()
  const listing = await servedList()
  const baseline = (listing?.policies ?? []).map((p) => p.digest).sort()
  const fileOf = new Map((listing?.policies ?? []).map((p) => [`${p.id}@${p.version}`, basename(String(p.file ?? ''))]))
  const firstReopened = (await get('/healthz')).body?.audit?.reopened ?? 0
  let lastReopened = firstReopened

  const servedKey = (id) => [...slots].find((s) => s.startsWith(`${asOf} ${id}@`))?.split(' ')[1]
  const heldFds = []
  const probes = []
  let faultStart = 0
  let undone = 0
  const ctx = {
    work,
    child,
    auditFile,
    baseline,
    template,
    asOf,
    holdMs,
    /** The fault lasts `ms` (the hold time), then until health is degraded (or `until`), at most `capMs` more. */
    async hold({ ms = holdMs, capMs = 5000, until = () => ctx.degraded() } = {}) {
      await sleep(ms)
      const cap = Date.now() + capMs
      while (!until() && Date.now() < cap) await sleep(50)
    },
    degraded: () => probes.some((p) => p.t >= faultStart && !p.ok && p.reasons.length > 0),
    target() {
      const dir = realpathSync(live)
      // every fault writes and deletes under the harness's own temporary folder, never where a link leads out of it
      if (!dir.startsWith(realpathSync(base) + '/')) throw new Error(`refusing to touch ${dir}: outside ${base}`)
      return dir
    },
    servedSlot: (id) => `${asOf} ${servedKey(id) ?? `${id}@?`}`,
    servedFile(id) {
      const file = fileOf.get(servedKey(id))
      if (!file) throw new Error(`${id} decides none of the traffic at ${asOf}`)
      return file
    },
    allServed: () => [...slots].filter((s) => !s.endsWith('@-')),
    release,
    sign: (dir) => signing?.sign(dir),
    keepDeleted: (fd, deletedAt) => heldFds.push({ fd, deletedAt }),
    reopenedGrew: () => lastReopened > firstReopened,
    swap(to) {
      const tmp = join(work, 'live.tmp')
      symlinkSync(to, tmp)
      renameSync(tmp, live) // atomic, the way kubelet updates a ConfigMap volume's ..data link
    },
  }
  entry.touches = fault.touches(ctx)
  entry.touched_nothing = entry.touches.length === 0 ? ['(nothing declared)'] : entry.touches.filter((s) => !slots.has(s))

  const load = startLoad({ url, connections, cases, headers: auth, onAnswer })

  // a monitor: what /healthz says, every 50 ms, for the whole run
  let monitoring = true
  const monitor = (async () => {
    while (monitoring) {
      const t = Date.now()
      const h = await get('/healthz')
      const reasons = Array.isArray(h.body?.reasons) ? h.body.reasons : []
      if (typeof h.body?.audit?.reopened === 'number') lastReopened = Math.max(lastReopened, h.body.audit.reopened)
      probes.push({
        t,
        label: h.status === 0 ? (h.timedOut ? 'timeout' : 'unreachable') : `${h.status} ${h.body?.status}`,
        reasons,
        ok: h.status === 200 && h.body?.status === 'ok',
      })
      await sleep(50)
    }
  })()

  try {
    await sleep(1000)
    faultStart = Date.now()
    const expected = (await fault.run(ctx)) ?? baseline
    undone = Date.now()
    const want = [...expected].sort().join(',')
    let last
    while (Date.now() - undone < recoverTimeoutMs) {
      const h = await get('/healthz')
      last = { health: h.body?.status ?? 'unresponsive', reasons: h.body?.reasons }
      if (h.status === 200 && h.body.status === 'ok') {
        const now = await servedList()
        const reload = now?.lastReload
        last.serving = now?.policies?.length
        last.lastReload = reload && { status: reload.status, at: reload.at }
        // a folder fault is over when a reload since its undoing has read the folder at rest and kept it
        const fresh =
          fault.folder === false || (reload && Date.parse(reload.at) >= undone && ['swapped', 'unchanged'].includes(reload.status))
        if (
          now &&
          fresh &&
          now.policies
            .map((p) => p.digest)
            .sort()
            .join(',') === want
        ) {
          entry.recovered = true
          entry.recover_ms = Date.now() - undone
          break
        }
      }
      await sleep(50)
    }
    // what the service said last, so an unrecovered fault says where it stuck
    if (!entry.recovered) notes.push(`at the deadline: ${JSON.stringify(last)}`)
    await sleep(500)
  } catch (err) {
    notes.push(`the fault could not be run: ${err instanceof Error ? err.message : String(err)}`)
    undone ||= Date.now()
  } finally {
    monitoring = false
    await monitor
  }
  const stats = await load.stop()
  child.kill('SIGKILL') // no graceful flush: the audit lines must already be there
  await exited
  children.delete(child)

  // health while the fault lasted
  const during = probes.filter((p) => p.t >= faultStart && p.t <= undone)
  const degraded = during.filter((p) => !p.ok && p.reasons.length > 0)
  entry.health_seen = [...new Set(probes.map((p) => p.label))].sort()
  entry.health_degraded = degraded.length > 0
  entry.health_reasons = [...new Set(degraded.flatMap((p) => p.reasons))].slice(0, 3).map((r) => String(r).slice(0, 240))
  if (!entry.health_degraded && fault.harmlessToHealth) entry.harmless_to_health = fault.harmlessToHealth(ctx)
  const silent = during.filter((p) => !p.ok && p.reasons.length === 0).length
  if (silent > 0) notes.push(`${silent} probe(s) during the fault were not ok but gave no reason`)

  entry.requests = stats.requests
  entry.errors = stats.errors + stats.timeouts
  if (stats.errors + stats.timeouts > 0)
    notes.push(`connection errors ${JSON.stringify(stats.errorCodes)}, request timeouts (${REQUEST_TIMEOUT_MS} ms) ${stats.timeouts}`)
  entry.p99_ms = percentile(stats.latencies, 99)
  entry.non2xx = Object.entries(counts.byStatus)
    .filter(([s]) => Number(s) < 200 || Number(s) >= 300)
    .reduce((n, [, c]) => n + c, 0)
  entry.unexpected_non2xx = counts.unexpected
  entry.unreleased = counts.unreleased
  entry.answered = counts.answered
  if (unreleasedSeen.size > 0) notes.push(`unreleased: ${[...unreleasedSeen].slice(0, 3).join('; ')}`)
  if (auditMode !== 'none') {
    const lines = auditLinesOf(auditDir, heldFds)
    entry.audit_lines = lines.length
    const inDeleted = lines.filter((l) => l.from === 'deleted').length
    const lost = lines.filter((l) => l.from === 'lost').length
    if (inDeleted > 0) notes.push(`${inDeleted} audit line(s) deleted with the file (decided before it was deleted)`)
    if (lost > 0) notes.push(`${lost} audit line(s) written to the deleted file after it was gone: their answers count as missing`)
    if (counts.withoutId === 0) {
      const m = matchAudit(lines, answeredIds)
      entry.audit_missing = m.missing
      entry.audit_extra = m.extra
      if (m.unreadable > 0) notes.push(`${m.unreadable} audit line(s) without a readable id (counted as extra)`)
    } else notes.push(`${counts.withoutId} of ${counts.answered} answers had no x-decision-id: audit lines not matched`)
  }
  return entry
}
