/**
 * Splits a byte stream into blocks of NDJSON lines without ever holding more than one block and one
 * unfinished line: the input is pulled chunk by chunk (async iteration pauses the stream), so a
 * 1 GB file costs the same memory as a 1 MB one.
 */
import { open } from 'node:fs/promises'
import { StringDecoder } from 'node:string_decoder'
import { Utf8Lines } from './utf8.js'
import { ownOptions } from '../own.js'

/** A line whose bytes are not UTF-8: the offset, in the line, of its first bad byte (its text is dropped). */
export interface NotUtf8Line {
  notUtf8: number
}

/** A line of input: its text, null when it is longer than the limit, or where its bytes stop being UTF-8. */
export type InputLine = string | null | NotUtf8Line

/** Consecutive lines of the input; `null` stands for a line longer than the limit (its text is dropped). */
export interface LineBlock {
  /** 1-based number of the block's first line. */
  firstLine: number
  lines: InputLine[]
  /** Bytes of input consumed so far, for progress and ETA. */
  bytesRead: number
}

export interface LineBlockOptions {
  /** Most lines per block. */
  maxLines?: number
  /** Longest line kept, in characters; a longer line becomes `null` so it still counts as one line. */
  maxLineChars?: number
}

export const DEFAULT_MAX_LINE_CHARS = 32 * 1024 * 1024

/**
 * Blocks of lines, in order. Lines end at '\n' (a trailing '\r' is dropped); a final line without
 * '\n' still counts; a UTF-8 byte order mark at the start is ignored. A line of bytes that are not
 * UTF-8 is a NotUtf8Line, unless it is over the limit (string chunks are text, and not checked).
 */
export async function* lineBlocks(
  input: AsyncIterable<Buffer | string>,
  given: LineBlockOptions = {},
): AsyncGenerator<LineBlock> {
  const options = ownOptions(given)
  const maxLines = options.maxLines ?? 256
  const maxLineChars = options.maxLineChars ?? DEFAULT_MAX_LINE_CHARS
  const decoder = new StringDecoder('utf8')
  const utf8 = new Utf8Lines()
  let faults: (number | undefined)[] | undefined // of the lines the current chunk ends, by newline
  let ended: number // lines the current chunk has ended so far
  let bom = false // a byte order mark was dropped: line 1's byte offsets start after it
  let partial = ''
  let skipping = false // the current line passed the limit: drop its text up to the next newline
  let lines: InputLine[] = []
  let firstLine = 1
  let bytesRead = 0
  let atStart = true

  const finish = (line: string, fault: number | undefined): void => {
    if (skipping || line.length > maxLineChars) lines.push(null)
    else if (fault !== undefined) lines.push({ notUtf8: bom && firstLine + lines.length === 1 ? fault - 3 : fault })
    else lines.push(line.endsWith('\r') ? line.slice(0, -1) : line)
    skipping = false
  }
  const take = (): LineBlock => {
    const block = { firstLine, lines, bytesRead }
    firstLine += lines.length
    lines = []
    return block
  }

  for await (const chunk of input) {
    bytesRead += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length
    let text = typeof chunk === 'string' ? chunk : decoder.write(chunk)
    faults = typeof chunk === 'string' ? undefined : utf8.chunk(chunk)
    ended = 0
    if (atStart && text.length > 0) {
      if (text.charCodeAt(0) === 0xfeff) {
        text = text.slice(1)
        bom = typeof chunk !== 'string'
      }
      atStart = false
    }
    let start = 0
    for (;;) {
      const nl = text.indexOf('\n', start)
      if (nl === -1) {
        if (!skipping) {
          if (partial.length + (text.length - start) > maxLineChars) {
            skipping = true
            partial = ''
          } else partial += text.slice(start)
        }
        break
      }
      finish(skipping ? '' : partial + text.slice(start, nl), faults?.[ended++])
      partial = ''
      start = nl + 1
      if (lines.length >= maxLines) yield take()
    }
    if (lines.length > 0) yield take() // keeps latency low for interactive stdin
  }
  const rest = decoder.end()
  if (rest && !skipping) partial += rest
  const lastFault = utf8.end()
  if (partial.length > 0 || skipping) finish(partial, lastFault)
  if (lines.length > 0) yield take()
}

/**
 * A file's bytes, chunk by chunk, all read into one reused buffer: the consumers here (lineBlocks,
 * byteBlocks) never keep a chunk, so reading a 1 GB file leaves no garbage buffers behind. A read
 * stream allocates a new 64 KiB buffer per chunk; in a thread that allocates little else, tens of
 * megabytes of them could wait for a garbage collection.
 */
export async function* fileChunks(file: string, chunkBytes = 64 * 1024): AsyncGenerator<Buffer> {
  const handle = await open(file, 'r')
  try {
    const buffer = Buffer.allocUnsafeSlow(chunkBytes)
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, chunkBytes, null)
      if (bytesRead === 0) return
      yield buffer.subarray(0, bytesRead)
    }
  } finally {
    await handle.close()
  }
}

/** The lines of lineBlocks one at a time, for readers that take a line at a time (impact, backtest, labels). */
export async function* inputLines(
  input: AsyncIterable<Buffer | string>,
  options: LineBlockOptions = {},
): AsyncGenerator<InputLine> {
  for await (const block of lineBlocks(input, options)) yield* block.lines
}

/** Why a dropped line (over the limit, or not UTF-8) was not read, in the words of the batch's error lines. */
export function droppedLine(
  line: Exclude<InputLine, string>,
  maxLineChars = DEFAULT_MAX_LINE_CHARS,
): { code: 'E_LINE_TOO_LONG' | 'E_RECORD_NOT_UTF8'; message: string } {
  if (line === null) return { code: 'E_LINE_TOO_LONG', message: `the line is longer than ${maxLineChars} characters` }
  const message = `the line is not valid UTF-8: its byte ${line.notUtf8} (counted from 0) begins no UTF-8 character`
  return { code: 'E_RECORD_NOT_UTF8', message }
}
