/**
 * Batch decisions over NDJSON: one output line per input line, in input order, the decision as JSON
 * or an error line (`{"line": N, "error": {...}}`). Lines are decided in worker threads (or in this
 * thread with workers: 0); a bounded window of blocks in flight keeps memory flat for any input size.
 */
import { availableParallelism } from 'node:os'
import type { Writable } from 'node:stream'
import { ownOptions } from '../own.js'
import { CollabgateError } from '../errors.js'
import { assertAsOf } from '../decide/decide.js'
import type { DecideSyncOptions, PolicySet } from '../decide/policy-set.js'
import { recordDecision, type DecisionSink } from '../audit/audit.js'
import { decideBlock, type BlockBytes, type BlockOutcome, type KeptDecision } from './decide-lines.js'
import { byteBlocks, splitBlock, type InputBlock } from './byte-blocks.js'
import { DEFAULT_MAX_LINE_CHARS, lineBlocks, type InputLine } from '../read/lines.js'
import { WORKER_MAX_LINE_BYTES, WorkerPool } from './pool.js'
import type { Shard } from '../shard/shard.js'
import { checkedShard } from '../shard/stamp.js'
import { batchShardEnd, batchShardHeader, hashingInput } from './shard-output.js'

export interface BatchOptions extends DecideSyncOptions {
  /** Worker threads; 0 decides in the calling thread. Default: the available cores. */
  workers?: number
  /**
   * Lines sent to a worker at a time (default 64: an answer stays a small string, below V8's large-object size; 128
   * to a stream, whose answers are bytes: half the messages between threads).
   */
  blockLines?: number
  /** Longest line decided, in characters; a longer one gets an E_LINE_TOO_LONG error line. */
  maxLineChars?: number
  /** Called about every `progressIntervalMs` (default 200) while the batch runs, and once at the end. */
  onProgress?: (progress: BatchProgress) => void
  progressIntervalMs?: number
  /** The worker script; default dist/batch-worker.js. */
  workerFile?: string
  /**
   * Stops the batch at a line boundary when aborted (the CLI aborts it on SIGTERM and SIGINT): a block
   * being written is finished, no later one is started, and the batch resolves with `interrupted: true`.
   * The output then ends with a whole line, and `lines` says how many input lines it answers.
   */
  signal?: AbortSignal
  /**
   * A decision log: every decided line gets one entry, in input order, before its output line is
   * written. With a durable log, an entry that cannot be made durable fails the batch (E_AUDIT_FAILED)
   * before that block's lines are written, so no output line lacks its entry.
   */
  audit?: DecisionSink
  /**
   * Answers only shard K of N (by subject id, else line number): a header line, one `{"line":N,"result":…}` line per
   * line of the shard, and an end line with the whole input's digest and line count; `mergeShards` joins the shards.
   */
  shard?: Shard
}

export interface BatchProgress {
  /** Lines answered (written) so far. */
  lines: number
  failed: number
  /** Input bytes read so far. */
  bytesRead: number
  elapsedMs: number
  done: boolean
}

export interface BatchSummary {
  /** Lines answered; after an interruption, the output answers input lines 1 to `lines` and no more. */
  lines: number
  decided: number
  failed: number
  workers: number
  elapsedMs: number
  /** True when `signal` stopped the batch before the input ended. */
  interrupted: boolean
  /** With a shard: lines read that other shards answer. */
  others?: number
}

/** Writes output; may return a promise to apply backpressure (e.g. waiting for 'drain'). */
export type BatchWrite = (text: string) => void | Promise<void>

export const defaultWorkers = (): number => availableParallelism()

/** Where a batch's output goes: text to a callback, or bytes to a stream (written, then reusable). */
type Sink = { bytes: false; write: BatchWrite } | { bytes: true; write: (bytes: Uint8Array) => Promise<void> }

/**
 * Decides every line of an NDJSON input and writes one output line per input line, in order.
 * Throws before reading anything when the options are wrong (bad asOf, unknown policy or version);
 * after that, per-line problems become error lines and never stop the batch.
 */
export function decideNdjson(
  set: PolicySet,
  input: AsyncIterable<Buffer | string>,
  write: BatchWrite,
  options: BatchOptions,
): Promise<BatchSummary> {
  return runBatch(set, input, { bytes: false, write }, options)
}

