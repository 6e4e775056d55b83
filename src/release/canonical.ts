/**
 * RFC 8785, the JSON Canonicalization Scheme (JCS): the one byte sequence of a JSON value that is hashed
 * or signed. Object members sorted by their names as UTF-16 code units, no whitespace, strings and
 * numbers as ECMAScript's JSON.stringify writes them (RFC 8785 §3.2.2 defines them by it). A value
 * JSON cannot hold (NaN, Infinity, undefined, a lone surrogate, a Map, a Date, ...) is refused, never
 * written as something else: two different values must never give one byte sequence.
 */
import { CollabgateError } from '../errors.js'
import { escapePointerToken } from '../language/paths.js'

/** Deepest nesting accepted: a signed statement nests two levels; the bound keeps recursion off the stack's edge. */
export const MAX_CANONICAL_DEPTH = 64

/** A lone surrogate: RFC 8785 §3.2.2.2 says it MUST make canonicalization fail. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

const refuse = (pointer: string, what: string): CollabgateError =>
  new CollabgateError('E_INVALID_ARGUMENT', `JCS (RFC 8785) cannot write ${what} at ${pointer || '/'}`)

function write(value: unknown, pointer: string, depth: number): string {
  if (value === null) return 'null'
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false'
    case 'number':
      if (!Number.isFinite(value)) throw refuse(pointer, String(value))
      // ECMAScript Number::toString is the serialisation RFC 8785 §3.2.2.3 prescribes (-0 gives "0")
      return String(value)
    case 'string':
      if (LONE_SURROGATE.test(value)) throw refuse(pointer, 'a string with a lone surrogate')
      return JSON.stringify(value)
    case 'object':
      break
    default:
      throw refuse(pointer, typeof value === 'undefined' ? 'undefined' : `a ${typeof value}`)
  }
  if (depth >= MAX_CANONICAL_DEPTH) throw refuse(pointer, `nesting deeper than ${MAX_CANONICAL_DEPTH} levels`)
  if (Array.isArray(value)) return `[${value.map((v, i) => write(v, `${pointer}/${i}`, depth + 1)).join(',')}]`
  const proto = Object.getPrototypeOf(value) as unknown
  if (proto !== Object.prototype && proto !== null)
    throw refuse(pointer, 'an object that is not plain JSON (a Date, a Map, ...)')
  const record = value as Record<string, unknown>
  // Array.prototype.sort compares strings by UTF-16 code units, the order RFC 8785 §3.2.3 requires
  const keys = Object.keys(record).sort()
  const members = keys.map((k) => {
    if (LONE_SURROGATE.test(k)) throw refuse(pointer, 'a key with a lone surrogate')
    return `${JSON.stringify(k)}:${write(record[k], `${pointer}/${escapePointerToken(k)}`, depth + 1)}`
  })
  return `{${members.join(',')}}`
}

/**
 * The RFC 8785 canonical text of a JSON value. Throws CollabgateError('E_INVALID_ARGUMENT') naming the
 * place (a JSON pointer) of anything JSON cannot hold.
 */
export function canonicalize(value: unknown): string {
  return write(value, '', 0)
}

/** The canonical text's UTF-8 bytes: what is hashed and signed. */
export function canonicalBytes(value: unknown): Buffer {
  return Buffer.from(canonicalize(value), 'utf8')
}
