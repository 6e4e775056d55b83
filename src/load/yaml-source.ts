import { isMap, isPair, isScalar, isSeq, Lexer, LineCounter, parseDocument, type Node } from 'yaml'
import type { PolicyProblem } from '../errors.js'
import type { SourceLocation } from '../model.js'

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

function escapePointerToken(token: string): string {
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
  for (const token of new Lexer().lex(text)) {
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

/** Parses YAML text with a source map (JSON pointer → line/column of the key or item that holds it). */
export function parseYamlSource(file: string, text: string, limits: ParseLimits = DEFAULT_PARSE_LIMITS): ParsedSource {
  const positions = new Map<string, { line: number; col: number }>()
  const lineCounter = new LineCounter()
  const at = (offset: number) => lineCounter.linePos(offset)
  const locate = (pointer: string): SourceLocation => {
    let p = pointer
    for (;;) {
      const hit = positions.get(p)
      if (hit) return { file, line: hit.line, column: hit.col }
      if (p === '') return { file, line: 1, column: 1 }
      p = p.slice(0, p.lastIndexOf('/'))
    }
  }
  const problem = (code: PolicyProblem['code'], message: string, line = 1, column = 1): PolicyProblem => ({
    code,
    message,
    file,
    line,
    column,
    pointer: '',
  })

  const bytes = Buffer.byteLength(text, 'utf8')
  if (bytes > limits.maxBytes) {
    return {
      file,
      value: undefined,
      locate,
      problems: [problem('E_YAML_LIMIT', `the file is ${bytes} bytes; policy files may be at most ${limits.maxBytes} bytes`)],
    }
  }

  // yaml's composer recurses per nesting level: 500k '[' in 1 MB exhausts the heap, so refuse deep nesting before it runs.
  const deepAt = nestingBeyond(text, limits.maxDepth)
  if (deepAt !== undefined) {
    const before = text.slice(0, deepAt)
    const line = before.split('\n').length
    const column = deepAt - before.lastIndexOf('\n')
    return { file, value: undefined, locate, problems: [problem('E_YAML_LIMIT', `nesting deeper than ${limits.maxDepth} levels`, line, column)] }
  }

  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, strict: true })
  const problems: PolicyProblem[] = []
  for (const err of [...doc.errors, ...doc.warnings]) {
    const pos = at(err.pos[0])
    const firstLine = err.message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '') ?? err.message
    // yaml reports its own stack exhaustion as RESOURCE_EXHAUSTION: that is a limit, not a typo
    problems.push(problem(err.code === 'RESOURCE_EXHAUSTION' ? 'E_YAML_LIMIT' : 'E_YAML_SYNTAX', `${firstLine} (${err.code})`, pos.line, pos.col))
  }
  if (problems.length > 0) return { file, value: undefined, locate, problems }

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
  if (complexKey && !tooDeep) {
    return { file, value: undefined, locate, problems: [problem('E_SCHEMA', 'a mapping key must be a plain string, not a list, mapping or alias', complexKey.line, complexKey.col)] }
  }
  if (tooDeep) {
    return {
      file,
      value: undefined,
      locate,
      problems: [problem('E_YAML_LIMIT', `nesting deeper than ${limits.maxDepth} levels`, tooDeep.line, tooDeep.col)],
    }
  }

  let value: unknown
  try {
    value = doc.toJS({ maxAliasCount: limits.maxAliasCount })
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err)
    return {
      file,
      value: undefined,
      locate,
      problems: [problem('E_YAML_LIMIT', `alias expansion refused: ${message}`)],
    }
  }
  return { file, value, locate, problems: [] }
}
