/**
 * Strict reading of a record from JSON text. `JSON.parse` alone lets the text bend a decision: a
 * duplicate key silently keeps its last value, and a number written more precisely than a double can
 * hold is rounded, so `"sellers": 49.99999999999999999` arrives as 50 and meets a ≥ 50 threshold.
 * Its memory is not bounded by the text either: 30 MB of `[` costs over a gigabyte.
 *
 * `scanJsonText` walks the text once, before anything is built, and finds the first of: a syntax
 * error (left to `JSON.parse` to describe), a duplicate key, a lossy number, nesting deeper than
 * `maxDepth`, or more than `maxValues` values. It allocates only a set of keys per open object.
 */
import { CollabgateError, RecordValidationError } from '../errors.js'
import { escapePointerToken } from '../language/paths.js'
import { ownOptions } from '../own.js'

/** Largest record accepted by default, as UTF-8 JSON bytes. Real records are a few kilobytes. */
export const DEFAULT_MAX_RECORD_BYTES = 1_048_576
/** Deepest nesting of arrays and objects accepted by default. Real records nest three or four levels. */
export const DEFAULT_MAX_RECORD_DEPTH = 64
/**
 * Most values (scalars, arrays and objects, keys not counted) in one record by default. Real records hold under a
 * hundred.
 */
export const DEFAULT_MAX_RECORD_VALUES = 100_000

export interface JsonTextLimits {
  /** Deepest nesting of arrays and objects (default 64). */
  maxDepth?: number
  /** Most values in the document (default 100,000). */
  maxValues?: number
}

/** What is wrong with a JSON text, at `pointer` (RFC 6901) where that is known. */
export type JsonTextFault =
  | { kind: 'syntax'; offset?: number }
  | { kind: 'duplicateKey'; pointer: string; key: string }
  | { kind: 'lossyNumber'; pointer: string; text: string; value: number }
  | { kind: 'tooDeep'; pointer: string; maxDepth: number }
  | { kind: 'tooManyValues'; pointer: string; maxValues: number }

/**
 * One open array or object: its keys so far (objects, when looking for duplicates), and the key or index being read.
 */
interface Frame {
  object: boolean
  keys: Set<string> | undefined
  at: string | number
}

const pointerOf = (stack: readonly Frame[]): string => stack.map((f) => '/' + escapePointerToken(String(f.at))).join('')

// char codes
const QUOTE = 0x22
const BACKSLASH = 0x5c
const COMMA = 0x2c
const COLON = 0x3a
const OPEN_BRACE = 0x7b
const CLOSE_BRACE = 0x7d
const OPEN_BRACKET = 0x5b
const CLOSE_BRACKET = 0x5d
const MINUS = 0x2d

/** The characters a backslash may escape besides u: " \\ / b f n r t. */
const ESCAPES = new Set([0x22, 0x5c, 0x2f, 0x62, 0x66, 0x6e, 0x72, 0x74])

