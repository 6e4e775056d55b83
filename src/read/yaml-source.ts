import { createRequire } from 'node:module'
import type * as Yaml from 'yaml'
import type { Node } from 'yaml'
import { capProblems, policyProblem, type PolicyProblem } from '../errors.js'
import { escapePointerToken } from '../language/paths.js'
import type { SourceLocation } from '../model.js'
import { cachedParse } from './parse-cache.js'
import { isExactNumber } from './json-text.js'
import { firstInvalidUtf8 } from './utf8.js'

/** Limits that keep hostile or accidental input from exhausting memory or time. */
export interface ParseLimits {
  /** Largest accepted file, in bytes. */
  maxBytes: number
  /** Most alias expansions (YAML "billion laughs" defence). */
  maxAliasCount: number
  /** Deepest nesting of maps and sequences. */
  maxDepth: number
  /** Most nodes (keys, values, list items): counted by a linear scan before the YAML parser builds anything. */
  maxNodes: number
}

export const DEFAULT_PARSE_LIMITS: ParseLimits = {
  maxBytes: 1_048_576,
  maxAliasCount: 100,
  maxDepth: 64,
  maxNodes: 10_000,
}

/** A parsed YAML document and a way to turn a JSON pointer into file:line:column. */
export interface ParsedSource {
  file: string
  value: unknown
  locate(pointer: string): SourceLocation
  problems: PolicyProblem[]
  /**
   * Strings holding a character no one sees (E_INVISIBLE_CHARACTER): problems for documents whose strings
   * are names, values and messages (policies, collabgate.yaml), not for test records, which may need them.
   */
  invisible?: PolicyProblem[]
}

/** Line and column (1-based) of each JSON pointer's key or item. */
export type Positions = ReadonlyMap<string, { line: number; col: number }>

// yaml is loaded on the first parse that misses the parse cache: the shipped policies never need it
let yamlModule: typeof Yaml | undefined
const yaml = (): typeof Yaml => (yamlModule ??= createRequire(import.meta.url)('yaml') as typeof Yaml)

/** A ParsedSource over known positions: `locate` falls back to the nearest enclosing pointer, then 1:1. */
function sourceOf(
  file: string,
  value: unknown,
  positions: Positions,
  problems: PolicyProblem[],
  invisible: PolicyProblem[] = [],
): ParsedSource {
  return { file, value, locate: locatorOf(file, positions), problems: capProblems(problems), invisible }
}

/** Where a JSON pointer lies among known positions: the nearest enclosing pointer's place, then 1:1. */
export function locatorOf(file: string, positions: Positions): (pointer: string) => SourceLocation {
  return (pointer) => {
    let p = pointer
    for (;;) {
      const hit = positions.get(p)
      if (hit) return { file, line: hit.line, column: hit.col }
      if (p === '') return { file, line: 1, column: 1 }
      p = p.slice(0, p.lastIndexOf('/'))
    }
  }
}

const LEXER_CONTROL = new Set(['\x02', '\x18', '\x1f'])
/** yaml's lexer marks the start of every scalar with this control token. */
const SCALAR = '\x1f'

/**
 * Offset where nesting first exceeds `max`, found by yaml's (iterative, linear) lexer: flow brackets
 * plus block indicators on one line (`- - - x`). Brackets inside quoted scalars or comments do not count.
 */
export function nestingBeyond(text: string, max: number): number | undefined {
  return scanLimits(text, { ...DEFAULT_PARSE_LIMITS, maxDepth: max, maxNodes: Infinity })?.offset
}

/**
 * The first place the text goes beyond the depth or node limit, found by one pass of yaml's
 * (iterative, linear) lexer, which stops there: a file of 100,000 keys is refused after reading
 * `maxNodes` of them, before the parser builds a tree (whose cost grows with the node count).
 */
export function scanLimits(
  text: string,
  limits: ParseLimits,
): { offset: number; limit: 'depth' | 'nodes' } | undefined {
  let flow = 0
  let onLine = 0
  let offset = 0
  let nodes = 0
  for (const token of new (yaml().Lexer)().lex(text)) {
    // scalars, aliases and collections opened by a bracket or a list dash: every key, value and item
    if (
      (token === SCALAR || token === '[' || token === '{' || token === '-' || token[0] === '*') &&
      ++nodes > limits.maxNodes
    )
      return { offset, limit: 'nodes' }
    const max = limits.maxDepth
    switch (token) {
      case '[':
      case '{':
        if (++flow + onLine > max) return { offset, limit: 'depth' }
        break
      case ']':
      case '}':
        if (flow > 0) flow--
        break
      case '-':
      case '?':
      case ':':
        if (flow === 0 && ++onLine > max) return { offset, limit: 'depth' }
        break
      case '\n':
      case '\r\n':
        onLine = 0
        break
    }
    // the lexer interleaves control tokens that are not part of the source text
    if (!LEXER_CONTROL.has(token)) offset += token.length
  }
  return undefined
}

