/**
 * Reviewers' final outcomes, the labels a backtest scores the versions against: CSV with a header, or NDJSON,
 * one label per decision id or per subject id. A malformed line is an error naming its line, never skipped.
 */
import { CollabgateError } from '../errors.js'
import { droppedLine, type InputLine } from '../read/lines.js'

/** One reviewer's final outcome, with the line it was read from. */
export interface Label {
  outcome: string
  /** 1-based line in the labels file. */
  line: number
}

export interface Labels {
  /** The file as named (for messages). */
  file: string
  /** Labels read (non-blank lines, the CSV header aside). */
  rows: number
  /** Labels of one decision (a log entry's `id`). */
  byDecision: Map<string, Label>
  /** Labels of every decision about one subject (the record's id). */
  bySubject: Map<string, Label>
}

export type LabelsFormat = 'csv' | 'ndjson'

/** The most labels read: far beyond any reviewed set, small enough to hold in memory. */
export const MAX_LABELS = 5_000_000

const invalid = (file: string, line: number, message: string): CollabgateError =>
  new CollabgateError('E_LABELS_INVALID', `${file}:${line}: ${message}`)

/** One CSV line's fields (RFC 4180 quoting within a line); undefined when its quotes do not close. */
export function csvFields(line: string): string[] | undefined {
  const out: string[] = []
  let i = 0
  for (;;) {
    let field = ''
    if (line[i] === '"') {
      i++
      for (;;) {
        if (i >= line.length) return undefined
        if (line[i] === '"') {
          if (line[i + 1] === '"') {
            field += '"'
            i += 2
            continue
          }
          i++
          break
        }
        field += line[i++]
      }
      if (i < line.length && line[i] !== ',') return undefined
    } else {
      const end = line.indexOf(',', i)
      field = end < 0 ? line.slice(i) : line.slice(i, end)
      i = end < 0 ? line.length : end
    }
    out.push(field.trim())
    if (i >= line.length) return out
    i++ // the comma
  }
}

/**
 * Labels from the lines of a file. NDJSON: `{"decision": ID, "outcome": O}` or `{"subject": ID, "outcome": O}`;
 * CSV: a header naming `outcome` and `decision` or `subject` (other columns ignored), one label a row, each
 * row naming exactly one of the two ids. E_LABELS_INVALID names the line of anything else, and both lines of a
 * decision or subject labelled twice.
 */
export async function parseLabels(
  lines: AsyncIterable<InputLine> | Iterable<InputLine>,
  file: string,
  format: LabelsFormat,
) {
  const labels: Labels = { file, rows: 0, byDecision: new Map(), bySubject: new Map() }
  let header: { decision: number; subject: number; outcome: number } | undefined
  let lineNo = 0
  for await (const raw of lines) {
    lineNo++
    if (typeof raw !== 'string') throw invalid(file, lineNo, droppedLine(raw).message)
    // a byte-order mark on the first line is an editor's, not part of a column name or JSON
    const text = (lineNo === 1 ? raw.replace(/^\ufeff/, '') : raw).replace(/\r$/, '')
    if (text.trim() === '') continue
    let key: { by: 'decision' | 'subject'; id: string }
    let outcome: string
    if (format === 'csv') {
      const fields = csvFields(text)
      if (fields === undefined) throw invalid(file, lineNo, 'a quoted field does not close')
      if (header === undefined) {
        const column = (name: string): number => fields.indexOf(name)
        header = { decision: column('decision'), subject: column('subject'), outcome: column('outcome') }
        if (header.outcome < 0 || (header.decision < 0 && header.subject < 0))
          throw invalid(file, lineNo, 'the header must name an outcome column and a decision or subject column')
        continue
      }
      const at = (i: number): string => (i < 0 ? '' : (fields[i] ?? ''))
      const [decision, subject] = [at(header.decision), at(header.subject)]
      const one = (decision === '') !== (subject === '')
      if (!one) throw invalid(file, lineNo, 'name exactly one of decision and subject')
      key = decision !== '' ? { by: 'decision', id: decision } : { by: 'subject', id: subject }
      outcome = at(header.outcome)
      if (outcome === '') throw invalid(file, lineNo, 'no outcome')
    } else {
      let value: unknown
      try {
        value = JSON.parse(text)
      } catch (err) {
        throw invalid(file, lineNo, `not JSON: ${(err as Error).message}`)
      }
      const isObject = value !== null && typeof value === 'object' && !Array.isArray(value)
      if (!isObject) throw invalid(file, lineNo, 'not a JSON object')
      const o = value as Record<string, unknown>
      const own = (k: string): unknown => (Object.hasOwn(o, k) ? o[k] : undefined)
      const [decision, subject, given] = [own('decision'), own('subject'), own('outcome')]
      const one = (decision === undefined) !== (subject === undefined)
      if (!one) throw invalid(file, lineNo, 'name exactly one of "decision" and "subject"')
      const id = decision ?? subject
      if (typeof id !== 'string' || id === '') throw invalid(file, lineNo, 'the id must be a non-empty string')
      if (typeof given !== 'string' || given === '') throw invalid(file, lineNo, '"outcome" must be a non-empty string')
      key = { by: decision !== undefined ? 'decision' : 'subject', id }
      outcome = given
    }
    const map = key.by === 'decision' ? labels.byDecision : labels.bySubject
    const earlier = map.get(key.id)
    const twice = `${key.by} ${JSON.stringify(key.id)} is labelled twice`
    if (earlier) throw invalid(file, lineNo, `${twice} (first on line ${earlier.line})`)
    if (++labels.rows > MAX_LABELS) throw invalid(file, lineNo, `more than ${MAX_LABELS} labels`)
    map.set(key.id, { outcome, line: lineNo })
  }
  if (format === 'csv' && header === undefined) throw invalid(file, 1, 'no header line')
  return labels
}

/** The format a labels file is in: by its name (.csv; .ndjson, .jsonl, .json), else by its first character. */
export function labelsFormatOf(file: string, firstLine: string | undefined): LabelsFormat {
  if (/\.csv$/i.test(file)) return 'csv'
  if (/\.(nd)?jsonl?$/i.test(file) || /\.json$/i.test(file)) return 'ndjson'
  return firstLine
    ?.replace(/^\ufeff/, '')
    .trimStart()
    .startsWith('{')
    ? 'ndjson'
    : 'csv'
}
