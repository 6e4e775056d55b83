/**
 * The trust file and the signature file are read strictly: anything but the documented shape is refused
 * with the file and the place, and hostile JSON (a __proto__ key, a key given twice, wrong types, huge
 * arrays, deep nesting) neither pollutes a prototype nor costs much.
 */
import { generateKeyPairSync } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Ajv2020 } from 'ajv/dist/2020.js'
import { describe, expect, it } from 'vitest'
import { canonicalBytes } from '../../src/release/canonical.js'
import { formatEnvelope, parseEnvelope, signRelease, statementIn, type ReleaseEnvelope } from '../../src/release/envelope.js'
import { parseTrust } from '../../src/release/trust.js'
import { checkRelease } from '../../src/release/verify.js'
import { entry, LOCK, newKey } from './fixtures.js'

const author = newKey()
const approver = newKey()
const GOOD = { keys: [entry(author, 'Ann', ['author']), entry(approver, 'Ben', ['approver'])], approvals: 1 }
const json = (v: unknown) => JSON.stringify(v)
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }).toString()
const SCHEMA = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'schemas', 'trust.schema.json'), 'utf8')) as object
const schemaAccepts = new Ajv2020({ strict: true, allErrors: true }).compile(SCHEMA)

const trustError = (text: string): string => {
  try {
    parseTrust(text, 'T.json')
  } catch (err) {
    expect(err).toMatchObject({ code: 'E_TRUST_INVALID' })
    return (err as Error).message
  }
  throw new Error('the trust file was accepted')
}

const key0 = GOOD.keys[0]!
/** Trust files the parser refuses, with the place and sentence it names; `schema` says whether the JSON Schema refuses it too. */
const BAD_TRUST: [string, string, string, boolean][] = [
  ['not JSON', '{', 'T.json is not JSON', true],
  ['an array', '[]', 'T.json at /: must be a JSON object', true],
  ['a __proto__ key', `{"__proto__":{"approvals":0},${json(GOOD).slice(1)}`, 'T.json at /: unknown field(s) "__proto__"', true],
  ['a key given twice', `{"approvals":1,${json(GOOD).slice(1)}`, 'T.json at /approvals: the key "approvals" twice in one object', false],
  ['an unknown field', json({ ...GOOD, threshold: 2 }), 'unknown field(s) "threshold"', true],
  ['no keys', json({ ...GOOD, keys: [] }), 'T.json at /keys: must be a non-empty array', true],
  ['keys not an array', json({ ...GOOD, keys: { 0: key0 } }), 'T.json at /keys: must be a non-empty array', true],
  ['a huge keys array', json({ ...GOOD, keys: new Array(1_000).fill(key0) }), 'T.json at /keys: more than 256 keys', true],
  ['a key that is a string', json({ ...GOOD, keys: ['k'] }), 'T.json at /keys/0: must be an object', true],
  ['a key with an extra field', json({ ...GOOD, keys: [{ ...key0, admin: true }] }), 'at /keys/0: unknown field(s) "admin"', true],
  ['a number as name', json({ ...GOOD, keys: [{ ...key0, name: 7 }] }), 'at /keys/0/name: must be a non-empty string', true],
  ['a blank name', json({ ...GOOD, keys: [{ ...key0, name: '  ' }] }), 'at /keys/0/name: must be a non-empty string', true],
  [
    'a public key that is not PEM',
    json({ ...GOOD, keys: [{ ...key0, publicKey: 'ssh-ed25519 AAAA' }] }),
    'at /keys/0/publicKey: must be a PEM',
    true,
  ],
  ['an EC public key', json({ ...GOOD, keys: [{ ...key0, publicKey: ec }] }), 'at /keys/0/publicKey: is ec, not Ed25519', false],
  [
    'a keyid of another key',
    json({ ...GOOD, keys: [{ ...key0, keyid: approver.keyid }, GOOD.keys[1]] }),
    `at /keys/0/keyid: must be the public key's id, ${author.keyid}`,
    false,
  ],
  ['a key listed twice', json({ ...GOOD, keys: [key0, key0, GOOD.keys[1]] }), `at /keys/1/keyid: ${author.keyid} is listed twice`, false],
  [
    'an unknown role',
    json({ ...GOOD, keys: [{ ...key0, roles: ['owner'] }] }),
    'at /keys/0/roles: must list author, approver or both',
    true,
  ],
  ['a role twice', json({ ...GOOD, keys: [{ ...key0, roles: ['author', 'author'] }] }), 'at /keys/0/roles', true],
  ['no roles', json({ ...GOOD, keys: [{ ...key0, roles: [] }] }), 'at /keys/0/roles', true],
  ['approvals 0', json({ ...GOOD, approvals: 0 }), 'at /approvals: must be a whole number ≥ 1', true],
  ['approvals as text', json({ ...GOOD, approvals: '1' }), 'at /approvals: must be a whole number ≥ 1', true],
  ['approvals 1.5', json({ ...GOOD, approvals: 1.5 }), 'at /approvals: must be a whole number ≥ 1', true],
  [
    'more approvals than people',
    json({ ...GOOD, approvals: 2 }),
    'at /approvals: 2 approval(s) needed but only 1 person(s) may approve',
    false,
  ],
  ['no author key', json({ ...GOOD, keys: [GOOD.keys[1]] }), 'at /keys: no key may sign as author', false],
  ['a later format', json({ ...GOOD, version: 2 }), 'at /version: must be 1', true],
  ['a date that is not real', json({ ...GOOD, expires: '2026-02-30' }), 'at /expires: must be YYYY-MM-DD', false],
  ['an expiry that is a number', json({ ...GOOD, expires: 20270101 }), 'at /expires', true],
  ['a file over 4 MiB', json({ ...GOOD, keys: new Array(30_000).fill(key0) }), 'T.json is over 4194304 characters', true],
  ['deep nesting', `{"keys":${'['.repeat(5000)}${']'.repeat(5000)}}`, 'nesting deeper than 16 levels', true],
]