/**
 * Parses YAML text with a source map (JSON pointer → line/column of the key or item that holds it).
 * Text whose parse is in the parse cache (the shipped policies) is not parsed again: the cached result
 * is what this function returned for the same bytes under these limits or stricter ones.
 */
export function parseYamlSource(file: string, text: string, limits: ParseLimits = DEFAULT_PARSE_LIMITS): ParsedSource {
  const bytes = Buffer.byteLength(text, 'utf8')
  if (bytes > limits.maxBytes) {
    return sourceOf(file, undefined, new Map(), [fileTooLarge(file, bytes, limits.maxBytes)])
  }
  const cached =
    limits.maxDepth >= DEFAULT_PARSE_LIMITS.maxDepth &&
    limits.maxAliasCount >= DEFAULT_PARSE_LIMITS.maxAliasCount &&
    limits.maxNodes >= DEFAULT_PARSE_LIMITS.maxNodes
      ? cachedParse(text)
      : undefined
  // a cached text is a shipped one, whose strings are checked when the cache is written
  if (cached) return sourceOf(file, cached.value, cached.positions, [])
  const parsed = parseYamlText(file, text, limits)
  return sourceOf(file, parsed.value, parsed.positions, parsed.problems, parsed.invisible)
}

// C0 controls but tab, LF and CR; DEL; C1 controls (YAML calls them non-printable; a NUL would pass into messages)
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]/

/** The first control character other than tab, CR and LF, as a problem at its line and column. */
export function controlCharacter(text: string): { problem: (file: string) => PolicyProblem } | undefined {
  const m = CONTROL.exec(text)
  if (!m) return undefined
  const before = text.slice(0, m.index)
  const line = before.split('\n').length
  const column = m.index - before.lastIndexOf('\n')
  const code = m[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')
  return {
    problem: (file) =>
      problem(
        file,
        'E_ENCODING',
        `control character U+${code} in the text; only tab, line feed and carriage return are allowed`,
        line,
        column,
      ),
  }
}

/**
 * The text of a policy file's bytes, strictly: invalid UTF-8 is a problem at its line and column
 * (a lenient decoder would turn different bytes into the same U+FFFD, and so into one digest).
 */
export function decodeUtf8(file: string, bytes: Uint8Array): { text: string } | { problem: PolicyProblem } {
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes) }
  } catch {
    const bad = firstInvalidUtf8(bytes)
    const lineStart = bytes.lastIndexOf(0x0a, bad - 1) + 1
    let line = 1
    for (let i = 0; i < lineStart; i++) if (bytes[i] === 0x0a) line++
    const column = new TextDecoder('utf-8').decode(bytes.subarray(lineStart, bad)).length + 1
    const hex = Buffer.from(bytes.subarray(bad, bad + 4)).toString('hex')
    return {
      problem: problem(file, 'E_ENCODING', `the file is not valid UTF-8 (bytes ${hex} at byte ${bad})`, line, column),
    }
  }
}

/**
 * Whether a YAML number's text (core schema: `+1.5`, `.5`, `5.`, `0x1F`, `0o17`) has exactly the value
 * `value` the parser made of it, by the rule record text follows (isExactNumber).
 */
export function isExactYamlNumber(text: string, value: number): boolean {
  const t = text.trim()
  if (/^[-+]?0[xo]/i.test(t)) {
    const sign = t.startsWith('-') ? -1n : 1n
    const digits = t.replace(/^[-+]/, '')
    const whole = BigInt(digits[1] === 'o' || digits[1] === 'O' ? '0o' + digits.slice(2) : digits)
    return Number.isInteger(value) && BigInt(value) === sign * whole
  }
  const json = t
    .replace(/^\+/, '')
    .replace(/^(-?)\./, '$10.')
    .replace(/\.(?=[eE]|$)/, '')
  return isExactNumber(json)
}

// bidi controls, zero-width and format characters, and C0/C1 controls but tab and line feed
const INVISIBLE =
  // eslint-disable-next-line no-control-regex -- finding control characters is the point
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u00ad\u061c\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]/
const INVISIBLE_ALL = new RegExp(INVISIBLE.source, 'g')

const codePoint = (c: string): string => `U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`

