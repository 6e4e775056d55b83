/**
 * Strict UTF-8: bytes that are not well-formed UTF-8 are refused, never read as U+FFFD (a lenient
 * decoder turns different bytes into the same text, so a record or policy would not be read as written).
 */
import { isUtf8 } from 'node:buffer'
import { RecordValidationError } from '../errors.js'

/**
 * Where the well-formed UTF-8 (RFC 3629) of `b` ends: the offset of the first byte that does not begin
 * or continue a well-formed sequence (`b.length` when every byte does), and whether what is there is
 * the start of a sequence cut off by the end of `b` (which more bytes could complete).
 */
export function wellFormedUpTo(b: Uint8Array, from = 0): { end: number; cutOff: boolean } {
  let i = from
  while (i < b.length) {
    const c = b[i]!
    if (c < 0x80) {
      i++
      continue
    }
    let n: number
    let lo = 0x80
    let hi = 0xbf
    if (c >= 0xc2 && c <= 0xdf) n = 1
    else if (c >= 0xe0 && c <= 0xef) {
      n = 2
      if (c === 0xe0) lo = 0xa0
      if (c === 0xed) hi = 0x9f
    } else if (c >= 0xf0 && c <= 0xf4) {
      n = 3
      if (c === 0xf0) lo = 0x90
      if (c === 0xf4) hi = 0x8f
    } else return { end: i, cutOff: false }
    for (let k = 1; k <= n; k++) {
      const x = b[i + k]
      if (x === undefined) return { end: i, cutOff: true }
      if (x < (k === 1 ? lo : 0x80) || x > (k === 1 ? hi : 0xbf)) return { end: i, cutOff: false }
    }
    i += n + 1
  }
  return { end: b.length, cutOff: false }
}

/** Offset of the first byte that is not well-formed UTF-8 (a sequence cut off by the end is not), or `b.length`. */
export const firstInvalidUtf8 = (b: Uint8Array, from = 0): number => wellFormedUpTo(b, from).end

/** Offset of the first byte that is not well-formed UTF-8, or undefined: one native pass when all is well. */
export function utf8Fault(bytes: Uint8Array): number | undefined {
  if (isUtf8(bytes)) return undefined
  return firstInvalidUtf8(bytes)
}

/** The sentence naming a fault: its byte offset, line (1-based) and the bytes there. */
export function describeUtf8Fault(bytes: Uint8Array, at: number): string {
  let line = 1
  for (let i = bytes.indexOf(0x0a); i !== -1 && i < at; i = bytes.indexOf(0x0a, i + 1)) line++
  const hex = Buffer.from(bytes.subarray(at, at + 4)).toString('hex')
  return `the text is not valid UTF-8: byte ${at} (line ${line}) begins ${hex}, which is no UTF-8 character`
}

/** A record's JSON bytes as text, strictly: throws RecordValidationError E_RECORD_NOT_UTF8 naming the bad byte. */
export function recordTextOf(bytes: Uint8Array): string {
  const fault = utf8Fault(bytes)
  if (fault !== undefined)
    throw new RecordValidationError(
      undefined,
      [{ pointer: '', message: describeUtf8Fault(bytes, fault) }],
      'E_RECORD_NOT_UTF8',
    )
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8')
}

/**
 * UTF-8 checked line by line across the chunks of a stream (a character may be split between two):
 * each line's first bad byte, as an offset in the line. Chunks that are well-formed as a whole take
 * one native pass; only a chunk with a bad or split character is looked at byte by byte.
 */
export class Utf8Lines {
  /** The start of a character cut off at the end of the last piece (at most 3 bytes). */
  private pending: Buffer | undefined
  /** Bytes of the current line before `pending`. */
  private offset = 0
  private fault: number | undefined

  /**
   * Checks a chunk that may hold newlines: the faults of the lines it ends, one per newline in order
   * (undefined for a good line), or undefined when all of them are good.
   */
  chunk(buf: Uint8Array): (number | undefined)[] | undefined {
    if (this.pending === undefined && isUtf8(buf)) {
      const last = buf.lastIndexOf(0x0a)
      if (last === -1) {
        this.offset += buf.length
        return undefined
      }
      const first = this.fault
      this.fault = undefined
      this.offset = buf.length - last - 1
      return first === undefined ? undefined : [first]
    }
    const faults: (number | undefined)[] = []
    let any = false
    for (let start = 0; ;) {
      const nl = buf.indexOf(0x0a, start)
      this.piece(buf.subarray(start, nl === -1 ? buf.length : nl))
      if (nl === -1) break
      const fault = this.end()
      faults.push(fault)
      any ||= fault !== undefined
      start = nl + 1
    }
    return any ? faults : undefined
  }

  /** Checks more bytes of the current line (no newline among them). */
  piece(bytes: Uint8Array): void {
    if (this.fault !== undefined) return
    const b = this.pending ? Buffer.concat([this.pending, bytes]) : bytes
    const { end, cutOff } = wellFormedUpTo(b)
    if (end < b.length && !cutOff) this.fault = this.offset + end
    else {
      this.pending = end < b.length ? Buffer.from(b.subarray(end)) : undefined
      this.offset += end
    }
  }

  /** Ends the current line: its fault (a character cut off by the line's end is one), then starts the next. */
  end(): number | undefined {
    const fault = this.fault ?? (this.pending ? this.offset : undefined)
    this.pending = undefined
    this.offset = 0
    this.fault = undefined
    return fault
  }
}
