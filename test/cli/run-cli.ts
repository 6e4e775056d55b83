/** Runs the BUILT command line (dist/cli.js) as a child process, as users and CI run it. */
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
export const CLI = join(ROOT, 'dist', 'cli.js')
export const AUTHORING = 'test/fixtures/authoring'

export interface CliResult {
  code: number
  stdout: string
  stderr: string
}

/** Fails the suite with a clear message when the CLI has not been built. */
export function assertBuilt(): void {
  if (!existsSync(CLI)) throw new Error(`${CLI} does not exist: run 'npx tsup' (npm test builds first) before these tests`)
}

/** Runs `node dist/cli.js ...args` in the repository root; never rejects on a non-zero exit. */
export function cli(args: readonly string[], options: { input?: string; env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env, NO_COLOR: undefined, FORCE_COLOR: undefined, ...options.env }
    const child = execFile(
      process.execPath,
      [CLI, ...args],
      { cwd: options.cwd ?? ROOT, env, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err && typeof err.code !== 'number') return reject(err)
        resolve({ code: err ? (err.code as number) : 0, stdout, stderr })
      },
    )
    child.stdin?.on('error', () => undefined) // EPIPE when the command exits before reading all its input
    child.stdin?.end(options.input ?? '')
  })
}

/** Any ANSI escape: output to pipes must never be coloured. */
// eslint-disable-next-line no-control-regex -- the escape character is the point
export const ANSI = /\u001b\[/
