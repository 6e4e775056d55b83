import type { Stats } from 'node:fs'
import { readFile, stat } from 'node:fs/promises'
import { CollabgateError, PolicyValidationError, RecordValidationError, formatProblem } from '../errors.js'

/** Exit codes: 0 fine, 1 invalid policies / failed tests / adverse decisions (when asked), 2 usage or input errors. */
export const EXIT = { OK: 0, FAILED: 1, USAGE: 2, INTERNAL: 3 } as const

export class UsageError extends Error {}

export interface Io {
  stdout: (text: string) => void
  stderr: (text: string) => void
  stdin: () => Promise<string>
  env: NodeJS.ProcessEnv
  isTTY: boolean
}

export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
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

/** Reads a file, or standard input for '-'. */
export async function readInput(io: Io, file: string): Promise<string> {
  if (file === '-') return io.stdin()
  try {
    return await readFile(file, 'utf8')
  } catch (err) {
    throw cannotRead(file, err)
  }
}

/** Prints an error for people (never a stack trace) and returns its exit code. */
export function reportError(io: Io, err: unknown): number {
  if (err instanceof UsageError) {
    io.stderr(`collabgate: ${err.message}\n`)
    return EXIT.USAGE
  }
  if (err instanceof PolicyValidationError) {
    io.stderr(`collabgate: ${err.problems.length} problem(s) in policies:\n`)
    for (const p of err.problems) io.stderr(`  ${formatProblem(p)}\n`)
    return EXIT.FAILED
  }
  if (err instanceof RecordValidationError) {
    io.stderr(
      `collabgate: the ${err.subject === undefined ? '' : `${err.subject} `}record is invalid (${err.problems.length} problem(s)):\n`,
    )
    for (const p of err.problems) io.stderr(`  ${p.pointer || '/'}: ${p.message}\n`)
    return EXIT.USAGE
  }
  if (err instanceof CollabgateError) {
    io.stderr(`collabgate: ${err.code}: ${err.message}\n`)
    return EXIT.USAGE
  }
  // not the user's doing: its own code, so scripts can tell a bug from a usage error
  io.stderr(`collabgate: internal error (please report it): ${err instanceof Error ? err.message : String(err)}\n`)
  return EXIT.INTERNAL
}

/** The --format value if it is one of `allowed`, else a usage error naming them. */
export function formatOption<const T extends string>(value: string | undefined, allowed: readonly T[]): T {
  if ((allowed as readonly (string | undefined)[]).includes(value)) return value as T
  const names = allowed.length > 1 ? `${allowed.slice(0, -1).join(', ')} or ${allowed.at(-1)}` : String(allowed[0])
  throw new UsageError(`--format must be ${names}, not ${value}`)
}

export const today = (): string => new Date().toISOString().slice(0, 10)
