/** Size limits for records that come from outside (HTTP bodies, batch lines, queue messages). */
import { CollabgateError, RecordValidationError } from '../errors.js'

/** Largest record accepted by default, as UTF-8 JSON bytes. Real records are a few kilobytes. */
export const DEFAULT_MAX_RECORD_BYTES = 1_048_576

function tooLarge(bytes: number | undefined, maxBytes: number): CollabgateError {
  const size = bytes === undefined ? 'too deeply nested to measure' : `${bytes} bytes`
  return new CollabgateError('E_RECORD_TOO_LARGE', `the record is ${size}; records may be at most ${maxBytes} bytes`)
}

/**
 * Throws E_RECORD_TOO_LARGE when a record's JSON form exceeds `maxBytes`, and E_RECORD_INVALID when
 * it has no JSON form (a cycle, a BigInt). `Infinity` turns the check off.
 */
export function assertRecordSize(record: unknown, maxBytes: number = DEFAULT_MAX_RECORD_BYTES): void {
  if (maxBytes === Infinity) return
  let text: string | undefined
  try {
    text = JSON.stringify(record)
  } catch (err) {
    // V8 throws RangeError when nesting exhausts the stack: that is a size problem, not a crash
    if (err instanceof RangeError) throw tooLarge(undefined, maxBytes)
    throw new RecordValidationError(undefined, [
      { pointer: '', message: `the record is not JSON data: ${err instanceof Error ? err.message : String(err)}` },
    ])
  }
  // fast path: UTF-8 never takes fewer bytes than UTF-16 code units
  if (text === undefined || text.length <= maxBytes / 3) return
  const bytes = Buffer.byteLength(text, 'utf8')
  if (bytes > maxBytes) throw tooLarge(bytes, maxBytes)
}

/**
 * Parses a record from JSON text or bytes, refusing oversized input before parsing it.
 * Throws E_RECORD_TOO_LARGE, or E_RECORD_INVALID (RecordValidationError) for text that is not JSON.
 * `__proto__` keys become ordinary own properties (JSON.parse semantics), never a prototype.
 */
export function parseRecordJson(input: string | Uint8Array, options: { maxBytes?: number } = {}): unknown {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_RECORD_BYTES
  const bytes = typeof input === 'string' ? Buffer.byteLength(input, 'utf8') : input.byteLength
  if (bytes > maxBytes) throw tooLarge(bytes, maxBytes)
  const text = typeof input === 'string' ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength).toString('utf8')
  try {
    return JSON.parse(text) as unknown
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err)
    throw new RecordValidationError(undefined, [{ pointer: '', message: `not valid JSON: ${message}` }])
  }
}
