/**
 * The signature file of a release (`policies.lock.sig.json`): a DSSE envelope whose payload is the
 * RFC 8785 bytes of a release statement (the lock's release number and entries, and an optional
 * expiry), signed with Ed25519 by authors and approvers.
 *
 * What each signature signs (the role is signed too, so a signature cannot be moved to another role):
 *
 *   PAE(payloadType + "; role=" + role, body)
 *   PAE(type, body) = "DSSEv1" SP len(type) SP type SP len(body) SP body
 *
 * where len is the byte length in ASCII decimal, SP one space, type and body UTF-8 bytes, and body the
 * payload's decoded bytes. E.g. an approver signs
 * `DSSEv1 54 application/vnd.collabgate.release+json; role=approver 123 {"_type":…}`.
 */
import { createHash, createPrivateKey, createPublicKey, sign, type KeyObject } from 'node:crypto'
import { CollabgateError } from '../errors.js'
import { canonicalBytes, canonicalize } from './canonical.js'
import { instantOf, isObject, own, parseStrictJson, unknownKeys } from './json.js'

export const ENVELOPE_FILE_NAME = 'policies.lock.sig.json'
export const RELEASE_PAYLOAD_TYPE = 'application/vnd.collabgate.release+json'
export const RELEASE_STATEMENT_TYPE = 'https://collabgate.dev/release/v1'

/** The roles a signature can claim: an author makes a release, an approver (another person) agrees to it. */
export const RELEASE_ROLES = ['author', 'approver'] as const
export type ReleaseRole = (typeof RELEASE_ROLES)[number]

/** Most signatures one envelope may carry: a release has a handful; a bound keeps hostile files cheap. */
export const MAX_SIGNATURES = 64
/** Most lock entries a statement may carry. */
export const MAX_ENTRIES = 100_000

/** The parsed lock a release signs (the lock file's `{ release, entries }`; the older flat format is release 0). */
export interface SignedLockContent {
  /** Grows with each release; 0 for a lock in the older flat format. */
  release: number
  /** Lock key (`id@version`, `record:KIND@version`, `folder:…`) → `sha256:<64 hex>`. */
  entries: Record<string, string>
}

/** What the envelope's payload says: this lock content is a release, valid until `expires` when given. */
export interface ReleaseStatement extends SignedLockContent {
  _type: typeof RELEASE_STATEMENT_TYPE
  /** A YYYY-MM-DD date or RFC 3339 UTC time from which the signatures no longer hold. */
  expires?: string
}

export interface ReleaseSignature {
  /** "sha256:" + hex SHA-256 of the signer's raw 32-byte Ed25519 public key. */
  keyid: string
  role: ReleaseRole
  /** Base64 of the 64-byte Ed25519 signature over PAE(payloadType + "; role=" + role, body). */
  sig: string
}

export interface ReleaseEnvelope {
  payloadType: typeof RELEASE_PAYLOAD_TYPE
  /** Base64 of the RFC 8785 bytes of the ReleaseStatement. */
  payload: string
  signatures: ReleaseSignature[]
}

const DIGEST = /^sha256:[0-9a-f]{64}$/
const KEYID = DIGEST
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/

/** DSSE's pre-authentication encoding of a type and a body. */
export function pae(type: string, body: Uint8Array): Buffer {
  const t = Buffer.from(type, 'utf8')
  return Buffer.concat([Buffer.from(`DSSEv1 ${t.length} `), t, Buffer.from(` ${body.length} `), body])
}

/** The exact bytes a signature of `role` over `body` signs. */
export const signedBytes = (role: ReleaseRole, body: Uint8Array): Buffer =>
  pae(`${RELEASE_PAYLOAD_TYPE}; role=${role}`, body)

/** "sha256:" + hex SHA-256 of the raw 32-byte Ed25519 public key (of a public or a private key). */
export function keyIdOf(key: KeyObject): string {
  const pub = key.type === 'private' ? createPublicKey(key) : key
  const x = (pub.export({ format: 'jwk' }) as { x?: string }).x
  // Stryker disable next-line ConditionalExpression: test/mutation/equivalent.md#jwk-x
  if (x === undefined) throw new CollabgateError('E_INVALID_ARGUMENT', 'not an Ed25519 key')
  return 'sha256:' + createHash('sha256').update(Buffer.from(x, 'base64url')).digest('hex')
}

/** Strict base64 (the padded standard alphabet, as DSSE writes it): its bytes, or undefined. */
export function decodeBase64(text: string): Buffer | undefined {
  if (text.length % 4 !== 0 || !BASE64.test(text)) return undefined
  const bytes = Buffer.from(text, 'base64')
  // Buffer.from ignores stray bits in the last character; a second spelling of one signature is refused
  return bytes.toString('base64') === text ? bytes : undefined
}

