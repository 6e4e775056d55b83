/**
 * One content, one decision: the shipped policies give byte-identical decision JSON however their
 * folder is reached (the default, a relative or absolute --policies, a symbolic link, another working
 * directory), and decisions logged before, which named `policies/…`, still replay.
 */
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { assertBuilt, cli, ROOT } from './run-cli.js'

const RECORD = join(ROOT, 'examples', 'applications', 'missing-details.json')
const POLICIES = join(ROOT, 'policies')
let dir: string

beforeAll(() => {
  assertBuilt()
  dir = mkdtempSync(join(tmpdir(), 'collabgate-one-content-'))
  symlinkSync(POLICIES, join(dir, 'linked'), 'dir')
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('one content, one decision', () => {
  it('the shipped default, relative, absolute and linked --policies give the same bytes', async () => {
    const runs = await Promise.all([
      cli(['decide', '--as-of', '2026-12-10', RECORD]),
      cli(['decide', '--as-of', '2026-12-10', '--policies', 'policies', RECORD]),
      cli(['decide', '--as-of', '2026-12-10', '--policies', POLICIES, RECORD]),
      cli(['decide', '--as-of', '2026-12-10', '--policies', 'linked', RECORD], { cwd: dir }),
      cli(['decide', '--as-of', '2026-12-10', '--policies', '../policies', RECORD], { cwd: join(ROOT, 'src') }),
    ])
    for (const r of runs) expect(r.code, r.stderr).toBe(0)
    const [first, ...rest] = runs.map((r) => r.stdout)
    for (const other of rest) expect(other).toBe(first)
    const files = (JSON.parse(first!) as { reasons: { source: { file: string } }[] }).reasons.map((r) => r.source.file)
    // the file relative to the policy folder: never `policies/…`, never absolute
    expect(new Set(files)).toEqual(new Set(['creator-collaboration.us.onboarding.v1.1.0.yaml']))
  })

  it('a decision log names no file, so logs written before replay by any route to the folder', async () => {
    const log = join(dir, 'decisions.ndjson')
    const made = await cli(['decide', '--as-of', '2026-12-10', '--audit', log, RECORD])
    expect(made.code, made.stderr).toBe(0)
    // replay compares subject, outcome and reasons (rule, outcome, evidence): the source file is not logged
    expect(readFileSync(log, 'utf8')).not.toContain('.yaml')
    for (const route of [[], ['--policies', POLICIES], ['--policies', join(dir, 'linked')]]) {
      const replayed = await cli(['replay', ...route, log])
      expect(replayed.code, replayed.stdout + replayed.stderr).toBe(0)
    }
  })
})