/**
 * decideNdjson writing to a stream (a file, a socket, process.stdout). The workers send their output
 * as UTF-8 bytes in buffers that travel to this thread and back once written, so this thread never
 * holds the output as strings: its heap stays small (for a 1,000,000-record CLI batch, the main
 * thread's young generation no longer grows to its 32 MB maximum). Each block is written once the
 * one before it has been (backpressure); a write error rejects the batch with that error.
 */
export async function decideNdjsonToStream(
  set: PolicySet,
  input: AsyncIterable<Buffer | string>,
  output: Writable,
  options: BatchOptions,
): Promise<BatchSummary> {
  let failure: Error | undefined
  const onError = (err: Error) => void (failure ??= err)
  // a failed write reaches its callback below and is also emitted as 'error': without a listener that
  // would be thrown. Once a write failed, the listener stays, as the stream may still emit it.
  output.on('error', onError)
  try {
    const write = (bytes: Uint8Array) =>
      new Promise<void>((resolve, reject) => {
        if (failure) return reject(failure)
        output.write(bytes, (err) => {
          if (!err) return resolve()
          failure ??= err
          reject(err)
        })
      })
    return await runBatch(set, input, { bytes: true, write }, options)
  } finally {
    if (!failure) output.off('error', onError)
  }
}