/** What kind of character an invisible one is, in words. */
function invisibleKind(c: string): string {
  const n = c.charCodeAt(0)
  if (n < 0xa0) return 'a control character'
  if (n === 0x061c || (n >= 0x200e && n <= 0x200f) || (n >= 0x202a && n <= 0x202e) || (n >= 0x2066 && n <= 0x2069))
    return 'a bidirectional control'
  return 'a zero-width or format character'
}

/**
 * The first character of `text` no one sees on screen (a bidi control, a zero-width or format character,
 * a control character but tab and line feed), as a problem's sentence, hint and params; or undefined.
 * `"U\u200bS"` looks like "US" and equals no record's "US".
 */
export function invisibleCharacter(
  text: string,
): { code: 'E_INVISIBLE_CHARACTER'; message: string; hint: string; params: { codePoint: string } } | undefined {
  const m = INVISIBLE.exec(text)
  if (!m) return undefined
  const c = m[0]
  const shown = (text.length > 60 ? text.slice(0, 57) + '...' : text).replace(INVISIBLE_ALL, (x) => `<${codePoint(x)}>`)
  return {
    code: 'E_INVISIBLE_CHARACTER',
    message: `the string "${shown}" holds ${codePoint(c)}, ${invisibleKind(c)}, which no one sees on screen`,
    hint: `delete it (in a double-quoted string, write a control character you mean as an escape, such as \\n)`,
    params: { codePoint: codePoint(c) },
  }
}

/** A problem with a file as a whole, or at a line and column of it. */
export function problem(
  file: string,
  code: PolicyProblem['code'],
  message: string,
  line = 1,
  column = 1,
): PolicyProblem {
  return policyProblem(code, message, { file, line, column })
}

/** The problem of a file over the size limit (checked from its size before reading, and again on its text). */
export const fileTooLarge = (file: string, bytes: number, maxBytes: number): PolicyProblem =>
  problem(file, 'E_YAML_LIMIT', `the file is ${bytes} bytes; policy files may be at most ${maxBytes} bytes`)

/**
 * yaml's errors and warnings as problems. yaml reports its own stack exhaustion as RESOURCE_EXHAUSTION: that
 * is a limit, not a typo, and it is reported once: how many times yaml runs out (and what it says after) depends
 * on the stack left when the parse began, so the same text would otherwise give one problem or two.
 */
export function yamlErrorProblems(
  file: string,
  errors: readonly Pick<Yaml.YAMLError, 'code' | 'message' | 'pos'>[],
  at: (offset: number) => { line: number; col: number },
): PolicyProblem[] {
  const exhausted = errors.find((e) => e.code === 'RESOURCE_EXHAUSTION')
  return (exhausted ? [exhausted] : errors).map((err) => {
    const pos = at(err.pos[0])
    const firstLine = err.message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '') ?? err.message
    return problem(file, exhausted ? 'E_YAML_LIMIT' : 'E_YAML_SYNTAX', `${firstLine} (${err.code})`, pos.line, pos.col)
  })
}

