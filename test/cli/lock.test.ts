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
  it('adds new versions and never rewrites or drops a released entry', async () => {
    const dir = join(scratch, 'versions')
    cpSync(join(ROOT, AUTHORING, 'versions'), dir, { recursive: true })
    const lockFile = join(dir, 'policies.lock.json')
    // a released version whose file is gone, and one whose released digest differs from the file
    const before = { 'acme.onboarding@0.9.0': 'sha256:' + '0'.repeat(64), 'acme.onboarding@1.0.0': 'sha256:' + '1'.repeat(64) }
    writeFileSync(lockFile, JSON.stringify(before))

    const r = await cli(['lock', dir])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^wrote .*policies\.lock\.json: 3 version\(s\); 1 added, 0 changed, 0 removed\n/)
    expect(r.stdout).toContain('  + acme.onboarding@1.1.0\n')
    expect(r.stdout).toContain('  ! acme.onboarding@1.0.0: released content differs from the file')
    const text = readFileSync(lockFile, 'utf8')
    expect(text.endsWith('}\n')).toBe(true)
    const written = JSON.parse(text) as Record<string, string>
    expect(Object.keys(written)).toEqual(['acme.onboarding@0.9.0', 'acme.onboarding@1.0.0', 'acme.onboarding@1.1.0'])
    expect(written['acme.onboarding@0.9.0']).toBe(before['acme.onboarding@0.9.0'])
    expect(written['acme.onboarding@1.0.0']).toBe(before['acme.onboarding@1.0.0'])

    // validate now fails on both released entries: one gone, one changed
    const v = await cli(['validate', '--format', 'json', dir])
    expect(v.code).toBe(1)
    const body = JSON.parse(v.stdout) as { problems: { code: string; file: string; line: number }[] }
    expect(body.problems.map((p) => p.code).sort()).toEqual(['E_LOCK_MISMATCH', 'E_LOCK_MISSING'])
    const missing = body.problems.find((p) => p.code === 'E_LOCK_MISSING')!
    expect(missing.file.endsWith('versions/policies.lock.json')).toBe(true)
    expect(text.split('\n')[missing.line - 1]).toContain('"acme.onboarding@0.9.0"')
  })

  it('rewrites or removes an entry only when --update names it', async () => {
    const dir = join(scratch, 'update')
    cpSync(join(ROOT, AUTHORING, 'versions'), dir, { recursive: true })
    const lockFile = join(dir, 'policies.lock.json')
    const released = JSON.parse(readFileSync(lockFile, 'utf8')) as Record<string, string>
    writeFileSync(
      lockFile,
      JSON.stringify({
        ...released,
        'acme.onboarding@0.9.0': 'sha256:' + '0'.repeat(64),
        'acme.onboarding@1.1.0': 'sha256:' + '1'.repeat(64),
      }),
    )

    const r = await cli(['lock', '--update', 'acme.onboarding@1.1.0', '--update', 'acme.onboarding@0.9.0', dir])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('0 added, 1 changed, 1 removed')
    expect(readFileSync(lockFile, 'utf8')).toBe(formatLock(released))

    const unknown = await cli(['lock', '--update', 'acme.onboarding@7.0.0', dir])
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain('acme.onboarding@7.0.0, which the lock does not list')
    expect(readFileSync(lockFile, 'utf8')).toBe(formatLock(released))
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

  it('ships a lock that matches the shipped policies and record schemas', async () => {
    const { policies, subjects, problems } = await checkPolicies(defaultPoliciesDir())
    expect(problems).toEqual([])
    const lock = lockOf(
      policies,
      subjects.flatMap((s) => s.schemas),
    )
    expect(Object.keys(lock)).toContain('record:application@1.0.0')
    expect(readFileSync(join(defaultPoliciesDir(), 'policies.lock.json'), 'utf8')).toBe(formatLock(lock))
  })
})
