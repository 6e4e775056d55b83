#!/usr/bin/env node
import { createRequire } from 'node:module'
import { closest } from '../suggest.js'
import { EXIT, readStdin, reportError, UsageError, type Io } from './io.js'

interface CommandModule {
  run: (argv: string[], io: Io) => Promise<number>
  help: string
}

/** Commands load on demand, so `--help`, `--version` and each command pay only for what they use. */
const COMMANDS: Record<string, { summary: string; load: () => Promise<CommandModule> }> = {
  decide: {
    summary: 'decide a record (or an NDJSON batch) against a policy',
    load: async () => {
      const m = await import('./commands/decide.js')
      return { run: m.decideCommand, help: m.decideHelp }
    },
  },
  test: {
    summary: 'run the policy tests (*.test.yaml)',
    load: async () => {
      const m = await import('./commands/test.js')
      return { run: m.testCommand, help: m.testHelp }
    },
  },
  validate: {
    summary: 'check policy files and the lock file',
    load: async () => {
      const m = await import('./commands/validate.js')
      return { run: m.validateCommand, help: m.validateHelp }
    },
  },
  lock: {
    summary: 'record the digest of every policy version',
    load: async () => {
      const m = await import('./commands/lock.js')
      return { run: m.lockCommand, help: m.lockHelp }
    },
  },
  sign: {
    summary: 'sign the release in the lock file, as author or approver',
    load: async () => {
      const m = await import('./commands/sign.js')
      return { run: m.signCommand, help: m.signHelp }
    },
  },
  verify: {
    summary: 'check that the release is signed and approved as a trust file requires',
    load: async () => {
      const m = await import('./commands/verify.js')
      return { run: m.verifyCommand, help: m.verifyHelp }
    },
  },
  keygen: {
    summary: 'make an Ed25519 key pair for signing releases',
    load: async () => {
      const m = await import('./commands/keygen.js')
      return { run: m.keygenCommand, help: m.keygenHelp }
    },
  },
  diff: {
    summary: 'compare two policy versions rule by rule',
    load: async () => {
      const m = await import('./commands/diff.js')
      return { run: m.diffCommand, help: m.diffHelp }
    },
  },
  impact: {
    summary: 'replay records through two versions of a policy',
    load: async () => {
      const m = await import('./commands/impact.js')
      return { run: m.impactCommand, help: m.impactHelp }
    },
  },
  audit: {
    summary: 'check a decision log: its hash chain and signed checkpoints',
    load: async () => {
      const m = await import('./commands/audit.js')
      return { run: m.auditCommand, help: m.auditHelp }
    },
  },
  replay: {
    summary: 'decide every entry of a decision log again and report differences',
    load: async () => {
      const m = await import('./commands/replay.js')
      return { run: m.replayCommand, help: m.replayHelp }
    },
  },
  backtest: {
    summary: "score two policy versions against reviewers' final outcomes",
    load: async () => {
      const m = await import('./commands/backtest.js')
      return { run: m.backtestCommand, help: m.backtestHelp }
    },
  },
  merge: {
    summary: 'join the outputs of shards 1..N of a run (--shard K/N) into the one run gives',
    load: async () => {
      const m = await import('./commands/merge.js')
      return { run: m.mergeCommand, help: m.mergeHelp }
    },
  },
  init: {
    summary: 'write a working policy repository: declaration, record schema, policy, tests, lock, CI',
    load: async () => {
      const m = await import('./commands/init.js')
      return { run: m.initCommand, help: m.initHelp }
    },
  },
  report: {
    summary: 'write one HTML page for people from a decision, impact or test run',
    load: async () => {
      const m = await import('./commands/report.js')
      return { run: m.reportCommand, help: m.reportHelp }
    },
  },
}

function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`)
  return (
    `Usage: collabgate <command> [options]\n\nCommands:\n${lines.join('\n')}\n\nRun 'collabgate <command> ` +
    `--help' for a command's options and examples.\n`
  )
}

/** A parse error in a sentence of ours: the option, the one meant when one is close, the options there are. */
function optionError(command: string, err: TypeError & { code?: unknown }, help: string): string {
  const known = [...help.matchAll(/^ {2}(--[a-z-]+|-h)/gm)].map((m) => m[1]!)
  const unknown = /Unknown option '([^']+)'/.exec(err.message)?.[1]
  if (err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && unknown !== undefined) {
    const near = closest(unknown, known)
    return (
      `unknown option '${unknown}' for ${command}${near ? ` (did you mean '${near}'?)` : ''}; its options: ` +
      `${known.join(', ')} (collabgate ${command} --help)`
    )
  }
  if (err.code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL')
    return (
      `${command} takes no such argument: ${err.message.replace(/^Unexpected argument '([^']+)'.*$/s, "'$1'")} ` +
      `(collabgate ${command} --help)`
    )
  // e.g. an option that needs a value given none: Node's sentence says which
  return `${err.message.split('. To specify')[0]} (collabgate ${command} --help)`
}

/** A mistyped command in one line: the one meant when one is close, the commands there are (not the whole help). */
function unknownCommand(name: string): string {
  const names = Object.keys(COMMANDS)
  const near = closest(name, names)
  const meant = near ? ` (did you mean '${near}'?)` : ''
  return `unknown command '${name}'${meant}; commands: ${names.join(', ')} (collabgate --help)`
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
  // `collabgate help decide` is `collabgate decide --help`
  if (name === 'help' && rest[0] !== undefined) return main([rest[0], '--help'], io)
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(usage())
    return name === undefined ? EXIT.USAGE : EXIT.OK
  }
  if (name === '--version' || name === '-v') {
    io.stdout(version() + '\n')
    return EXIT.OK
  }
  const entry = Object.prototype.hasOwnProperty.call(COMMANDS, name) ? COMMANDS[name] : undefined
  let command: CommandModule | undefined
  try {
    if (!entry) throw new UsageError(unknownCommand(name))
    command = await entry.load()
    return await command.run(rest, io)
  } catch (err) {
    if (
      err instanceof TypeError &&
      'code' in err &&
      String((err as { code: unknown }).code).startsWith('ERR_PARSE_ARGS')
    ) {
      return reportError(io, new UsageError(optionError(name, err, command?.help ?? '')))
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
