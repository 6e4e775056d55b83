import { createRequire } from 'node:module'
import { decideCommand, decideHelp } from './commands/decide.js'
import { testCommand, testHelp } from './commands/test.js'
import { validateCommand, validateHelp } from './commands/validate.js'
import { lockCommand, lockHelp } from './commands/lock.js'
import { diffCommand, diffHelp } from './commands/diff.js'
import { impactCommand, impactHelp } from './commands/impact.js'
import { EXIT, readStdin, reportError, UsageError, type Io } from './io.js'

type Command = { run: (argv: string[], io: Io) => Promise<number>; help: string; summary: string }

const COMMANDS: Record<string, Command> = {
  decide: { run: decideCommand, help: decideHelp, summary: 'decide a record against a policy' },
  test: { run: testCommand, help: testHelp, summary: 'run the policy tests (*.test.yaml)' },
  validate: { run: validateCommand, help: validateHelp, summary: 'check policy files and the lock file' },
  lock: { run: lockCommand, help: lockHelp, summary: 'record the digest of every policy version' },
  diff: { run: diffCommand, help: diffHelp, summary: 'compare two policy versions rule by rule' },
  impact: { run: impactCommand, help: impactHelp, summary: 'replay records through two versions of a policy' },
}

function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`)
  return `Usage: collabgate <command> [options]\n\nCommands:\n${lines.join('\n')}\n\nRun 'collabgate <command> --help' for a command's options and examples.\n`
}

function version(): string {
  try {
    return (createRequire(import.meta.url)('../package.json') as { version: string }).version
  } catch {
    return 'unknown'
  }
}

export async function main(argv: string[], io: Io): Promise<number> {
  const [name, ...rest] = argv
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(usage())
    return name === undefined ? EXIT.USAGE : EXIT.OK
  }
  if (name === '--version' || name === '-v') {
    io.stdout(version() + '\n')
    return EXIT.OK
  }
  const command = Object.prototype.hasOwnProperty.call(COMMANDS, name) ? COMMANDS[name] : undefined
  try {
    if (!command) throw new UsageError(`unknown command '${name}'\n\n${usage()}`)
    return await command.run(rest, io)
  } catch (err) {
    if (err instanceof TypeError && 'code' in err && String((err as { code: unknown }).code).startsWith('ERR_PARSE_ARGS')) {
      return reportError(io, new UsageError(`${err.message}\n\n${command?.help ?? usage()}`))
    }
    return reportError(io, err)
  }
}

const io: Io = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  stdin: readStdin,
  env: process.env,
  isTTY: Boolean(process.stderr.isTTY),
}

main(process.argv.slice(2), io).then(
  (code) => {
    process.exitCode = code
  },
  (err: unknown) => {
    process.exitCode = reportError(io, err)
  },
)