/** The parse itself, without the cache or the size check: the value, every position, or the problems. */
export function parseYamlText(
  file: string,
  text: string,
  limits: ParseLimits,
): { value: unknown; positions: Positions; problems: PolicyProblem[]; invisible: PolicyProblem[] } {
  const { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument } = yaml()
  const positions = new Map<string, { line: number; col: number }>()
  const invisible: PolicyProblem[] = []
  const failed = (code: PolicyProblem['code'], message: string, line = 1, column = 1) => ({
    value: undefined,
    positions,
    problems: [problem(file, code, message, line, column)],
    invisible,
  })
  const lineCounter = new LineCounter()
  const at = (offset: number) => lineCounter.linePos(offset)

  const control = controlCharacter(text)
  if (control) return { value: undefined, positions, problems: [control.problem(file)], invisible }

  // yaml's composer recurses per nesting level: 500k '[' in 1 MB
  // exhausts the heap, so refuse deep nesting before it runs.
  const beyond = scanLimits(text, limits)
  if (beyond) {
    const before = text.slice(0, beyond.offset)
    return failed(
      'E_YAML_LIMIT',
      beyond.limit === 'depth'
        ? `nesting deeper than ${limits.maxDepth} levels`
        : `more than ${limits.maxNodes} nodes (keys, values and list items)`,
      before.split('\n').length,
      beyond.offset - before.lastIndexOf('\n'),
    )
  }

  // yaml's own duplicate-key check compares each key with every earlier
  // one (100,000 keys: minutes); the walk below does it with a Set
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false, strict: true })
  const problems = yamlErrorProblems(file, [...doc.errors, ...doc.warnings], at)
  if (problems.length > 0) return { value: undefined, positions, problems, invisible }

  // Walk the tree once: record positions and enforce the depth limit before any alias is expanded.
  let tooDeep: { line: number; col: number } | undefined
  let complexKey: { line: number; col: number } | undefined
  const walkProblems: PolicyProblem[] = []
  const walk = (node: unknown, pointer: string, depth: number, keyOffset?: number): void => {
    if (tooDeep) return
    const n = node as Node | null
    const offset = keyOffset ?? n?.range?.[0]
    if (offset !== undefined) positions.set(pointer, at(offset))
    if (depth > limits.maxDepth) {
      tooDeep = offset === undefined ? { line: 1, col: 1 } : at(offset)
      return
    }
    if (isMap(n)) {
      // each key's line, so a second declaration names the first
      const keys = new Map<string, number>()
      for (const item of n.items) {
        if (!isPair(item)) continue
        const keyNode = item.key as Node | null
        // a collection or alias as a key means nothing in a policy (and yaml would stringify it with a process warning)
        if (!isScalar(item.key)) complexKey ??= keyNode?.range ? at(keyNode.range[0]) : { line: 1, col: 1 }
        const key = isScalar(item.key) ? String(item.key.value) : String(item.key)
        const pos = keyNode?.range ? at(keyNode.range[0]) : { line: 1, col: 1 }
        const first = keys.get(key)
        if (first !== undefined) {
          // at the place yaml's uniqueKeys gave; `1` and `"1"` are one key in JSON, so one here too
          const message = `'${key}' is declared twice in one mapping (first at line ${first}); keep one (DUPLICATE_KEY)`
          walkProblems.push(problem(file, 'E_YAML_SYNTAX', message, pos.line, pos.col))
        } else keys.set(key, pos.line)
        const inner = `${pointer}/${escapePointerToken(key)}`
        if (isScalar(item.key)) checkJsonScalar(item.key, true, inner)
        walk(item.value, inner, depth + 1, keyNode?.range?.[0])
      }
    } else if (isSeq(n)) {
      n.items.forEach((item, i) => walk(item, `${pointer}/${i}`, depth + 1))
    } else if (isScalar(n)) {
      checkJsonScalar(n, false, pointer)
    }
    // an alias is expanded (and counted against maxAliasCount) by toJS; its target was walked where defined
  }
  /**
   * A value JSON has no word for (.nan, .inf, !!binary) would print as null or worse in the digest: two files, one
   * digest.
   */
  const checkJsonScalar = (node: Node, isKey: boolean, pointer: string): void => {
    const v = (node as { value?: unknown }).value
    const ok =
      v === null || typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v))
    const pos = node.range ? at(node.range[0]) : { line: 1, col: 1 }
    if (typeof v === 'string') {
      const found = invisibleCharacter(v)
      if (found)
        invisible.push(
          policyProblem(found.code, found.message, { file, line: pos.line, column: pos.col }, pointer, found),
        )
    }
    if (ok) {
      // a plain number whose text says more than the double holds: 49.99999999999999999 would get the digest of 50
      const source = (node as { source?: unknown }).source
      if (typeof v === 'number' && typeof source === 'string' && !isExactYamlNumber(source, v))
        walkProblems.push(
          policyProblem(
            'E_POLICY_LOSSY_NUMBER',
            `${source} cannot be held exactly by a double: it would be read as ${String(v)}`,
            { file, line: pos.line, column: pos.col },
            pointer,
            {
              hint: `write a number a double holds, such as ${String(v)}, or quote it to make it a string`,
              params: { text: source },
            },
          ),
        )
      return
    }
    const what = typeof v === 'number' ? String(v) : v instanceof Uint8Array ? 'binary data' : typeof v
    walkProblems.push(
      problem(
        file,
        'E_YAML_VALUE',
        `${isKey ? 'a key' : 'a value'} JSON cannot hold (${what}): ` +
          `write a finite number, a string, true, false or null`,
        pos.line,
        pos.col,
      ),
    )
  }
  walk(doc.contents, '', 0)
  if (walkProblems.length > 0 && !tooDeep) return { value: undefined, positions, problems: walkProblems, invisible }
  if (complexKey && !tooDeep)
    return failed(
      'E_SCHEMA',
      'a mapping key must be a plain string, not a list, mapping or alias',
      complexKey.line,
      complexKey.col,
    )
  if (tooDeep) return failed('E_YAML_LIMIT', `nesting deeper than ${limits.maxDepth} levels`, tooDeep.line, tooDeep.col)

  let value: unknown
  try {
    value = doc.toJS({ maxAliasCount: limits.maxAliasCount })
  } catch (err) {
    return failed('E_YAML_LIMIT', `alias expansion refused: ${err instanceof Error ? err.message : String(err)}`)
  }
  return { value, positions, problems: [], invisible }
}
