/**
 * Signed releases with maker-checker approval: an author signs, other people approve, and a release is
 * accepted only when the signatures, the roles they claim, the lock on disk, the expiry, the release
 * number and the trust file's threshold all agree. Each way one of them can fail is a case here.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { CollabgateError } from '../../src/errors.js'
import { canonicalBytes } from '../../src/release/canonical.js'
import {
  keyIdOf,
  pae,
  parseEnvelope,
  formatEnvelope,
  signedBytes,
  signRelease,
  statementIn,
  lockContentOf,
  type ReleaseEnvelope,
  type SignedLockContent,
} from '../../src/release/envelope.js'
import { trustOf, type Trust } from '../../src/release/trust.js'
import { checkRelease, ReleaseVerificationError, verifyRelease, type VerifyReleaseOptions } from '../../src/release/verify.js'
import { entry, LOCK, newKey } from './fixtures.js'

const alice = newKey() // author
const alice2 = newKey() // Alice's second key, an approver key
const bob = newKey() // approver
const carol = newKey() // approver
const dave = newKey() // author and approver
const mallory = newKey() // not in the trust file

const trustWith = (approvals: number, extra: object = {}): Trust =>
  trustOf({
    keys: [
      entry(alice, 'Alice', ['author']),
      entry(alice2, 'alice ', ['approver']),
      entry(bob, 'Bob', ['approver']),
      entry(carol, 'Carol', ['approver']),
      entry(dave, 'Dave', ['author', 'approver']),
    ],
    approvals,
    ...extra,
  })

const signed = (lock: SignedLockContent, ...by: [ReturnType<typeof newKey>, 'author' | 'approver'][]): ReleaseEnvelope =>
  by.reduce<ReleaseEnvelope | undefined>(
    (env, [key, role]) => signRelease({ lock, envelope: env, privateKey: key.privateKey, role }),
    undefined,
  )!

const NOW = new Date('2026-12-07T12:00:00Z')
const failure = (options: VerifyReleaseOptions): ReleaseVerificationError => {
  try {
    verifyRelease({ now: NOW, ...options })
  } catch (err) {
    expect(err).toBeInstanceOf(ReleaseVerificationError)
    expect(err).toBeInstanceOf(CollabgateError)
    return err as ReleaseVerificationError
  }
  throw new Error('the release was accepted')
}
const codes = (e: ReleaseVerificationError) => e.problems.map((p) => p.code)

/** The envelope with its statement replaced (signatures kept): what an attacker who cannot sign can do. */
function withStatement(env: ReleaseEnvelope, change: (s: Record<string, unknown>) => void): ReleaseEnvelope {
  const statement = { ...statementIn(env) } as Record<string, unknown>
  change(statement)
  return { ...env, payload: canonicalBytes(statement).toString('base64') }
}

