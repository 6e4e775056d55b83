/** What a shard's output says of itself, so that `merge` can tell the shards of one run from any others. */
import { parseShard, type Shard } from './shard.js'

/** Shard K of N of a run; shards merge only when all fields but `index` agree. */
export interface ShardStamp extends Shard {
  /** sha256 of the whole input (every shard reads all of it). */
  input: string
  /** Lines of the whole input. */
  lines: number
  /** What decides: policy ids, versions and digests (or a digest of them). */
  policies: string
  /** The run's other settings that change results (asOf, …), as text. */
  settings: string
}

/** The stamp a sharded JSON report carries in its `shard` field. */
export function shardStamp(shard: Shard, input: string, lines: number, policies: string, settings: string): ShardStamp {
  return { index: shard.index, count: shard.count, input, lines, policies, settings }
}

/** A library caller's shard, checked as the CLI's `K/N` text is (E_INVALID_ARGUMENT). */
export function checkedShard(shard: Shard | undefined): Shard | undefined {
  return shard === undefined ? undefined : parseShard(`${String(shard.index)}/${String(shard.count)}`)
}

/** One shard's output, read: its kind, its stamp, and the kind's own data (a report, or result lines). */
export interface ShardOutput {
  kind: string
  stamp: ShardStamp
  body: unknown
  /** Where it was read, for messages: a file name (and line). */
  source: string
}
