#!/usr/bin/env node
/**
 * Load test of the example service while policies change under it (npm run load [-- options]).
 *
 * Starts examples/service/server.mjs on 127.0.0.1 with a temporary copy of policies/, drives it with
 * autocannon, and in the middle (1) writes an invalid onboarding v1.1.0, then (2) fixes v1.1.0 so it
 * takes effect on the asOf used (its from ends v1.0.0: the released file is not touched). Every request is a valid
 * record, so every answer must be 2xx; the versions that answered are counted before and after.
 *
 * Options: --duration SECONDS (default 10), --connections N (default 16), --json (last stdout line
 * is one JSON object), --audit-mode each|durable|buffered|masked|none (default each: every mode in turn,
 * with throughput ratios to buffered; masked is buffered over a copy of the folder that masks three fields),
 * --rounds N (default 1: each mode N times, interleaved; the ratios are of medians).
 * --shadow: each run twice, interleaved, the second with the service shadowing an unreleased onboarding
 * 1.2.0 (--shadow-from a candidate folder) on every decision, or a share of them (--shadow-rate R); reports
 * p99 with and without, and the ratio.
 * Exit 1 when a valid request failed or the valid version was never served.
 *
 * With --faults, runs the fault-injection harness instead (scripts/load-faults.mjs): each operator
 * fault under load, on a fresh service; --hold-ms (default 1500), --recover-timeout-ms (default
 * 15000), --only NAME[,NAME] choose how long a fault lasts, how long recovery may take, which faults;
 * --trust runs it on a signed copy, the service started with --trust, plus the unsigned-lock fault.
 * Its load defaults to 6 connections: the service keeps 8 idle ones per address, and the probes need two.
 */
import autocannon from 'autocannon'
import { randomBytes } from 'node:crypto'
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { copyPolicies, decisionCase, EXAMPLE_CASES, startService } from './load-service.mjs'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '1' },
    connections: { type: 'string' },
    json: { type: 'boolean', default: false },
    'audit-mode': { type: 'string' },
    faults: { type: 'boolean', default: false },
    'hold-ms': { type: 'string', default: '1500' },
    'recover-timeout-ms': { type: 'string', default: '15000' },
    only: { type: 'string', default: '' },
    trust: { type: 'boolean', default: false },
    shadow: { type: 'boolean', default: false },
    'shadow-rate': { type: 'string', default: '1' },
  },
})
const duration = Number(values.duration)
const rounds = Number(values.rounds)
const connections = Number(values.connections ?? (values.faults ? 6 : 16))
// plain mode runs every log mode in turn by default (`each`); the fault harness runs durable by default
const auditMode = values['audit-mode'] ?? (values.faults ? 'durable' : 'each')
// masked: buffered, over a copy of the folder whose collabgate.yaml masks three application fields
const MODES = ['none', 'buffered', 'durable', 'masked']
if (
  !(duration > 0 && duration <= 600) ||
  !(Number.isInteger(rounds) && rounds >= 1 && rounds <= 20) ||
  !(Number(values['shadow-rate']) >= 0 && Number(values['shadow-rate']) <= 1) ||
  !(Number.isInteger(connections) && connections > 0 && connections <= 1024) ||
  !(values.faults ? ['durable', 'buffered', 'none'] : [...MODES, 'each']).includes(auditMode) ||
  !(Number(values['hold-ms']) >= 100 && Number(values['hold-ms']) <= 60_000) ||
  !(Number(values['recover-timeout-ms']) >= 1000 && Number(values['recover-timeout-ms']) <= 120_000)
) {
  process.stderr.write(
    'usage: node scripts/load.mjs [--duration 1..600] [--rounds 1..20] [--connections 1..1024] ' +
      '[--audit-mode each|durable|buffered|masked|none] [--json] [--faults [--only NAME,…] [--trust]]\n',
  )
  process.exit(2)
}

const say = (line) => process.stdout.write(line + '\n')

