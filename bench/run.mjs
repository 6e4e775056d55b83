#!/usr/bin/env node
/**
 * collabgate benchmark (`npm run bench`; `--json` for a machine-readable last line; `--big` for the
 * 1,000,000-record CLI batch). Interleaves, in one run, over the same seeded records:
 *   (a) naive json-rules-engine (bench/naive.mjs)   (b) PolicySet.decide as shipped
 *   (c) the batch path: decideSync over parsed records, in process   (d) hand-written JS (bench/handwritten.mjs)
 *   (g) decideSync with hints, and with `--before DIR` (another build's dist/) (c0) that build's batch path
 *   (e)/(f) decide before and after the 2027-01-04 corrections (onboarding 1.1.0 → 1.2.0 with its derived
 *   fact, termination 1.0.0 → 1.1.0 with its asOf bounds): each version named, the same records, one asOf
 * and also the NDJSON batch with worker threads, and the CLI batch's peak RSS.
 */
import { spawn, spawnSync } from 'node:child_process'
import { createWriteStream, mkdtempSync, readdirSync, readFileSync, rmSync, openSync, closeSync, statSync, writeFileSync } from 'node:fs'
import { once } from 'node:events'
import { availableParallelism, tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import {
  decideNdjson,
  defaultPolicies,
  defaultPoliciesDir,
  findPolicyTestFiles,
  loadPolicies,
  mutationTest,
  PolicySet,
  parseRecordJson,
  runPolicyTestFiles,
} from '../dist/index.js'
import { handwritten, handwrittenOnboarding } from './handwritten.mjs'
import { naiveEngine } from './naive.mjs'
import { generateRecords, recordGenerator } from './records.mjs'
import { baselineCli, loadBeside, startup } from './startup.mjs'

const args = process.argv.slice(2)
const flag = (name) => args.includes(name)
const option = (name, fallback) => {
  const i = args.indexOf(name)
  return i >= 0 && args[i + 1] !== undefined ? Number(args[i + 1]) : fallback
}
const JSON_OUT = flag('--json')
// --baseline REV: build an earlier commit beside this one and time its CLI batch and start-up in the same run
const BASELINE = args.includes('--baseline') ? args[args.indexOf('--baseline') + 1] : undefined
const BIG = flag('--big')
const RECORDS = option('--records', 20_000)
const ROUNDS = option('--rounds', 5)
const NAIVE_PER_ROUND = option('--naive', 1_000)
const CLI_RECORDS = BIG ? 1_000_000 : option('--cli-records', 200_000)
const WORKERS = option('--workers', availableParallelism())
// --before DIR: another build's dist/ (e.g. the commit before a change), its batch path interleaved with this one's
const BEFORE = args.includes('--before') ? args[args.indexOf('--before') + 1] : undefined
// --hints: also decideSync with hints (the records its checks make reshape V8's view of them: measure it apart from --before)
const HINTS = flag('--hints')
const ASOF = '2026-11-24'
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')
const log = (line = '') => process.stdout.write(line + '\n')
const now = () => performance.now()

// ---- load + validate + compile of the shipped policies -----------------------------------------
// Medians of five new processes each: importing the library, then loading either the shipped policies (their
// parse comes from the parse cache) or the same policies with a comment added to each file, so their
// bytes match no cache entry and the YAML is parsed with a cold JIT, as a user's own files are.
function coldLoad() {
  const url = pathToFileURL(join(ROOT, 'dist', 'index.js')).href
  const edited = mkdtempSync(join(tmpdir(), 'collabgate-bench-policies-'))
  try {
    for (const f of readdirSync(defaultPoliciesDir()).filter((f) => /\.v[\d.]+\.yaml$/.test(f))) {
      writeFileSync(join(edited, f), readFileSync(join(defaultPoliciesDir(), f), 'utf8') + '# edited\n')
    }
    // one process per figure, so neither load warms the JIT for the other
    const load = (dir) =>
      `const t0 = performance.now(); const m = await import(${JSON.stringify(url)}); const t1 = performance.now()
      const set = await m.loadPolicies(${dir}); const t2 = performance.now()
      if (set.policies.length === 0) throw new Error('no policies loaded')
      console.log(JSON.stringify({ import: t1 - t0, load: t2 - t1 }))`
    const runs = []
    for (let i = 0; i < 5; i++) {
      const [cached, parsed] = [load('m.defaultPoliciesDir()'), load(JSON.stringify(edited))].map((code) => {
        const out = spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8' })
        if (out.status !== 0) throw new Error(`cold load failed: ${out.stderr}`)
        return JSON.parse(out.stdout.trim())
      })
      runs.push({ import: cached.import, cached: cached.load, parsed: parsed.load })
    }
    const median = (k) => runs.map((r) => r[k]).sort((x, y) => x - y)[2]
    return { import: median('import'), cached: median('cached'), parsed: median('parsed') }
  } finally {
    rmSync(edited, { recursive: true, force: true })
  }
}
async function warmLoad() {
  const times = []
  for (let i = 0; i < 10; i++) {
    const t = now()
    await loadPolicies(defaultPoliciesDir())
    times.push(now() - t)
  }
  return times.sort((x, y) => x - y)[5]
}

// ---- the variants -------------------------------------------------------------------------------
const set = await defaultPolicies()
const naive = naiveEngine()
const records = generateRecords(RECORDS)
const naiveRecords = records.slice(0, NAIVE_PER_ROUND)
const options = { asOf: ASOF }
const hintsOptions = { asOf: ASOF, hints: true }

function hintsVariant() {
  return {
    label: '(g) decideSync with hints: true',
    list: records,
    run: (list) => {
      for (const r of list) set.decideSync(r, hintsOptions)
    },
    one: (r) => set.decideSync(r, hintsOptions),
  }
}
// the same records, as of one date, decided by the versions before and after the 2027-01-04 corrections
const CORRECTED_ASOF = '2027-06-17'
const versionOf = (r, versions) =>
  'developerId' in r
    ? { asOf: CORRECTED_ASOF, policy: 'creator-collaboration.us.termination', version: versions.termination }
    : { asOf: CORRECTED_ASOF, policy: 'creator-collaboration.us.onboarding', version: versions.onboarding }
const CORRECTED_FROM = { onboarding: '1.1.0', termination: '1.0.0' }
const CORRECTED_TO = { onboarding: '1.2.0', termination: '1.1.0' }
const beforePairs = records.map((r) => [r, versionOf(r, CORRECTED_FROM)])
const afterPairs = records.map((r) => [r, versionOf(r, CORRECTED_TO)])

const variants = {
  naive: {
    label: '(a) naive json-rules-engine',
    list: naiveRecords,
    run: async (list) => {
      for (const r of list) await naive(r, ASOF)
    },
    one: (r) => naive(r, ASOF),
  },
  shipped: {
    label: '(b) decide, as shipped',
    list: records,
    run: async (list) => {
      for (const r of list) await set.decide(r, options)
    },
    one: (r) => set.decide(r, options),
  },
  batch: {
    label: '(c) batch path (decideSync)',
    list: records,
    run: (list) => {
      for (const r of list) set.decideSync(r, options)
    },
    one: (r) => set.decideSync(r, options),
  },
  ...(HINTS ? { hints: hintsVariant() } : {}),
  correctionsBefore: {
    label: '(e) decide, before the corrections',
    list: beforePairs,
    run: async (list) => {
      for (const [r, o] of list) await set.decide(r, o)
    },
    one: ([r, o]) => set.decide(r, o),
  },
  correctionsAfter: {
    label: '(f) decide, after the corrections',
    list: afterPairs,
    run: async (list) => {
      for (const [r, o] of list) await set.decide(r, o)
    },
    one: ([r, o]) => set.decide(r, o),
  },
  handwritten: {
    label: '(d) hand-written JS',
    list: records,
    run: (list) => {
      for (const r of list) handwritten(r, ASOF)
    },
    one: (r) => handwritten(r, ASOF),
  },
}

if (BEFORE) {
  const before = await (await import(pathToFileURL(join(BEFORE, 'index.js')).href)).defaultPolicies()
  variants.before = {
    label: '(c0) decideSync, --before build',
    list: records,
    run: (list) => {
      for (const r of list) before.decideSync(r, options)
    },
    one: (r) => before.decideSync(r, options),
  }
}

// onboarding only: decideSync (the generated evaluator, the default) and the compiled closures against the
// hand-written onboarding checks, on the application records alone (the issue's ≥ 0.25× target)
const onboardingRecords = records.filter((r) => 'applicationId' in r)
const closuresSet = new PolicySet(set.policies, { evaluator: 'compiled', subjects: set.subjectKinds })
variants.batchOnboarding = {
  label: '(c1) decideSync, onboarding only',
  list: onboardingRecords,
  run: (list) => {
    for (const r of list) set.decideSync(r, options)
  },
  one: (r) => set.decideSync(r, options),
}
variants.closuresOnboarding = {
  label: '(c2) c1 with the compiled closures',
  list: onboardingRecords,
  run: (list) => {
    for (const r of list) closuresSet.decideSync(r, options)
  },
  one: (r) => closuresSet.decideSync(r, options),
}
variants.handwrittenOnboarding = {
  label: '(d1) hand-written onboarding only',
  list: onboardingRecords,
  run: (list) => {
    for (const r of list) handwrittenOnboarding(r)
  },
  one: (r) => handwrittenOnboarding(r),
}
for (const r of onboardingRecords.slice(0, NAIVE_PER_ROUND)) {
  const expected = set.decideSync(r, options)
  if (
    JSON.stringify(closuresSet.decideSync(r, options)) !== JSON.stringify(expected) ||
    handwrittenOnboarding(r).outcome !== expected.outcome
  )
    throw new Error(`onboarding variants disagree on ${JSON.stringify(r)}`)
}

// sanity: the variants agree on the outcome of every record, so they do the same work
for (const r of naiveRecords) {
  const expected = set.decideSync(r, options).outcome
  const got = [(await naive(r, ASOF)).outcome, handwritten(r, ASOF).outcome, (await set.decide(r, options)).outcome]
  if (got.some((o) => o !== expected)) throw new Error(`variants disagree on ${JSON.stringify(r)}: ${expected} vs ${got}`)
}
const outcomes = {}
for (const r of records) {
  const o = set.decideSync(r, options).outcome
  outcomes[o] = (outcomes[o] ?? 0) + 1
}

const loadCold = coldLoad()
const loadWarm = await warmLoad()

// throughput, interleaved: every round runs every variant once
const totals = Object.fromEntries(Object.keys(variants).map((k) => [k, { n: 0, ms: 0 }]))
for (const v of Object.values(variants)) await v.run(v.list.slice(0, 200)) // warm-up
for (let round = 0; round < ROUNDS; round++) {
  for (const [key, v] of Object.entries(variants)) {
    const t = now()
    await v.run(v.list)
    totals[key].ms += now() - t
    totals[key].n += v.list.length
  }
}
const rate = Object.fromEntries(Object.entries(totals).map(([k, t]) => [k, (t.n * 1000) / t.ms]))

// latency: each decision timed alone, interleaved record by record
const samples = Object.fromEntries(Object.keys(variants).map((k) => [k, []]))
for (let i = 0; i < Math.min(2_000, records.length); i++) {
  for (const [key, v] of Object.entries(variants)) {
    const r = v.list[i % v.list.length]
    const t = process.hrtime.bigint()
    await v.one(r)
    samples[key].push(Number(process.hrtime.bigint() - t) / 1000)
  }
}
const pct = (list, p) => {
  const s = [...list].sort((x, y) => x - y)
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]
}
const latency = Object.fromEntries(Object.entries(samples).map(([k, s]) => [k, { p50: pct(s, 50), p99: pct(s, 99) }]))

