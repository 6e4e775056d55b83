/**
 * `collabgate merge`: joins the outputs of shards 1..N of one run into the output the unsharded run gives, byte for
 * byte. Each kind of output (batch, impact, …) has one merger in KINDS; the shards are checked first: one kind, the
 * same input, policy versions and settings, every shard of N exactly once.
 */
import { CollabgateError } from '../errors.js'
import { mergeBatchShards, type BatchShardItem } from '../batch/shard-output.js'
import { mergeImpactReports } from '../impact/merge.js'
import { mergeBacktestReports, type BacktestReport } from '../backtest/backtest.js'
import type { ShardOutput, ShardStamp } from '../shard/stamp.js'

export type { ShardOutput } from '../shard/stamp.js'

/** Merges reports that are one JSON document each (the `shard` stamp removed), in shard order, into one run's. */
const report =
  (merge: (reports: readonly never[]) => unknown) =>
  (outputs: readonly ShardOutput[]): string =>
    JSON.stringify(merge(outputs.map((o) => o.body as never)), null, 2) + '\n'

/** The mergers, by the outputs' `kind`: a new sharded command adds one line here. */
const KINDS: Record<string, (outputs: readonly ShardOutput[]) => string> = {
  batch: mergeBatchShards,
  impact: report(mergeImpactReports),
  // a backtest report carries only K/N: mergeBacktestReports checks that the shards are of one run itself
  backtest: (outputs) => {
    const shards = outputs.map((o) => ({
      ...(o.body as BacktestReport),
      shard: { index: o.stamp.index, count: o.stamp.count },
    }))
    return JSON.stringify(mergeBacktestReports(shards), null, 2) + '\n'
  },
}

/** The kinds `merge` knows. */
export const MERGE_KINDS: readonly string[] = Object.keys(KINDS)

/** The merged output of shards read from `sources` (file name and text; one source may hold several shards). */
export function mergeShards(sources: readonly { name: string; text: string }[]): string {
  const outputs = sources.flatMap((s) => readShardOutputs(s.name, s.text))
  if (outputs.length === 0) throw new CollabgateError('E_MERGE_INVALID', 'no shard output to merge: the input is empty')
  const kinds = [...new Set(outputs.map((o) => o.kind))]
  const unknown = kinds.find((k) => !hasOwn(KINDS, k))
  if (unknown !== undefined) {
    const where = outputs.find((o) => o.kind === unknown)!.source
    const why = `${where} is of kind ${JSON.stringify(unknown)}; merge knows ${MERGE_KINDS.join(', ')}`
    throw new CollabgateError('E_MERGE_KIND', why)
  }
  if (kinds.length > 1) {
    const list = kinds.map((k) => `${k} (${outputs.find((o) => o.kind === k)!.source})`).join(', ')
    throw new CollabgateError('E_MERGE_KIND', `the shards are of different kinds: ${list}; merge shards of one run`)
  }
  const ordered = checkShards(outputs)
  return KINDS[kinds[0]!]!(ordered)
}

const label = (o: ShardOutput): string => `shard ${o.stamp.index}/${o.stamp.count} (${o.source})`

/** Shards 1..N of one run, in order; else the coded reason they are not. */
function checkShards(outputs: readonly ShardOutput[]): ShardOutput[] {
  const first = outputs[0]!
  const agree: [keyof ShardStamp, string][] = [
    ['count', 'split the input into different numbers of shards'],
    ['input', 'read different inputs'],
    ['lines', 'read different inputs'],
    ['policies', 'were made by different policy versions'],
    ['settings', 'were made with different settings'],
  ]
  for (const o of outputs) {
    for (const [field, why] of agree) {
      if (o.stamp[field] === first.stamp[field]) continue
      const values = `${String(first.stamp[field])} vs ${String(o.stamp[field])}`
      throw new CollabgateError('E_SHARD_MISMATCH', `${label(first)} and ${label(o)} ${why} (${field}: ${values})`)
    }
  }
  const byIndex = new Map<number, ShardOutput>()
  for (const o of outputs) {
    const seen = byIndex.get(o.stamp.index)
    const twice = seen && `${label(o)} is given twice: ${seen.source} and ${o.source}`
    if (twice) throw new CollabgateError('E_SHARD_DUPLICATE', twice)
    byIndex.set(o.stamp.index, o)
  }
  const count = first.stamp.count
  const missing: string[] = []
  for (let k = 1; k <= count && missing.length < 20; k++) if (!byIndex.has(k)) missing.push(`${k}/${count}`)
  if (missing.length > 0) {
    throw new CollabgateError(
      'E_SHARD_MISSING',
      `shard(s) ${missing.join(', ')}${missing.length === 20 ? ', …' : ''} missing: ` +
        `${byIndex.size} of ${count} given`,
    )
  }
  return [...byIndex.values()].sort((a, b) => a.stamp.index - b.stamp.index)
}