describe('parseTrust', () => {
  it('reads a trust file of the documented shape, which the JSON Schema accepts too', () => {
    const text = json({ $schema: '../schemas/trust.schema.json', version: 1, ...GOOD, expires: '2027-06-30' })
    const trust = parseTrust(text)
    expect([...trust.keys.keys()]).toEqual([author.keyid, approver.keyid])
    expect(trust.file).toMatchObject({ version: 1, approvals: 1, expires: '2027-06-30' })
    expect(schemaAccepts(JSON.parse(text))).toBe(true)
  })

  it.each(BAD_TRUST)('refuses %s, naming the place', (_name, text, message, schemaRefuses) => {
    expect(trustError(text)).toContain(message)
    let value: unknown
    try {
      value = JSON.parse(text)
    } catch {
      return // not JSON: nothing for the schema to judge
    }
    // what the schema can say it says too; the rest (key ids, people, real dates) only collabgate checks
    if (schemaRefuses) expect(schemaAccepts(value)).toBe(false)
  })

  it('leaves Object.prototype alone whatever the file says', () => {
    trustError(`{"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":1}}}`)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })
})

const envelope = signRelease({ lock: LOCK, privateKey: author.privateKey, role: 'author' })
const sig0 = envelope.signatures[0]!

const envelopeError = (text: string): string => {
  try {
    parseEnvelope(text, 'S.json')
  } catch (err) {
    expect(err).toMatchObject({ code: 'E_RELEASE_INVALID' })
    return (err as Error).message
  }
  throw new Error('the envelope was accepted')
}

describe('parseEnvelope', () => {
  it('reads what signRelease writes', () => {
    expect(parseEnvelope(formatEnvelope(envelope))).toEqual(envelope)
  })

  it.each([
    ['not JSON', 'nope', 'S.json is not JSON'],
    ['null', 'null', 'S.json at /: must be a JSON object'],
    ['a __proto__ key', `{"__proto__":{},${json(envelope).slice(1)}`, 'S.json at /: unknown field(s) "__proto__"'],
    ['another payload type', json({ ...envelope, payloadType: 'application/vnd.in-toto+json' }), 'at /payloadType: must be'],
    ['a payload that is not base64', json({ ...envelope, payload: 'not base64!' }), 'at /payload: must be base64'],
    ['a payload with stray bits', json({ ...envelope, payload: 'AB==' }), 'at /payload: must be base64'],
    ['signatures not an array', json({ ...envelope, signatures: {} }), 'at /signatures: must be an array'],
    ['a huge signatures array', json({ ...envelope, signatures: new Array(1_000).fill(sig0) }), 'at /signatures: more than 64 signatures'],
    ['a signature that is a number', json({ ...envelope, signatures: [1] }), 'at /signatures/0: must be an object'],
    ['a signature with an extra field', json({ ...envelope, signatures: [{ ...sig0, cert: 'x' }] }), 'unknown field(s) "cert"'],
    ['a keyid that is not one', json({ ...envelope, signatures: [{ ...sig0, keyid: 'alice' }] }), 'at /signatures/0/keyid'],
    [
      'an unknown role',
      json({ ...envelope, signatures: [{ ...sig0, role: 'root' }] }),
      'at /signatures/0/role: must be author or approver',
    ],
    [
      'a short signature',
      json({ ...envelope, signatures: [{ ...sig0, sig: 'AAAA' }] }),
      'at /signatures/0/sig: must be base64 of a 64-byte',
    ],
    ['a key given twice', `{"payload":"AAAA",${json(envelope).slice(1)}`, 'the key "payload" twice'],
  ])('refuses %s, naming the place', (_name, text, message) => {
    expect(envelopeError(text)).toContain(message)
  })

  const withBody = (body: string): ReleaseEnvelope => ({ ...envelope, payload: Buffer.from(body).toString('base64') })
  const statement = statementIn(envelope) as unknown as Record<string, unknown>
  it.each([
    ['not JSON', 'x', 'is not JSON'],
    ['an array', '[]', 'must be a release statement object'],
    ['another _type', canonicalBytes({ ...statement, _type: 'https://in-toto.io/Statement/v1' }).toString(), '_type must be'],
    ['an extra field', canonicalBytes({ ...statement, by: 'me' }).toString(), 'unknown field(s) "by"'],
    ['a negative release', canonicalBytes({ ...statement, release: -1 }).toString(), 'release must be a whole number'],
    ['a bad expiry', canonicalBytes({ ...statement, expires: 'soon' }).toString(), 'expires must be'],
    ['a bad digest', canonicalBytes({ ...statement, entries: { a: 'md5:x' } }).toString(), 'entry "a" must map'],
    ['text that is not canonical', JSON.stringify(statement, null, 1), 'is not the RFC 8785 canonical form'],
  ])('refuses a payload that is %s (E_RELEASE_INVALID)', (_name, body, message) => {
    const { problems } = checkRelease({ lock: LOCK, envelope: withBody(body), trust: parseTrust(json(GOOD)) })
    expect(problems).toHaveLength(1)
    expect(problems[0]).toMatchObject({ code: 'E_RELEASE_INVALID', message: expect.stringContaining(message) })
  })
})
