import { createRequire } from 'node:module'
import type * as Yaml from 'yaml'
import type { Node } from 'yaml'
import { policyProblem, type PolicyProblem } from '../errors.js'
import type { SourceLocation } from '../model.js'
import { cachedParse } from './parse-cache.js'

/** Limits that keep hostile or accidental input from exhausting memory or time. */
export interface ParseLimits {
  /** Largest accepted file, in bytes. */
  maxBytes: number
  /** Most alias expansions (YAML "billion laughs" defence). */
  maxAliasCount: number
  /** Deepest nesting of maps and sequences. */
  maxDepth: number
}

export const DEFAULT_PARSE_LIMITS: ParseLimits = { maxBytes: 1_048_576, maxAliasCount: 100, maxDepth: 64 }

/** A parsed YAML document and a way to turn a JSON pointer into file:line:column. */
export interface ParsedSource {
  file: string
  value: unknown
  locate(pointer: string): SourceLocation
  problems: PolicyProblem[]
}

/** Line and column (1-based) of each JSON pointer's key or item. */
export type Positions = ReadonlyMap<string, { line: number; col: number }>

// yaml is loaded on the first parse that misses the parse cache: the shipped policies never need it
let yamlModule: typeof Yaml | undefined
const yaml = (): typeof Yaml => (yamlModule ??= createRequire(import.meta.url)('yaml') as typeof Yaml)

/** A ParsedSource over known positions: `locate` falls back to the nearest enclosing pointer, then 1:1. */
function sourceOf(file: string, value: unknown, positions: Positions, problems: PolicyProblem[]): ParsedSource {
  const locate = (pointer: string): SourceLocation => {
    let p = pointer
    for (;;) {
      const hit = positions.get(p)
      if (hit) return { file, line: hit.line, column: hit.col }
      if (p === '') return { file, line: 1, column: 1 }
      p = p.slice(0, p.lastIndexOf('/'))
    }
  }
  return { file, value, locate, problems }
}

/** A key as one JSON pointer token (RFC 6901): `~` → `~0`, `/` → `~1`. */
export function escapePointerToken(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1')
}

const LEXER_CONTROL = new Set(['\x02', '\x18', '\x1f'])

/**
 * Offset where nesting first exceeds `max`, found by yaml's (iterative, linear) lexer: flow brackets
 * plus block indicators on one line (`- - - x`). Brackets inside quoted scalars or comments do not count.
 */
export function nestingBeyond(text: string, max: number): number | undefined {
  let flow = 0
  let onLine = 0
  let offset = 0
  for (const token of new (yaml().Lexer)().lex(text)) {
    switch (token) {
      case '[':
      case '{':
        if (++flow + onLine > max) return offset
        break
      case ']':
      case '}':
        if (flow > 0) flow--
        break
      case '-':
      case '?':
      case ':':
        if (flow === 0 && ++onLine > max) return offset
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
    limits.maxDepth >= DEFAULT_PARSE_LIMITS.maxDepth && limits.maxAliasCount >= DEFAULT_PARSE_LIMITS.maxAliasCount
      ? cachedParse(text)
      : undefined
  if (cached) return sourceOf(file, cached.value, cached.positions, [])
  const parsed = parseYamlText(file, text, limits)
  return sourceOf(file, parsed.value, parsed.positions, parsed.problems)
}

/** A problem with a file as a whole, or at a line and column of it. */
export function problem(file: string, code: PolicyProblem['code'], message: string, line = 1, column = 1): PolicyProblem {
  return policyProblem(code, message, { file, line, column })
}

/** The problem of a file over the size limit (checked from its size before reading, and again on its text). */
export const fileTooLarge = (file: string, bytes: number, maxBytes: number): PolicyProblem =>
  problem(file, 'E_YAML_LIMIT', `the file is ${bytes} bytes; policy files may be at most ${maxBytes} bytes`)

/** The parse itself, without the cache or the size check: the value, every position, or the problems. */
export function parseYamlText(
  file: string,
  text: string,
  limits: ParseLimits,
): { value: unknown; positions: Positions; problems: PolicyProblem[] } {
  const { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument } = yaml()
  const positions = new Map<string, { line: number; col: number }>()
  const failed = (code: PolicyProblem['code'], message: string, line = 1, column = 1) => ({
    value: undefined,
    positions,
    problems: [problem(file, code, message, line, column)],
  })
  const lineCounter = new LineCounter()
  const at = (offset: number) => lineCounter.linePos(offset)

  // yaml's composer recurses per nesting level: 500k '[' in 1 MB exhausts the heap, so refuse deep nesting before it runs.
  const deepAt = nestingBeyond(text, limits.maxDepth)
  if (deepAt !== undefined) {
    const before = text.slice(0, deepAt)
    return failed(
      'E_YAML_LIMIT',
      `nesting deeper than ${limits.maxDepth} levels`,
      before.split('\n').length,
      deepAt - before.lastIndexOf('\n'),
    )
  }

  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, strict: true })
  const problems: PolicyProblem[] = []
  for (const err of [...doc.errors, ...doc.warnings]) {
    const pos = at(err.pos[0])
    const firstLine = err.message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '') ?? err.message
    // yaml reports its own stack exhaustion as RESOURCE_EXHAUSTION: that is a limit, not a typo
    problems.push(
      problem(file, err.code === 'RESOURCE_EXHAUSTION' ? 'E_YAML_LIMIT' : 'E_YAML_SYNTAX', `${firstLine} (${err.code})`, pos.line, pos.col),
    )
  }
  if (problems.length > 0) return { value: undefined, positions, problems }

  // Walk the tree once: record positions and enforce the depth limit before any alias is expanded.
  let tooDeep: { line: number; col: number } | undefined
  let complexKey: { line: number; col: number } | undefined
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
      for (const item of n.items) {
        if (!isPair(item)) continue
        const keyNode = item.key as Node | null
        // a collection or alias as a key means nothing in a policy (and yaml would stringify it with a process warning)
        if (!isScalar(item.key)) complexKey ??= keyNode?.range ? at(keyNode.range[0]) : { line: 1, col: 1 }
        const key = isScalar(item.key) ? String(item.key.value) : String(item.key)
        walk(item.value, `${pointer}/${escapePointerToken(key)}`, depth + 1, keyNode?.range?.[0])
      }
    } else if (isSeq(n)) {
      n.items.forEach((item, i) => walk(item, `${pointer}/${i}`, depth + 1))
    }
    // an alias is expanded (and counted against maxAliasCount) by toJS; its target was walked where defined
  }
  walk(doc.contents, '', 0)
  if (complexKey && !tooDeep)
    return failed('E_SCHEMA', 'a mapping key must be a plain string, not a list, mapping or alias', complexKey.line, complexKey.col)
  if (tooDeep) return failed('E_YAML_LIMIT', `nesting deeper than ${limits.maxDepth} levels`, tooDeep.line, tooDeep.col)

  let value: unknown
  try {
    value = doc.toJS({ maxAliasCount: limits.maxAliasCount })
  } catch (err) {
    return failed('E_YAML_LIMIT', `alias expansion refused: ${err instanceof Error ? err.message : String(err)}`)
  }
  return { value, positions, problems: [] }
}