/** The characters of a string that need no look: not a quote, backslash or control character. */
// eslint-disable-next-line no-control-regex -- control characters are what a JSON string may not hold raw
const STRING_RUN = /[^"\\\u0000-\u001f]*/y
const HEX4 = /[0-9a-fA-F]{4}/y

const isSpace = (c: number): boolean => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09
const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39

/**
 * A decimal's value in one canonical spelling: `0.DIGITSeEXP`, DIGITS without leading or trailing
 * zeros, or `0` for zero. Takes JSON number syntax and JavaScript's `String(number)` alike.
 */
export function canonicalDecimal(text: string): string {
  let s = text
  if (s.charCodeAt(0) === MINUS) s = s.slice(1)
  let exp = 0
  const e = s.search(/[eE]/)
  if (e >= 0) {
    exp = Number(s.slice(e + 1))
    s = s.slice(0, e)
  }
  const dot = s.indexOf('.')
  let digits = s
  let point = s.length
  if (dot >= 0) {
    digits = s.slice(0, dot) + s.slice(dot + 1)
    point = dot
  }
  let lead = 0
  while (lead < digits.length && digits.charCodeAt(lead) === 0x30) lead++
  if (lead === digits.length) return '0'
  let end = digits.length
  while (digits.charCodeAt(end - 1) === 0x30) end--
  const sign = text.charCodeAt(0) === MINUS ? '-' : ''
  return `${sign}0.${digits.slice(lead, end)}e${point - lead + exp}`
}

/**
 * True when the double JSON.parse makes of a number's text has exactly the value the text writes
 * (trailing zeros and exponent spelling aside). Numbers of at most 15 significant digits with no
 * exponent always do (a double tells all 15-digit decimals apart), so most never reach the slow path.
 */
export function isExactNumber(text: string): boolean {
  let digits = 0
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (isDigit(c)) digits++
    else if (c !== MINUS && c !== 0x2e) {
      digits = 99 // an exponent: the slow path
      break
    }
  }
  if (digits <= 15) return true
  const value = Number(text)
  return Number.isFinite(value) && canonicalDecimal(text) === canonicalDecimal(String(value))
}

/** The first fault in `text`, or undefined when it is JSON that JSON.parse will read exactly. */
export function scanJsonText(text: string, limits: JsonTextLimits = {}): JsonTextFault | undefined {
  const fault = scan(text, limitsOf(limits), true)
  return typeof fault === 'number' ? undefined : fault
}

/**
 * One pass over the text. `precise` decodes every key, to find duplicates and to name the place of a
 * fault; without it, keys are only counted (the count is returned when there is no fault), which is
 * what makes the common case cheap: JSON.parse's object then has as many keys or there was a duplicate.
 * Without `precise`, a fault's pointer is not exact.
 */