/** The lock content in a parsed lock file: `{ release, entries }`, or the older flat object of entries (release 0). */
export function lockContentOf(value: unknown, file = 'policies.lock.json'): SignedLockContent {
  const bad = (what: string) => new CollabgateError('E_LOCK_INVALID', `${file}: ${what}`)
  if (!isObject(value)) throw bad('must be a JSON object')
  const isNew = Object.hasOwn(value, 'entries') || Object.hasOwn(value, 'release')
  const release = isNew ? own(value, 'release') : 0
  const entries = isNew ? own(value, 'entries') : value
  if (isNew && unknownKeys(value, ['release', 'entries']).length > 0)
    throw bad(`unknown field(s) ${unknownKeys(value, ['release', 'entries']).join(', ')}`)
  if (typeof release !== 'number' || !Number.isSafeInteger(release) || release < 0)
    throw bad('release must be a whole number ≥ 0')
  return { release, entries: entriesOf(entries, (what) => bad(what)) }
}

function entriesOf(value: unknown, bad: (what: string) => CollabgateError): Record<string, string> {
  if (!isObject(value)) throw bad('entries must be an object of lock key to "sha256:<64 hex>"')
  const keys = Object.keys(value)
  if (keys.length > MAX_ENTRIES) throw bad(`more than ${MAX_ENTRIES} entries`)
  const entries: Record<string, string> = {}
  for (const key of keys.sort()) {
    const digest = value[key]
    if (key === '' || typeof digest !== 'string' || !DIGEST.test(digest))
      throw bad(`entry ${JSON.stringify(key)} must map a lock key to "sha256:<64 hex digits>"`)
    // defineProperty: a key named __proto__ is an entry like any other, never the object's prototype
    Object.defineProperty(entries, key, { value: digest, enumerable: true, writable: true, configurable: true })
  }
  return entries
}

/** The statement a release of `lock` signs. */
export function statementOf(lock: SignedLockContent, expires?: string): ReleaseStatement {
  const statement: ReleaseStatement = { _type: RELEASE_STATEMENT_TYPE, release: lock.release, entries: lock.entries }
  if (expires !== undefined) {
    if (instantOf(expires) === undefined)
      throw new CollabgateError(
        'E_INVALID_ARGUMENT',
        `expires must be YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ, not ${JSON.stringify(expires)}`,
      )
    statement.expires = expires
  }
  return statement
}

/** The bytes of a lock content as a release names it: equal bytes, equal release. */
export const lockBytes = (lock: SignedLockContent): string =>
  canonicalize({ release: lock.release, entries: lock.entries })

/** Reads a signature file's text; throws CollabgateError('E_RELEASE_INVALID') naming the place of what is wrong. */
export function parseEnvelope(text: string, file = ENVELOPE_FILE_NAME): ReleaseEnvelope {
  return envelopeOf(parseStrictJson(text, file, 'E_RELEASE_INVALID'), file)
}

/** Checks a parsed signature file's shape (not its signatures); throws CollabgateError('E_RELEASE_INVALID'). */
export function envelopeOf(value: unknown, file = ENVELOPE_FILE_NAME): ReleaseEnvelope {
  const bad = (at: string, what: string) => new CollabgateError('E_RELEASE_INVALID', `${file} at ${at}: ${what}`)
  if (!isObject(value)) throw bad('/', 'must be a JSON object with payloadType, payload and signatures')
  const extra = unknownKeys(value, ['payloadType', 'payload', 'signatures'])
  if (extra.length > 0) throw bad('/', `unknown field(s) ${extra.map((k) => JSON.stringify(k)).join(', ')}`)
  if (own(value, 'payloadType') !== RELEASE_PAYLOAD_TYPE) throw bad('/payloadType', `must be "${RELEASE_PAYLOAD_TYPE}"`)
  const payload = own(value, 'payload')
  if (typeof payload !== 'string' || decodeBase64(payload) === undefined)
    throw bad('/payload', 'must be base64 (RFC 4648, padded)')
  const list = own(value, 'signatures')
  if (!Array.isArray(list)) throw bad('/signatures', 'must be an array')
  if (list.length > MAX_SIGNATURES) throw bad('/signatures', `more than ${MAX_SIGNATURES} signatures`)
  const signatures = list.map((s: unknown, i): ReleaseSignature => {
    const at = `/signatures/${i}`
    if (!isObject(s)) throw bad(at, 'must be an object with keyid, role and sig')
    const more = unknownKeys(s, ['keyid', 'role', 'sig'])
    if (more.length > 0) throw bad(at, `unknown field(s) ${more.map((k) => JSON.stringify(k)).join(', ')}`)
    const keyid = own(s, 'keyid')
    const role = own(s, 'role')
    const sig = own(s, 'sig')
    if (typeof keyid !== 'string' || !KEYID.test(keyid)) throw bad(`${at}/keyid`, 'must be "sha256:<64 hex digits>"')
    if (!RELEASE_ROLES.includes(role as ReleaseRole)) throw bad(`${at}/role`, `must be ${RELEASE_ROLES.join(' or ')}`)
    if (typeof sig !== 'string' || decodeBase64(sig)?.length !== 64)
      throw bad(`${at}/sig`, 'must be base64 of a 64-byte Ed25519 signature')
    return { keyid, role: role as ReleaseRole, sig }
  })
  return { payloadType: RELEASE_PAYLOAD_TYPE, payload, signatures }
}