if (values.faults) {
  const { runFaults } = await import('./load-faults.mjs')
  const ok = await runFaults({
    root,
    connections,
    json: values.json,
    auditMode,
    holdMs: Number(values['hold-ms']),
    recoverTimeoutMs: Number(values['recover-timeout-ms']),
    only: values.only ? values.only.split(',') : [],
    trust: values.trust,
    say,
  })
  process.exitCode = ok ? 0 : 1
  // autocannon may keep sockets a moment after finishing: the script stops by itself
  setTimeout(() => process.exit(process.exitCode), 200).unref()
} else {
  const modes = auditMode === 'each' ? MODES : [auditMode]
  const runs = []
  const variants = values.shadow ? [false, true] : [false]
  // rounds interleave the modes, so a slow spell of the shared machine falls on all of them alike
  for (let round = 1; round <= rounds; round++)
    for (const mode of modes)
      for (const shadow of variants) {
        const of = rounds > 1 ? `, round ${round} of ${rounds}` : ''
        if (modes.length > 1 || rounds > 1 || shadow) say(`--- audit mode ${mode}${shadow ? ', shadowing' : ''}${of}`)
        runs.push(await plainLoad(mode, shadow))
      }
  const ok = runs.every((r) => r.ok)
  if (runs.length > 1) {
    const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]
    const of = (mode, shadow = false) =>
      runs.filter((r) => r.summary?.audit_mode === mode && r.summary.shadow === shadow).map((r) => r.summary)
    const rate = (mode) => median(of(mode).map((s) => s.requests_per_s))
    const p99 = (mode) => median(of(mode).map((s) => s.p99_ms))
    const base = rate('buffered')
    say(`--- throughput by audit mode${rounds > 1 ? ` (median of ${rounds} rounds)` : ''}, as a ratio to buffered`)
    for (const mode of modes) {
      if (rate(mode) === undefined) continue
      const ratio = base ? (rate(mode) / base).toFixed(2) : '?'
      say(`  ${mode.padEnd(10)} ${String(rate(mode)).padStart(6)}/s  p99 ${p99(mode)} ms  ×${ratio}`)
    }
    if (values.shadow) {
      say(`--- p99 with shadowing (sample rate ${values['shadow-rate']}) and without${rounds > 1 ? ` (median of ${rounds} rounds)` : ''}`)
      for (const mode of modes) {
        const without = median(of(mode).map((s) => s.p99_ms))
        const withShadow = median(of(mode, true).map((s) => s.p99_ms))
        const ratio = without && withShadow !== undefined ? (withShadow / without).toFixed(2) : '?'
        const sampled = of(mode, true).map(
          (s) => `${s.shadow_sampled} sampled, ${s.shadow_dropped} dropped, ${s.shadow_compared} onboarding compared`,
        )
        say(`  ${mode.padEnd(10)} p99 ${without} ms without, ${withShadow} ms with: ×${ratio} (${sampled.join('; ')})`)
      }
    }
  }
  if (values.json) say(JSON.stringify(runs.length === 1 ? runs[0].summary : { runs: runs.map((r) => r.summary) }))
  process.exitCode = ok ? 0 : 1
  // autocannon may keep sockets a moment after finishing: the script stops by itself
  setTimeout(() => process.exit(process.exitCode ?? 0), 200).unref()
}

