import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { assertBuilt, cli, ROOT } from './run-cli.js'
import { diffHelp } from '../../src/cli/commands/diff.js'
import { impactHelp } from '../../src/cli/commands/impact.js'
import { lockHelp } from '../../src/cli/commands/lock.js'
import { testHelp } from '../../src/cli/commands/test.js'
import { validateHelp } from '../../src/cli/commands/validate.js'

const HELP = { validate: validateHelp, lock: lockHelp, test: testHelp, diff: diffHelp, impact: impactHelp }

beforeAll(assertBuilt)

describe.concurrent('collabgate --help and --version', () => {
  it('lists the authoring commands', async () => {
    const r = await cli(['--help'])
    expect(r.code).toBe(0)
    for (const name of ['validate', 'lock', 'test', 'diff', 'impact']) expect(r.stdout).toMatch(new RegExp(`^  ${name} +\\S`, 'm'))
  })

  it('prints the package version', async () => {
    const r = await cli(['--version'])
    expect(r.code).toBe(0)
    expect(r.stdout).toBe(`${(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version}\n`)
  })

  it.each(['validate', 'impact'])('%s --help (run) shows usage, exit codes and examples', async (name) => {
    const r = await cli([name, '--help'])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(new RegExp(`^Usage: collabgate ${name} `))
  })

  // The texts themselves, checked in-process to keep the suite fast (each CLI start costs about half a second).
  it.each(Object.entries(HELP))('%s help shows usage, exit codes and examples', (name, text) => {
    expect(text).toMatch(new RegExp(`^Usage: collabgate ${name} `))
    expect(text).toContain('Exit: 0')
    expect(text).toMatch(/Examples?:\n {2}collabgate /)
  })
})

describe.concurrent('collabgate, used wrongly', () => {
  it('help COMMAND is that command’s help', async () => {
    const r = await cli(['help', 'decide'])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^Usage: collabgate decide /)
  })

  it('names an unknown option in one line, with the one meant when it is close, and no help page', async () => {
    const r = await cli(['decide', '--polices', 'policies', 'x.json'])
    expect(r.code).toBe(2)
    expect(r.stdout).toBe('')
    expect(r.stderr).toBe(
      "collabgate: E_USAGE: unknown option '--polices' for decide (did you mean '--policies'?); its options: --policy, --digest, --as-of, --policies, --no-lock, --trust, --follow-symlinks, --explain, --no-hints, --format, --ndjson, --workers, --shard, --audit, --audit-mode, --checkpoints, --checkpoint-key, --origin, -h (collabgate decide --help)\n",
    )
    const far = await cli(['validate', '--bogus'])
    expect(far.stderr).toMatch(
      /^collabgate: E_USAGE: unknown option '--bogus' for validate; its options: --format, --lock, --no-lock, --require-lock, --trust, --follow-symlinks, -h /,
    )
  })

  it('treats a --policies folder that is not there as a usage error (exit 2) in decide and impact, as validate does', async () => {
    const decide = await cli(['decide', '--policies', 'no/such/folder', 'examples/applications/missing-details.json'])
    expect([decide.code, decide.stderr]).toEqual([2, 'collabgate: E_USAGE: cannot read no/such/folder: ENOENT\n'])
    const impact = await cli([
      'impact',
      '--policies',
      'no/such/folder',
      '--policy',
      'p',
      '--from',
      '1.0.0',
      '--to',
      '1.1.0',
      'examples/records.ndjson',
    ])
    expect([impact.code, impact.stderr]).toEqual([2, 'collabgate: E_USAGE: cannot read no/such/folder: ENOENT\n'])
    const validate = await cli(['validate', 'no/such/folder'])
    expect(validate.code).toBe(2)
  })
})

describe.concurrent('collabgate report', () => {
  it("names a review strip's holidays from --calendar (default US), and refuses an unknown calendar", async () => {
    const record = 'examples/applications/rejected-multiple-reasons.json'
    const decision = await cli(['decide', '--as-of', '2026-11-24', record])
    const us = await cli(['report', '-'], { input: decision.stdout })
    expect(us.stdout).toMatch(/<li class="off holiday">Thu<br>11-26<br><span class="holiday-name">Thanksgiving/)
    const gb = await cli(['report', '--calendar', 'GB', '-'], { input: decision.stdout })
    expect([gb.code, gb.stdout.includes('11-26'), gb.stdout.includes('Thanksgiving')]).toEqual([0, true, false])
    const unknown = await cli(['report', '--calendar', 'XX-NOWHERE', '-'], { input: decision.stdout })
    expect([unknown.code, unknown.stdout]).toEqual([2, ''])
    expect(unknown.stderr).toMatch(/^collabgate: E_UNKNOWN_CALENDAR: /)
  })

  it('writes one HTML page from the JSON decide printed, and refuses JSON of another kind', async () => {
    const decision = await cli(['decide', '--explain', '--as-of', '2026-11-24', 'examples/applications/missing-details.json'])
    const page = await cli(['report', '-'], { input: decision.stdout })
    expect(page.code).toBe(0)
    expect(page.stdout).toMatch(/^<!doctype html>/)
    expect(page.stdout).toContain('<h1>Decision: <span class="bad">needs_information</span></h1>')
    expect(page.stdout).not.toMatch(/<script|https?:\/\//)
    const wrong = await cli(['report', '-'], { input: '{"hello": 1}' })
    expect([wrong.code, wrong.stderr]).toEqual([
      2,
      'collabgate: E_USAGE: the input is not the JSON of a decision (decide), an impact run (impact --format json) or a test run (test --format json)\n',
    ])
  })
})