/**
 * The statement an envelope carries; throws CollabgateError('E_RELEASE_INVALID') when its payload is not one, or not
 * canonical.
 */
export function statementIn(envelope: ReleaseEnvelope, file = ENVELOPE_FILE_NAME): ReleaseStatement {
  const bad = (what: string) => new CollabgateError('E_RELEASE_INVALID', `${file} at /payload: ${what}`)
  const body = decodeBase64(envelope.payload)
  if (body === undefined) throw bad('must be base64 (RFC 4648, padded)')
  const text = body.toString('utf8')
  const value = parseStrictJson(text, `${file} (payload)`, 'E_RELEASE_INVALID')
  if (!isObject(value)) throw bad('must be a release statement object')
  const extra = unknownKeys(value, ['_type', 'release', 'entries', 'expires'])
  if (extra.length > 0) throw bad(`unknown field(s) ${extra.map((k) => JSON.stringify(k)).join(', ')}`)
  if (own(value, '_type') !== RELEASE_STATEMENT_TYPE) throw bad(`_type must be "${RELEASE_STATEMENT_TYPE}"`)
  const release = own(value, 'release')
  if (typeof release !== 'number' || !Number.isSafeInteger(release) || release < 0)
    throw bad('release must be a whole number ≥ 0')
  const expires = own(value, 'expires')
  if (expires !== undefined && (typeof expires !== 'string' || instantOf(expires) === undefined))
    throw bad('expires must be YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ')
  const statement = statementOf(
    { release, entries: entriesOf(own(value, 'entries'), bad) },
    expires as string | undefined,
  )
  // one statement, one spelling: the bytes signed are the bytes compared
  if (!canonicalBytes(statement).equals(body)) throw bad('is not the RFC 8785 canonical form of its statement')
  return statement
}

/** Reads an Ed25519 private key in PEM (PKCS#8); throws CollabgateError('E_INVALID_ARGUMENT'). */
export function privateKeyOf(pem: string): KeyObject {
  let key: KeyObject
  try {
    key = createPrivateKey({ key: pem, format: 'pem' })
  } catch (err) {
    throw new CollabgateError(
      'E_INVALID_ARGUMENT',
      `not a PEM private key: ${err instanceof Error ? err.message : String(err)}`,
    )
  }
  if (key.asymmetricKeyType !== 'ed25519')
    throw new CollabgateError(
      'E_INVALID_ARGUMENT',
      `the key is ${String(key.asymmetricKeyType)}; releases are signed with Ed25519`,
    )
  return key
}

export interface SignReleaseOptions {
  /** The lock content to release. */
  lock: SignedLockContent
  /** The signature file so far: its signatures are kept when it is for the same statement. */
  envelope?: ReleaseEnvelope | undefined
  /** The signer's Ed25519 private key, PEM (PKCS#8). */
  privateKey: string
  role: ReleaseRole
  /**
   * When the release stops being valid (YYYY-MM-DD or RFC 3339 UTC). Omitted: the existing envelope's expiry, if any.
   */
  expires?: string | undefined
}

/**
 * Signs a release: the envelope with this signature added. An `envelope` for the same lock content (and
 * the same expiry, when `expires` is given) keeps its signatures (this key's earlier signature in this
 * role is replaced); any other envelope is started afresh, so a signature never outlives what it signed.
 */
export function signRelease(options: SignReleaseOptions): ReleaseEnvelope {
  const key = privateKeyOf(options.privateKey)
  if (!RELEASE_ROLES.includes(options.role))
    throw new CollabgateError('E_INVALID_ARGUMENT', `role must be author or approver`)
  let previous: ReleaseStatement | undefined
  try {
    previous = options.envelope === undefined ? undefined : statementIn(options.envelope)
  } catch {
    previous = undefined // an unreadable envelope is replaced, not extended
  }
  const sameLock = previous !== undefined && lockBytes(previous) === lockBytes(options.lock)
  const expires = options.expires ?? (sameLock ? previous?.expires : undefined)
  const statement = statementOf(options.lock, expires)
  const body = canonicalBytes(statement)
  const keep = previous !== undefined && options.envelope !== undefined && canonicalBytes(previous).equals(body)
  const keyid = keyIdOf(key)
  const others = keep ? options.envelope!.signatures.filter((s) => s.keyid !== keyid || s.role !== options.role) : []
  const sig = sign(null, signedBytes(options.role, body), key).toString('base64')
  return {
    payloadType: RELEASE_PAYLOAD_TYPE,
    payload: body.toString('base64'),
    signatures: [...others, { keyid, role: options.role, sig }],
  }
}

/** The signature file's text: two-space JSON and a trailing newline. */
export const formatEnvelope = (envelope: ReleaseEnvelope): string => JSON.stringify(envelope, null, 2) + '\n'
