/**
 * collabgate keygen, sign and verify end to end, as people run them: in a temporary copy of the shipped
 * policies/, with the keys and the trust file outside it. One release goes from unsigned to authored
 * to approved, then is refused for each way it can go wrong.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { keygenHelp } from '../../src/cli/commands/keygen.js'
import { signHelp } from '../../src/cli/commands/sign.js'
import { verifyHelp } from '../../src/cli/commands/verify.js'
import { assertBuilt, cli, ROOT } from '../cli/run-cli.js'

beforeAll(assertBuilt)

const scratch = mkdtempSync(join(tmpdir(), 'collabgate-release-'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))
const dir = join(scratch, 'policies')
const keys = join(scratch, 'keys')
const trustFile = join(scratch, 'TRUST.json')
const sigFile = join(dir, 'policies.lock.sig.json')
const lockFile = join(dir, 'policies.lock.json')
cpSync(join(ROOT, 'policies'), dir, { recursive: true })
/** The shipped lock's release (each release of the shipped folder raises it), and the next one. */
const R = (JSON.parse(readFileSync(lockFile, 'utf8')) as { release: number }).release
const NEXT = R + 1
mkdirSync(keys) // beside the policy folder, never in it

const run = (...args: string[]) => cli(args, { cwd: scratch })
const verifyJson = async (...extra: string[]) => {
  const r = await run('verify', '--trust', trustFile, '--format', 'json', ...extra, dir)
  return {
    code: r.code,
    body: JSON.parse(r.stdout) as { ok: boolean; problems: { code: string; message: string }[] } & Record<string, unknown>,
  }
}

