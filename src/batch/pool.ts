/**
 * A fixed pool of worker threads deciding blocks of lines. Each block goes to the worker with the
 * fewest blocks in flight; answers come back tagged so the caller can put them in input order.
 */
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
import { CollabgateError } from '../errors.js'
import type { DecideSyncOptions, SubjectKind } from '../decide/policy-set.js'
import type { Policy } from '../model.js'
import type { BlockBytes, BlockOutcome, KeptDecision } from './decide-lines.js'
import type { Shard } from '../shard/shard.js'

/** What every worker is started with: plain data, copied into the thread. */
export interface WorkerSetup {
  policies: readonly Policy[]
  subjects: readonly SubjectKind[]
  options: DecideSyncOptions
  maxLineChars: number
  /** Answer with UTF-8 bytes in transferred buffers instead of text. */
  bytes: boolean
  /** Send back each decided line's decision and record too (for an audit log in the main thread). */
  keep?: boolean
  /** Answer only this shard's lines (see decideBlock). */
  shard?: Shard
}

/** Whole lines as UTF-8 bytes (see byteBlocks); the buffer is transferred, not copied. */
export interface BlockRequest {
  seq: number
  firstLine: number
  bytes: Uint8Array
  lines: number
}

/** Gives a written buffer back to the worker that filled it. */
export interface ReleaseRequest {
  release: ArrayBuffer
}

/** A worker's answer: text, or bytes in a transferred buffer. */
type Answer = { seq: number; decided: number; failed: number; others?: number; kept?: KeptDecision[] } & (
  { text: string } | { buffer: ArrayBuffer; length: number }
)

interface Waiting {
  resolve: (outcome: BlockOutcome | BlockBytes) => void
  reject: (err: Error) => void
}

interface Slot {
  worker: Worker
  waiting: Map<number, Waiting>
  failure?: Error
}

/** dist/batch-worker.js beside this bundle; from the sources (tests), the built one. */
export function defaultWorkerFile(): string {
  const candidates = [
    new URL('./batch-worker.js', import.meta.url),
    new URL('../../dist/batch-worker.js', import.meta.url),
  ]
  for (const url of candidates) {
    const file = fileURLToPath(url)
    if (existsSync(file)) return file
  }
  throw new CollabgateError(
    'E_IO',
    'the batch worker (dist/batch-worker.js) is missing; build the package with `npm run build`, or use workers: 0',
  )
}

/** Lines of more bytes (so possibly more characters) are decided in the main thread, whose heap is not capped. */
export const WORKER_MAX_LINE_BYTES = 1_000_000

const keptOf = (answer: Answer): { kept?: KeptDecision[] } => (answer.kept ? { kept: answer.kept } : {})
const othersOf = (answer: Answer): { others?: number } => (answer.others === undefined ? {} : { others: answer.others })

export class WorkerPool {
  private readonly slots: Slot[] = []

  constructor(size: number, setup: WorkerSetup, file: string = defaultWorkerFile()) {
    for (let i = 0; i < size; i++) {
      // small heaps keep the process under 200 MB for any batch size (measured: 1M records, no loss of
      // speed); lines over WORKER_MAX_LINE_BYTES never reach a worker, so its heap always suffices
      const worker = new Worker(file, {
        workerData: setup,
        resourceLimits: { maxYoungGenerationSizeMb: 4, maxOldGenerationSizeMb: 96 },
      })
      const slot: Slot = { worker, waiting: new Map() }
      slot.worker.on('message', (answer: Answer) => {
        const w = slot.waiting.get(answer.seq)
        slot.waiting.delete(answer.seq)
        if ('text' in answer) {
          const { text, decided, failed } = answer
          w?.resolve({ text, decided, failed, ...othersOf(answer), ...keptOf(answer) })
          return
        }
        const { buffer } = answer
        const release = () => {
          if (!slot.failure) slot.worker.postMessage({ release: buffer } satisfies ReleaseRequest, [buffer])
        }
        w?.resolve({
          bytes: new Uint8Array(buffer, 0, answer.length),
          decided: answer.decided,
          failed: answer.failed,
          release,
          ...othersOf(answer),
          ...keptOf(answer),
        })
      })
      const fail = (err: Error) => {
        slot.failure ??= err
        for (const w of slot.waiting.values()) w.reject(slot.failure)
        slot.waiting.clear()
      }
      slot.worker.on('error', (err) =>
        fail(new CollabgateError('E_IO', `a batch worker failed: ${err.message}`, { cause: err })),
      )
      slot.worker.on('exit', (code) => fail(new CollabgateError('E_IO', `a batch worker stopped (exit code ${code})`)))
      this.slots.push(slot)
    }
  }

  /** Decides one block on the least busy worker: text, or bytes when the pool was set up for bytes. */
  run(request: BlockRequest): Promise<BlockOutcome | BlockBytes> {
    let best: Slot | undefined
    for (const s of this.slots) if (!s.failure && (!best || s.waiting.size < best.waiting.size)) best = s
    if (!best)
      return Promise.reject(this.slots[0]?.failure ?? new CollabgateError('E_IO', 'no batch worker is running'))
    const slot = best
    return new Promise<BlockOutcome | BlockBytes>((resolve, reject) => {
      slot.waiting.set(request.seq, { resolve, reject })
      slot.worker.postMessage(request, [request.bytes.buffer as ArrayBuffer])
    })
  }

  /** Stops every worker; answers still outstanding are rejected. */
  async close(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.worker.terminate()))
  }
}