describe('signRelease and verifyRelease', () => {
  it('accept a release signed by its author and approved by another person', () => {
    const envelope = signed(LOCK, [alice, 'author'], [bob, 'approver'])
    expect(envelope.signatures.map((s) => [s.keyid, s.role])).toEqual([
      [alice.keyid, 'author'],
      [bob.keyid, 'approver'],
    ])
    const back = parseEnvelope(formatEnvelope(envelope))
    expect(verifyRelease({ lock: LOCK, envelope: back, trust: trustWith(1), now: NOW })).toEqual({
      release: 3,
      author: alice.keyid,
      approvers: [bob.keyid],
    })
    expect(checkRelease({ lock: LOCK, envelope: back, trust: trustWith(2), now: NOW }).problems.map((p) => p.code)).toEqual([
      'E_RELEASE_UNAPPROVED',
    ])
    const two = signRelease({ lock: LOCK, envelope: back, privateKey: carol.privateKey, role: 'approver' })
    expect(verifyRelease({ lock: LOCK, envelope: two, trust: trustWith(2), now: NOW }).approvers).toEqual([bob.keyid, carol.keyid])
  })

  it('sign the documented bytes: PAE(payloadType + "; role=" + role, body), keyid the SHA-256 of the raw public key', () => {
    expect(pae('a b', Buffer.from('héllo')).toString()).toBe('DSSEv1 3 a b 6 héllo')
    const envelope = signed(LOCK, [bob, 'approver'])
    const body = Buffer.from(envelope.payload, 'base64')
    expect(body.toString()).toBe(
      '{"_type":"https://collabgate.dev/release/v1","entries":{"creator-collaboration.us.onboarding@1.1.0":"sha256:' +
        'a'.repeat(64) +
        '","folder:collabgate.yaml":"sha256:' +
        'b'.repeat(64) +
        '","record:application@1.0.0":"sha256:' +
        'c'.repeat(64) +
        '"},"release":3}',
    )
    const message = Buffer.concat([Buffer.from(`DSSEv1 54 application/vnd.collabgate.release+json; role=approver ${body.length} `), body])
    expect(signedBytes('approver', body)).toEqual(message)
    const pub = createPublicKey(bob.publicKey)
    expect(verify(null, message, pub, Buffer.from(envelope.signatures[0]!.sig, 'base64'))).toBe(true)
    // the raw key is the last 32 bytes of the SPKI DER
    const raw = pub.export({ type: 'spki', format: 'der' }).subarray(-32)
    expect(keyIdOf(pub)).toBe('sha256:' + createHash('sha256').update(raw).digest('hex'))
    expect(bob.keyid).toMatch(/^sha256:[0-9a-f]{64}$/)
  })

  it('refuse a release with no signature file', () => {
    const e = failure({ lock: LOCK, envelope: undefined, trust: trustWith(1) })
    expect(e.code).toBe('E_RELEASE_UNSIGNED')
    expect(e.message).toContain('release 3 has no signature file')
  })

  it('refuse a tampered payload: the signatures no longer verify', () => {
    const envelope = signed(LOCK, [alice, 'author'], [bob, 'approver'])
    const lock = { ...LOCK, entries: { ...LOCK.entries, 'folder:collabgate.yaml': 'sha256:' + 'd'.repeat(64) } }
    const e = failure({ lock, envelope: withStatement(envelope, (s) => (s.entries = lock.entries)), trust: trustWith(1) })
    expect(codes(e)).toEqual(['E_RELEASE_SIGNATURE', 'E_RELEASE_SIGNATURE', 'E_RELEASE_UNAPPROVED', 'E_RELEASE_UNAPPROVED'])
    expect(e.problems[0]!.keyid).toBe(alice.keyid)
    expect(e.problems[0]!.message).toContain(`signature 0 (author) by ${alice.keyid}: does not verify`)
    expect(e.problems[2]!.message).toContain('no valid author signature')
  })

  it('refuse a role claim changed after signing (the role is signed too)', () => {
    // Dave may sign in both roles; his author signature relabelled as an approval must not count
    const envelope = signed(LOCK, [alice, 'author'], [dave, 'author'])
    const flipped = {
      ...envelope,
      signatures: envelope.signatures.map((s) => (s.keyid === dave.keyid ? { ...s, role: 'approver' as const } : s)),
    }
    const e = failure({ lock: LOCK, envelope: flipped, trust: trustWith(1) })
    expect(codes(e)).toEqual(['E_RELEASE_SIGNATURE', 'E_RELEASE_UNAPPROVED'])
    expect(e.problems[0]!.message).toContain(`(approver) by ${dave.keyid}: does not verify`)
    expect(e.problems[1]!.message).toContain('0 approval(s) counted of 1 needed; not counted: 1 approver signature(s) not valid')
  })

  it('refuse a signature in a role the trust file does not give the key', () => {
    const e = failure({ lock: LOCK, envelope: signed(LOCK, [bob, 'author'], [carol, 'approver']), trust: trustWith(1) })
    expect(e.code).toBe('E_RELEASE_SIGNATURE')
    expect(e.problems[0]!.message).toContain("the trust file lets Bob's key sign only as approver")
  })

  it('refuse a signature by a key not in the trust file, naming its keyid, even when the rest would do', () => {
    const envelope = signed(LOCK, [alice, 'author'], [bob, 'approver'], [mallory, 'approver'])
    const e = failure({ lock: LOCK, envelope, trust: trustWith(1) })
    expect(codes(e)).toEqual(['E_RELEASE_SIGNATURE'])
    expect(e.problems[0]).toMatchObject({ keyid: mallory.keyid })
    expect(e.message).toContain(`${mallory.keyid}: the key is not in the trust file`)
  })

  it('never count the author’s own approval: one key signing as author and approver', () => {
    const e = failure({ lock: LOCK, envelope: signed(LOCK, [dave, 'author'], [dave, 'approver']), trust: trustWith(1) })
    expect(codes(e)).toEqual(['E_RELEASE_UNAPPROVED'])
    expect(e.message).toContain('0 approval(s) counted of 1 needed; not counted: sha256:')
    expect(e.message).toContain('(Dave) signed as author too: an author never approves their own release')
  })

  it('never count an approval by another key of the author (the same name)', () => {
    // alice2 is named "alice ": one person with Alice, whatever the case and spaces
    const e = failure({
      lock: LOCK,
      envelope: signed(LOCK, [alice, 'author'], [alice2, 'approver'], [bob, 'approver']),
      trust: trustWith(2),
    })
    expect(codes(e)).toEqual(['E_RELEASE_UNAPPROVED'])
    expect(e.message).toContain('1 approval(s) counted of 2 needed; not counted: ')
    expect(e.message).toContain('is a key of alice , who signed as author')
    // two approver keys of one other person count once each by key, but the author's never
    const twoOfAlice = trustOf({
      keys: [
        entry(dave, 'Alice', ['author']),
        entry(alice, 'Alice', ['approver']),
        entry(alice2, 'ALICE', ['approver']),
        entry(bob, 'Bob', ['approver']),
      ],
      approvals: 1,
    })
    const f = failure({
      lock: LOCK,
      envelope: signed(LOCK, [dave, 'author'], [alice, 'approver'], [alice2, 'approver']),
      trust: twoOfAlice,
    })
    expect(f.message).toContain('0 approval(s) counted of 1 needed')
  })

  it('refuse an under-approved release, saying how many counted of how many', () => {
    const e = failure({ lock: LOCK, envelope: signed(LOCK, [alice, 'author'], [bob, 'approver']), trust: trustWith(3) })
    expect(e.code).toBe('E_RELEASE_UNAPPROVED')
    expect(e.message).toBe('E_RELEASE_UNAPPROVED: release 3 has 1 approval(s) counted of 3 needed')
    // approvals without an author are no release either
    const g = failure({ lock: LOCK, envelope: signed(LOCK, [bob, 'approver']), trust: trustWith(1) })
    expect(g.message).toBe('E_RELEASE_UNAPPROVED: release 3 has no valid author signature')
  })

  it('refuse expired signatures and an expired trust file, from the instant they expire', () => {
    const envelope = signRelease({
      lock: LOCK,
      envelope: signed(LOCK, [alice, 'author']),
      privateKey: bob.privateKey,
      role: 'approver',
      expires: '2026-12-07T12:00:00Z',
    })
    // a new expiry is a new statement: Alice's signature was dropped, so she signs again
    expect(envelope.signatures).toHaveLength(1)
    const both = signRelease({ lock: LOCK, envelope, privateKey: alice.privateKey, role: 'author' })
    expect(statementIn(both).expires).toBe('2026-12-07T12:00:00Z')
    expect(both.signatures).toHaveLength(2)
    const before = new Date(NOW.getTime() - 1)
    expect(verifyRelease({ lock: LOCK, envelope: both, trust: trustWith(1), now: before }).expires).toBe('2026-12-07T12:00:00Z')
    const e = failure({ lock: LOCK, envelope: both, trust: trustWith(1), now: NOW })
    expect(codes(e)).toEqual(['E_RELEASE_EXPIRED'])
    expect(e.message).toContain('the signatures of release 3 expired at 2026-12-07T12:00:00Z')
    const t = failure({
      lock: LOCK,
      envelope: signed(LOCK, [alice, 'author'], [bob, 'approver']),
      trust: trustWith(1, { expires: '2026-12-07' }),
    })
    expect(t.message).toBe('E_RELEASE_EXPIRED: the trust file expired at 2026-12-07')
  })

  it('refuse an expiry changed after signing', () => {
    const envelope = signRelease({ lock: LOCK, privateKey: alice.privateKey, role: 'author', expires: '2026-12-08' })
    const later = withStatement(
      signRelease({ lock: LOCK, envelope, privateKey: bob.privateKey, role: 'approver' }),
      (s) => (s.expires = '2099-01-01'),
    )
    expect(codes(failure({ lock: LOCK, envelope: later, trust: trustWith(1) }))).toEqual([
      'E_RELEASE_SIGNATURE',
      'E_RELEASE_SIGNATURE',
      'E_RELEASE_UNAPPROVED',
      'E_RELEASE_UNAPPROVED',
    ])
  })

  it('refuse a release older than the last one accepted (a replayed release)', () => {
    const old = { ...LOCK, release: 2 }
    const envelope = signed(old, [alice, 'author'], [bob, 'approver'])
    expect(verifyRelease({ lock: old, envelope, trust: trustWith(1), now: NOW, minRelease: 2 }).release).toBe(2)
    const e = failure({ lock: old, envelope, trust: trustWith(1), minRelease: 3 })
    expect(codes(e)).toEqual(['E_RELEASE_ROLLBACK'])
    expect(e.message).toContain('release 2 is older than release 3, already accepted')
  })

  it('refuse an envelope for another lock content, naming the entries that differ', () => {
    const envelope = signed(LOCK, [alice, 'author'], [bob, 'approver'])
    const next = { release: 4, entries: { ...LOCK.entries, 'creator-collaboration.us.onboarding@1.2.0': 'sha256:' + 'e'.repeat(64) } }
    const e = failure({ lock: next, envelope, trust: trustWith(1) })
    expect(codes(e)).toEqual(['E_RELEASE_MISMATCH'])
    expect(e.message).toContain(
      'for release 3 with other content than the lock on disk (release 4); entries that differ: creator-collaboration.us.onboarding@1.2.0',
    )
    // the same entries under another release number is another release too
    expect(codes(failure({ lock: { ...LOCK, release: 5 }, envelope, trust: trustWith(1) }))).toEqual(['E_RELEASE_MISMATCH'])
  })

  it('extend an envelope only for the same statement, replacing a key’s own earlier signature in a role', () => {
    const first = signed(LOCK, [alice, 'author'])
    const again = signRelease({ lock: LOCK, envelope: first, privateKey: alice.privateKey, role: 'author' })
    expect(again.signatures.map((s) => s.keyid)).toEqual([alice.keyid])
    const other = signRelease({ lock: { ...LOCK, release: 4 }, envelope: first, privateKey: bob.privateKey, role: 'approver' })
    expect(other.signatures.map((s) => s.keyid)).toEqual([bob.keyid])
    expect(statementIn(other).release).toBe(4)
    const broken = { ...first, payload: Buffer.from('{}').toString('base64') }
    expect(signRelease({ lock: LOCK, envelope: broken, privateKey: bob.privateKey, role: 'approver' }).signatures).toHaveLength(1)
  })

  it('refuse to sign with a key that is not Ed25519, a bad role or a bad expiry', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
    expect(() => signRelease({ lock: LOCK, privateKey: ec, role: 'author' })).toThrow(/the key is ec; releases are signed with Ed25519/)
    expect(() => signRelease({ lock: LOCK, privateKey: 'nope', role: 'author' })).toThrow(/not a PEM private key/)
    expect(() => signRelease({ lock: LOCK, privateKey: alice.privateKey, role: 'boss' as 'author' })).toThrow(
      /role must be author or approver/,
    )
    for (const expires of ['2026-02-30', 'tomorrow', '2026-12-07T12:00:00+01:00'])
      expect(() => signRelease({ lock: LOCK, privateKey: alice.privateKey, role: 'author', expires })).toThrow(/expires must be YYYY-MM-DD/)
    // a signature cannot be made from a public key, and one made by hand over other bytes does not verify
    const forged = sign(null, Buffer.from('something else'), createPrivateKey(alice.privateKey))
    const env = signed(LOCK, [bob, 'approver'])
    const e = failure({
      lock: LOCK,
      envelope: { ...env, signatures: [{ keyid: alice.keyid, role: 'author', sig: forged.toString('base64') }, ...env.signatures] },
      trust: trustWith(1),
    })
    expect(e.problems[0]!.message).toContain(`(author) by ${alice.keyid}: does not verify`)
  })
})

