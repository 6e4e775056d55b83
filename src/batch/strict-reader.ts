/**
 * The batch's strict reader: one pass over a line that builds the record and checks it as it goes (a duplicate key,
 * a lossy number, the depth and value limits), where readRecordText parses with JSON.parse and then walks the text
 * and the value again. It only ever accepts: at the first doubt (any fault, any syntax error, an escape it does
 * not know, a long text) it hands the line to readRecordText, whose error (code, message, pointer) the caller
 * gets unchanged. test/batch/strict-reader.test.ts checks the two agree on values and errors over random text.
 */
import {
  DEFAULT_MAX_RECORD_DEPTH,
  DEFAULT_MAX_RECORD_VALUES,
  isExactNumber,
  readRecordText,
} from '../load/json-text.js'

/** Texts longer than this go to readRecordText, which scans them before anything is built (as it does). */
const FAST_MAX_CHARS = 65_536

/** Thrown inside the fast pass to give up; never leaves this module. */
const GIVE_UP = Symbol('give up')

/**
 * readRecordText(text) with the default limits, faster for the common valid record: the same value (own keys in
 * the same order, `__proto__` an own property as JSON.parse makes it), the same `{ syntax }`, the same errors.
 */
export function readRecordLine(text: string): { value: unknown } | { syntax: string } {
  if (text.length <= FAST_MAX_CHARS) {
    const value = fastRead(text)
    if (value !== GIVE_UP) return { value }
  }
  return readRecordText(text)
}

function fastRead(text: string): unknown {
  const n = text.length
  let i = 0
  let values = 0

  const space = (): void => {
    let c = text.charCodeAt(i)
    while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = text.charCodeAt(++i)
  }

  const string = (): string => {
    const start = ++i // after the opening quote
    for (;;) {
      const c = text.charCodeAt(i)
      if (c === 0x22) return text.slice(start, i++)
      if (c === 0x5c) return escaped(start)
      if (c < 0x20 || i >= n) throw GIVE_UP // a raw control character, or the end (where c is NaN)
      i++
    }
  }
  /** A string with an escape: its end found by skipping escaped characters, its text decoded by JSON.parse. */
  const escaped = (start: number): string => {
    for (;;) {
      const c = text.charCodeAt(i)
      if (c === 0x5c) i += 2
      else if (c === 0x22) break
      else if (c < 0x20 || i >= n) throw GIVE_UP
      else i++
    }
    i++
    try {
      return JSON.parse(text.slice(start - 1, i)) as string
    } catch {
      throw GIVE_UP
    }
  }

  const number = (): number => {
    const start = i
    let c = text.charCodeAt(i)
    const negative = c === 0x2d
    if (negative) c = text.charCodeAt(++i)
    if (c === 0x30) {
      c = text.charCodeAt(++i)
      if (c >= 0x30 && c <= 0x39) throw GIVE_UP // a leading zero
    } else if (c >= 0x31 && c <= 0x39) {
      let v = 0
      let digits = 0
      while (c >= 0x30 && c <= 0x39) {
        v = v * 10 + (c - 0x30)
        digits++
        c = text.charCodeAt(++i)
      }
      // a whole number of at most 15 digits is exact, and so is its value built digit by digit
      if (digits <= 15 && c !== 0x2e && c !== 0x65 && c !== 0x45) return negative ? -v : v
    } else throw GIVE_UP
    if (c === 0x2e) {
      const f = ++i
      c = text.charCodeAt(i)
      while (c >= 0x30 && c <= 0x39) c = text.charCodeAt(++i)
      if (i === f) throw GIVE_UP
    }
    if (c === 0x65 || c === 0x45) {
      c = text.charCodeAt(++i)
      if (c === 0x2b || c === 0x2d) c = text.charCodeAt(++i)
      const e = i
      while (c >= 0x30 && c <= 0x39) c = text.charCodeAt(++i)
      if (i === e) throw GIVE_UP
    }
    const written = text.slice(start, i)
    if (!isExactNumber(written)) throw GIVE_UP
    return Number(written)
  }

  const value = (depth: number): unknown => {
    if (++values > DEFAULT_MAX_RECORD_VALUES) throw GIVE_UP
    const c = text.charCodeAt(i)
    if (c === 0x22) return string()
    if (c === 0x7b) return object(depth)
    if (c === 0x5b) return array(depth)
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return number()
    if (c === 0x74 && text.startsWith('true', i)) return ((i += 4), true)
    if (c === 0x66 && text.startsWith('false', i)) return ((i += 5), false)
    if (c === 0x6e && text.startsWith('null', i)) return ((i += 4), null)
    throw GIVE_UP
  }

  const object = (depth: number): Record<string, unknown> => {
    if (depth >= DEFAULT_MAX_RECORD_DEPTH) throw GIVE_UP
    i++
    const out: Record<string, unknown> = {}
    space()
    if (text.charCodeAt(i) === 0x7d) return (i++, out)
    for (;;) {
      if (text.charCodeAt(i) !== 0x22) throw GIVE_UP
      const key = string()
      space()
      if (text.charCodeAt(i++) !== 0x3a) throw GIVE_UP
      space()
      const v = value(depth + 1)
      if (Object.hasOwn(out, key)) throw GIVE_UP // a duplicate key
      // JSON.parse makes `__proto__` an own property; an assignment would set the prototype instead
      if (key === '__proto__')
        Object.defineProperty(out, key, { value: v, writable: true, enumerable: true, configurable: true })
      else out[key] = v
      space()
      const c = text.charCodeAt(i++)
      if (c === 0x7d) return out
      if (c !== 0x2c) throw GIVE_UP
      space()
    }
  }

  const array = (depth: number): unknown[] => {
    if (depth >= DEFAULT_MAX_RECORD_DEPTH) throw GIVE_UP
    i++
    const out: unknown[] = []
    space()
    if (text.charCodeAt(i) === 0x5d) return (i++, out)
    for (;;) {
      out.push(value(depth + 1))
      space()
      const c = text.charCodeAt(i++)
      if (c === 0x5d) return out
      if (c !== 0x2c) throw GIVE_UP
      space()
    }
  }

  try {
    space()
    const v = value(0)
    space()
    return i === n ? v : GIVE_UP
  } catch (err) {
    if (err === GIVE_UP) return GIVE_UP
    throw err
  }
}
