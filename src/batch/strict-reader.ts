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
} from '../read/json-text.js'

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

// where the last readNumber, readString or readEscaped stopped (one number is read at a time)
let end = 0

/** A string's end (its closing quote) when it holds no escape, else -1 (an escape, a control character, no end). */
function plainEnd(text: string, i: number): number {
  for (;;) {
    const c = text.charCodeAt(i)
    if (c === 0x22) return i
    if (c === 0x5c || !(c >= 0x20)) return -1 // a backslash, a raw control character, or the end (NaN)
    i++
  }
}

/** A string with an escape, from its opening quote, decoded by JSON.parse; its end in `end`. */
function readEscaped(text: string, quote: number): string | typeof GIVE_UP {
  let i = quote + 1
  for (;;) {
    const c = text.charCodeAt(i)
    if (c === 0x5c) i += 2
    else if (c === 0x22) break
    else if (!(c >= 0x20)) return GIVE_UP
    else i++
  }
  end = i + 1
  try {
    return JSON.parse(text.slice(quote, end)) as string
  } catch {
    return GIVE_UP
  }
}

/** A string from its opening quote (plain, or with escapes decoded by JSON.parse); its end in `end`. */
function readString(text: string, quote: number): string | typeof GIVE_UP {
  const e = plainEnd(text, quote + 1)
  if (e < 0) return readEscaped(text, quote)
  end = e + 1
  return text.slice(quote + 1, e)
}

/** A number from its first character, when it is JSON and exact; its end in `end`. */
function readNumber(text: string, i: number): number | typeof GIVE_UP {
  const start = i
  let c = text.charCodeAt(i)
  const negative = c === 0x2d
  if (negative) c = text.charCodeAt(++i)
  if (c === 0x30) {
    c = text.charCodeAt(++i)
    if (c >= 0x30 && c <= 0x39) return GIVE_UP // a leading zero
  } else if (c >= 0x31 && c <= 0x39) {
    let v = 0
    let digits = 0
    while (c >= 0x30 && c <= 0x39) {
      v = v * 10 + (c - 0x30)
      digits++
      c = text.charCodeAt(++i)
    }
    // a whole number of at most 15 digits is exact, and so is its value built digit by digit
    if (digits <= 15 && c !== 0x2e && c !== 0x65 && c !== 0x45) {
      end = i
      return negative ? -v : v
    }
  } else return GIVE_UP
  if (c === 0x2e) {
    const f = ++i
    c = text.charCodeAt(i)
    while (c >= 0x30 && c <= 0x39) c = text.charCodeAt(++i)
    if (i === f) return GIVE_UP
  }
  if (c === 0x65 || c === 0x45) {
    c = text.charCodeAt(++i)
    if (c === 0x2b || c === 0x2d) c = text.charCodeAt(++i)
    const e = i
    while (c >= 0x30 && c <= 0x39) c = text.charCodeAt(++i)
    if (i === e) return GIVE_UP
  }
  const written = text.slice(start, i)
  if (!isExactNumber(written)) return GIVE_UP
  end = i
  return Number(written)
}

/** `"key" :` from i (space first); the position after the colon in `end`. */
function readKey(text: string, i: number): string | typeof GIVE_UP {
  let c: number
  while ((c = text.charCodeAt(i)) === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++
  if (c !== 0x22) return GIVE_UP
  const key = readString(text, i)
  if (key === GIVE_UP) return GIVE_UP
  i = end
  while ((c = text.charCodeAt(i)) === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++
  if (c !== 0x3a) return GIVE_UP
  end = i + 1
  return key
}

/**
 * The value of the text, or GIVE_UP. One loop with its own stack of open arrays and objects (the position stays in
 * a local variable, which closures sharing it would keep in memory), at most DEFAULT_MAX_RECORD_DEPTH deep.
 */
function fastRead(text: string): unknown {
  const n = text.length
  const open: (Record<string, unknown> | unknown[])[] = []
  const isArray: boolean[] = []
  const keys: string[] = []
  let values = 0
  let i = 0
  let c: number
  for (;;) {
    // a value starts here
    while ((c = text.charCodeAt(i)) === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++
    if (++values > DEFAULT_MAX_RECORD_VALUES) return GIVE_UP
    let v: unknown
    if (c === 0x22) {
      v = readString(text, i)
      if (v === GIVE_UP) return GIVE_UP
      i = end
    } else if (c === 0x7b || c === 0x5b) {
      if (open.length >= DEFAULT_MAX_RECORD_DEPTH) return GIVE_UP
      const array = c === 0x5b
      i++
      while ((c = text.charCodeAt(i)) === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++
      if (c === (array ? 0x5d : 0x7d)) {
        i++
        v = array ? [] : {}
      } else {
        open.push(array ? [] : {})
        isArray.push(array)
        if (array) keys.push('')
        else {
          const key = readKey(text, i)
          if (key === GIVE_UP) return GIVE_UP
          keys.push(key)
          i = end
        }
        continue
      }
    } else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      v = readNumber(text, i)
      if (v === GIVE_UP) return GIVE_UP
      i = end
    } else if (c === 0x74 && text.startsWith('true', i)) {
      v = true
      i += 4
    } else if (c === 0x66 && text.startsWith('false', i)) {
      v = false
      i += 5
    } else if (c === 0x6e && text.startsWith('null', i)) {
      v = null
      i += 4
    } else return GIVE_UP
    // the value is whole: into the array or object it is in, then past the commas and closing brackets after it
    for (;;) {
      const depth = open.length - 1
      while ((c = text.charCodeAt(i)) === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++
      if (depth < 0) return i === n ? v : GIVE_UP
      const into = open[depth]!
      if (isArray[depth]) {
        ;(into as unknown[]).push(v)
        i++
        if (c === 0x2c) break
        if (c !== 0x5d) return GIVE_UP
      } else {
        const key = keys[depth]!
        const object = into as Record<string, unknown>
        if (Object.hasOwn(object, key)) return GIVE_UP // a duplicate key
        // JSON.parse makes `__proto__` an own property; an assignment would set the prototype instead
        if (key === '__proto__')
          Object.defineProperty(object, key, { value: v, writable: true, enumerable: true, configurable: true })
        else object[key] = v
        i++
        if (c === 0x2c) {
          const next = readKey(text, i)
          if (next === GIVE_UP) return GIVE_UP
          keys[depth] = next
          i = end
          break
        }
        if (c !== 0x7d) return GIVE_UP
      }
      v = into
      open.pop()
      isArray.pop()
      keys.pop()
    }
  }
}
