import type { Stats } from 'node:fs'
import { readFile, stat } from 'node:fs/promises'
import { CollabgateError, PolicyValidationError, RecordValidationError, formatProblem } from '../errors.js'
import { visible } from '../report/reporter.js'

/** Exit codes: 0 fine, 1 invalid policies / failed tests / adverse decisions (when asked), 2 usage or input errors. */
export const EXIT = { OK: 0, FAILED: 1, USAGE: 2, INTERNAL: 3 } as const

export class UsageError extends Error {}

export interface Io {
  stdout: (text: string) => void
  stderr: (text: string) => void
  /** Standard input as text; null when it is over `maxBytes` (reading stops there). */
  stdin: (maxBytes: number) => Promise<string | null>
  env: NodeJS.ProcessEnv
  isTTY: boolean
}

/** Over the limit: a usage error naming the input, the limit, and what to do for more. */
export const tooBig = (name: string, bytes: string, maxBytes: number, advice: string): UsageError =>
  new UsageError(`${name} is ${bytes} bytes; it may be at most ${maxBytes} bytes${advice ? ` (${advice})` : ''}`)

/** Standard input, read up to `maxBytes`; null past it, when reading stops (the rest is never buffered). */
export async function readStdin(maxBytes: number, stream: AsyncIterable<Buffer | string> = process.stdin): Promise<string | null> {
  const chunks: Buffer[] = []
  let total = 0
  for await (const chunk of stream) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk
    total += bytes.length
    if (total > maxBytes) return null
    chunks.push(bytes)
  }
  return Buffer.concat(chunks).toString('utf8')
}

/** A path named on the command line that cannot be read: a usage error naming it and the reason. */
export const cannotRead = (path: string, err: unknown): UsageError =>
  new UsageError(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`)

/** stat() of a path named on the command line; one that cannot be read is a usage error. */
export async function statArg(path: string): Promise<Stats> {
  try {
    return await stat(path)
  } catch (err) {
    throw cannotRead(path, err)
  }
}

/**
 * Reads a file, or standard input for '-', refusing either past `maxBytes` with the same usage error
 * (`advice` says what to do instead); a file's size is checked before it is read.
 */
export async function readInput(io: Io, file: string, maxBytes: number, advice = ''): Promise<string> {
  if (file === '-') {
    const text = await io.stdin(maxBytes)
    if (text === null) throw tooBig('standard input', `over ${maxBytes}`, maxBytes, advice)
    return text
  }
  const info = await statArg(file)
  if (info.isFile() && info.size > maxBytes) throw tooBig(file, String(info.size), maxBytes, advice)
  try {
    return await readFile(file, 'utf8')
  } catch (err) {
    throw cannotRead(file, err)
  }
}

/** Prints an error for people (never a stack trace) and returns its exit code. */
export function reportError(io: Io, err: unknown): number {
  if (err instanceof UsageError) {
    // a usage message may span lines (the usage after it); its values may not
    io.stderr(`collabgate: ${err.message.split('\n').map(visible).join('\n')}\n`)
    return EXIT.USAGE
  }
  if (err instanceof PolicyValidationError) {
    io.stderr(`collabgate: ${err.problems.length} problem(s) in policies:\n`)
    for (const p of err.problems) io.stderr(`  ${visible(formatProblem(p))}\n`)
    return EXIT.FAILED
  }
  if (err instanceof RecordValidationError && err.code !== 'E_RECORD_INVALID') {
    io.stderr(`collabgate: ${err.code}: the record’s JSON text would not be read as written:\n`)
    for (const p of err.problems) io.stderr(`  ${visible(`${p.pointer || '/'}: ${p.message}`)}\n`)
    return EXIT.USAGE
  }
  if (err instanceof RecordValidationError) {
    io.stderr(
      `collabgate: the ${err.subject === undefined ? '' : `${err.subject} `}record is invalid (${err.problems.length} problem(s)):\n`,
    )
    for (const p of err.problems) io.stderr(`  ${visible(`${p.pointer || '/'}: ${p.message}`)}\n`)
    return EXIT.USAGE
  }
  if (err instanceof CollabgateError) {
    io.stderr(`collabgate: ${err.code}: ${visible(err.message)}\n`)
    return EXIT.USAGE
  }
  // not the user's doing: its own code, so scripts can tell a bug from a usage error
  io.stderr(`collabgate: internal error (please report it): ${visible(err instanceof Error ? err.message : String(err))}\n`)
  return EXIT.INTERNAL
}

/** The --format value if it is one of `allowed`, else a usage error naming them. */
export function formatOption<const T extends string>(value: string | undefined, allowed: readonly T[]): T {
  if ((allowed as readonly (string | undefined)[]).includes(value)) return value as T
  const names = allowed.length > 1 ? `${allowed.slice(0, -1).join(', ')} or ${allowed.at(-1)}` : String(allowed[0])
  throw new UsageError(`--format must be ${names}, not ${value}`)
}

export const today = (): string => new Date().toISOString().slice(0, 10)