function scan(text: string, limits: Required<JsonTextLimits>, precise: boolean): JsonTextFault | number {
  let keyCount = 0
  const { maxDepth, maxValues } = limits
  const n = text.length
  const stack: Frame[] = []
  let values = 0
  let i = 0

  const skipSpace = (): void => {
    while (i < n && isSpace(text.charCodeAt(i))) i++
  }
  /**
   * Reads a string from its opening quote: its decoded text when `decode`, else ''; undefined when it is not a JSON
   * string.
   */
  const readString = (decode: boolean): string | undefined => {
    const start = ++i
    let escaped = false
    for (;;) {
      // the plain run at native speed; then a quote, a backslash, a control character or the end
      STRING_RUN.lastIndex = i
      STRING_RUN.test(text)
      i = STRING_RUN.lastIndex
      const c = text.charCodeAt(i)
      if (c === QUOTE) {
        const raw = text.slice(start, i++)
        if (!decode) return ''
        return escaped ? (JSON.parse(`"${raw}"`) as string) : raw
      }
      if (c !== BACKSLASH) return undefined // a raw control character, or the text ended
      escaped = true
      const e = text.charCodeAt(i + 1)
      if (e === 0x75) {
        HEX4.lastIndex = i + 2
        if (!HEX4.test(text)) return undefined
        i += 6
      } else if (ESCAPES.has(e)) i += 2
      else return undefined
    }
  }
  const readNumber = (): string | undefined => {
    const start = i
    if (text.charCodeAt(i) === MINUS) i++
    const intStart = i
    while (i < n && isDigit(text.charCodeAt(i))) i++
    if (i === intStart || (text.charCodeAt(intStart) === 0x30 && i - intStart > 1)) return undefined
    if (text.charCodeAt(i) === 0x2e) {
      const f = ++i
      while (i < n && isDigit(text.charCodeAt(i))) i++
      if (i === f) return undefined
    }
    const c = text.charCodeAt(i)
    if (c === 0x65 || c === 0x45) {
      i++
      const s = text.charCodeAt(i)
      if (s === 0x2b || s === MINUS) i++
      const e = i
      while (i < n && isDigit(text.charCodeAt(i))) i++
      if (i === e) return undefined
    }
    return text.slice(start, i)
  }
  const literal = (word: string): boolean => {
    if (text.startsWith(word, i)) {
      i += word.length
      return true
    }
    return false
  }

  // iterative, so a deep document cannot exhaust the stack before the depth limit refuses it
  let expectValue = true
  for (;;) {
    skipSpace()
    if (expectValue) {
      if (++values > maxValues) return { kind: 'tooManyValues', pointer: pointerOf(stack), maxValues }
      const c = text.charCodeAt(i)
      if (c === OPEN_BRACE || c === OPEN_BRACKET) {
        if (stack.length >= maxDepth) return { kind: 'tooDeep', pointer: pointerOf(stack), maxDepth }
        i++
        skipSpace()
        const closing = c === OPEN_BRACE ? CLOSE_BRACE : CLOSE_BRACKET
        if (text.charCodeAt(i) === closing)
          i++ // an empty one: a whole value
        else if (c === OPEN_BRACKET) {
          stack.push({ object: false, keys: undefined, at: 0 })
          continue
        } else {
          stack.push({ object: true, keys: precise ? new Set() : undefined, at: '' })
          const fault = readKey(stack[stack.length - 1]!)
          if (fault) return fault
          continue
        }
      } else if (c === QUOTE) {
        if (readString(false) === undefined) return { kind: 'syntax', offset: i }
      } else if (c === MINUS || isDigit(c)) {
        const number = readNumber()
        if (number === undefined) return { kind: 'syntax', offset: i }
        if (!isExactNumber(number))
          return { kind: 'lossyNumber', pointer: pointerOf(stack), text: number, value: Number(number) }
      } else if (!(literal('true') || literal('false') || literal('null'))) return { kind: 'syntax', offset: i }
      expectValue = false
      continue
    }
    // after a value: the end, a comma, or a closing bracket
    const top = stack[stack.length - 1]
    if (top === undefined) return i === n ? keyCount : { kind: 'syntax', offset: i }
    const c = text.charCodeAt(i++)
    if (c === COMMA) {
      if (!top.object) {
        top.at = (top.at as number) + 1
        expectValue = true
      } else {
        const fault = readKey(top)
        if (fault) return fault
        expectValue = true
      }
    } else if (c === (top.object ? CLOSE_BRACE : CLOSE_BRACKET)) stack.pop()
    else return { kind: 'syntax', offset: i - 1 }
  }

  /** Reads `"key" :` into the frame; a fault for a duplicate or bad syntax. */
  function readKey(frame: Frame): JsonTextFault | undefined {
    skipSpace()
    if (text.charCodeAt(i) !== QUOTE) return { kind: 'syntax', offset: i }
    const key = readString(precise)
    if (key === undefined) return { kind: 'syntax', offset: i }
    skipSpace()
    if (text.charCodeAt(i++) !== COLON) return { kind: 'syntax', offset: i - 1 }
    keyCount++
    if (!frame.keys) return undefined
    frame.at = key
    if (frame.keys.has(key)) return { kind: 'duplicateKey', pointer: pointerOf(stack), key }
    frame.keys.add(key)
    return undefined
  }
}

/**
 * JSON.parse, refusing what would not be read as written: throws RecordValidationError with code
 * E_RECORD_DUPLICATE_KEY or E_RECORD_LOSSY_NUMBER (the problem's pointer names the place),
 * E_RECORD_TOO_LARGE past `maxDepth` or `maxValues`, and E_RECORD_INVALID for text that is not JSON.
 */
/**
 * The limits, each an own property of `given` or its default: a polluted `Object.prototype.maxDepth`
 * must not lift a limit (a `{ ...rest }` of options, or a `{}` default, inherits from it).
 */
function limitsOf(given: JsonTextLimits): Required<JsonTextLimits> {
  const own = ownOptions(given)
  return { maxDepth: own.maxDepth ?? DEFAULT_MAX_RECORD_DEPTH, maxValues: own.maxValues ?? DEFAULT_MAX_RECORD_VALUES }
}

