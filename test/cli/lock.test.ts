import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { checkPolicies, defaultPoliciesDir, lockOfFolder } from '../../src/index.js'
import { formatLock, parseLockFile } from '../../src/lock/lock.js'
import { assertBuilt, AUTHORING, cli, ROOT } from './run-cli.js'

beforeAll(assertBuilt)

const scratch = mkdtempSync(join(tmpdir(), 'collabgate-lock-'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

describe.concurrent('collabgate lock', () => {
  it('adds new versions and never rewrites or drops a released entry; a mismatched one fails it, naming it, writing nothing', async () => {
    const dir = join(scratch, 'versions')
    cpSync(join(ROOT, AUTHORING, 'versions'), dir, { recursive: true })
    const lockFile = join(dir, 'policies.lock.json')
    // a released version whose file is gone, and one whose released digest differs from the file
    const before = { 'acme.onboarding@0.9.0': 'sha256:' + '0'.repeat(64), 'acme.onboarding@1.0.0': 'sha256:' + '1'.repeat(64) }
    writeFileSync(lockFile, JSON.stringify(before))

    const r = await cli(['lock', dir])
    expect(r.code).toBe(1)
    expect(r.stdout).toBe('')
    expect(r.stderr).toContain(
      `collabgate lock: acme.onboarding@1.0.0 is released but its file has other content now (locked sha256:${'1'.repeat(64)})`,
    )
    expect(r.stderr).toMatch(/nothing written to .*policies\.lock\.json: 1 released entry mismatched\n$/)
    expect(readFileSync(lockFile, 'utf8')).toBe(JSON.stringify(before))

    // validate fails on both released entries, one gone, one changed, and on the version the lock does not list
    const v = await cli(['validate', '--format', 'json', dir])
    expect(v.code).toBe(1)
    const body = JSON.parse(v.stdout) as { problems: { code: string; file: string; line: number }[] }
    expect(body.problems.map((p) => p.code).sort()).toEqual(['E_LOCK_MISMATCH', 'E_LOCK_MISSING', 'E_UNRELEASED'])
    const missing = body.problems.find((p) => p.code === 'E_LOCK_MISSING')!
    expect(missing.file.endsWith('versions/policies.lock.json')).toBe(true)
    const text = readFileSync(lockFile, 'utf8')
    expect(text.split('\n')[missing.line - 1]).toContain('"acme.onboarding@0.9.0"')

    // with the released entry true to its file again, lock adds the new version and raises the release
    const { policies } = await checkPolicies(dir, { lock: false })
    const v1 = policies.find((p) => p.version === '1.0.0')!
    writeFileSync(lockFile, JSON.stringify({ ...before, 'acme.onboarding@1.0.0': v1.digest }))
    const again = await cli(['lock', dir])
    expect(again.code).toBe(0)
    expect(again.stdout).toMatch(/^wrote .*policies\.lock\.json: release 1, 3 entries; 1 added, 0 changed, 0 removed\n/)
    expect(again.stdout).toContain('  + acme.onboarding@1.1.0\n')
    const written = JSON.parse(readFileSync(lockFile, 'utf8')) as { release: number; entries: Record<string, string> }
    expect(written.release).toBe(1)
    expect(Object.keys(written.entries)).toEqual(['acme.onboarding@0.9.0', 'acme.onboarding@1.0.0', 'acme.onboarding@1.1.0'])
    expect(written.entries['acme.onboarding@0.9.0']).toBe(before['acme.onboarding@0.9.0'])
    // nothing new: the file and its release stay
    const same = await cli(['lock', dir])
    expect([same.code, same.stdout]).toEqual([0, expect.stringMatching(/is up to date: release 1, 3 entries; nothing to release\n$/)])
    expect((JSON.parse(readFileSync(lockFile, 'utf8')) as { release: number }).release).toBe(1)
  })

  it('lists the logged decisions an --update strands, from the audit log', async () => {
    const dir = join(scratch, 'stranded')
    cpSync(join(ROOT, AUTHORING, 'versions'), dir, { recursive: true })
    const lockFile = join(dir, 'policies.lock.json')
    const old = 'sha256:' + '7'.repeat(64)
    const released = JSON.parse(readFileSync(lockFile, 'utf8')) as Record<string, string>
    writeFileSync(lockFile, formatLock({ ...released, 'acme.onboarding@1.1.0': old }, 3))
    const entry = (subject: string, digest: string, version = '1.1.0') =>
      JSON.stringify({ time: '2026-12-01T10:00:00.000Z', policy: 'acme.onboarding', version, digest, subject, outcome: 'approve' })
    const log = join(dir, '..', 'stranded-decisions.ndjson')
    const hostile = 'A-3\u202e\u009b2J'
    writeFileSync(
      log,
      [entry('A-1', old), entry('A-2', 'sha256:' + '8'.repeat(64)), 'not json', entry(hostile, old), entry('A-4', old, '1.0.0')].join(
        '\n',
      ) + '\n',
    )
    const r = await cli(['lock', '--update', 'acme.onboarding@1.1.0', '--audit', log, dir])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('release 4, 2 entries; 0 added, 1 changed, 0 removed')
    expect(r.stderr).toContain(`2 logged decision(s) under acme.onboarding@1.1.0 ${old} can no longer be replayed`)
    expect(r.stderr).toContain('  line 1: "2026-12-01T10:00:00.000Z" "A-1" "approve"\n')
    // a subject of bidi and C1 control characters is shown as escapes
    expect(r.stderr).toContain('  line 4: "2026-12-01T10:00:00.000Z" "A-3\\u{202e}\\x9b2J" "approve"')
    expect(r.stderr).not.toContain('"A-2"')
    // without a log, it says what is lost and how to list it
    writeFileSync(lockFile, formatLock({ ...released, 'acme.onboarding@1.1.0': old }, 3))
    const bare = await cli(['lock', '--update', 'acme.onboarding@1.1.0', dir])
    expect(bare.stderr).toContain(`decisions logged under acme.onboarding@1.1.0 ${old} can no longer be replayed; --audit LOG lists them`)
    const lonely = await cli(['lock', '--audit', log, dir])
    expect([lonely.code, lonely.stderr]).toEqual([2, expect.stringContaining('--audit lists what an --update breaks')])
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
    expect(readFileSync(lockFile, 'utf8')).toBe(formatLock(released, 1))

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
    const checked = await checkPolicies(defaultPoliciesDir())
    expect(checked.problems).toEqual([])
    const lock = lockOfFolder(checked)
    expect(Object.keys(lock)).toContain('record:application@1.0.0')
    expect(Object.keys(lock)).toContain('folder:collabgate.yaml')
    const shipped = parseLockFile(readFileSync(join(defaultPoliciesDir(), 'policies.lock.json'), 'utf8'))
    expect(readFileSync(join(defaultPoliciesDir(), 'policies.lock.json'), 'utf8')).toBe(formatLock(lock, shipped.release))
  })
})
