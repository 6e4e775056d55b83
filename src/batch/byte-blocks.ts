/**
 * Splits an NDJSON byte stream into blocks of whole lines for the worker threads without decoding
 * them: this thread only looks for newline bytes and copies, so it never holds input lines as
 * strings (its heap stays small) and the decoding is spread over the workers. A worker turns a block
 * back into lines with splitBlock; together they give exactly the lines lineBlocks gives
 * (test/batch/byte-blocks.test.ts checks this on random bytes, chunkings and limits).
 *
 * A line longer than `longLine` bytes is decoded here instead, as it arrives (past maxLineChars
 * characters its text is dropped, as lineBlocks does), and handed over as a `lines` block, which
 * the caller decides in this thread: a worker's heap is capped, this thread's is not.
 */
import { StringDecoder } from 'node:string_decoder'
import { firstInvalidUtf8, Utf8Lines, utf8Fault } from '../read/utf8.js'
import { DEFAULT_MAX_LINE_CHARS, type InputLine } from '../read/lines.js'
import { ownOptions } from '../own.js'

const NEWLINE = 0x0a

export type InputBlock =
  /**
   * `lines` whole lines starting at line `firstLine`, as UTF-8, each ending in '\n' but perhaps the input's last;
   * `bytes` owns its whole ArrayBuffer, so it can be transferred.
   */
  | { kind: 'bytes'; firstLine: number; bytes: Uint8Array; lines: number; bytesRead: number }
  /** Lines decoded here (long ones); null stands for a line longer than maxLineChars. */
  | { kind: 'lines'; firstLine: number; lines: InputLine[]; bytesRead: number }

export interface ByteBlockOptions {
  /** Most lines per bytes block (default 64). */
  maxLines?: number
  /** Longest line kept, in characters, as lineBlocks (default 32 Mi). */
  maxLineChars?: number
  /** Lines longer than this many bytes are decoded here and returned as `lines` blocks. */
  longLine: number
}

/**
 * The lines of a bytes block, as lineBlocks would give them: '\r' before '\n' dropped, over-long lines
 * null, a line of bytes that are not UTF-8 a NotUtf8Line. The bytes are checked in one native pass;
 * only a block that fails it is looked at line by line.
 */
export function splitBlock(
  bytes: Uint8Array,
  lines: number,
  maxLineChars: number = DEFAULT_MAX_LINE_CHARS,
): InputLine[] {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const parts = buf.toString('utf8').split('\n')
  const out = new Array<InputLine>(lines)
  for (let i = 0; i < lines; i++) {
    const line = parts[i] ?? ''
    out[i] = line.length > maxLineChars ? null : line.endsWith('\r') ? line.slice(0, -1) : line
  }
  if (utf8Fault(buf) === undefined) return out
  // a bad byte never swallows a newline, so line i of the text is line i of the bytes
  for (let i = 0, start = 0; i < lines; i++) {
    const nl = buf.indexOf(0x0a, start)
    const end = nl === -1 ? buf.length : nl
    const fault = firstInvalidUtf8(buf.subarray(start, end))
    if (fault < end - start && out[i] !== null) out[i] = { notUtf8: fault }
    start = end + 1
  }
  return out
}

const BOM = [0xef, 0xbb, 0xbf]

/**
 * Blocks in input order. Chunks may be reused by the input once the next one is asked for: nothing
 * here keeps a reference to one. A UTF-8 byte order mark at the start is dropped. String chunks are
 * encoded as UTF-8 first, so a lone surrogate in one becomes U+FFFD (lineBlocks would keep it).
 */
export async function* byteBlocks(
  input: AsyncIterable<Buffer | string>,
  given: ByteBlockOptions,
): AsyncGenerator<InputBlock> {
  const options = ownOptions(given) as ByteBlockOptions
  const maxLines = options.maxLines ?? 64
  const maxLineChars = options.maxLineChars ?? DEFAULT_MAX_LINE_CHARS
  const { longLine } = options
  let line = 1 // number of the next line to hand out
  let bytesRead = 0
  // the unfinished line: copied bytes, or (once longer than longLine) decoded text
  let carry: Buffer[] = []
  let carried = 0
  let long: { decoder: StringDecoder; utf8: Utf8Lines; text: string; skipping: boolean } | undefined
  // the first bytes, held until it is known whether they start with a byte order mark
  let head: Buffer | undefined = Buffer.alloc(0)

  const bytesBlock = (buf: Buffer, from: number, to: number, lines: number): InputBlock => {
    const bytes = Buffer.allocUnsafeSlow(carried + to - from)
    let at = 0
    for (const c of carry) at += c.copy(bytes, at)
    buf.copy(bytes, at, from, to)
    const block: InputBlock = { kind: 'bytes', firstLine: line, bytes, lines, bytesRead }
    line += lines
    carry = []
    carried = 0
    return block
  }
  const feedLong = (bytes: Buffer) => {
    if (!long || long.skipping) return
    long.utf8.piece(bytes)
    long.text += long.decoder.write(bytes)
    if (long.text.length > maxLineChars) {
      long.skipping = true
      long.text = ''
    }
  }
  const endLong = (): InputBlock => {
    const l = long!
    if (!l.skipping) l.text += l.decoder.end()
    const fault = l.utf8.end()
    const text: InputLine =
      l.skipping || l.text.length > maxLineChars
        ? null
        : fault !== undefined
          ? { notUtf8: fault }
          : l.text.endsWith('\r')
            ? l.text.slice(0, -1)
            : l.text
    long = undefined
    const block: InputBlock = { kind: 'lines', firstLine: line, lines: [text], bytesRead }
    line += 1
    return block
  }

  function* take(buf: Buffer): Generator<InputBlock> {
    let p = 0
    while (p < buf.length) {
      if (long) {
        const nl = buf.indexOf(NEWLINE, p)
        feedLong(buf.subarray(p, nl === -1 ? buf.length : nl))
        if (nl === -1) return
        yield endLong()
        p = nl + 1
        continue
      }
      // whole lines from p, the first continuing the carried bytes
      const from = p
      let count = 0
      for (;;) {
        const nl = buf.indexOf(NEWLINE, p)
        const end = nl === -1 ? buf.length : nl
        if ((count === 0 ? carried : 0) + end - p > longLine) {
          // this line goes to the long path: first the whole lines before it
          if (count > 0) yield bytesBlock(buf, from, p, count)
          long = { decoder: new StringDecoder('utf8'), utf8: new Utf8Lines(), text: '', skipping: false }
          for (const c of carry) feedLong(c)
          carry = []
          carried = 0
          break
        }
        if (nl === -1) {
          if (count > 0) yield bytesBlock(buf, from, p, count)
          if (p < buf.length) {
            carry.push(Buffer.from(buf.subarray(p))) // a copy: the input may reuse its chunk
            carried += buf.length - p
          }
          return
        }
        count++
        p = nl + 1
        if (count === maxLines || p === buf.length) {
          yield bytesBlock(buf, from, p, count)
          break
        }
      }
    }
  }

  for await (const chunk of input) {
    let buf = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk
    bytesRead += buf.length
    if (head !== undefined) {
      head = Buffer.concat([head, buf])
      if (head.length < BOM.length) continue
      buf = BOM.every((b, i) => head![i] === b) ? head.subarray(BOM.length) : head
      head = undefined
    }
    yield* take(buf)
  }
  if (head !== undefined && head.length > 0) yield* take(head)
  if (long) yield endLong()
  else if (carried > 0) yield bytesBlock(Buffer.alloc(0), 0, 0, 1)
}
