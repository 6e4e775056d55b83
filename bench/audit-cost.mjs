#!/usr/bin/env node
/**
 * What the decision record costs (issue #22): decisions per second through withAudit to a buffered log
 * on a file, interleaved in one run over the same seeded records:
 *   plain     the log without masking (the chain is always on) and without checkpoints
 *   recorded  masking (redact, hash, remove on application records) and checkpoints every 1000 entries
 * and, when given `--baseline DIR` (a build of the package before format 2), that build's buffered log.
 * Run after `npx tsup`: node bench/audit-cost.mjs [--records N] [--rounds N] [--baseline /path/to/dist]
 */
import { generateKeyPairSync } from 'node:crypto'
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import * as current from '../dist/index.js'
import { generateRecords } from './records.mjs'

const args = process.argv.slice(2)
const option = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback)
const RECORDS = Number(option('--records', 20_000))
const ROUNDS = Number(option('--rounds', 5))
const BASELINE = option('--baseline', undefined)

const work = mkdtempSync(join(tmpdir(), 'collabgate-audit-cost-'))
const folder = join(work, 'policies')
cpSync(current.defaultPoliciesDir(), folder, { recursive: true, filter: (src) => !/\.test\.ya?ml$|lock\.json$|test-records/.test(src) })
const declaration = readFileSync(join(folder, 'collabgate.yaml'), 'utf8')
const at = declaration.indexOf('  behaviour:')
const mask = [
  '    audit:',
  '      mask:',
  '        - { pointer: /applicant/legalName, action: redact }',
  '        - { pointer: /applicant/contactEmail, action: hash }',
  '        - { pointer: /security/statement, action: remove }',
  '',
].join('\n')
writeFileSync(join(folder, 'collabgate.yaml'), declaration.slice(0, at) + mask + declaration.slice(at))
process.env.COLLABGATE_AUDIT_HMAC_KEY = 'a benchmark key of thirty-two or more characters'

const plainSet = await current.defaultPolicies()
const maskedSet = await current.loadPolicies(folder, { lock: false })
const { privateKey } = generateKeyPairSync('ed25519')
const records = generateRecords(RECORDS)
const ASOF = { asOf: '2026-11-24' }

async function run(lib, set, options, name) {
  const file = join(work, `${name}.ndjson`)
  rmSync(file, { force: true })
  const log = lib.createAuditLog(file, options)
  const audited = lib.withAudit(set, log)
  const t0 = process.hrtime.bigint()
  for (const r of records) await audited.decide(r, ASOF).catch(() => {})
  await log.close()
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9
  return { rate: records.length / seconds, bytes: readFileSync(file).length / records.length }
}

const modes = [
  ['plain', () => run(current, plainSet, {}, 'plain')],
  [
    'recorded',
    () =>
      run(
        current,
        maskedSet,
        { checkpoints: { file: join(work, 'cp.ndjson'), key: privateKey, origin: 'bench', every: 1000 } },
        'recorded',
      ),
  ],
]
if (BASELINE) {
  const old = await import(pathToFileURL(join(BASELINE, 'index.js')).href)
  const oldSet = await old.defaultPolicies()
  modes.unshift(['format1', () => run(old, oldSet, {}, 'format1')])
}
const rates = Object.fromEntries(modes.map(([n]) => [n, []]))
const bytes = {}
for (const [, f] of modes) await f() // warm-up
for (let round = 0; round < ROUNDS; round++)
  for (const [name, f] of modes) {
    const r = await f()
    rates[name].push(r.rate)
    bytes[name] = r.bytes
  }
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const out = Object.fromEntries(
  Object.entries(rates).map(([n, xs]) => [n, { perSecond: Math.round(median(xs)), bytesPerEntry: Math.round(bytes[n]) }]),
)
out.ratioRecordedToPlain = +(out.recorded.perSecond / out.plain.perSecond).toFixed(3)
if (out.format1) out.ratioRecordedToFormat1 = +(out.recorded.perSecond / out.format1.perSecond).toFixed(3)
console.log(JSON.stringify({ records: RECORDS, rounds: ROUNDS, ...out }, null, 2))
rmSync(work, { recursive: true, force: true })
