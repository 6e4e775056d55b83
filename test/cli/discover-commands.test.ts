/**
 * Inside a policy repository (a collabgate.yaml found from the working directory upward), the authoring commands
 * given no folder work on it and say so, as decide, validate, test and lock do: impact, diff, replay, sign, verify.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { assertBuilt, cli } from './run-cli.js'

let dir: string
let repo: string
let deep: string
beforeAll(async () => {
  assertBuilt()
  dir = mkdtempSync(join(tmpdir(), 'collabgate-discover-'))
  repo = join(dir, 'repo')
  const init = await cli(['init', repo])
  expect(init.code, init.stderr).toBe(0)
  deep = join(repo, 'a', 'b')
  mkdirSync(deep, { recursive: true })
  const record = JSON.parse(readFileSync(join(repo, 'test-records', 'application.json'), 'utf8')) as unknown
  writeFileSync(join(dir, 'records.ndjson'), JSON.stringify(record) + '\n')
}, 60_000)
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const announced = (command: string) =>
  `collabgate ${command}: policy folder ${repo} (its collabgate.yaml, found from the working directory)`

describe('commands given no folder inside a policy repository', () => {
  it('diff compares the repository’s versions, not the shipped ones', async () => {
    const r = await cli(['diff', 'acme.onboarding@1.0.0', 'acme.onboarding@1.0.0'], { cwd: deep })
    expect([r.code, r.stderr.split('\n')[0]]).toEqual([0, announced('diff')])
    expect(r.stdout).toContain('acme.onboarding 1.0.0 → 1.0.0')
  })

  it('impact replays records through the repository’s policy', async () => {
    const args = ['impact', '--policy', 'acme.onboarding', '--from', 'none', '--to', '1.0.0', '--format', 'json']
    const r = await cli([...args, join(dir, 'records.ndjson')], { cwd: deep })
    expect(r.stderr.split('\n')[0]).toBe(announced('impact'))
    expect(r.code, r.stderr).toBe(0)
    expect(JSON.parse(r.stdout) as unknown).toMatchObject({ policy: 'acme.onboarding', lines: 1, decided: 1 })
  })

  it('sign and verify work on the repository’s lock', async () => {
    const r = await cli(['verify'], { cwd: deep })
    expect(r.code).toBe(2) // no --trust: a usage error, after the folder was found
    expect(r.stderr).toContain('E_USAGE: verify needs --trust')
  })

  it('outside any repository the shipped policies answer, and nothing is announced', async () => {
    const r = await cli(['diff', 'creator-collaboration.us.onboarding@1.0.0', 'creator-collaboration.us.onboarding@1.1.0'], {
      cwd: dir,
    })
    expect(r.code).toBe(0)
    expect(r.stderr).not.toContain('found from the working directory')
  })
})
