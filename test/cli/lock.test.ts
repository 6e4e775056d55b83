import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { checkPolicies, defaultPoliciesDir, formatLock, lockOf } from '../../src/index.js'
import { assertBuilt, AUTHORING, cli, ROOT } from './run-cli.js'

beforeAll(assertBuilt)

const scratch = mkdtempSync(join(tmpdir(), 'collabgate-lock-'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

describe.concurrent('collabgate lock', () => {
  it('writes a sorted lock with a trailing newline, keeping only versions present', async () => {
    const dir = join(scratch, 'versions')
    cpSync(join(ROOT, AUTHORING, 'versions'), dir, { recursive: true })
    const lockFile = join(dir, 'policies.lock.json')
    const released = JSON.parse(readFileSync(lockFile, 'utf8')) as Record<string, string>
    // a stale entry (a version whose file is gone) and a changed digest
    writeFileSync(lockFile, JSON.stringify({ 'acme.onboarding@0.9.0': 'sha256:' + '0'.repeat(64), 'acme.onboarding@1.0.0': 'sha256:' + '1'.repeat(64) }))

    const r = await cli(['lock', dir])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^wrote .*policies\.lock\.json: 2 version\(s\); 1 added, 1 changed, 1 removed\n/)
    expect(r.stdout).toContain('  - acme.onboarding@0.9.0\n')
    const text = readFileSync(lockFile, 'utf8')
    expect(text).toBe(formatLock(released))
    expect(text.endsWith('}\n')).toBe(true)
    expect(Object.keys(JSON.parse(text) as object)).toEqual(['acme.onboarding@1.0.0', 'acme.onboarding@1.1.0'])
  })

  it('writes nothing when a policy is invalid', async () => {
    const dir = join(scratch, 'broken')
    cpSync(join(ROOT, AUTHORING, 'broken'), dir, { recursive: true })
    const r = await cli(['lock', '--format', 'json', dir])
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('E_UNKNOWN_OPERATOR')
    expect(existsSync(join(dir, 'policies.lock.json'))).toBe(false)
  })

  it('refuses a file (a lock covers a whole folder)', async () => {
    const r = await cli(['lock', `${AUTHORING}/versions/acme.onboarding.v1.0.0.yaml`])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('is not a folder')
  })

  it('ships a lock that matches the shipped policies', async () => {
    const { policies, problems } = await checkPolicies(defaultPoliciesDir())
    expect(problems).toEqual([])
    expect(readFileSync(join(defaultPoliciesDir(), 'policies.lock.json'), 'utf8')).toBe(formatLock(lockOf(policies)))
  })
})
