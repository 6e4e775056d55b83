import type { Stats } from 'node:fs'
import { open, stat } from 'node:fs/promises'
import { CollabgateError, PolicyValidationError, RecordValidationError, formatProblem } from '../errors.js'
import type { ErrorCode } from '../errors.js'
import { ownOptions } from '../own.js'
import { visible } from '../report/reporter.js'

/** Exit codes: 0 fine, 1 invalid policies / failed tests / adverse decisions (when asked), 2 usage or input errors. */
export const EXIT = { OK: 0, FAILED: 1, USAGE: 2, INTERNAL: 3 } as const

export class UsageError extends Error {
  /** Printed before the message, so scripts and people can tell one error from another: E_USAGE unless given. */
  readonly code: ErrorCode
  constructor(message: string, code: ErrorCode = 'E_USAGE') {
    super(message)
    this.code = code
  }
}

export interface Io {
  stdout: (text: string) => void
  stderr: (text: string) => void
  /** Standard input's bytes (or text already decoded); null when it is over `maxBytes` (reading stops there). */
  stdin: (maxBytes: number) => Promise<Uint8Array | string | null>
  env: NodeJS.ProcessEnv
  isTTY: boolean
}

/** Over the limit: a usage error naming the input, the limit, and what to do for more. */
export const tooBig = (name: string, bytes: string, maxBytes: number, advice: string): UsageError =>
  new UsageError(`${name} is ${bytes} bytes; it may be at most ${maxBytes} bytes${advice ? ` (${advice})` : ''}`)

/** Standard input's bytes, read up to `maxBytes`; null past it, when reading stops (the rest is never buffered). */
export async function readStdin(
  maxBytes: number,
  stream: AsyncIterable<Buffer | string> = process.stdin,
): Promise<Buffer | null> {
  const chunks: Buffer[] = []
  let total = 0
  for await (const chunk of stream) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk
    total += bytes.length
    if (total > maxBytes) return null
    chunks.push(bytes)
  }
  return Buffer.concat(chunks)
}

/**
 * A file's bytes, read up to `maxBytes`; null past it. Reads whatever the path is (a FIFO, a device
 * such as /dev/zero, a file still growing) into one buffer of `maxBytes + 1`, so it never holds more.
 */
export async function readBounded(file: string, maxBytes: number): Promise<Buffer | null> {
  const handle = await open(file, 'r')
  try {
    const buffer = Buffer.allocUnsafe(maxBytes + 1)
    let total = 0
    while (total <= maxBytes) {
      const { bytesRead } = await handle.read(buffer, total, buffer.length - total, null)
      if (bytesRead === 0) return buffer.subarray(0, total)
      total += bytesRead
    }
    return null
  } finally {
    await handle.close()
  }
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

/** How readInput words an input over the limit. */
export interface InputLimit {
  /** What to do instead, said after the limit. */
  advice?: string
  /** The error's code (a CollabgateError); without it, a usage error. */
  code?: 'E_RECORD_TOO_LARGE'
}

/**
 * The bytes of a file, or of standard input for '-' (text when the Io gives text), refusing either past
 * `maxBytes` with the same error; reading stops there whatever the file is, and a regular file's size
 * is checked before it is read.
 */
export async function readInputBytes(
  io: Io,
  file: string,
  maxBytes: number,
  given: InputLimit = {},
): Promise<Uint8Array | string> {
  const limit = ownOptions(given)
  const over = (name: string, bytes: string): Error => {
    const err = tooBig(name, bytes, maxBytes, limit.advice ?? '')
    return limit.code ? new CollabgateError(limit.code, err.message) : err
  }
  if (file === '-') {
    const input = await io.stdin(maxBytes)
    if (input === null) throw over('standard input', `over ${maxBytes}`)
    return input
  }
  const info = await statArg(file)
  if (info.isFile() && info.size > maxBytes) throw over(file, String(info.size))
  let bytes: Buffer | null
  try {
    bytes = await readBounded(file, maxBytes)
  } catch (err) {
    throw cannotRead(file, err)
  }
  if (bytes === null) throw over(file, `over ${maxBytes}`)
  return bytes
}

/** readInputBytes as text; bytes that are not UTF-8 become U+FFFD (for inputs that are not records). */
export async function readInput(io: Io, file: string, maxBytes: number, advice = ''): Promise<string> {
  const input = await readInputBytes(io, file, maxBytes, { advice })
  return typeof input === 'string' ? input : Buffer.from(input).toString('utf8')
}

/** Prints an error for people (never a stack trace) and returns its exit code. */
export function reportError(io: Io, err: unknown): number {
  if (err instanceof UsageError) {
    // a usage message may span lines (the usage after it); its values may not
    io.stderr(`collabgate: ${err.code}: ${err.message.split('\n').map(visible).join('\n')}\n`)
    return EXIT.USAGE
  }
  if (err instanceof PolicyValidationError) {
    io.stderr(`collabgate: ${err.code}: ${err.problems.length} problem(s) in policies:\n`)
    for (const p of err.problems) io.stderr(`  ${visible(formatProblem(p))}\n`)
    return EXIT.FAILED
  }
  if (err instanceof RecordValidationError && err.code !== 'E_RECORD_INVALID') {
    io.stderr(`collabgate: ${err.code}: the record’s JSON text would not be read as written:\n`)
    for (const p of err.problems) io.stderr(`  ${visible(`${p.pointer || '/'}: ${p.message}`)}\n`)
    return EXIT.USAGE
  }
  if (err instanceof RecordValidationError) {
    const kind = err.subject === undefined ? '' : `${err.subject} `
    io.stderr(`collabgate: ${err.code}: the ${kind}record is invalid (${err.problems.length} problem(s)):\n`)
    for (const p of err.problems) io.stderr(`  ${visible(`${p.pointer || '/'}: ${p.message}`)}\n`)
    return EXIT.USAGE
  }
  if (err instanceof CollabgateError) {
    io.stderr(`collabgate: ${err.code}: ${visible(err.message)}\n`)
    return EXIT.USAGE
  }
  // not the user's doing: its own code, so scripts can tell a bug from a usage error
  io.stderr(
    `collabgate: internal error (please report it): ${visible(err instanceof Error ? err.message : String(err))}\n`,
  )
  return EXIT.INTERNAL
}

/** The --format value if it is one of `allowed`, else a usage error naming them. */
export function formatOption<const T extends string>(value: string | undefined, allowed: readonly T[]): T {
  if ((allowed as readonly (string | undefined)[]).includes(value)) return value as T
  const names = allowed.length > 1 ? `${allowed.slice(0, -1).join(', ')} or ${allowed.at(-1)}` : String(allowed[0])
  throw new UsageError(`--format must be ${names}, not ${value}`)
}

export const today = (): string => new Date().toISOString().slice(0, 10)
