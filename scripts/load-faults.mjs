/**
 * Fault injection under load (npm run load -- --faults [--json]): for each operator fault, a fresh
 * example service (a child process) over a temporary copy of the shipped policies (lock included),
 * driven by autocannon while the fault happens and is undone. Measured per fault: requests, non-2xx,
 * connection errors, answers whose policy digest is not in policies.lock.json (unreleased: must be 0),
 * p99 latency, what /healthz said, and the time from undoing the fault to the service being healthy
 * and serving the released set again. Each service is ended with SIGKILL, then its audit lines are
 * counted against the decisions it answered (durable mode: none may be missing).
 *
 * The faults: a slow in-place rewrite of onboarding 1.0.0 in 100-byte chunks; renaming it; deleting
 * it; deleting and recreating the folder; swapping a directory symlink (a Kubernetes ConfigMap
 * update) first to a folder that misses a released version, then to a new valid release; a policy
 * file with 100,000 distinct keys; the audit log's disk becoming full (/dev/full, then SIGHUP).
 * The harness reports what happened; it does not hide a fault the store does not survive yet.
 */
import autocannon from 'autocannon'
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  closeSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
  writeSync,
  lstatSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'

const ONBOARDING = 'creator-collaboration.us.onboarding'
const ONB_FILE = `${ONBOARDING}.v1.0.0.yaml`
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

/** The shipped policies without their tests: what a deployment would hold. */
function copyPolicies(root, to, drop = () => false) {
  cpSync(join(root, 'policies'), to, {
    recursive: true,
    filter: (src) => !/\.test\.ya?ml$|test-records|policies\.parsed\.json$/.test(src) && !drop(src),
  })
}

const lockOf = (dir) => JSON.parse(readFileSync(join(dir, 'policies.lock.json'), 'utf8'))

