/**
 * The trust file (`TRUST.json`, schemas/trust.schema.json): whose Ed25519 keys may sign a release, in
 * which roles, and how many approvals a release needs. It lives outside the policy folder, where the
 * people who change policies cannot write: it is what makes their signatures mean something.
 */
import { createPublicKey, type KeyObject } from 'node:crypto'
import { CollabgateError } from '../errors.js'
import { keyIdOf, RELEASE_ROLES, type ReleaseRole } from './envelope.js'
import { instantOf, isObject, own, parseStrictJson, unknownKeys } from './json.js'

/** The trust file format this code reads; a file naming another `version` is refused. */
export const TRUST_FORMAT_VERSION = 1
/** Most keys a trust file may list: a team has a few; a bound keeps hostile files cheap. */
export const MAX_TRUST_KEYS = 256

export interface TrustedKey {
  /** "sha256:" + hex SHA-256 of the raw Ed25519 public key; must match `publicKey`. */
  keyid: string
  /** The person who holds the key. Keys with one name are one person: never their own approver. */
  name: string
  /** The Ed25519 public key, PEM (SPKI). */
  publicKey: string
  roles: ReleaseRole[]
}

export interface TrustFile {
  /** The format version (1); absent means 1. */
  version?: typeof TRUST_FORMAT_VERSION
  keys: TrustedKey[]
  /** How many approvals (by keys other than the author's, of people other than the author) a release needs; ≥ 1. */
  approvals: number
  /** A YYYY-MM-DD date or RFC 3339 UTC time from which this trust file no longer holds. */
  expires?: string
}

/** A trust file read and checked: each key's public key object by keyid. */
export interface Trust {
  file: TrustFile
  keys: ReadonlyMap<string, TrustedKey & { key: KeyObject }>
}

/**
 * Who holds a key: its name with case, outer spaces and Unicode form ignored, so "Alice" and "alice " are one person.
 */
export const personOf = (name: string): string => name.trim().normalize('NFC').toLowerCase()

const TOP = ['$schema', 'version', 'keys', 'approvals', 'expires']
const KEY = ['keyid', 'name', 'publicKey', 'roles']

/** Reads a trust file's text; throws CollabgateError('E_TRUST_INVALID') naming the file and place of what is wrong. */
export function parseTrust(text: string, file = 'TRUST.json'): Trust {
  return trustOf(parseStrictJson(text, file, 'E_TRUST_INVALID'), file)
}

/** Checks a parsed trust file; throws CollabgateError('E_TRUST_INVALID') naming the place. */
export function trustOf(value: unknown, file = 'TRUST.json'): Trust {
  const bad = (at: string, what: string) => new CollabgateError('E_TRUST_INVALID', `${file} at ${at}: ${what}`)
  if (!isObject(value)) throw bad('/', 'must be a JSON object with keys and approvals')
  const extra = unknownKeys(value, TOP)
  if (extra.length > 0) throw bad('/', `unknown field(s) ${extra.map((k) => JSON.stringify(k)).join(', ')}`)
  const schema = own(value, '$schema')
  if (schema !== undefined && typeof schema !== 'string') throw bad('/$schema', 'must be a string')
  const version = own(value, 'version')
  if (version !== undefined && version !== TRUST_FORMAT_VERSION)
    throw bad(
      '/version',
      `must be ${TRUST_FORMAT_VERSION}: this collabgate reads trust files of format ${TRUST_FORMAT_VERSION}`,
    )
  const expires = own(value, 'expires')
  if (expires !== undefined && (typeof expires !== 'string' || instantOf(expires) === undefined))
    throw bad('/expires', 'must be YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ')
  const list = own(value, 'keys')
  if (!Array.isArray(list) || list.length === 0) throw bad('/keys', 'must be a non-empty array of keys')
  if (list.length > MAX_TRUST_KEYS) throw bad('/keys', `more than ${MAX_TRUST_KEYS} keys`)
  const keys = new Map<string, TrustedKey & { key: KeyObject }>()
  list.forEach((k: unknown, i) => {
    const at = `/keys/${i}`
    if (!isObject(k)) throw bad(at, 'must be an object with keyid, name, publicKey and roles')
    const more = unknownKeys(k, KEY)
    if (more.length > 0) throw bad(at, `unknown field(s) ${more.map((x) => JSON.stringify(x)).join(', ')}`)
    const name = own(k, 'name')
    if (typeof name !== 'string' || name.trim() === '' || name.length > 200)
      throw bad(`${at}/name`, 'must be a non-empty string')
    const pem = own(k, 'publicKey')
    if (typeof pem !== 'string') throw bad(`${at}/publicKey`, 'must be a PEM public key (SPKI)')
    let key: KeyObject
    try {
      key = createPublicKey({ key: pem, format: 'pem' })
    } catch {
      throw bad(`${at}/publicKey`, 'must be a PEM public key (SPKI)')
    }
    if (key.asymmetricKeyType !== 'ed25519')
      throw bad(`${at}/publicKey`, `is ${String(key.asymmetricKeyType)}, not Ed25519`)
    const keyid = own(k, 'keyid')
    const actual = keyIdOf(key)
    if (keyid !== actual) throw bad(`${at}/keyid`, `must be the public key's id, ${actual}`)
    if (keys.has(actual)) throw bad(`${at}/keyid`, `${actual} is listed twice`)
    const roles = own(k, 'roles')
    if (
      !Array.isArray(roles) ||
      roles.length === 0 ||
      roles.some((r) => !RELEASE_ROLES.includes(r as ReleaseRole)) ||
      new Set(roles).size !== roles.length
    )
      throw bad(`${at}/roles`, 'must list author, approver or both, each once')
    keys.set(actual, { keyid: actual, name, publicKey: pem, roles: roles as ReleaseRole[], key })
  })
  const approvals = own(value, 'approvals')
  if (typeof approvals !== 'number' || !Number.isSafeInteger(approvals) || approvals < 1)
    throw bad('/approvals', 'must be a whole number ≥ 1: a release needs someone other than its author to approve it')
  const all = [...keys.values()]
  if (!all.some((k) => k.roles.includes('author')))
    throw bad('/keys', 'no key may sign as author: no release could be made')
  const approverNames = new Set(all.filter((k) => k.roles.includes('approver')).map((k) => personOf(k.name)))
  // an author's own keys never approve, so K approvals need K people besides any one author
  if (approverNames.size < approvals)
    throw bad('/approvals', `${approvals} approval(s) needed but only ${approverNames.size} person(s) may approve`)
  const trust: TrustFile = { keys: all.map(({ key: _key, ...k }) => k), approvals }
  if (version !== undefined) trust.version = TRUST_FORMAT_VERSION
  if (expires !== undefined) trust.expires = expires as string
  return { file: trust, keys }
}
