/**
 * The code blocks of the project's documents, and how the doc tests run them.
 *
 * - A ```sh block whose lines start with `$ collabgate …` or `$ npx collabgate …` is run against the built
 *   `dist/cli.js`; the lines after a command, up to the next `$`, are its output (combined stdout and stderr).
 *   A single command with no lines after it may show its output in the next block, marked `<!-- output -->`.
 *   A command whose trailing comment says `exits N` must exit with N; every other one with 0.
 * - `<!-- run: temp -->` before a block runs it in the document's scratch folder (copies of `policies/`,
 *   `examples/` and `test/fixtures/authoring/`, shared by that document's blocks in order); otherwise commands run in the repository.
 * - ```ts and ```js blocks run with node in the scratch folder, where `collabgate` resolves to the repository.
 * - `<!-- not-run: reason -->` before a block skips it; docs.test.ts pins the list of them.
 */
import { spawnSync } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export const ROOT = join(import.meta.dirname, '..', '..')
export const CLI = join(ROOT, 'dist', 'cli.js')

/** Every document the doc tests read: the README, docs/ and CONTRIBUTING. */
export const DOCUMENTS = [
  'README.md',
  'CONTRIBUTING.md',
  'docs/architecture.md',
  'docs/audit-and-service.md',
  'docs/authoring.md',
  'docs/cli.md',
  'docs/embedding.md',
  'docs/performance.md',
  'docs/store.md',
]

export interface Block {
  file: string
  /** 1-based line of the opening fence. */
  line: number
  lang: string
  /** The lines between the fences, with the fence's indentation taken off. */
  lines: string[]
  /** The annotation on the last non-blank line before the fence, if any. */
  annotation?: { kind: 'not-run' | 'run' | 'output'; text: string }
}

const FENCE = /^( *)```(\S*)\s*$/
const ANNOTATION = /^\s*<!--\s*(not-run|run|output)\s*(?::\s*(.*?))?\s*-->\s*$/

/** The fenced blocks of a markdown text, in order. */
export function blocksOf(file: string, text: string): Block[] {
  const all = text.split('\n')
  const blocks: Block[] = []
  for (let i = 0; i < all.length; i++) {
    const open = FENCE.exec(all[i]!)
    if (!open) continue
    const indent = open[1]!.length
    let end = i + 1
    while (end < all.length && all[end]!.trimEnd() !== ' '.repeat(indent) + '```') end++
    let prev = i - 1
    while (prev >= 0 && all[prev]!.trim() === '') prev--
    const note = prev >= 0 ? ANNOTATION.exec(all[prev]!) : null
    blocks.push({
      file,
      line: i + 1,
      lang: open[2]!,
      lines: all.slice(i + 1, end).map((l) => l.slice(Math.min(indent, l.length - l.trimStart().length))),
      ...(note ? { annotation: { kind: note[1] as 'not-run' | 'run' | 'output', text: note[2] ?? '' } } : {}),
    })
    i = end
  }
  return blocks
}

export const readDocument = (file: string): string => readFileSync(join(ROOT, file), 'utf8')

export interface Command {
  block: Block
  /** The command as written after `$ `, continuation lines joined. */
  text: string
  /** The output the document shows, or undefined when it shows none. */
  shown: string | undefined
  exit: number
  /** Where the shown output lives: the block and its line range, for DOCS_UPDATE. */
  outputAt?: { block: Block; from: number; to: number }
}

/** The commands of a runnable ```sh block, with the output shown after each. */
export function commandsOf(block: Block, next: Block | undefined): Command[] {
  const commands: Command[] = []
  const lines = block.lines
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i]!.startsWith('$ ')) throw new Error(`${block.file}:${block.line}: output before any $ command`)
    let text = lines[i]!.slice(2)
    while (text.endsWith('\\') && i + 1 < lines.length) text = text.slice(0, -1) + lines[++i]!.trim()
    const from = i + 1
    let to = from
    while (to < lines.length && !lines[to]!.startsWith('$ ')) to++
    const exit = /#.*\bexits (\d)\b/.exec(text)
    commands.push({
      block,
      text,
      shown: to > from ? lines.slice(from, to).join('\n') + '\n' : undefined,
      exit: exit ? Number(exit[1]) : 0,
      outputAt: { block, from, to },
    })
    i = to - 1
  }
  const only = commands.length === 1 ? commands[0] : undefined
  if (only && only.shown === undefined && next?.annotation?.kind === 'output') {
    only.shown = next.lines.join('\n') + '\n'
    only.outputAt = { block: next, from: 0, to: next.lines.length }
  }
  return commands
}