/** The faults, each: do (break things), undo (put a good release back), and the released set expected after. */
function faults(root) {
  return [
    {
      name: 'slow-rewrite',
      what: `${ONB_FILE} rewritten in place in 100-byte chunks, 20 ms apart, pausing 250 ms (past the store's debounce) after every 15th`,
      async run(ctx) {
        const file = join(ctx.target(), ONB_FILE)
        const text = readFileSync(file)
        const fd = openSync(file, 'w')
        try {
          for (let at = 0, chunk = 1; at < text.length; at += 100, chunk++) {
            writeSync(fd, text, at, Math.min(100, text.length - at))
            // a writer that stalls now and then leaves a truncated file long enough for a reload to see it
            await sleep(chunk % 15 === 0 ? 250 : 20)
          }
        } finally {
          closeSync(fd)
        }
      },
    },
    {
      name: 'rename',
      what: `${ONB_FILE} renamed to .bak for 2 s, then back`,
      async run(ctx) {
        const file = join(ctx.target(), ONB_FILE)
        renameSync(file, file + '.bak')
        await ctx.hold()
        renameSync(file + '.bak', file)
      },
    },
    {
      name: 'delete',
      what: `${ONB_FILE} deleted for 2 s, then written again`,
      async run(ctx) {
        const file = join(ctx.target(), ONB_FILE)
        const text = readFileSync(file)
        unlinkSync(file)
        await ctx.hold()
        writeFileSync(file, text)
      },
    },
    {
      name: 'delete-recreate-folder',
      what: 'the policy folder deleted for 2 s, then recreated with the same release',
      async run(ctx) {
        const dir = ctx.target()
        rmSync(dir, { recursive: true, force: true })
        await ctx.hold()
        copyPolicies(root, dir)
      },
    },
    {
      name: 'symlink-swap',
      what: `the folder's directory symlink swapped (rename) to a copy without ${ONB_FILE}, then to a new release without the 1.1.0 versions`,
      async run(ctx) {
        const broken = join(ctx.work, 'gen-2')
        copyPolicies(root, broken, (src) => src.endsWith(ONB_FILE))
        ctx.swap(broken)
        await ctx.hold()
        const next = join(ctx.work, 'gen-3')
        copyPolicies(root, next, (src) => /\.v1\.1\.0\.yaml$/.test(src))
        const entries = Object.entries(lockOf(next))
        const dropped = new Set(entries.filter(([k]) => /\.v?1\.1\.0$|@1\.1\.0$/.test(k)).map(([, d]) => d))
        const lock = Object.fromEntries(entries.filter(([, d]) => !dropped.has(d)))
        writeFileSync(join(next, 'policies.lock.json'), JSON.stringify(lock, null, 2) + '\n')
        ctx.swap(next)
        // the lock also holds record schemas: what must be served is the versions served before, less the dropped ones
        return ctx.baseline.filter((d) => !dropped.has(d))
      },
    },
    {
      name: 'many-keys',
      what: 'a policy file with 100,000 distinct keys written into the folder for 2 s, then deleted',
      async run(ctx) {
        const file = join(ctx.target(), 'many-keys.yaml')
        const lines = []
        for (let i = 0; i < 100_000; i++) lines.push(`k${i.toString(36)}: 1`)
        writeFileSync(file, lines.join('\n') + '\n')
        ctx.note(`many-keys.yaml is ${lines.join('\n').length + 1} bytes`)
        await ctx.hold()
        rmSync(file, { force: true })
      },
    },
    {
      name: 'audit-disk-full',
      what: 'the audit file rotated onto /dev/full (SIGHUP) for 2 s, then onto a real file again (SIGHUP)',
      expectedStatus: 503,
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
  ]
}

/** The audit lines in every real file of `dir` (not the /dev/full link). */
function auditLines(dir) {
  let n = 0
  for (const name of readdirSync(dir)) {
    const path = join(dir, name)
    if (!lstatSync(path).isFile()) continue
    n += readFileSync(path, 'utf8')
      .split('\n')
      .slice(0, -1)
      .filter((l) => l.startsWith('{')).length
  }
  return n
}

export async function runFaults({ root, connections, json, auditMode, holdMs, recoverTimeoutMs, only, say }) {
  const released = new Set(Object.values(lockOf(join(root, 'policies'))))
  const asOf = new Date().toISOString().slice(0, 10)
  const base = mkdtempSync(join(tmpdir(), 'collabgate-faults-'))
  const token = randomBytes(24).toString('base64url')
  const record = (file) => readFileSync(join(root, 'examples', file), 'utf8')
  const cases = [
    ['', 'applications/complete-us-developer.json'],
    ['', 'applications/missing-details.json'],
    ['', 'applications/rejected-multiple-reasons.json'],
    ['&policy=creator-collaboration.us.api-access', 'applications/approved-for-api-access.json'],
    ['', 'behaviour/confirmed-data-leak.json'],
    ['', 'behaviour/suspected-fraud.json'],
  ]
  const all = faults(root).filter((f) => only.length === 0 || only.includes(f.name))
  const results = []
  const children = new Set()
  try {
    for (const fault of all) {
      const work = join(base, fault.name)
      const gen1 = join(work, 'gen-1')
      const live = join(work, 'live')
      const auditDir = join(work, 'audit')
      mkdirSync(auditDir, { recursive: true })
      copyPolicies(root, gen1)
      symlinkSync(gen1, live)
      const auditFile = join(auditDir, 'decisions.ndjson')
      const notes = []
      const child = spawn(
        process.execPath,
        [
          join(root, 'examples/service/server.mjs'),
          '--policies',
          live,
          '--port',
          '0',
          '--max-connections-per-ip',
          String(connections + 16),
          ...(auditMode === 'none' ? [] : ['--audit', auditFile, '--audit-mode', auditMode]),
        ],
        { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, COLLABGATE_TOKEN: token } },
      )
      children.add(child)
      const exited = new Promise((r) => child.once('exit', r))
      const url = await new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('the service did not start')), 15_000)
        createInterface({ input: child.stdout }).on('line', (line) => {
          if (!line.startsWith('{"time"')) return
          const event = JSON.parse(line)
          if (event.event === 'listening') {
            clearTimeout(timer)
            resolve(event.url)
          }
        })
      })
      const auth = { authorization: `Bearer ${token}` }
      const get = async (path) => {
        try {
          const res = await fetch(url + path, { headers: auth, signal: globalThis.AbortSignal.timeout(1000) })
          return { status: res.status, body: await res.json() }
        } catch {
          return { status: 0, body: undefined }
        }
      }
      const servedDigests = async () => {
        const r = await get('/v1/policies')
        return r.status === 200 ? r.body.policies.map((p) => p.digest).sort() : undefined
      }
      const baseline = await servedDigests()

      const counts = { answered: 0, unreleased: 0, byStatus: {} }
      const unreleasedSeen = new Set()
      const requests = cases.map(([query, file]) => ({
        method: 'POST',
        path: `/v1/decisions?asOf=${asOf}${query}`,
        headers: { 'content-type': 'application/json', ...auth },
        body: record(file),
        onResponse: (status, body) => {
          counts.byStatus[status] = (counts.byStatus[status] ?? 0) + 1
          if (status !== 200) return
          counts.answered++
          const digest = /"digest":"([^"]+)"/.exec(String(body))?.[1]
          if (!released.has(digest)) {
            counts.unreleased++
            unreleasedSeen.add(digest)
          }
        },
      }))
      const cannon = autocannon({ url, connections, duration: 3600, requests, timeout: 5 })
      const finished = new Promise((r) => cannon.once('done', r))

      // a monitor: what /healthz says while the fault is on
      const healthSeen = new Set()
      let monitoring = true
      const monitor = (async () => {
        while (monitoring) {
          const h = await get('/healthz')
          healthSeen.add(h.status === 0 ? 'unresponsive' : `${h.status} ${h.body?.status}`)
          await sleep(100)
        }
      })()

      await sleep(1000)
      const ctx = {
        work,
        child,
        auditFile,
        baseline,
        target: () => realpathSync(live),
        hold: () => sleep(holdMs),
        note: (n) => notes.push(n),
        swap(to) {
          const tmp = join(work, 'live.tmp')
          symlinkSync(to, tmp)
          renameSync(tmp, live) // atomic, the way kubelet updates a ConfigMap volume's ..data link
        },
      }
      const faultStart = Date.now()
      const expected = (await fault.run(ctx)) ?? baseline
      const undone = Date.now()
      const want = [...expected].sort().join(',')
      let recoverMs = null
      let last
      while (Date.now() - undone < recoverTimeoutMs) {
        const h = await get('/healthz')
        last = { health: h.body?.status ?? 'unresponsive', reasons: h.body?.reasons }
        if (h.status === 200 && h.body.status === 'ok') {
          const served = await servedDigests()
          last.serving = served?.length
          if (served && served.join(',') === want) {
            recoverMs = Date.now() - undone
            break
          }
        }
        await sleep(50)
      }
      // what the service said last, so an unrecovered fault says where it stuck
      if (recoverMs === null) notes.push(`at the deadline: ${JSON.stringify(last)}`)
      await sleep(500)
      monitoring = false
      await monitor
      cannon.stop()
      const result = await finished
      child.kill('SIGKILL') // no graceful flush: the audit lines must already be there
      await exited
      children.delete(child)
      const lines = auditMode === 'none' ? 0 : auditLines(auditDir)
      const non2xx = Object.entries(counts.byStatus)
        .filter(([s]) => Number(s) < 200 || Number(s) >= 300)
        .reduce((n, [, c]) => n + c, 0)
      const unexpected = Object.entries(counts.byStatus)
        .filter(([s]) => s !== '200' && Number(s) !== fault.expectedStatus)
        .reduce((n, [, c]) => n + c, 0)
      const entry = {
        fault: fault.name,
        requests: result.requests.total,
        non2xx,
        unexpected_non2xx: unexpected,
        statuses: counts.byStatus,
        errors: result.errors + result.timeouts,
        unreleased: counts.unreleased,
        p99_ms: result.latency.p99,
        fault_ms: undone - faultStart,
        health_seen: [...healthSeen].sort(),
        recovered: recoverMs !== null,
        recover_ms: recoverMs,
        answered: counts.answered,
        audit_lines: lines,
        audit_missing: auditMode === 'none' ? null : Math.max(0, counts.answered - lines),
        ...(unreleasedSeen.size > 0 ? { unreleased_digests: [...unreleasedSeen].slice(0, 3) } : {}),
        ...(notes.length > 0 ? { notes } : {}),
      }
      results.push(entry)
      say(
        `${fault.name.padEnd(22)} ${fault.what}\n${' '.repeat(23)}requests ${entry.requests}, non-2xx ${entry.non2xx} (unexpected ${entry.unexpected_non2xx}), errors ${entry.errors}, unreleased ${entry.unreleased}, p99 ${entry.p99_ms} ms, health ${entry.health_seen.join(' | ')}, ${entry.recovered ? `recovered in ${entry.recover_ms} ms` : `NOT recovered within ${recoverTimeoutMs} ms`}, audit ${entry.audit_lines} lines for ${entry.answered} answers (missing ${entry.audit_missing})`,
      )
      for (const n of notes) say(`${' '.repeat(23)}note: ${n}`)
    }
  } finally {
    for (const c of children) c.kill('SIGKILL')
    rmSync(base, { recursive: true, force: true })
  }
  const sum = (k) => results.reduce((n, r) => n + (r[k] ?? 0), 0)
  const summary = {
    mode: 'faults',
    audit_mode: auditMode,
    connections,
    requests: sum('requests'),
    non2xx: sum('non2xx'),
    unexpected_non2xx: sum('unexpected_non2xx'),
    errors: sum('errors'),
    unreleased_answers: sum('unreleased'),
    audit_missing: auditMode === 'none' ? null : sum('audit_missing'),
    not_recovered: results.filter((r) => !r.recovered).map((r) => r.fault),
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
          health: r.health_seen,
        },
      ]),
    ),
  }
  const ok =
    summary.unreleased_answers === 0 &&
    (auditMode !== 'durable' || summary.audit_missing === 0) &&
    summary.not_recovered.length === 0 &&
    summary.unexpected_non2xx === 0 &&
    summary.errors === 0
  say(
    ok
      ? `ok: every fault survived: no unreleased answer, every fault recovered, audit lines missing: ${summary.audit_missing ?? 'not logged'} (${auditMode} mode)`
      : `FAILED: unreleased answers ${summary.unreleased_answers}, audit lines missing ${summary.audit_missing}, unexpected non-2xx ${summary.unexpected_non2xx}, errors ${summary.errors}, not recovered: ${summary.not_recovered.join(', ') || 'none'}`,
  )
  if (json) say(JSON.stringify({ ...summary, ok }))
  return ok
}