// the strict read of record text (duplicate keys, lossy numbers, limits) against plain JSON.parse, and
// against the whole work of a main-thread NDJSON line (read + decide + stringify), interleaved by round
const lines = records.map((r) => JSON.stringify(r))
const textTotals = { plain: 0, strict: 0, line: 0 }
for (let round = 0; round < ROUNDS; round++) {
  let t = now()
  for (const l of lines) JSON.parse(l)
  textTotals.plain += now() - t
  t = now()
  for (const l of lines) parseRecordJson(l)
  textTotals.strict += now() - t
  t = now()
  for (const l of lines) JSON.stringify(set.decideSync(JSON.parse(l), options))
  textTotals.line += now() - t
}
const perLine = (ms) => (ms * 1000) / (ROUNDS * lines.length)
const recordText = {
  plain_us: perLine(textTotals.plain),
  strict_us: perLine(textTotals.strict),
  line_us: perLine(textTotals.line),
  strict_over_plain: textTotals.strict / textTotals.plain,
  added_to_line: (textTotals.strict - textTotals.plain) / textTotals.line,
}

// NDJSON batch with worker threads, in process: parse + validate + decide + stringify per line
async function* ndjson(count) {
  const g = recordGenerator(7)
  let chunk = ''
  for (let i = 0; i < count; i++) {
    chunk += JSON.stringify(g.next()) + '\n'
    if (chunk.length > 64 * 1024) {
      yield chunk
      chunk = ''
    }
  }
  if (chunk) yield chunk
}
const NDJSON_RECORDS = option('--ndjson-records', 100_000)
async function ndjsonBatch(workers) {
  const summary = await decideNdjson(set, ndjson(NDJSON_RECORDS), () => undefined, { asOf: ASOF, workers })
  return (summary.lines * 1000) / summary.elapsedMs
}
const threadRate = await ndjsonBatch(0)
const workerRate = await ndjsonBatch(WORKERS)

