/**
 * Verifying a release: the lock on disk is what its signature file says, and that file carries a valid
 * author signature and enough valid approvals from other people, as the trust file requires.
 * Maker-checker: a key that signed as author never counts as an approval, nor does any key of the same
 * person (the same `name` in the trust file).
 */
import { verify } from 'node:crypto'
import { CollabgateError } from '../errors.js'
import {
  decodeBase64,
  lockBytes,
  signedBytes,
  statementIn,
  ENVELOPE_FILE_NAME,
  type ReleaseEnvelope,
  type ReleaseStatement,
  type SignedLockContent,
} from './envelope.js'
import { instantOf } from './json.js'
import { personOf, type Trust } from './trust.js'

/** The codes a release can fail verification with. */
export type ReleaseErrorCode =
  | 'E_RELEASE_UNSIGNED'
  | 'E_RELEASE_INVALID'
  | 'E_RELEASE_MISMATCH'
  | 'E_RELEASE_SIGNATURE'
  | 'E_RELEASE_EXPIRED'
  | 'E_RELEASE_ROLLBACK'
  | 'E_RELEASE_UNAPPROVED'

/** One reason a release is not accepted. */
export interface ReleaseProblem {
  code: ReleaseErrorCode
  message: string
  /** The key a signature problem is about. */
  keyid?: string
}

/** A release accepted: its number, who authored it and who approved it (keyids). */
export interface VerifiedRelease {
  release: number
  /** The first valid author signature's keyid. */
  author: string
  /** The keyids whose approvals counted, in the envelope's order. */
  approvers: string[]
  expires?: string
}

export interface VerifyReleaseOptions {
  /** The lock on disk, parsed. */
  lock: SignedLockContent
  /** The signature file, parsed (parseEnvelope); undefined when there is none. */
  envelope: ReleaseEnvelope | undefined
  /** The trust file, parsed (parseTrust). */
  trust: Trust
  /** The last release the caller accepted: a lower one is a rollback. */
  minRelease?: number | undefined
  /** The time to check expiry against (default: the clock). */
  now?: Date | undefined
  /** How the signature file is named in messages. */
  file?: string | undefined
}

/** A release that is not accepted: `code` is the first reason's, `problems` lists every reason. */
export class ReleaseVerificationError extends CollabgateError {
  readonly problems: readonly ReleaseProblem[]
  constructor(problems: readonly ReleaseProblem[]) {
    super(problems[0]!.code, problems.map((p) => `${p.code}: ${p.message}`).join('; '))
    this.problems = problems
  }
}

const short = (keyid: string): string => keyid.slice(0, 19) + '…'