describe('collabgate keygen, sign and verify', () => {
  const entries: Record<string, { keyid: string }> = {}

  it('keygen writes a private key only its owner can read, and prints its keyid and trust-file entry', async () => {
    for (const [file, name, roles] of [
      ['ann', 'Ann', ['author']],
      ['ben', 'Ben', ['approver']],
      ['ann-approver', 'Ann', ['approver']],
    ] as const) {
      const r = await run('keygen', '--out', join(keys, file), '--name', name, ...roles.flatMap((x) => ['--role', x]))
      expect(r.code).toBe(0)
      const keyid = /^keyid (sha256:[0-9a-f]{64})$/m.exec(r.stdout)![1]!
      const entry = JSON.parse(r.stdout.slice(r.stdout.indexOf('{'))) as { keyid: string; name: string; roles: string[] }
      expect(entry).toMatchObject({ keyid, name, roles })
      expect(statSync(join(keys, `${file}.pem`)).mode & 0o777).toBe(0o600)
      expect(readFileSync(join(keys, `${file}.pub.pem`), 'utf8')).toMatch(/^-----BEGIN PUBLIC KEY-----/)
      entries[file] = entry
    }
    writeFileSync(trustFile, JSON.stringify({ version: 1, keys: Object.values(entries), approvals: 1 }, null, 2))
    const again = await run('keygen', '--out', join(keys, 'ann'))
    expect(again.code).toBe(2)
    expect(again.stderr).toContain('EEXIST')
  })

  it('verify refuses the release until its author signed and another person approved', async () => {
    const unsigned = await run('verify', '--trust', trustFile, dir)
    expect(unsigned.code).toBe(1)
    expect(unsigned.stdout).toContain(`release ${R} of policies/policies.lock.json is not accepted (1 reason(s)):\n  E_RELEASE_UNSIGNED: `)

    const signed = await run('sign', '--key', join(keys, 'ann.pem'), dir)
    expect(signed.code).toBe(0)
    expect(signed.stdout).toBe(
      `signed release ${R} of policies/policies.lock.json as author\n  keyid ${entries.ann!.keyid}\nwrote policies/policies.lock.sig.json: 1 signature(s)\n`,
    )
    const authored = await verifyJson()
    expect(authored.code).toBe(1)
    expect(authored.body.problems).toEqual([
      { code: 'E_RELEASE_UNAPPROVED', message: `release ${R} has 0 approval(s) counted of 1 needed` },
    ])

    // Ann's approver key is still Ann: no approval of her own release
    expect((await run('sign', '--key', join(keys, 'ann-approver.pem'), '--role', 'approver', dir)).code).toBe(0)
    const self = await run('verify', '--trust', trustFile, dir)
    expect(self.code).toBe(1)
    expect(self.stdout).toContain('0 approval(s) counted of 1 needed; not counted: ')
    expect(self.stdout).toContain('is a key of Ann, who signed as author')

    expect((await run('sign', '--key', join(keys, 'ben.pem'), '--role', 'approver', dir)).code).toBe(0)
    const ok = await run('verify', '--trust', trustFile, dir)
    expect(ok.code).toBe(0)
    expect(ok.stdout).toBe(
      `release ${R} of policies/policies.lock.json is signed and approved\n  author   ${entries.ann!.keyid} (Ann)\n` +
        `  approver ${entries.ben!.keyid} (Ben)\n`,
    )
    const json = await verifyJson()
    expect(json.code).toBe(0)
    expect(json.body).toMatchObject({ ok: true, release: R, author: { name: 'Ann' }, approvers: [{ name: 'Ben' }], problems: [] })
  })

  it('verify refuses a release below --min-release, and a signature file edited by hand', async () => {
    const rollback = await verifyJson('--min-release', String(NEXT))
    expect(rollback.code).toBe(1)
    expect(rollback.body.problems.map((p) => p.code)).toEqual(['E_RELEASE_ROLLBACK'])

    const good = readFileSync(sigFile, 'utf8')
    const env = JSON.parse(good) as { payload: string; signatures: { role: string }[] }
    writeFileSync(sigFile, JSON.stringify({ ...env, signatures: env.signatures.map((s) => ({ ...s, role: 'approver' })) }))
    const flipped = await verifyJson()
    expect(flipped.code).toBe(1)
    expect(flipped.body.problems.map((p) => p.code)).toContain('E_RELEASE_SIGNATURE')
    writeFileSync(sigFile, JSON.stringify({ ...env, payload: 'x' }))
    const broken = await verifyJson()
    expect(broken.code).toBe(1)
    expect(broken.body.problems).toEqual([{ code: 'E_RELEASE_INVALID', message: expect.stringContaining('at /payload: must be base64') }])
    // signing over an unreadable signature file starts it afresh, saying so
    const over = await run('sign', '--key', join(keys, 'ben.pem'), '--role', 'approver', dir)
    expect([over.code, over.stderr]).toEqual([
      0,
      expect.stringContaining('at /payload: must be base64 (RFC 4648, padded); starting policies/policies.lock.sig.json afresh'),
    ])
    expect(JSON.parse(readFileSync(sigFile, 'utf8'))).toMatchObject({ signatures: [{ role: 'approver' }] })
    writeFileSync(sigFile, good)
  })

  it('a new release (the new lock format) needs new signatures; sign starts the file afresh', async () => {
    const shipped = JSON.parse(readFileSync(lockFile, 'utf8')) as { release: number; entries: Record<string, string> }
    expect(shipped.release).toBe(R)
    writeFileSync(lockFile, JSON.stringify({ release: NEXT, entries: shipped.entries }, null, 2))
    const stale = await verifyJson()
    expect(stale.code).toBe(1)
    expect(stale.body.problems[0]).toMatchObject({ code: 'E_RELEASE_MISMATCH' })
    expect(stale.body.problems[0]!.message).toContain(`for release ${R} with other content than the lock on disk (release ${NEXT})`)

    const fresh = await run('sign', '--key', join(keys, 'ann.pem'), '--expires', '2020-01-01', dir)
    expect(fresh.code).toBe(0)
    expect(fresh.stdout).toContain(`signed release ${NEXT} of policies/policies.lock.json as author`)
    expect(fresh.stdout).toContain('dropped 3 earlier signature(s): they were for other lock content or another expiry')
    expect((await run('sign', '--key', join(keys, 'ben.pem'), '--role', 'approver', dir)).code).toBe(0)
    const expired = await verifyJson('--min-release', String(NEXT))
    expect(expired.code).toBe(1)
    expect(expired.body.problems.map((p) => p.code)).toEqual(['E_RELEASE_EXPIRED'])

    expect((await run('sign', '--key', join(keys, 'ann.pem'), '--expires', '2099-12-31', dir)).code).toBe(0)
    expect((await run('sign', '--key', join(keys, 'ben.pem'), '--role', 'approver', dir)).code).toBe(0)
    const renewed = await verifyJson('--min-release', String(NEXT))
    expect(renewed.body).toMatchObject({ ok: true, release: NEXT, expires: '2099-12-31' })
  })

  it('exits 2 for usage and I/O errors, naming what is wrong', async () => {
    const cases: [string[], string][] = [
      [['verify', dir], 'verify needs --trust TRUST.json'],
      [['verify', '--trust', join(scratch, 'nope.json'), dir], 'cannot read'],
      [['verify', '--trust', trustFile, '--min-release', 'one', dir], '--min-release must be a whole number'],
      [['verify', '--trust', trustFile, '--format', 'xml', dir], '--format must be text or json'],
      [['verify', '--trust', lockFile, dir], 'E_TRUST_INVALID: policies/policies.lock.json at /: unknown field(s)'],
      [['verify', '--trust', trustFile, keys], 'policies.lock.json does not exist'],
      [['sign', dir], 'sign needs --key KEY.pem'],
      [['sign', '--key', join(keys, 'ann.pem'), '--role', 'boss', dir], '--role must be author or approver, not boss'],
      [['sign', '--key', join(keys, 'ann.pub.pem'), dir], 'E_INVALID_ARGUMENT: not a PEM private key'],
      [['sign', '--key', join(keys, 'ann.pem'), '--expires', '2026-13-01', dir], 'expires must be YYYY-MM-DD'],
      [['sign', '--key', join(keys, 'ann.pem'), dir, dir], 'sign takes one DIR'],
      [['keygen'], 'keygen needs --out NAME'],
      [['keygen', '--out', join(keys, 'x'), '--role', 'root'], '--role must be author or approver, not root'],
    ]
    for (const [args, message] of cases) {
      const r = await run(...args)
      expect([args.join(' '), r.code]).toEqual([args.join(' '), 2])
      expect(r.stderr).toContain(message)
    }
    writeFileSync(trustFile.replace('TRUST', 'BAD'), '{"keys":[],"approvals":1,"approvals":2}')
    const dup = await run('verify', '--trust', join(scratch, 'BAD.json'), dir)
    expect(dup.code).toBe(2)
    expect(dup.stderr).toContain('E_TRUST_INVALID: BAD.json at /approvals: the key "approvals" twice in one object')
  })

  it('lists the commands, each with a help page', async () => {
    const r = await run('--help')
    for (const name of ['sign', 'verify', 'keygen']) expect(r.stdout).toMatch(new RegExp(`^  ${name} +\\S`, 'm'))
    for (const [name, text] of Object.entries({ sign: signHelp, verify: verifyHelp, keygen: keygenHelp })) {
      expect(text).toMatch(new RegExp(`^Usage: collabgate ${name} `))
      expect(text).toContain('Exit: 0')
      expect(text).toMatch(/Examples?:\n {2}collabgate /)
    }
  })
})