export function parseRecordText(text: string, options: JsonTextLimits = {}): unknown {
  const read = readRecordText(text, options)
  if ('syntax' in read)
    throw new RecordValidationError(undefined, [{ pointer: '', message: `not valid JSON: ${read.syntax}` }])
  return read.value
}

/**
 * parseRecordText for callers that word a syntax error their own way (the batch's E_LINE_NOT_JSON):
 * JSON.parse's message for text that is not JSON; the other faults are thrown.
 */
export function readRecordText(text: string, given: JsonTextLimits = {}): { value: unknown } | { syntax: string } {
  const options = limitsOf(given)
  const { maxDepth, maxValues } = options
  // a long text is scanned before JSON.parse builds anything (30 MB of '[' would cost gigabytes);
  // a short one cannot cost much, so it is parsed first and only a doubtful one is scanned
  let keysInText: number | undefined
  if (text.length > QUICK_MAX_CHARS) {
    const quick = scan(text, options, false)
    if (typeof quick !== 'number' && quick.kind !== 'syntax') throw faultError(precisely(text, options))
    if (typeof quick === 'number') keysInText = quick
  }
  let value: unknown
  try {
    value = JSON.parse(text) as unknown
  } catch (err) {
    const fault = scanJsonText(text, options) // nesting too deep for JSON.parse itself is a limit, not a syntax error
    if (fault !== undefined && fault.kind !== 'syntax') throw faultError(fault)
    return { syntax: syntaxAt(text, err instanceof Error ? err.message : String(err), fault) }
  }
  const shape = { keys: 0, values: 0, numbers: 0 }
  const fine = measure(value, 0, maxDepth, maxValues, shape)
  // the keys and numbers the text gives, counted without a full scan (a long text's scan counted its keys)
  const inText =
    keysInText === undefined ? keysAndNumbers(text) : { keys: keysInText, numbers: shape.numbers, lossy: false }
  // fewer keys in the object than in the text: one was given twice; a number not checked, or not exact: look closely
  if (!fine || inText.keys !== shape.keys || inText.numbers !== shape.numbers || inText.lossy) {
    const fault = scanJsonText(text, options)
    if (fault !== undefined) {
      if (fault.kind === 'syntax') throw new Error('internal: JSON.parse read what the scan calls not JSON')
      throw faultError(fault)
    }
  }
  return { value }
}

/**
 * JSON.parse's sentence without the text it quotes, placed at line:column (1-based) as editors show it:
 * where the scan stopped, else the position JSON.parse names, else the end of the text.
 */
export function syntaxAt(text: string, message: string, fault?: JsonTextFault): string {
  const named = /at position (\d+)/.exec(message)?.[1]
  const scanned = fault?.kind === 'syntax' ? fault.offset : undefined
  const offset = Math.min(text.length, scanned ?? (named !== undefined ? Number(named) : text.length))
  const before = text.slice(0, offset)
  const line = before.split('\n').length
  const column = offset - (before.lastIndexOf('\n') + 1) + 1
  const sentence = message
    .replace(/, .*is not valid JSON$/s, '')
    .replace(/ in JSON at position \d+.*$/s, '')
    .replace(/ at position \d+.*$/s, '')
  return `${sentence} at line ${line}, column ${column}`
}

/** Texts longer than this are scanned before JSON.parse sees them. */
const QUICK_MAX_CHARS = 65_536

/**
 * The end of a key: a quote, then a colon. Inside a string a quote is escaped (so never ends a key),
 * and after a value comes a comma or a bracket, so every key of JSON text ends at a match. An
 * opening quote of a string that starts with a colon matches too: that only over-counts.
 */
const KEY_END = /"[ \t\n\r]*:/g
const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y
const SPACE = /[ \t\n\r]*/y