const invalid = (where: string, why: string) => new CollabgateError('E_MERGE_INVALID', `${where}: ${why}`)

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
const hasOwn = (o: object, key: string): boolean => Object.prototype.hasOwnProperty.call(o, key)
const own = (o: Record<string, unknown>, key: string): unknown => (hasOwn(o, key) ? o[key] : undefined)

/** A stamp read from JSON, its shape checked (index and count as parseShard allows, text digests). */
function readStamp(where: string, value: unknown, withInput: boolean): ShardStamp {
  const s = isObject(value) ? value : {}
  const index = own(s, 'index')
  const count = own(s, 'count')
  const whole = (n: unknown, min: number): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= min
  if (!whole(count, 1) || !whole(index, 1) || index > count)
    throw invalid(
      where,
      'no shard stamp ("shard": {"index": K, "count": N, …} with 1 ≤ K ≤ N): ' + 'not a sharded output',
    )
  const text = (key: string): string => {
    const v = own(s, key)
    if (typeof v !== 'string') throw invalid(where, `the shard stamp has no ${key}`)
    return v
  }
  const lines = withInput ? own(s, 'lines') : 0
  if (!whole(lines, 0)) throw invalid(where, 'the shard stamp has no line count')
  const input = withInput ? text('input') : ''
  return { index, count, input, lines, policies: text('policies'), settings: text('settings') }
}

/** A backtest report's stamp, read off the run it names itself (its policy versions, dates, input and labels). */
function backtestStamp(where: string, report: Record<string, unknown>): ShardStamp {
  const part = (key: string): string => JSON.stringify(own(report, key) ?? null)
  const policies = `${part('policy')} ${part('baseline')} ${part('candidate')}`
  const settings =
    `now ${part('now')} maturity ${part('maturityDays')} ` + `labels ${part('labels')} outcomes ${part('outcomes')}`
  return readStamp(
    where,
    { ...asObject(own(report, 'shard')), lines: 0, input: part('input'), policies, settings },
    true,
  )
}

const asObject = (v: unknown): Record<string, unknown> => (isObject(v) ? v : {})

/** Where in a text a character offset falls: 1-based line and column. */
function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1
  let start = 0
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++
    start = i + 1
  }
  return { line, column: offset - start + 1 }
}

/** JSON.parse, or E_MERGE_INVALID naming the line (and column when the parser gives the place). */
function parseAt(name: string, text: string, firstLine: number): unknown {
  try {
    return JSON.parse(text)
  } catch (err) {
    const message = (err as Error).message
    const at = /at position (\d+)/.exec(message)
    const offset = at ? Number(at[1]) : /end of JSON input/.test(message) ? text.length : 0
    const { line, column } = lineColumn(text, offset)
    throw invalid(`${name}:${firstLine + line - 1}:${column}`, `not JSON (${message})`)
  }
}

/**
 * The shard outputs in one text: NDJSON (a batch shard's lines, or compact reports one a line) when its first line is
 * JSON by itself, else one or more JSON documents (pretty reports, concatenated on standard input).
 */
export function readShardOutputs(name: string, text: string): ShardOutput[] {
  const lines = text.split('\n')
  const firstAt = lines.findIndex((l) => l.trim() !== '')
  if (firstAt < 0) return []
  let lineMode = true
  try {
    JSON.parse(lines[firstAt]!)
  } catch {
    lineMode = false
  }
  return lineMode ? readLineOutputs(name, lines) : readDocuments(name, text)
}

