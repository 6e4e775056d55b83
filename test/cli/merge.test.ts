/** `--shard K/N` and `collabgate merge` through the built command line, as a scheduler's jobs would run them. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { assertBuilt, AUTHORING, cli, ROOT } from './run-cli.js'

beforeAll(assertBuilt)

const DIR = mkdtempSync(join(tmpdir(), 'collabgate-merge-'))
afterAll(() => rmSync(DIR, { recursive: true, force: true }))

const EXAMPLES = readFileSync(join(ROOT, 'examples', 'records.ndjson'), 'utf8')
  .trimEnd()
  .split('\n')
/** The examples under several ids each, with a torn line and a blank line among them. */
const INPUT = join(DIR, 'records.ndjson')
writeFileSync(
  INPUT,
  Array.from({ length: 5 }, (_, c) =>
    EXAMPLES.map((l, i) => l.replace(/"(applicationId|developerId)":"([^"]+)"/, `"$1":"$2-${(c + i) % 3}"`)),
  )
    .flat()
    .concat(['{"applicationId": "APP-TORN", ', '', EXAMPLES[0]!])
    .join('\n') + '\n',
)
const DECIDE = ['decide', '--as-of', '2026-11-24', '--ndjson']
const IMPACT = ['impact', '--policies', `${AUTHORING}/versions`, '--policy', 'acme.onboarding', '--from', '1.0.0', '--to', '1.1.0']
const IMPACT_RECORDS = `${AUTHORING}/versions/records.ndjson`

describe.concurrent('collabgate --shard K/N and merge', () => {
  it('batch: three shards (worker threads) merged are the one run byte for byte', async () => {
    const one = await cli([...DECIDE, INPUT])
    expect(one.code).toBe(1) // the torn and the blank line
    const shards = await Promise.all([1, 2, 3].map((k) => cli([...DECIDE, '--workers', '2', '--shard', `${k}/3`, INPUT])))
    const files = shards.map((shard, i) => {
      expect(shard.stderr).not.toContain('internal')
      const file = join(DIR, `batch-${i + 1}.ndjson`)
      writeFileSync(file, shard.stdout)
      return file
    })
    const merged = await cli(['merge', ...files])
    expect(merged).toMatchObject({ code: 0, stderr: '' })
    expect(merged.stdout).toBe(one.stdout)
    // a matrix's artifacts piped in one after another
    const piped = await cli(['merge'], { input: files.map((f) => readFileSync(f, 'utf8')).join('') })
    expect(piped.stdout).toBe(one.stdout)
  }, 120_000)

  it('impact: two shards merged are the one report byte for byte; a missing one is refused', async () => {
    const one = await cli([...IMPACT, '--format', 'json', IMPACT_RECORDS])
    expect(one.code).toBe(2) // two lines of the fixture cannot be decided
    const shards = await Promise.all([1, 2].map((k) => cli([...IMPACT, '--format', 'json', '--shard', `${k}/2`, IMPACT_RECORDS])))
    const files = shards.map((s, i) => {
      const file = join(DIR, `impact-${i + 1}.json`)
      writeFileSync(file, s.stdout)
      return file
    })
    const merged = await cli(['merge', ...files])
    expect(merged).toMatchObject({ code: 0, stdout: one.stdout })
    const missing = await cli(['merge', files[1]!])
    expect(missing).toMatchObject({ code: 2, stdout: '' })
    expect(missing.stderr).toContain('E_SHARD_MISSING: shard(s) 1/2 missing: 1 of 2 given')
  }, 120_000)

  it('refuses a bad --shard before reading anything', async () => {
    const bads = ['0/3', '4/3', '3', '1/0', 'a/b', '1/10001']
    const runs = await Promise.all(bads.map((bad) => cli([...DECIDE, '--shard', bad, INPUT])))
    runs.forEach((r, i) => {
      expect(r).toMatchObject({ code: 2, stdout: '' })
      expect(r.stderr).toContain(`E_INVALID_ARGUMENT: --shard "${bads[i]!}" is not K/N`)
    })
    const impact = await cli([...IMPACT, '--format', 'json', '--shard', '2/1', IMPACT_RECORDS])
    expect(impact).toMatchObject({ code: 2, stdout: '' })
    expect(impact.stderr).toContain('E_INVALID_ARGUMENT: --shard "2/1"')
    const text = await cli([...IMPACT, '--shard', '1/2', IMPACT_RECORDS])
    expect(text.stderr).toContain('--shard writes a report for merge: add --format json')
    const single = await cli(['decide', '--shard', '1/2', 'examples/applications/complete-us-developer.json'])
    expect(single).toMatchObject({ code: 2 })
    expect(single.stderr).toContain('--shard applies to batch mode')
  }, 120_000)

  it('merge names a malformed line, and an unreadable file', async () => {
    const file = join(DIR, 'torn.ndjson')
    const shard = await cli([...DECIDE, '--shard', '1/1', INPUT])
    writeFileSync(file, shard.stdout.split('\n').slice(0, 3).join('\n') + '\n{"line":')
    const r = await cli(['merge', file])
    expect(r).toMatchObject({ code: 2, stdout: '' })
    expect(r.stderr).toContain(`E_MERGE_INVALID: ${file}:4:9: not JSON`)
    const gone = await cli(['merge', join(DIR, 'nothing-here.json')])
    expect(gone).toMatchObject({ code: 2 })
    expect(gone.stderr).toContain('cannot read')
  }, 120_000)
})