/**
 * For text JSON.parse accepted: its key ends (at least one per key), the numbers that are a key's
 * value, and whether one of those is lossy. When the keys equal the parsed object's, there was no
 * duplicate and no over-count, so the numbers counted here are all the numbers if they equal its count.
 */
function keysAndNumbers(text: string): { keys: number; numbers: number; lossy: boolean } {
  let keys = 0
  let numbers = 0
  let lossy = false
  KEY_END.lastIndex = 0
  while (KEY_END.test(text)) {
    const colon = KEY_END.lastIndex - 1
    let quote = colon - 1
    while (text.charCodeAt(quote) !== QUOTE) quote--
    let slashes = 0
    while (text.charCodeAt(quote - 1 - slashes) === BACKSLASH) slashes++
    if (slashes % 2 === 1) continue // an escaped quote inside a string
    keys++
    SPACE.lastIndex = colon + 1
    SPACE.test(text)
    const c = text.charCodeAt(SPACE.lastIndex)
    if (c === MINUS || isDigit(c)) {
      NUMBER.lastIndex = SPACE.lastIndex
      if (NUMBER.test(text)) {
        numbers++
        if (!isExactNumber(text.slice(SPACE.lastIndex, NUMBER.lastIndex))) lossy = true
      }
    }
  }
  return { keys, numbers, lossy }
}

/** Counts own keys, values and numbers of parsed JSON data into `shape`; false past the depth or value limit. */
function measure(
  value: unknown,
  depth: number,
  maxDepth: number,
  maxValues: number,
  shape: { keys: number; values: number; numbers: number },
): boolean {
  if (++shape.values > maxValues) return false
  if (typeof value === 'number') shape.numbers++
  if (value === null || typeof value !== 'object') return true
  if (depth >= maxDepth) return false
  if (Array.isArray(value)) {
    for (const v of value) if (!measure(v, depth + 1, maxDepth, maxValues, shape)) return false
    return true
  }
  // own keys only: a polluted Object.prototype must not make a record look duplicated
  const keys = Object.keys(value)
  shape.keys += keys.length
  for (const key of keys)
    if (!measure((value as Record<string, unknown>)[key], depth + 1, maxDepth, maxValues, shape)) return false
  return true
}

/** The fault a quick scan saw, found again with its exact place. */
function precisely(text: string, limits: Required<JsonTextLimits>): Exclude<JsonTextFault, { kind: 'syntax' }> {
  const fault = scan(text, limits, true)
  if (typeof fault === 'number' || fault.kind === 'syntax')
    throw new Error('internal: the precise scan disagrees with the quick one')
  return fault
}

/** The error for a fault other than syntax. */
export function faultError(fault: Exclude<JsonTextFault, { kind: 'syntax' }>): CollabgateError {
  switch (fault.kind) {
    case 'duplicateKey':
      return new RecordValidationError(
        undefined,
        [
          {
            pointer: fault.pointer,
            message:
              `the key ${JSON.stringify(fault.key)} ` +
              `appears twice in one object; ` +
              `which value is meant is unknown`,
          },
        ],
        'E_RECORD_DUPLICATE_KEY',
      )
    case 'lossyNumber':
      return new RecordValidationError(
        undefined,
        [
          {
            pointer: fault.pointer,
            message: Number.isFinite(fault.value)
              ? `${fault.text} cannot be held exactly by a double: it would be read as ${String(fault.value)}`
              : `${fault.text} is beyond the range of a double`,
          },
        ],
        'E_RECORD_LOSSY_NUMBER',
      )
    case 'tooDeep':
      return new CollabgateError(
        'E_RECORD_TOO_LARGE',
        `the record nests deeper than ${fault.maxDepth} levels at ${fault.pointer || '/'}; records may nest at most ` +
          `${fault.maxDepth} levels`,
      )
    case 'tooManyValues':
      return new CollabgateError(
        'E_RECORD_TOO_LARGE',
        `the record holds more than ${fault.maxValues} values; records may hold at most ${fault.maxValues}`,
      )
  }
}