async function runBatch(
  set: PolicySet,
  input: AsyncIterable<Buffer | string>,
  sink: Sink,
  given: BatchOptions,
): Promise<BatchSummary> {
  const options = ownOptions(given) as BatchOptions
  const started = Date.now()
  const asOf = assertAsOf(options.asOf)
  if (options.policy !== undefined) {
    const picked = set.select(options.policy, asOf, options.version)
    // a digest the named version does not have fails the whole batch before a line is read
    if (options.digest !== undefined && picked.digest !== options.digest) {
      throw new CollabgateError(
        'E_DIGEST_MISMATCH',
        `${picked.id}@${picked.version} has digest ${picked.digest}, not the expected ${String(options.digest)}: ` +
          'its content is not what the caller names',
      )
    }
  }
  const workers = options.workers ?? defaultWorkers()
  if (!Number.isInteger(workers) || workers < 0 || workers > 256) {
    throw new CollabgateError(
      'E_INVALID_ARGUMENT',
      `workers must be a whole number from 0 to 256, got ${String(workers)}`,
    )
  }
  const decideOptions: DecideSyncOptions = { asOf }
  if (options.policy !== undefined) decideOptions.policy = options.policy
  if (options.version !== undefined) decideOptions.version = options.version
  if (options.digest !== undefined) decideOptions.digest = options.digest
  if (options.explain === true) decideOptions.explain = true
  const maxLineChars = options.maxLineChars ?? DEFAULT_MAX_LINE_CHARS
  const audit = options.audit
  const shard = checkedShard(options.shard)
  const hashed = shard ? hashingInput(input) : undefined
  if (hashed) input = hashed.input

  const pool =
    workers > 0
      ? new WorkerPool(
          workers,
          {
            policies: set.policies,
            subjects: set.subjectKinds,
            options: decideOptions,
            maxLineChars,
            bytes: sink.bytes,
            keep: audit !== undefined,
            ...(shard ? { shard } : {}),
          },
          options.workerFile,
        )
      : undefined
  const summary: BatchSummary = { lines: 0, decided: 0, failed: 0, workers, elapsedMs: 0, interrupted: false }
  if (shard) summary.others = 0
  const emit = (text: string): void | Promise<void> => (sink.bytes ? sink.write(Buffer.from(text)) : sink.write(text))
  const signal = options.signal
  const stopped = (): boolean => {
    if (signal?.aborted === true) summary.interrupted = true
    return summary.interrupted
  }
  let bytesRead = 0
  const progress = (done: boolean): void =>
    options.onProgress?.({
      lines: summary.lines,
      failed: summary.failed,
      bytesRead,
      elapsedMs: Date.now() - started,
      done,
    })
  const timer = options.onProgress ? setInterval(() => progress(false), options.progressIntervalMs ?? 200) : undefined
  timer?.unref()

  // blocks in flight, by sequence number; written strictly in sequence
  const inFlight = new Map<number, Promise<BlockOutcome | BlockBytes>>()
  const window = Math.max(2, workers * 4)
  let next = 0
  let seq = 0
  const writeNext = async (): Promise<void> => {
    const outcome = await inFlight.get(next)!
    inFlight.delete(next++)
    // started together, so a durable log flushes the block's entries as one group; in input order
    const log = (k: KeptDecision) => recordDecision(audit!, k.decision, k.record, set.auditContext(k.decision))
    if (audit && outcome.kept) await Promise.all(outcome.kept.map(log))
    summary.lines += outcome.decided + outcome.failed
    summary.decided += outcome.decided
    summary.failed += outcome.failed
    if (summary.others !== undefined) summary.others += outcome.others ?? 0
    if (!sink.bytes) {
      // the pool was started for text (bytes: sink.bytes), so every block here is text
      await sink.write((outcome as BlockOutcome).text)
    } else if ('bytes' in outcome) {
      await sink.write(outcome.bytes)
      outcome.release?.()
    } else {
      await sink.write(Buffer.from(outcome.text, 'utf8'))
    }
  }

  try {
    if (shard) await emit(batchShardHeader(shard, set, decideOptions, maxLineChars))
    const maxLines = options.blockLines ?? (sink.bytes ? 128 : 64)
    // with workers, this thread only splits bytes at newlines; without, it decodes the lines itself
    const blocks: AsyncIterable<InputBlock> = pool
      ? byteBlocks(input, { maxLines, maxLineChars, longLine: WORKER_MAX_LINE_BYTES })
      : asLineBlocks(lineBlocks(input, { maxLines, maxLineChars }))
    // one wait for three things: the next input block, the oldest block in flight being decided (so
    // answers are written while a quiet pipe sends nothing), and an abort
    const iterator = blocks[Symbol.asyncIterator]()
    const aborted = signal ? abortedPromise(signal) : undefined
    let reading: Promise<IteratorResult<InputBlock>> | undefined
    for (;;) {
      reading ??= iterator.next()
      const head = inFlight.get(next)
      const won = await Promise.race<IteratorResult<InputBlock> | typeof ABORTED | typeof HEAD>([
        reading,
        ...(aborted ? [aborted] : []),
        ...(head ? [head.then(headDone, headDone)] : []),
      ])
      if (won === ABORTED || stopped()) {
        summary.interrupted = true
        // a read may be pending: the input is released without waiting for it
        iterator.return?.(undefined).catch(() => undefined)
        break
      }
      if (won === HEAD) {
        await writeNext()
        continue
      }
      reading = undefined
      if (won.done === true) break
      const block = won.value
      bytesRead = block.bytesRead
      const outcome =
        pool && block.kind === 'bytes'
          ? pool.run({ seq, firstLine: block.firstLine, bytes: block.bytes, lines: block.lines })
          : Promise.resolve(
              decideBlock(
                set,
                block.firstLine,
                block.kind === 'lines' ? block.lines : splitBlock(block.bytes, block.lines, maxLineChars),
                decideOptions,
                maxLineChars,
                audit !== undefined,
                shard,
              ),
            )
      outcome.catch(() => undefined) // awaited in order by writeNext; this only silences the early-rejection warning
      inFlight.set(seq++, outcome)
      while (inFlight.size >= window && !stopped()) await writeNext()
    }
    // each write is whole: an abort is seen between two blocks, never inside one
    while (inFlight.size > 0 && !stopped()) await writeNext()
    // an interrupted shard has no end line, so a merge refuses it as incomplete
    if (hashed && !stopped()) await emit(batchShardEnd(hashed.digest(), summary))
  } finally {
    if (timer) clearInterval(timer)
    await pool?.close()
  }
  summary.elapsedMs = Date.now() - started
  progress(true)
  return summary
}

const ABORTED = Symbol('aborted')
const HEAD = Symbol('head')
const headDone = (): typeof HEAD => HEAD

/** Settles when the signal aborts (at once if it has). */
function abortedPromise(signal: AbortSignal): Promise<typeof ABORTED> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve(ABORTED)
    else signal.addEventListener('abort', () => resolve(ABORTED), { once: true })
  })
}

async function* asLineBlocks(
  blocks: AsyncIterable<{ firstLine: number; lines: InputLine[]; bytesRead: number }>,
): AsyncGenerator<InputBlock> {
  for await (const b of blocks) yield { kind: 'lines', ...b }
}
