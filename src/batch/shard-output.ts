/**
 * A sharded batch's output: a header line naming the shard and what decides, one `{"line":N,"result":…}` line per
 * input line of the shard, and an end line with the whole input's digest and line count. The merge puts the
 * results back in line order as one unsharded batch would have written them.
 */
import { createHash, type Hash } from 'node:crypto'
import type { DecideSyncOptions, PolicySet } from '../decide/policy-set.js'
import type { Shard } from '../shard/shard.js'
import { policiesDigest } from '../shard/subject.js'
import { CollabgateError } from '../errors.js'
import type { ShardOutput } from '../shard/stamp.js'

/** The first line of a shard's output. */
export function batchShardHeader(shard: Shard, set: PolicySet, options: DecideSyncOptions, maxLine: number): string {
  // every setting that changes an output line: shards run with other ones do not merge
  const settings = JSON.stringify({ ...options, maxLineChars: maxLine })
  const stamp = { index: shard.index, count: shard.count, policies: policiesDigest(set), settings }
  return JSON.stringify({ kind: 'batch', shard: stamp }) + '\n'
}

/** The last line: written only when the whole input was read, so a shard cut short has none. */
export function batchShardEnd(input: string, done: BatchCounts): string {
  const end = { input, lines: done.lines + (done.others ?? 0), decided: done.decided, failed: done.failed }
  return JSON.stringify({ end }) + '\n'
}

/** What a shard answered, and how many lines other shards answer. */
interface BatchCounts {
  lines: number
  decided: number
  failed: number
  others?: number
}

/** The input passed through, hashed on the way: every shard reads all of it, so all name the same digest. */
export function hashingInput(input: AsyncIterable<Buffer | string>): {
  input: AsyncIterable<Buffer | string>
  digest: () => string
} {
  const hash: Hash = createHash('sha256')
  async function* pass(): AsyncGenerator<Buffer | string> {
    for await (const chunk of input) {
      hash.update(chunk)
      yield chunk
    }
  }
  return { input: pass(), digest: () => `sha256:${hash.digest('hex')}` }
}

/** One result line of a shard: its input line number and the result's text as the batch wrote it. */
export interface BatchShardItem {
  line: number
  result: string
}

/** The unsharded batch output: every input line's result, in line order, each line once. */
export function mergeBatchShards(outputs: readonly ShardOutput[]): string {
  const lines = outputs[0]!.stamp.lines
  const results: (string | undefined)[] = new Array<string | undefined>(lines)
  const from: string[] = new Array<string>(lines)
  for (const output of outputs) {
    for (const item of output.body as readonly BatchShardItem[]) {
      if (item.line > lines) {
        const why = `${output.source} answers line ${item.line} of an input of ${lines} line(s)`
        throw new CollabgateError('E_SHARD_MISMATCH', why)
      }
      if (results[item.line - 1] !== undefined) {
        const both = `${from[item.line - 1]!} and ${output.source}`
        const why = `line ${item.line} is answered by two shards (${both}): the shards overlap`
        throw new CollabgateError('E_SHARD_DUPLICATE', why)
      }
      results[item.line - 1] = item.result
      from[item.line - 1] = output.source
    }
  }
  const gap = results.findIndex((r) => r === undefined)
  if (gap >= 0) {
    const why = `no shard answers input line ${gap + 1} of ${lines}: a shard was cut short or edited`
    throw new CollabgateError('E_SHARD_INCOMPLETE', why)
  }
  return results.map((r) => `${r!}\n`).join('')
}
