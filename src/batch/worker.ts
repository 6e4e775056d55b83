/**
 * Worker thread of a parallel batch (built to dist/batch-worker.js): compiles the policies it is
 * handed once, then answers blocks of lines (UTF-8 bytes, decoded here) with blocks of output lines:
 * as text, or (setup.bytes) as UTF-8 bytes in a buffer transferred to the main thread, which sends
 * it back once written.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { PolicySet } from '../decide/policy-set.js'
import { receivedPolicy } from '../validate/policy.js'
import { splitBlock } from './byte-blocks.js'
import { decideBlock } from './decide-lines.js'
import type { BlockRequest, ReleaseRequest, WorkerSetup } from './pool.js'

const setup = workerData as WorkerSetup
// the structured clone that carried them here lost the validator's mark: the validator builds each again
const set = new PolicySet(
  setup.policies.map((p) => receivedPolicy(p) ?? p),
  { subjects: setup.subjects },
)

// buffers the main thread has written and given back, ready to carry another block
const free: ArrayBuffer[] = []
const MIN_BUFFER = 128 * 1024

/**
 * A block's output lines written as UTF-8 straight into a buffer as each is decided: no text of the whole block is
 * built, flattened and encoded again.
 */
class BlockWriter {
  buffer: ArrayBuffer = free.pop() ?? new ArrayBuffer(MIN_BUFFER)
  private bytes = Buffer.from(this.buffer)
  length = 0

  readonly line = (json: string): void => {
    // UTF-8 takes at most 3 bytes per UTF-16 code unit, so the line and its newline always fit
    const need = this.length + json.length * 3 + 1
    if (need > this.bytes.length) {
      const bigger = new ArrayBuffer(Math.max(need, this.bytes.length * 2))
      const bytes = Buffer.from(bigger)
      this.bytes.copy(bytes, 0, 0, this.length)
      this.buffer = bigger
      this.bytes = bytes
    }
    this.length += this.bytes.write(json, this.length, 'utf8')
    this.bytes[this.length++] = 0x0a
  }
}

parentPort?.on('message', (message: BlockRequest | ReleaseRequest) => {
  if ('release' in message) {
    if (free.length < 16) free.push(message.release)
    return
  }
  const lines = splitBlock(message.bytes, message.lines, setup.maxLineChars)
  const keep = setup.keep === true
  if (!setup.bytes) {
    const outcome = decideBlock(set, message.firstLine, lines, setup.options, setup.maxLineChars, keep, setup.shard)
    parentPort?.postMessage({ seq: message.seq, ...outcome })
    return
  }
  const out = new BlockWriter()
  const { firstLine } = message
  const outcome = decideBlock(set, firstLine, lines, setup.options, setup.maxLineChars, keep, setup.shard, out.line)
  const { decided, failed, others } = outcome
  const answer = { seq: message.seq, decided, failed, others, buffer: out.buffer, length: out.length }
  parentPort?.postMessage(outcome.kept ? { ...answer, kept: outcome.kept } : answer, [out.buffer])
})