/** Only the collabgate command line runs: anything else in a `$` line is a mistake in the document. */
export function checkCommand(command: Command): void {
  if (!/^(npx )?collabgate( |$)/.test(command.text)) {
    throw new Error(`${command.block.file}:${command.block.line}: a $ line must run collabgate: ${command.text}`)
  }
}

/** A scratch folder: copies of policies/, examples/ and the authoring fixtures, and node_modules/collabgate leading to the repository. */
export function scratch(): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'collabgate-docs-')))
  cpSync(join(ROOT, 'policies'), join(dir, 'policies'), { recursive: true })
  cpSync(join(ROOT, 'examples'), join(dir, 'examples'), {
    recursive: true,
    filter: (src) => !src.includes('node_modules'),
  })
  cpSync(join(ROOT, 'test', 'fixtures', 'authoring'), join(dir, 'test', 'fixtures', 'authoring'), { recursive: true })
  mkdirSync(join(dir, 'node_modules'))
  symlinkSync(ROOT, join(dir, 'node_modules', 'collabgate'), 'dir')
  writeFileSync(join(dir, 'package.json'), '{ "private": true, "type": "module" }\n')
  return dir
}

export const removeScratch = (dir: string): void => rmSync(dir, { recursive: true, force: true })

/** What varies from run to run and machine to machine: the scratch folder's path, durations. */
export function normalise(text: string, dir: string): string {
  return text
    .split(dir)
    .join('<scratch>')
    .replace(/\b\d+(\.\d+)? ?(ms|s)\b/g, '<duration>')
}

export interface Ran {
  command: Command
  output: string
  code: number
}

/** Runs commands one after another in ONE shell: each in the repository or the scratch folder. */
export function runCommands(commands: Command[], dir: string): Ran[] {
  const out = mkdtempSync(join(tmpdir(), 'collabgate-docs-out-'))
  const script = [
    'collabgate() { node "$CLI" "$@"; }',
    'npx() { if [ "$1" = collabgate ]; then shift; node "$CLI" "$@"; else echo "npx: only collabgate" >&2; return 127; fi; }',
    ...commands.map((c, i) => {
      const where = c.block.annotation?.kind === 'run' && c.block.annotation.text === 'temp' ? '"$SCRATCH"' : '"$ROOT"'
      return `cd ${where} && { ${c.text}\n} > "$OUT/${i}" 2>&1 < /dev/null; echo $? > "$OUT/${i}.code"`
    }),
  ].join('\n')
  try {
    const env: NodeJS.ProcessEnv = { ...process.env, CLI, ROOT, SCRATCH: dir, OUT: out, TZ: 'UTC' }
    for (const name of ['NO_COLOR', 'FORCE_COLOR', 'CI', 'COLLABGATE_TOKEN']) delete env[name]
    const done = spawnSync('bash', ['-c', script], { env, timeout: 400_000, encoding: 'utf8' })
    if (done.error) throw done.error
    return commands.map((command, i) => ({
      command,
      output: normalise(readFileSync(join(out, String(i)), 'utf8'), dir),
      code: Number(readFileSync(join(out, `${i}.code`), 'utf8')),
    }))
  } finally {
    rmSync(out, { recursive: true, force: true })
  }
}

/** DOCS_UPDATE=1: writes what the commands printed where the documents show it. */
export function updateShown(ran: Ran[]): void {
  const byFile = new Map<string, Ran[]>()
  for (const r of ran) {
    if (r.command.shown === undefined || !r.command.outputAt) continue
    const file = r.command.outputAt.block.file
    byFile.set(file, [...(byFile.get(file) ?? []), r])
  }
  for (const [file, runs] of byFile) {
    const lines = readDocument(file).split('\n')
    // from the bottom up, so earlier line numbers stay right
    const sorted = [...runs].sort(
      (a, b) => b.command.outputAt!.block.line - a.command.outputAt!.block.line || b.command.outputAt!.from - a.command.outputAt!.from,
    )
    for (const r of sorted) {
      const at = r.command.outputAt!
      const indent = ' '.repeat(lines[at.block.line - 1]!.length - lines[at.block.line - 1]!.trimStart().length)
      const fresh = r.output
        .replace(/\n$/, '')
        .split('\n')
        .map((l) => (l === '' ? '' : indent + l))
      lines.splice(at.block.line + at.from, at.to - at.from, ...fresh)
    }
    writeFileSync(join(ROOT, file), lines.join('\n'))
  }
}
