/**
 * Reading decision logs back: the lines of one or more NDJSON files, in order, as the writer wrote
 * them (the text between newlines, undecoded bytes aside), so a line's hash is the one its successor names.
 */
import { createReadStream } from 'node:fs'
import { CollabgateError } from '../errors.js'

/** One line of a log file. */
export interface LogLine {
  /** The file as given. */
  file: string
  /** 1-based line number in that file. */
  line: number
  /** The line's text, without its newline. */
  text: string
  /** False for a last line that does not end in a newline (a torn write, or a file cut mid-line). */
  whole: boolean
}

const NEWLINE = 0x0a

/** The lines of each file in turn, streamed (a file is never held whole); E_IO when a file cannot be read. */
export async function* readLogLines(files: readonly string[]): AsyncGenerator<LogLine> {
  for (const file of files) {
    let line = 0
    let rest: Buffer = Buffer.alloc(0)
    try {
      for await (const chunk of createReadStream(file)) {
        const bytes = rest.length > 0 ? Buffer.concat([rest, chunk as Buffer]) : (chunk as Buffer)
        let start = 0
        for (let at = bytes.indexOf(NEWLINE); at >= 0; at = bytes.indexOf(NEWLINE, start)) {
          yield { file, line: ++line, text: bytes.toString('utf8', start, at), whole: true }
          start = at + 1
        }
        rest = bytes.subarray(start)
      }
    } catch (err) {
      if (err instanceof CollabgateError) throw err
      const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message
      throw new CollabgateError('E_IO', `cannot read the audit log ${file}: ${code}`, { cause: err })
    }
    if (rest.length > 0) yield { file, line: line + 1, text: rest.toString('utf8'), whole: false }
  }
}
