/** Size limits for records that come from outside (HTTP bodies, batch lines, queue messages). */
import { CollabgateError, RecordValidationError } from '../errors.js'
import { DEFAULT_MAX_RECORD_BYTES, parseRecordText, type JsonTextLimits } from './json-text.js'
import { recordTextOf } from './utf8.js'
import { ownOptions } from '../own.js'

export { DEFAULT_MAX_RECORD_BYTES }

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

/** Limits for `parseRecordJson`. */
export interface ParseRecordJsonOptions extends JsonTextLimits {
  /** Largest input, in UTF-8 bytes (default 1 MiB). */
  maxBytes?: number
}

/**
 * Parses a record from JSON text or bytes, refusing oversized input before parsing it, and text that
 * would not be read as written. Throws:
 * - E_RECORD_TOO_LARGE over `maxBytes`, `maxDepth` (64) or `maxValues` (100,000);
 * - E_RECORD_DUPLICATE_KEY / E_RECORD_LOSSY_NUMBER (RecordValidationError, the problem's pointer names
 *   the place) for a key twice in one object, or a number a double cannot hold exactly;
 * - E_RECORD_NOT_UTF8 (RecordValidationError) for bytes that are not valid UTF-8;
 * - E_RECORD_INVALID (RecordValidationError) for text that is not JSON.
 * `__proto__` keys become ordinary own properties (JSON.parse semantics), never a prototype.
 */
export function parseRecordJson(input: string | Uint8Array, options: ParseRecordJsonOptions = {}): unknown {
  const { maxBytes = DEFAULT_MAX_RECORD_BYTES, ...limits } = ownOptions(options)
  const bytes = typeof input === 'string' ? Buffer.byteLength(input, 'utf8') : input.byteLength
  if (bytes > maxBytes) throw tooLarge(bytes, maxBytes)
  const text = typeof input === 'string' ? input : recordTextOf(input)
  return parseRecordText(text, limits)
}
