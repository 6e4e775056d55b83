/**
 * What the load run and its fault harness share (scripts/load-service.mjs): the copy of the shipped policies,
 * the example service started on 127.0.0.1, and the mix of example records.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { ChildProcess } from 'node:child_process'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'

interface Service {
  child: ChildProcess
  exited: Promise<number | null>
  listening(ms?: number): Promise<string>
}
interface Shared {
  copyPolicies(from: string, to: string, drop?: (src: string) => boolean): void
  EXAMPLE_CASES: [string, string][]
  decisionCase(root: string, asOf: string, policy: string, file: string): { path: string; body: string }
  startService(options: {
    root: string
    policies: string
    connections: number
    args?: string[]
    env?: Record<string, string>
    echoStderr?: boolean
  }): Service
}

const ROOT = join(__dirname, '..', '..')
let shared: Shared
const dirs: string[] = []
const services: Service[] = []
const scratch = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'collabgate-load-service-'))
  dirs.push(dir)
  return dir
}

beforeAll(async () => {
  shared = (await import(pathToFileURL(join(ROOT, 'scripts', 'load-service.mjs')).href)) as Shared
})
afterEach(async () => {
  for (const s of services.splice(0)) {
    if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGKILL')
    await s.exited
  }
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

describe('the load scripts’ shared service helper', () => {
  it('copies the shipped policies without their tests, and drops what the caller names', () => {
    const to = join(scratch(), 'policies')
    shared.copyPolicies(join(ROOT, 'policies'), to, (src) => src.endsWith('policies.lock.json'))
    const names = readdirSync(to)
    expect(names.some((n) => /\.v1\.0\.0\.yaml$/.test(n))).toBe(true)
    expect(names.filter((n) => /\.test\.ya?ml$/.test(n))).toEqual([])
    expect(existsSync(join(to, 'policies.lock.json'))).toBe(false)
  })

  it('builds each request of the mix from an example record', () => {
    const cases = shared.EXAMPLE_CASES.map(([policy, file]) => shared.decisionCase(ROOT, '2024-01-02', policy, file))
    expect(cases).toHaveLength(6)
    expect(cases[3]?.path).toBe('/v1/decisions?asOf=2024-01-02&policy=creator-collaboration.us.api-access')
    for (const c of cases) expect(() => JSON.parse(c.body) as unknown).not.toThrow()
  })

  it('starts the example service on 127.0.0.1 over a copy', { timeout: 30_000 }, async () => {
    const policies = join(scratch(), 'policies')
    shared.copyPolicies(join(ROOT, 'policies'), policies)
    const service = shared.startService({ root: ROOT, policies, connections: 2, env: { COLLABGATE_TOKEN: 'x'.repeat(32) } })
    services.push(service)
    expect(new URL(await service.listening(20_000)).hostname).toBe('127.0.0.1')
  })

  it('says why the service did not start: its first line on stderr, not a hang', { timeout: 30_000 }, async () => {
    const service = shared.startService({
      root: ROOT,
      policies: join(scratch(), 'no-such-folder'),
      connections: 2,
      env: { COLLABGATE_TOKEN: 'x'.repeat(32) },
      echoStderr: false,
    })
    services.push(service)
    await expect(service.listening(20_000)).rejects.toThrow(/no-such-folder|ENOENT|not/i)
  })
})