/** Every reason the release is not accepted (none when it is), and the release when it is. */
export function checkRelease(options: VerifyReleaseOptions): {
  verified?: VerifiedRelease
  problems: ReleaseProblem[]
} {
  const file = options.file ?? ENVELOPE_FILE_NAME
  const { lock, envelope, trust } = options
  const now = (options.now ?? new Date()).getTime()
  if (envelope === undefined)
    return {
      problems: [
        { code: 'E_RELEASE_UNSIGNED', message: `release ${lock.release} has no signature file (${file}): sign it` },
      ],
    }
  let statement: ReleaseStatement
  try {
    statement = statementIn(envelope, file)
  } catch (err) {
    return { problems: [{ code: 'E_RELEASE_INVALID', message: err instanceof Error ? err.message : String(err) }] }
  }
  const problems: ReleaseProblem[] = []
  if (lockBytes(statement) !== lockBytes(lock))
    problems.push({ code: 'E_RELEASE_MISMATCH', message: mismatch(statement, lock) })
  const expiry = statement.expires === undefined ? undefined : instantOf(statement.expires)
  if (expiry !== undefined && now >= expiry)
    problems.push({
      code: 'E_RELEASE_EXPIRED',
      message: `the signatures of release ${statement.release} expired at ${statement.expires}`,
    })
  const trustExpiry = trust.file.expires === undefined ? undefined : instantOf(trust.file.expires)
  if (trustExpiry !== undefined && now >= trustExpiry)
    problems.push({ code: 'E_RELEASE_EXPIRED', message: `the trust file expired at ${trust.file.expires}` })
  if (options.minRelease !== undefined && lock.release < options.minRelease)
    problems.push({
      code: 'E_RELEASE_ROLLBACK',
      message:
        `release ${lock.release} is older than release ${options.minRelease}, already accepted: an old ` +
        `release replayed?`,
    })

  const body = decodeBase64(envelope.payload)!
  const valid: { keyid: string; role: 'author' | 'approver' }[] = []
  envelope.signatures.forEach((s, i) => {
    const trusted = trust.keys.get(s.keyid)
    const at = `signature ${i} (${s.role}) by ${s.keyid}`
    if (trusted === undefined)
      problems.push({ code: 'E_RELEASE_SIGNATURE', keyid: s.keyid, message: `${at}: the key is not in the trust file` })
    else if (!trusted.roles.includes(s.role))
      problems.push({
        code: 'E_RELEASE_SIGNATURE',
        keyid: s.keyid,
        message: `${at}: the trust file lets ${trusted.name}'s key sign only as ${trusted.roles.join(' and ')}`,
      })
    else if (!verify(null, signedBytes(s.role, body), trusted.key, decodeBase64(s.sig)!))
      problems.push({
        code: 'E_RELEASE_SIGNATURE',
        keyid: s.keyid,
        message: `${at}: does not verify (the payload or the role it claims was changed, or another key made it)`,
      })
    else valid.push({ keyid: s.keyid, role: s.role })
  })

  const authors = [...new Set(valid.filter((v) => v.role === 'author').map((v) => v.keyid))]
  const authorPeople = new Set(authors.map((k) => personOf(trust.keys.get(k)!.name)))
  const approvers: string[] = []
  const notCounted: string[] = []
  for (const keyid of new Set(valid.filter((v) => v.role === 'approver').map((v) => v.keyid))) {
    const name = trust.keys.get(keyid)!.name
    if (authors.includes(keyid))
      notCounted.push(`${short(keyid)} (${name}) signed as author too: an author never approves their own release`)
    else if (authorPeople.has(personOf(name)))
      notCounted.push(`${short(keyid)} is a key of ${name}, who signed as author`)
    else approvers.push(keyid)
  }
  const needed = trust.file.approvals
  if (authors.length === 0)
    problems.push({
      code: 'E_RELEASE_UNAPPROVED',
      message: `release ${statement.release} has no valid author signature`,
    })
  if (approvers.length < needed) {
    const failed = envelope.signatures.filter(
      (s) => s.role === 'approver' && !valid.some((v) => v.keyid === s.keyid && v.role === 'approver'),
    )
    const why = [
      ...notCounted,
      ...(failed.length > 0 ? [`${failed.length} approver signature(s) not valid (see above)`] : []),
    ]
    problems.push({
      code: 'E_RELEASE_UNAPPROVED',
      message:
        `release ${statement.release} has ${approvers.length} approval(s) counted of ${needed} needed` +
        (why.length > 0 ? `; not counted: ${why.join('; ')}` : ''),
    })
  }
  if (problems.length > 0) return { problems }
  const verified: VerifiedRelease = { release: statement.release, author: authors[0]!, approvers }
  if (statement.expires !== undefined) verified.expires = statement.expires
  return { verified, problems }
}

/**
 * Verifies a release against the trust file; returns who authored and approved it, or throws
 * ReleaseVerificationError (a CollabgateError whose `code` is the first reason's, E_RELEASE_*) listing
 * every reason it is not accepted.
 */
export function verifyRelease(options: VerifyReleaseOptions): VerifiedRelease {
  const { verified, problems } = checkRelease(options)
  if (verified === undefined) throw new ReleaseVerificationError(problems)
  return verified
}

/** What differs between the signed statement and the lock on disk, in one sentence. */
function mismatch(statement: ReleaseStatement, lock: SignedLockContent): string {
  const keys = [...new Set([...Object.keys(statement.entries), ...Object.keys(lock.entries)])].sort()
  const at = (o: Record<string, string>, k: string) => (Object.hasOwn(o, k) ? o[k] : undefined)
  const differ = keys.filter((k) => at(statement.entries, k) !== at(lock.entries, k))
  const shown = differ.slice(0, 5).join(', ') + (differ.length > 5 ? ` and ${differ.length - 5} more` : '')
  return (
    `the signature file is for release ${statement.release} with other content than the lock on disk ` +
    `(release ${lock.release})` +
    (differ.length > 0 ? `; entries that differ: ${shown}` : '')
  )
}