/** A report that is one JSON document: its kind, its stamp, and the report without the stamp. */
function documentOutput(where: string, value: unknown): ShardOutput {
  if (!isObject(value)) throw invalid(where, 'not a JSON object: not a shard output')
  const kind = own(value, 'kind')
  if (typeof kind !== 'string') throw invalid(where, 'no "kind": not the output of a sharded run (--shard K/N)')
  const stamp = kind === 'backtest' ? backtestStamp(where, value) : readStamp(where, own(value, 'shard'), true)
  // fromEntries defines each key, so a "__proto__" key of the text stays a key and sets no prototype
  const body = Object.fromEntries(Object.entries(value).filter(([k]) => k !== 'shard'))
  return { kind, stamp, body, source: where }
}

const ITEM = /^\{"line":([1-9]\d{0,14}),"result":/

function readLineOutputs(name: string, lines: readonly string[]): ShardOutput[] {
  const outputs: ShardOutput[] = []
  // the batch shard being read: its header's stamp, result lines, and whether its end line came
  let open: { output: ShardOutput; items: BatchShardItem[]; ended: boolean; at: string } | undefined
  const close = (): void => {
    if (open && !open.ended)
      throw new CollabgateError('E_SHARD_INCOMPLETE', `${open.at}: the shard has no end line: it was stopped or failed`)
    open = undefined
  }
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i]!.endsWith('\r') ? lines[i]!.slice(0, -1) : lines[i]!
    if (text.trim() === '') continue
    const where = `${name}:${i + 1}`
    const value = parseAt(name, text, i + 1)
    const item = ITEM.exec(text)
    if (item && isObject(value) && own(value, 'line') !== undefined) {
      if (!open || open.ended) throw invalid(where, 'a result line outside a batch shard (no header line before it)')
      const line = Number(item[1])
      const last = open.items.at(-1)
      if (last && line <= last.line) throw invalid(where, `line ${line} after ${last.line}: not a shard as written`)
      // the result's own text, as the batch wrote it: the merge writes it back unchanged
      open.items.push({ line, result: text.slice(item[0].length, -1) })
      continue
    }
    if (isObject(value) && isObject(own(value, 'end')) && open && !open.ended) {
      const end = own(value, 'end') as Record<string, unknown>
      const stamp = readStamp(where, { ...(open.output.stamp as unknown as Record<string, unknown>), ...end }, true)
      open.output.stamp = stamp
      open.ended = true
      continue
    }
    if (isObject(value) && own(value, 'kind') === 'batch') {
      close()
      const stamp = readStamp(where, own(value, 'shard'), false)
      const output: ShardOutput = { kind: 'batch', stamp, body: [], source: where }
      open = { output, items: output.body as BatchShardItem[], ended: false, at: where }
      outputs.push(output)
      continue
    }
    close()
    outputs.push(documentOutput(where, value))
  }
  close()
  return outputs
}

/** Top-level JSON values of a text, each with the line it starts on (strings and nesting followed, not parsed). */
function readDocuments(name: string, text: string): ShardOutput[] {
  const outputs: ShardOutput[] = []
  let i = 0
  let line = 1
  while (i < text.length) {
    const c = text[i]!
    if (c === '\n') line++
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n') {
      i++
      continue
    }
    const start = i
    const startLine = line
    let depth = 0
    let inString = false
    for (; i < text.length; i++) {
      const d = text[i]!
      if (d === '\n') line++
      if (inString) {
        if (d === '\\') i++
        else if (d === '"') inString = false
      } else if (d === '"') inString = true
      else if (d === '{' || d === '[') depth++
      else if (d === '}' || d === ']') {
        depth--
        if (depth <= 0) {
          i++
          break
        }
      } else if (depth === 0 && /\s/.test(d)) break
    }
    const value = parseAt(name, text.slice(start, i), startLine)
    outputs.push(documentOutput(`${name}:${startLine}`, value))
  }
  return outputs
}
