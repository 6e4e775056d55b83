/**
 * Deterministic sharding of batch input, so that existing schedulers (a Kubernetes Indexed Job, a CI matrix) can
 * split one run across machines: shard K of N takes the lines whose key hashes to K, a subject's lines stay together,
 * and the shards' outputs merge into the report one run gives.
 */
import { createHash } from 'node:crypto'
import { CollabgateError } from '../errors.js'

/** Shard K of N, 1-based as vitest's, jest's and playwright's `--shard`. */
export interface Shard {
  index: number
  count: number
}

/** The largest N accepted: beyond it a shard is a line or two and the split costs more than it saves. */
export const MAX_SHARDS = 10_000

/** Reads `K/N` (1 ≤ K ≤ N ≤ 10,000); anything else is E_INVALID_ARGUMENT naming the expected form. */
export function parseShard(text: string): Shard {
  const match = /^([1-9]\d{0,4})\/([1-9]\d{0,4})$/.exec(text.trim())
  const index = match ? Number(match[1]) : NaN
  const count = match ? Number(match[2]) : NaN
  if (!match || index > count || count > MAX_SHARDS) {
    throw new CollabgateError(
      'E_INVALID_ARGUMENT',
      `--shard ${JSON.stringify(text)} is not K/N with 1 ≤ K ≤ N ≤ ${MAX_SHARDS} (e.g. --shard 2/3)`,
    )
  }
  return { index, count }
}

/**
 * The shard (1..count) a key belongs to: the first 48 bits of SHA-256 of its UTF-8 bytes, modulo count. The key is a
 * record's subject id (so a subject's lines stay together); a line with no readable id uses `line:<number>`.
 */
export function shardOfKey(key: string, count: number): number {
  const digest = createHash('sha256').update(key, 'utf8').digest()
  return (digest.readUIntBE(0, 6) % count) + 1
}

/** The key a line is sharded by: its subject id when the line has one, else its 1-based line number. */
export function shardKey(subjectId: string | undefined, line: number): string {
  return subjectId === undefined ? `line:${line}` : `id:${subjectId}`
}

/** Whether a line with this key is this shard's (every line is when no shard is given). */
export function inShard(shard: Shard | undefined, key: string): boolean {
  return shard === undefined || shardOfKey(key, shard.count) === shard.index
}
