/**
 * `collabgate init` through the packed tarball: a project that depends on collabgate (the tarball
 * unpacked into its node_modules, the dependencies linked, no registry) gets a working policy
 * repository, and the README's author steps (validate, test, lock, decide) run in it with no folder
 * named and no file copied from this repository.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { assertBuilt, ROOT, type CliResult } from './run-cli.js'
import { execFile } from 'node:child_process'

let dir: string
let project: string
let cliJs: string

/** Runs the packed CLI in `cwd`. */
function packed(args: readonly string[], cwd: string, input = ''): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(process.execPath, [cliJs, ...args], { cwd, env: { ...process.env, NO_COLOR: '1' } }, (err, stdout, stderr) => {
      if (err && typeof err.code !== 'number') return reject(err)
      resolve({ code: err ? (err.code as number) : 0, stdout, stderr })
    })
    child.stdin?.on('error', () => undefined)
    child.stdin?.end(input)
  })
}

beforeAll(() => {
  assertBuilt()
  dir = mkdtempSync(join(tmpdir(), 'collabgate-init-'))
  // dist is built already: the pack runs no scripts and never touches a registry
  const out = execFileSync('npm', ['pack', '--ignore-scripts', '--offline', '--silent', '--pack-destination', dir], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 120_000,
  })
  const tgz = join(dir, out.trim().split('\n').at(-1)!)
  project = join(dir, 'project')
  const installed = join(project, 'node_modules', 'collabgate')
  mkdirSync(installed, { recursive: true })
  execFileSync('tar', ['-xzf', tgz, '-C', installed, '--strip-components=1'], { timeout: 60_000 })
  // the tarball's dependencies, as an install would have put them: linked, since no registry is reachable
  symlinkSync(join(ROOT, 'node_modules'), join(installed, 'node_modules'), 'dir')
  cliJs = join(installed, 'dist', 'cli.js')
}, 180_000)
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('collabgate init, from the packed tarball', () => {
  it('writes a policy repository whose author steps pass, with its folder used and named', async () => {
    const init = await packed(['init'], project)
    expect(init.code, init.stderr).toBe(0)
    for (const f of ['collabgate.yaml', 'acme.onboarding.v1.0.0.yaml', 'acme.onboarding.test.yaml', 'policies.lock.json'])
      expect(existsSync(join(project, f)), f).toBe(true)
    expect(existsSync(join(project, '.github', 'workflows', 'policies.yml'))).toBe(true)

    const validate = await packed(['validate', '--require-lock'], project)
    expect(validate.code, validate.stdout + validate.stderr).toBe(0)
    expect(validate.stderr).toContain(`collabgate validate: policy folder ${project} (its collabgate.yaml`)
    const test = await packed(['test', '--coverage', '--min-coverage', '100'], project)
    expect(test.code, test.stdout + test.stderr).toBe(0)
    expect(test.stdout).toContain('4 passed, 0 failed')
    const lock = await packed(['lock'], project)
    expect(lock.code, lock.stderr).toBe(0)
    expect(lock.stdout).toContain('is up to date: release 1')

    // a command below the repository's root uses it too (found upward), never the shipped policies
    const below = join(project, 'records')
    const record = JSON.stringify({ applicationId: 'APP-9', country: 'CA', yearsInOperation: 3 })
    const decide = await packed(['decide', '--as-of', '2026-06-01', '-'], below, record)
    expect(decide.code, decide.stderr).toBe(0)
    expect(decide.stderr).toContain(`collabgate decide: policy folder ${project}`)
    expect(JSON.parse(decide.stdout)).toMatchObject({ policy: { id: 'acme.onboarding' }, outcome: 'reject' })
  })

  it('names JSON Schemas that resolve in a project depending on collabgate', () => {
    const yamls = readdirSync(project).filter((f) => f.endsWith('.yaml'))
    expect(yamls.length).toBeGreaterThanOrEqual(3)
    for (const f of yamls) {
      const ref = /\$schema=(\S+)/.exec(readFileSync(join(project, f), 'utf8'))?.[1]
      expect(ref, f).toBeDefined()
      expect(existsSync(join(dirname(join(project, f)), ref!)), `${f}: ${ref}`).toBe(true)
    }
  })

  it('refuses to overwrite: a second init writes nothing and says which files exist', async () => {
    const before = readFileSync(join(project, 'acme.onboarding.v1.0.0.yaml'), 'utf8')
    const again = await packed(['init', project], dir)
    expect(again.code).toBe(2)
    expect(again.stderr).toMatch(/^collabgate: E_USAGE: init writes nothing: .*collabgate\.yaml/)
    expect(readFileSync(join(project, 'acme.onboarding.v1.0.0.yaml'), 'utf8')).toBe(before)
  })
})