describe('lockContentOf', () => {
  it('reads the new format and the older flat one (release 0)', () => {
    expect(lockContentOf({ release: 3, entries: LOCK.entries })).toEqual(LOCK)
    expect(lockContentOf({ 'a@1.0.0': 'sha256:' + 'a'.repeat(64) })).toEqual({
      release: 0,
      entries: { 'a@1.0.0': 'sha256:' + 'a'.repeat(64) },
    })
  })

  it.each([
    [[], 'must be a JSON object'],
    [{ release: -1, entries: {} }, 'release must be a whole number ≥ 0'],
    [{ release: 1.5, entries: {} }, 'release must be a whole number ≥ 0'],
    [{ release: 1, entries: [] }, 'entries must be an object'],
    [{ release: 1, entries: {}, extra: 1 }, 'unknown field(s) extra'],
    [{ 'a@1': 'sha1:00' }, 'entry "a@1" must map'],
  ])('refuses %j (E_LOCK_INVALID)', (value, message) => {
    expect(() => lockContentOf(value)).toThrow(
      expect.objectContaining({ code: 'E_LOCK_INVALID', message: expect.stringContaining(message) }),
    )
  })

  it('keeps an entry named __proto__ as an entry, never a prototype', () => {
    const lock = lockContentOf(JSON.parse(`{"release":1,"entries":{"__proto__":"sha256:${'a'.repeat(64)}"}}`))
    expect(Object.getPrototypeOf(lock.entries)).toBe(Object.prototype)
    expect(Object.keys(lock.entries)).toEqual(['__proto__'])
    const envelope = signed(lock, [alice, 'author'], [bob, 'approver'])
    expect(verifyRelease({ lock, envelope, trust: trustWith(1), now: NOW }).release).toBe(1)
    const e = failure({ lock: { release: 1, entries: {} }, envelope, trust: trustWith(1) })
    expect(e.message).toContain('entries that differ: __proto__')
  })
})
