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

function encode(text: string): { buffer: ArrayBuffer; length: number } {
  const length = Buffer.byteLength(text, 'utf8')
  const at = free.findIndex((b) => b.byteLength >= length)
  const buffer = at >= 0 ? free.splice(at, 1)[0]! : new ArrayBuffer(Math.max(length, MIN_BUFFER))
  Buffer.from(buffer, 0, length).write(text, 'utf8')
  return { buffer, length }
}

parentPort?.on('message', (message: BlockRequest | ReleaseRequest) => {
  if ('release' in message) {
    if (free.length < 16) free.push(message.release)
    return
  }
  const lines = splitBlock(message.bytes, message.lines, setup.maxLineChars)
  const keep = setup.keep === true
  const outcome = decideBlock(set, message.firstLine, lines, setup.options, setup.maxLineChars, keep, setup.shard)
  if (!setup.bytes) {
    parentPort?.postMessage({ seq: message.seq, ...outcome })
    return
  }
  const { buffer, length } = encode(outcome.text)
  const { decided, failed, others } = outcome
  const answer = { seq: message.seq, decided, failed, others, buffer, length }
  parentPort?.postMessage(outcome.kept ? { ...answer, kept: outcome.kept } : answer, [buffer])
})