// the CLI batch over a temp file: peak RSS of the whole process (main thread + workers)
async function writeRecords(count) {
  const dir = mkdtempSync(join(tmpdir(), 'collabgate-bench-'))
  const file = join(dir, 'records.ndjson')
  const out = createWriteStream(file)
  for await (const chunk of ndjson(count)) if (!out.write(chunk)) await once(out, 'drain')
  out.end()
  await once(out, 'close')
  return { dir, file }
}
async function cliBatch(count, file, cliPath = join(ROOT, 'dist', 'cli.js')) {
  const dir = mkdtempSync(join(tmpdir(), 'collabgate-bench-rss-'))
  try {
    const rssFile = join(dir, 'rss')
    const sink = openSync('/dev/null', 'w')
    const t = now()
    const child = spawn(
      process.execPath,
      [
        '--import',
        pathToFileURL(join(ROOT, 'bench', 'rss-probe.mjs')).href,
        cliPath,
        'decide',
        '--as-of',
        ASOF,
        '--workers',
        String(WORKERS),
        file,
      ],
      {
        stdio: ['ignore', sink, 'inherit'],
        env: { ...process.env, COLLABGATE_RSS_FILE: rssFile, CI: '1' },
      },
    )
    const [code] = await once(child, 'exit')
    const ms = now() - t
    closeSync(sink)
    if (code !== 0) throw new Error(`CLI batch exited with ${code}`)
    return {
      records: count,
      rate: (count * 1000) / ms,
      peakRssMb: Number(readFileSync(rssFile, 'utf8')) / 1024,
      bytes: statSync(file).size,
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
const batchInput = await writeRecords(CLI_RECORDS)
const baseline = BASELINE === undefined ? undefined : baselineCli(BASELINE, ROOT)
let cli
let baselineRun
try {
  cli = await cliBatch(CLI_RECORDS, batchInput.file)
  if (baseline) {
    // A B A B: this CLI and the baseline's in turn, the ratio taken pair by pair
    const pairs = []
    for (let i = 0; i < 2; i++) {
      const b = await cliBatch(CLI_RECORDS, batchInput.file, baseline.cli)
      const a = i === 0 ? cli : await cliBatch(CLI_RECORDS, batchInput.file)
      pairs.push({ a, b, ratio: a.rate / b.rate })
    }
    baselineRun = {
      rev: BASELINE,
      cli_batch_rates: pairs.map((p) => ({ this: p.a.rate, baseline: p.b.rate })),
      cli_batch_ratios: pairs.map((p) => p.ratio),
      startup: startup(baseline.cli, ROOT),
      // each build loading its own shipped folder, in new processes taken in turn
      load: loadBeside(ROOT, baseline.root),
    }
  }
} finally {
  rmSync(batchInput.dir, { recursive: true, force: true })
  baseline?.remove()
}
const startupNow = startup(join(ROOT, 'dist', 'cli.js'), ROOT)

// ---- mutation testing of the shipped policy tests -----------------------------------------------
// In process: every mutant of every tested version judged by its cases (median of 5). And the whole
// command npm test runs (`test --coverage --mutate --min-mutation-score 100`) in new processes (median of 3).
async function mutationBench() {
  const dir = defaultPoliciesDir()
  const set = await loadPolicies(dir)
  const run = await runPolicyTestFiles(set, await findPolicyTestFiles([dir]))
  const times = []
  let report
  for (let i = 0; i < 5; i++) {
    const t = now()
    report = mutationTest(set.policies, run)
    times.push(now() - t)
  }
  const ms = times.sort((x, y) => x - y)[2]
  const whole = []
  for (let i = 0; i < 3; i++) {
    const t = now()
    const out = spawnSync(
      process.execPath,
      [join(ROOT, 'dist', 'cli.js'), 'test', '--coverage', '--min-coverage', '100', '--mutate', '--min-mutation-score', '100'],
      { encoding: 'utf8' },
    )
    if (out.status !== 0) throw new Error(`the shipped mutation run failed: ${out.stdout.slice(-500)}${out.stderr}`)
    whole.push(now() - t)
  }
  return {
    mutants: report.total,
    cases: run.inputs.length,
    score: report.score,
    seconds: ms / 1000,
    perSecond: report.total / (ms / 1000),
    commandSeconds: whole.sort((x, y) => x - y)[1] / 1000,
  }
}
const mutation = await mutationBench()

const peakRssMb = process.resourceUsage().maxRSS / 1024
const ratios = {
  shipped_vs_naive: rate.shipped / rate.naive,
  batch_vs_naive: rate.batch / rate.naive,
  batch_vs_handwritten: rate.batch / rate.handwritten,
}

// ---- report -------------------------------------------------------------------------------------
const f0 = (n) => Math.round(n).toLocaleString('en-US')
const f1 = (n) => n.toFixed(1)
log(
  `collabgate bench · node ${process.version} · ${availableParallelism()} cores · ${RECORDS.toLocaleString('en-US')} records (half applications, half behaviour), asOf ${ASOF}, ${ROUNDS} interleaved rounds`,
)
log(
  `outcomes: ${Object.entries(outcomes)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ')}`,
)
log('')
log('variant                                  records/s    p50 µs    p99 µs')
for (const [key, v] of Object.entries(variants))
  log(`${v.label.padEnd(38)} ${f0(rate[key]).padStart(11)} ${f1(latency[key].p50).padStart(9)} ${f1(latency[key].p99).padStart(9)}`)
log(
  `${'NDJSON batch, main thread'.padEnd(38)} ${f0(threadRate).padStart(11)}   (parse + validate + decide + stringify, ${f0(NDJSON_RECORDS)} lines)`,
)
log(`${`NDJSON batch, ${WORKERS} worker threads`.padEnd(38)} ${f0(workerRate).padStart(11)}   (the same, worker start-up included)`)
// per record, the NDJSON path's time over decideSync's (the batch target: within 2×)
log(
  `NDJSON/decideSync per record: ${(rate.batch / workerRate).toFixed(2)}× with ${WORKERS} workers, ${(rate.batch / threadRate).toFixed(2)}× in the main thread`,
)
log(
  `${'CLI batch (file → /dev/null)'.padEnd(38)} ${f0(cli.rate).padStart(11)}   (${f0(cli.records)} records, ${f1(cli.bytes / 1048576)} MB, peak RSS ${f1(cli.peakRssMb)} MB)`,
)
log('')
log(
  `load + validate + compile shipped policies: ${f1(loadCold.cached)} ms cold (median of 5 new processes, parse cache), ${f1(loadCold.parsed)} ms cold parsing their YAML, ${f1(loadWarm)} ms warm`,
)
log(`importing the library in a new process: ${f1(loadCold.import)} ms`)
log(
  `record text: JSON.parse ${recordText.plain_us.toFixed(2)} µs/line, strict read ${recordText.strict_us.toFixed(2)} µs/line (${recordText.strict_over_plain.toFixed(2)}×); it adds ${(100 * recordText.added_to_line).toFixed(1)}% to a main-thread NDJSON line (${recordText.line_us.toFixed(2)} µs: read + decide + stringify)`,
)
log(
  `mutation testing of the shipped tests: ${f0(mutation.mutants)} mutants × ${mutation.cases} cases in ${mutation.seconds.toFixed(3)} s (${f0(mutation.perSecond)} mutants/s, score ${mutation.score}%); the whole command npm test runs: ${mutation.commandSeconds.toFixed(2)} s`,
)
log(
  `CLI start-up: one-record decide ${f0(startupNow.decide_ms)} ms = ${startupNow.decide_vs_node.toFixed(2)}× node -e 0 (${f0(startupNow.node_ms)} ms), --version ${startupNow.version_vs_node.toFixed(2)}× (medians of pairs)`,
)
if (baselineRun) {
  log(
    `baseline ${baselineRun.rev}: CLI batch this/baseline ${baselineRun.cli_batch_ratios.map((r) => r.toFixed(2)).join(', ')} (pairs, ${baselineRun.cli_batch_rates.map((p) => `${f0(p.this)} vs ${f0(p.baseline)}`).join('; ')} records/s); its one-record decide ${baselineRun.startup.decide_vs_node.toFixed(2)}× node -e 0`,
  )
  const l = baselineRun.load
  log(
    `baseline ${baselineRun.rev}: load of each one's shipped folder, this vs baseline: ${f1(l.this.cold_ms)} vs ${f1(l.baseline.cold_ms)} ms cold, ${f1(l.this.warm_ms)} vs ${f1(l.baseline.warm_ms)} ms warm (medians of 5 processes taken in turn)`,
  )
}
log(`peak RSS of this bench process: ${f1(peakRssMb)} MB`)
log(
  `2027-01-04 corrections, as of ${CORRECTED_ASOF}: onboarding ${CORRECTED_FROM.onboarding} → ${CORRECTED_TO.onboarding}, termination ${CORRECTED_FROM.termination} → ${CORRECTED_TO.termination}: f/e ${(rate.correctionsAfter / rate.correctionsBefore).toFixed(2)}`,
)
log(`ratios: b/a ${f1(ratios.shipped_vs_naive)}×, c/a ${f1(ratios.batch_vs_naive)}×, c/d ${ratios.batch_vs_handwritten.toFixed(2)}`)
log(
  `onboarding only: decideSync c1/d1 ${(rate.batchOnboarding / rate.handwrittenOnboarding).toFixed(3)} (target ≥ 0.25), generated/closures c1/c2 ${(rate.batchOnboarding / rate.closuresOnboarding).toFixed(2)}`,
)
if (HINTS) log(`hints when asked for: e/c ${(rate.hints / rate.batch).toFixed(2)}`)
if (BEFORE) log(`this build against --before: c/c0 ${(rate.batch / rate.before).toFixed(3)}`)
if (JSON_OUT) {
  log(
    JSON.stringify({
      node: process.version,
      cores: availableParallelism(),
      records: RECORDS,
      records_per_s: {
        naive: rate.naive,
        shipped: rate.shipped,
        batch: rate.batch,
        handwritten: rate.handwritten,
        onboarding_batch: rate.batchOnboarding,
        onboarding_closures: rate.closuresOnboarding,
        onboarding_handwritten: rate.handwrittenOnboarding,
        ...(HINTS ? { hints: rate.hints } : {}),
        ...(BEFORE ? { before: rate.before } : {}),
        corrections_before: rate.correctionsBefore,
        corrections_after: rate.correctionsAfter,
        batch_ndjson_thread: threadRate,
        batch_ndjson_workers: workerRate,
        cli_batch: cli.rate,
      },
      latency_us: latency,
      load_ms: { cold: loadCold.cached, cold_parsing_yaml: loadCold.parsed, warm: loadWarm, import: loadCold.import },
      peak_rss_mb: { bench: peakRssMb, cli_batch: cli.peakRssMb },
      mutation_seconds: mutation.seconds,
      mutation_command_seconds: mutation.commandSeconds,
      mutants: mutation.mutants,
      mutants_per_s: mutation.perSecond,
      cli_batch_records: cli.records,
      startup: startupNow,
      baseline: baselineRun,
      record_text: recordText,
      ndjson_over_decide_sync: { workers: rate.batch / workerRate, thread: rate.batch / threadRate },
      targets_met: {
        batch_vs_naive_100: ratios.batch_vs_naive >= 100,
        shipped_vs_naive_2: ratios.shipped_vs_naive >= 2,
        batch_vs_handwritten_0_1: ratios.batch_vs_handwritten >= 0.1,
        onboarding_vs_handwritten_0_25: rate.batchOnboarding / rate.handwrittenOnboarding >= 0.25,
        load_under_100ms: loadCold.cached < 100,
        cli_rss_under_200mb: cli.peakRssMb < 200,
        mutation_under_30s: mutation.commandSeconds < 30,
        decide_startup_2x_node: startupNow.decide_vs_node <= 2,
      },
      workers: WORKERS,
      ratios,
    }),
  )
}
