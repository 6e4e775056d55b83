/**
 * The decision log's tamper evidence, shared by the writer and `collabgate audit verify`: each entry
 * names the hash of the line before it, and signed checkpoints (origin, size, head hash: the C2SP
 * tlog-checkpoint body) are written to a separate file that the writer cannot rewrite once copied away.
 * A line's hash is SHA-256 over its UTF-8 bytes, without the newline; the first entry of a chain names
 * GENESIS. Truncation after the last checkpoint is only visible against a checkpoint kept elsewhere.
 */
import { createHash, createPublicKey, sign, verify, type KeyObject } from 'node:crypto'
import { CollabgateError } from '../errors.js'
import { keyIdOf } from '../release/envelope.js'

/** The `prev` of the first entry of a chain. */
export const GENESIS = 'sha256:' + '0'.repeat(64)

/** The format of an entry with a chain, facts and reasons (the field `v`). */
export const AUDIT_ENTRY_VERSION = 2

const HASH = /^sha256:[0-9a-f]{64}$/

/** The hash of one log line (its text without the trailing newline), as the next entry's `prev` names it. */
export function lineHash(line: string): string {
  return 'sha256:' + createHash('sha256').update(line, 'utf8').digest('hex')
}

/** A signed statement that the log held `size` entries whose last line hashes to `head`. */
export interface Checkpoint {
  /** Which log: a name the operator chooses (e.g. the service's host and log name). */
  origin: string
  /** Entries in the chain up to and including the head (the head entry's `seq`). */
  size: number
  /** The hash of the last entry's line. */
  head: string
  /** When the checkpoint was made (ISO 8601): information, not signed. */
  time: string
  /** The signing key's id: sha256 of its raw public key (as for releases). */
  keyid: string
  /** Ed25519 signature over checkpointBody(origin, size, head), base64. */
  sig: string
}

/** The signed text: the C2SP tlog-checkpoint body, `origin\nsize\nbase64(head hash bytes)\n`. */
export function checkpointBody(origin: string, size: number, head: string): string {
  if (!HASH.test(head))
    throw new CollabgateError('E_INVALID_ARGUMENT', `a checkpoint head must be sha256:<64 hex>, not ${head}`)
  if (!Number.isSafeInteger(size) || size < 0)
    throw new CollabgateError('E_INVALID_ARGUMENT', 'a checkpoint size must be a whole number')
  if (origin === '' || /[\n\r]/.test(origin))
    throw new CollabgateError('E_INVALID_ARGUMENT', 'a checkpoint origin must be one non-empty line')
  return `${origin}\n${size}\n${Buffer.from(head.slice('sha256:'.length), 'hex').toString('base64')}\n`
}

/** Signs a checkpoint with an Ed25519 private key. */
export function signCheckpoint(
  at: { origin: string; size: number; head: string; time: string },
  key: KeyObject,
): Checkpoint {
  const sig = sign(null, Buffer.from(checkpointBody(at.origin, at.size, at.head), 'utf8'), key).toString('base64')
  return { origin: at.origin, size: at.size, head: at.head, time: at.time, keyid: keyIdOf(key), sig }
}

/** Whether a checkpoint was signed by `publicKey` (PEM or a key object) over its origin, size and head. */
export function verifyCheckpoint(checkpoint: Checkpoint, publicKey: KeyObject | string): boolean {
  const key = typeof publicKey === 'string' ? createPublicKey(publicKey) : publicKey
  let body: string
  try {
    body = checkpointBody(checkpoint.origin, checkpoint.size, checkpoint.head)
  } catch {
    return false
  }
  return verify(null, Buffer.from(body, 'utf8'), key, Buffer.from(checkpoint.sig, 'base64'))
}

/** One line of the checkpoints file (NDJSON, one checkpoint a line). */
export const formatCheckpoint = (checkpoint: Checkpoint): string =>
  JSON.stringify({
    origin: checkpoint.origin,
    size: checkpoint.size,
    head: checkpoint.head,
    time: checkpoint.time,
    keyid: checkpoint.keyid,
    sig: checkpoint.sig,
  })

/** Reads one checkpoints-file line; throws E_INVALID_ARGUMENT naming what is wrong. */
export function parseCheckpoint(line: string): Checkpoint {
  let v: unknown
  try {
    v = JSON.parse(line)
  } catch (err) {
    throw new CollabgateError('E_INVALID_ARGUMENT', `a checkpoint is not JSON: ${(err as Error).message}`)
  }
  const o = (v ?? {}) as Record<string, unknown>
  const own = (k: string) => (Object.hasOwn(o, k) ? o[k] : undefined)
  const text = (k: string) => {
    const x = own(k)
    if (typeof x !== 'string') throw new CollabgateError('E_INVALID_ARGUMENT', `a checkpoint's ${k} must be text`)
    return x
  }
  const size = own('size')
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0)
    throw new CollabgateError('E_INVALID_ARGUMENT', "a checkpoint's size must be a whole number")
  return {
    origin: text('origin'),
    size,
    head: text('head'),
    time: text('time'),
    keyid: text('keyid'),
    sig: text('sig'),
  }
}
