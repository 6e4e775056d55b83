/**
 * One NDJSON line in, one line out: the decision as JSON, or an error line naming the line number.
 * Shared by the main thread (workers: 0) and the worker threads, so both answer alike.
 */
import { CollabgateError, RecordValidationError, type RecordProblem } from '../errors.js'
import { DEFAULT_MAX_RECORD_BYTES } from '../read/json-text.js'
import { readRecordLine } from './strict-reader.js'
import type { DecideSyncOptions, PolicySet } from '../decide/policy-set.js'
import type { Decision } from '../model.js'
import { droppedLine, type InputLine } from '../read/lines.js'
import { inShard, shardKey, type Shard } from '../shard/shard.js'
import { subjectIdOf } from '../shard/subject.js'

/** Codes of the error lines only a batch produces; other error lines carry the library's ErrorCode. */
export type BatchLineErrorCode = 'E_LINE_BLANK' | 'E_LINE_NOT_JSON' | 'E_LINE_TOO_LONG' | 'E_INTERNAL'

/** The output line for an input line that could not be decided. */
export interface BatchErrorLine {
  /** 1-based line number in the input. */
  line: number
  error: {
    code: string
    message: string
    /** Every schema problem of a record that fails its schema; empty otherwise. */
    problems: RecordProblem[]
  }
}

/** A decided line's decision and record, in input order, for the audit log (only when the batch has one). */
export interface KeptDecision {
  decision: Decision
  record: unknown
}

export interface BlockOutcome {
  /** The output lines, each ending in '\n'. */
  text: string
  decided: number
  failed: number
  /** With a shard: the block's lines that other shards answer (they have no output line here). */
  others?: number
  /** With `keep`: every decided line's decision and record, in order. */
  kept?: KeptDecision[]
}

/** A block's output lines as UTF-8 bytes, from a worker; `release` hands the buffer back once written. */
export interface BlockBytes {
  bytes: Uint8Array
  decided: number
  failed: number
  others?: number
  release?: () => void
  kept?: KeptDecision[]
}

// JSON.stringify escapes C0 controls but leaves DEL, C1, bidi and invisible format characters raw
const RAW_IN_JSON = /[\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]/g

/**
 * An error line whose text, printed raw (a terminal tailing the output), holds no control or bidi character: the same
 * JSON value.
 */
function errorLine(line: number, code: string, message: string, problems: readonly RecordProblem[] = []): string {
  const out: BatchErrorLine = { line, error: { code, message, problems: [...problems] } }
  return JSON.stringify(out).replace(RAW_IN_JSON, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
}

function describeError(line: number, err: unknown): string {
  if (err instanceof RecordValidationError) return errorLine(line, err.code, err.message, err.problems)
  if (err instanceof CollabgateError) return errorLine(line, err.code, err.message)
  const code = (err as { code?: unknown } | null)?.code
  const message = err instanceof Error ? err.message : String(err)
  return errorLine(line, typeof code === 'string' && /^E_[A-Z_]+$/.test(code) ? code : 'E_INTERNAL', message)
}

/** Decides one line; `text` is null when the line was longer than the limit. */
export function decideLine(
  set: PolicySet,
  text: InputLine,
  line: number,
  options: DecideSyncOptions,
  maxLineChars: number,
  keep?: KeptDecision[],
): { ok: boolean; json: string } {
  return answerLine(set, text, line, options, maxLineChars, keep, undefined)!
}

/**
 * The subject id a line is sharded by, read with JSON.parse as impact reads it: cheap for the lines other shards
 * answer. Undefined (the line number then places it) when the line is no JSON within the record size cap.
 */
function shardId(set: PolicySet, text: InputLine): string | undefined {
  if (typeof text !== 'string') return undefined
  const over = text.length > DEFAULT_MAX_RECORD_BYTES / 3 && Buffer.byteLength(text, 'utf8') > DEFAULT_MAX_RECORD_BYTES
  if (over) return undefined
  try {
    return subjectIdOf(set, JSON.parse(text))
  } catch {
    return undefined
  }
}

/** decideLine, or undefined when the line is another shard's (by its subject id, else its number). */
function answerLine(
  set: PolicySet,
  text: InputLine,
  line: number,
  options: DecideSyncOptions,
  maxLineChars: number,
  keep: KeptDecision[] | undefined,
  shard: Shard | undefined,
): { ok: boolean; json: string } | undefined {
  if (shard !== undefined && !inShard(shard, shardKey(shardId(set, text), line))) return undefined
  if (text === null) {
    const { code, message } = droppedLine(text, maxLineChars)
    return { ok: false, json: errorLine(line, code, message) }
  }
  if (typeof text === 'object') {
    const { code, message } = droppedLine(text, maxLineChars)
    return { ok: false, json: errorLine(line, code, message, [{ pointer: '', message }]) }
  }
  // the record size cap of every other input; UTF-8 takes at most 3 bytes per UTF-16 code unit
  if (text.length > DEFAULT_MAX_RECORD_BYTES / 3) {
    const bytes = Buffer.byteLength(text, 'utf8')
    if (bytes > DEFAULT_MAX_RECORD_BYTES) {
      const message = `the line is ${bytes} bytes; records may be at most ${DEFAULT_MAX_RECORD_BYTES} bytes`
      return { ok: false, json: errorLine(line, 'E_RECORD_TOO_LARGE', message) }
    }
  }
  // a blank line is an error line, not skipped, so output line N always answers input line N
  if (text.trim() === '')
    return {
      ok: false,
      json: errorLine(line, 'E_LINE_BLANK', 'the line is blank; every line must hold one JSON record'),
    }
  // read strictly: a duplicate key, a lossy number or a pathological shape (30 MB of '[') is an error
  // line, and a long line is scanned before anything is built from it
  let record: unknown
  try {
    const read = readRecordLine(text)
    if ('syntax' in read)
      return { ok: false, json: errorLine(line, 'E_LINE_NOT_JSON', `the line is not JSON: ${read.syntax}`) }
    record = read.value
  } catch (err) {
    return { ok: false, json: describeError(line, err) }
  }
  try {
    const decision = set.decideSync(record, options)
    keep?.push({ decision, record })
    return { ok: true, json: JSON.stringify(decision) }
  } catch (err) {
    return { ok: false, json: describeError(line, err) }
  }
}

/**
 * Decides a block of consecutive lines; never throws. With a shard: its lines only, as `{"line":N,"result":…}`.
 * With `emit`, each output line (without its '\n') goes to it and the outcome's text stays empty.
 */
export function decideBlock(
  set: PolicySet,
  firstLine: number,
  lines: readonly InputLine[],
  options: DecideSyncOptions,
  maxLineChars: number,
  keep = false,
  shard?: Shard,
  emit?: (line: string) => void,
): BlockOutcome {
  let text = ''
  let failed = 0
  let others = 0
  const kept: KeptDecision[] | undefined = keep ? [] : undefined
  for (let i = 0; i < lines.length; i++) {
    const out = answerLine(set, lines[i]!, firstLine + i, options, maxLineChars, kept, shard)
    if (out === undefined) {
      others++
      continue
    }
    if (!out.ok) failed++
    // the result's own text is kept as it is, so a merge can restore the unsharded output byte for byte
    const json = shard === undefined ? out.json : `{"line":${firstLine + i},"result":${out.json}}`
    if (emit) emit(json)
    else text += json + '\n'
  }
  const outcome: BlockOutcome = { text, decided: lines.length - failed - others, failed }
  if (shard !== undefined) outcome.others = others
  if (kept) outcome.kept = kept
  return outcome
}