/** One load run with the service logging in `auditMode` (and shadowing, with `shadow`); resolves to whether it passed and what it measured. */
async function plainLoad(auditMode, shadow = false) {
  const ONBOARDING = 'creator-collaboration.us.onboarding'
  const OLD_FILE = `${ONBOARDING}.v1.0.0.yaml`
  const NEW_FILE = `${ONBOARDING}.v1.1.0.yaml`
  const asOf = new Date().toISOString().slice(0, 10)

  // a scratch copy of the shipped policies, and a log folder outside the watched one
  const work = mkdtempSync(join(tmpdir(), 'collabgate-load-'))
  const policiesDir = join(work, 'policies')
  // the 1.0.0 policies and the record kinds, without the shipped 1.1.0 versions and without the lock:
  // the versions this script writes are drafts that no lock lists
  copyPolicies(join(root, 'policies'), policiesDir, (src) => /\.v1\.1\.0\.|policies\.lock\.json$/.test(src))
  if (auditMode === 'masked') {
    const declaration = join(policiesDir, 'collabgate.yaml')
    const schemas = '      1.0.0: records/application.v1.0.0.schema.json\n'
    const yaml = readFileSync(declaration, 'utf8')
    if (!yaml.includes(schemas)) throw new Error('collabgate.yaml lacks the line this script adds masking after')
    const mask = [
      '    audit:',
      '      mask:',
      '        - { pointer: /applicant/legalName, action: redact }',
      '        - { pointer: /applicant/contactEmail, action: hash }',
      '        - { pointer: /security/statement, action: remove }',
      '',
    ].join('\n')
    writeFileSync(declaration, yaml.replace(schemas, schemas + mask))
  }
  const auditFile = join(work, 'decisions.ndjson')
  // masked is buffered over the masked copy
  const serviceMode = auditMode === 'masked' ? 'buffered' : auditMode
  const original = readFileSync(join(policiesDir, OLD_FILE), 'utf8')
  if (!original.includes('version: 1.0.0') || !original.includes('  from: "2023-09-18"'))
    throw new Error(`${OLD_FILE} no longer has the lines this script edits`)

  // the new version starts on asOf, which ends the old one there
  const newVersion = original.replace('version: 1.0.0', 'version: 1.1.0').replace('  from: "2023-09-18"', `  from: "${asOf}"`)
  const broken = newVersion.replace('operator: equal', 'operator: looksLike').replace('outcome: reject', 'outcome: maybe')
  // shadowing: an unreleased 1.2.0 (from 2099, asking 4 years in operation) in a folder of its own
  const candidateDir = join(work, 'candidate')
  if (shadow) {
    cpSync(policiesDir, candidateDir, { recursive: true })
    const strength = /(path: \$\.yearsInOperation\s+operator: greaterThanInclusive\s+value: )1\b/
    if (!strength.test(original)) throw new Error(`${OLD_FILE} no longer has the threshold this script changes`)
    const candidate = original.replace('version: 1.0.0', 'version: 1.2.0').replace('  from: "2023-09-18"', '  from: "2099-01-01"')
    writeFileSync(join(candidateDir, `${ONBOARDING}.v1.2.0.yaml`), candidate.replace(strength, '$14'))
  }

  // every request carries a bearer token, as a real client of the service would
  const token = randomBytes(24).toString('base64url')
  // --- the service, as a child process so autocannon and the server do not share one event loop
  const { child, exited, waitFor, listening } = startService({
    root,
    policies: policiesDir,
    connections,
    args: [
      // the load generator is one address with many keep-alive connections, idle between its requests
      '--max-idle-per-ip',
      String(connections + 16),
      ...(auditMode === 'none' ? [] : ['--audit', auditFile, '--audit-mode', serviceMode]),
      // the copy is a scratch folder of drafts on purpose: no lock (the fault harness serves a locked one)
      '--no-require-lock',
      ...(shadow ? ['--shadow', `${ONBOARDING}@1.2.0`, '--shadow-from', candidateDir, '--shadow-rate', values['shadow-rate']] : []),
    ],
    env: { COLLABGATE_TOKEN: token, COLLABGATE_AUDIT_HMAC_KEY: randomBytes(32).toString('hex') },
  })

  function cleanup() {
    if (child.exitCode === null) child.kill('SIGTERM')
    rmSync(work, { recursive: true, force: true })
  }

  let phase = 'before'
  const answered = { before: {}, during: {}, after: {} }
  const failures = []

  try {
    const url = await listening()
    const cases = EXAMPLE_CASES.map(([policy, file]) => decisionCase(root, asOf, policy, file))
    const requests = cases.map((c) => ({
      method: 'POST',
      path: c.path,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: c.body,
      onResponse: (status, body, _context, headers) => {
        const served = headers['x-collabgate-policy']
        if (status >= 200 && status < 300 && served) answered[phase][served] = (answered[phase][served] ?? 0) + 1
        else if (failures.length < 5) failures.push({ status, path: c.path, body: String(body).slice(0, 300) })
      },
    }))

    say(`load: ${connections} connections for ${duration}s against ${url} (asOf ${asOf}; policies in a temporary copy)`)
    const run = autocannon({ url, connections, duration, requests })
    const started = performance.now()
    const ms = duration * 1000

    // (1) an author pushes a broken v1.1.0: the service must refuse it and keep answering with v1.0.0
    await new Promise((r) => setTimeout(r, ms * 0.3))
    writeFileSync(join(policiesDir, NEW_FILE), broken)
    const problems = await waitFor((e) => e.event === 'problems', 'the invalid policy to be reported')
    say(
      `  t+${((ms * 0.3) / 1000).toFixed(1)}s wrote an invalid ${NEW_FILE}: refused, ${problems.problems.length} problem(s), e.g. ${problems.problems[0]?.code} ${problems.problems[0]?.message}`,
    )

    // (2) the fix: a valid v1.1.0 from asOf
    await new Promise((r) => setTimeout(r, ms * 0.25))
    phase = 'during'
    writeFileSync(join(policiesDir, NEW_FILE), newVersion)
    const swapped = await waitFor(
      (e) => e.event === 'reload' && e.serving.includes(`${ONBOARDING}@1.1.0`),
      'the valid version to be swapped in',
    )
    phase = 'after'
    const swappedAt = performance.now() - started
    say(
      `  t+${((ms * 0.55) / 1000).toFixed(1)}s wrote a valid ${NEW_FILE}, in effect from ${asOf} (1.0.0 ends there): now serving generation ${swapped.generation}`,
    )

    const result = await run
    const policies = await (await fetch(`${url}/v1/policies`, { headers: { authorization: `Bearer ${token}` } })).json()
    const shadowReport = shadow
      ? await (await fetch(`${url}/v1/shadow`, { headers: { authorization: `Bearer ${token}` } })).json()
      : undefined
    // no graceful flush: in durable mode every answered decision's line is already in the file
    child.kill(auditMode === 'durable' ? 'SIGKILL' : 'SIGTERM')
    await exited
    const audited = auditMode === 'none' ? 0 : readFileSync(auditFile, 'utf8').split('\n').filter(Boolean).length
    // the chain must hold under concurrent load: every line links to the one before it
    const { verifyAuditLog } = await import(join(root, 'dist', 'index.js'))
    const chain = auditMode === 'none' ? undefined : await verifyAuditLog([auditFile])

    const errors = result.non2xx + result.errors + result.timeouts
    const versionsServed = [
      ...new Set([...Object.keys(answered.before), ...Object.keys(answered.during), ...Object.keys(answered.after)]),
    ].sort()
    const onboarding = (bucket) =>
      Object.entries(bucket)
        .filter(([k]) => k.startsWith(ONBOARDING + '@'))
        .map(([k, n]) => `${k.split('@')[1]} ×${n}`)
        .join(', ') || '(none)'
    const summary = {
      requests: result.requests.total,
      requests_per_s: Math.round(result.requests.average),
      p50_ms: result.latency.p50,
      p99_ms: result.latency.p99,
      non2xx: result.non2xx,
      errors,
      connections,
      duration_s: duration,
      versions_served: versionsServed,
      versions_before: answered.before,
      versions_after: answered.after,
      audit_mode: auditMode,
      shadow,
      shadow_sampled: shadowReport?.sampled ?? null,
      shadow_dropped: shadowReport?.dropped ?? null,
      shadow_compared: shadowReport ? shadowReport.candidates.reduce((n, c) => n + c.compared, 0) : null,
      audit_lines: audited,
      answered: Object.values(answered).reduce((n, b) => n + Object.values(b).reduce((m, c) => m + c, 0), 0),
      // shadow decisions have lines of their own: the count of answered ones is not comparable
      audit_missing:
        auditMode === 'none' || shadow
          ? null
          : Math.max(0, Object.values(answered).reduce((n, b) => n + Object.values(b).reduce((m, c) => m + c, 0), 0) - audited),
      serving_at_end: policies.policies.map((p) => `${p.id}@${p.version}`),
      audit_chain_ok: chain === undefined ? null : chain.ok,
      audit_masked_entries: auditMode === 'none' ? null : readFileSync(auditFile, 'utf8').split('"masked":').length - 1,
    }

    say(
      `requests: ${summary.requests} in ${duration}s (${summary.requests_per_s}/s), latency p50 ${summary.p50_ms} ms, p99 ${summary.p99_ms} ms`,
    )
    say(`non-2xx for valid requests: ${summary.non2xx}; connection errors: ${result.errors}; timeouts: ${result.timeouts}`)
    say(`onboarding versions that answered before the change: ${onboarding(answered.before)}`)
    say(`onboarding versions that answered while it was loading: ${onboarding(answered.during)}`)
    say(`onboarding versions that answered after the swap: ${onboarding(answered.after)}`)
    say(
      `decision log: ${audited} lines` +
        (chain === undefined ? '' : chain.ok ? ', chain verified' : `, chain BROKEN: ${chain.findings[0].message}`) +
        (summary.audit_masked_entries ? `, ${summary.audit_masked_entries} with masked fields` : ''),
    )
    for (const f of failures) say(`  failed: ${f.status} ${f.path} ${f.body}`)
    if (Object.keys(answered.after).length === 0 && swappedAt >= ms - 500)
      say(
        `  the swap came ${(swappedAt / 1000).toFixed(1)}s into a ${duration}s run: too late for requests to see it; ` +
          'run with a longer --duration',
      )
    // a request that started just before the swap may answer just after it with 1.0.0: that is correct, so only 1.1.0 is required
    const ok = errors === 0 && Object.keys(answered.after).includes(`${ONBOARDING}@1.1.0`) && chain?.ok !== false
    say(ok ? 'ok: no failed decision, invalid policy refused, new version served after the swap' : 'FAILED: see above')
    return { ok, summary }
  } catch (err) {
    process.stderr.write(`load: ${err instanceof Error ? err.message : String(err)}\n`)
    return { ok: false, summary: undefined }
  } finally {
    cleanup()
  }
}
