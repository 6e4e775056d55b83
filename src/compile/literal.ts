/**
 * The one door through which a value from a policy (or anything else outside collabgate) enters generated
 * code: as a JSON literal. A string becomes a JSON string literal (quotes, backslashes, control characters,
 * U+2028 and U+2029 escaped), so it can end no string and start no code; a list is a list of such literals, and
 * an object is parsed from a JSON string at run time (an object literal would make a `__proto__` key a prototype).
 */
import { CollabgateError } from '../errors.js'

/** `value` as JavaScript source text that evaluates to an equal value and can do nothing else. */
export function literal(value: unknown): string {
  return literalAt(value, 0)
}

function literalAt(value: unknown, depth: number): string {
  if (value === undefined) return 'undefined'
  if (value === null || typeof value === 'boolean') return String(value)
  if (typeof value === 'number') {
    // JSON has no NaN or Infinity, and writes -0 as 0: neither may change a value on its way into code
    if (!Number.isFinite(value)) throw notData(value)
    return Object.is(value, -0) ? '-0' : JSON.stringify(value)
  }
  if (typeof value === 'string') return jsonString(value)
  // the depth bound: a cycle is no data (and no policy nests 64 lists deep)
  if (Array.isArray(value) && depth < 64) return `[${value.map((v) => literalAt(v, depth + 1)).join(', ')}]`
  if (typeof value === 'object' && isJsonData(value, 0)) return `JSON.parse(${jsonString(JSON.stringify(value))})`
  throw notData(value)
}

// JSON.stringify escapes quotes, backslashes and control characters; U+2028/9 are escaped too, for older readers
const jsonString = (s: string): string =>
  JSON.stringify(s).replace(/[\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`)

/** Plain JSON data that JSON text writes back as itself (no -0), the depth bounded (a cycle is not data). */
function isJsonData(value: unknown, depth: number): boolean {
  if (depth > 64) return false
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true
  if (typeof value === 'number') return Number.isFinite(value) && !Object.is(value, -0)
  if (typeof value !== 'object') return false
  if (Array.isArray(value)) return value.every((v) => isJsonData(v, depth + 1))
  const proto = Object.getPrototypeOf(value) as unknown
  if (proto !== Object.prototype && proto !== null) return false
  return Object.values(value).every((v) => isJsonData(v, depth + 1))
}

function notData(value: unknown): CollabgateError {
  const what = typeof value === 'number' ? String(value) : typeof value
  return new CollabgateError('E_INVALID_ARGUMENT', `a generated evaluator holds JSON data only, not ${what}`)
}
