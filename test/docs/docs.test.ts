/**
 * Every code block of the README, docs/ and CONTRIBUTING that shows a command or a snippet runs here, and
 * what a document shows a command printing is what it prints (test/docs/blocks.ts says how blocks are read).
 * DOCS_UPDATE=1 writes the fresh output into the documents instead of comparing.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, writeFileSync } from 'node:fs'
import { join, posix } from 'node:path'
import ts from 'typescript'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  CLI,
  DOCUMENTS,
  ROOT,
  blocksOf,
  checkCommand,
  commandsOf,
  readDocument,
  removeScratch,
  runCommands,
  scratch,
  updateShown,
  type Block,
  type Command,
  type Ran,
} from './blocks.js'

const UPDATE = process.env.DOCS_UPDATE === '1'
const blocks = DOCUMENTS.flatMap((file) => blocksOf(file, readDocument(file)))
const where = (b: Block) => `${b.file}:${b.line}`

/** The blocks the doc tests do not run, each with its reason: a new one must be added here, on purpose. */
const NOT_RUN = [
  'README.md: installs dependencies and runs the whole suite; the decide command is the one run below',
  'CONTRIBUTING.md: the bench runs for minutes; its figures are measurements, not assertions',
  'CONTRIBUTING.md: load tests run for minutes and start servers; test/service covers the service',
  'docs/audit-and-service.md: starts a server and waits for requests; test/service sends them over real HTTP',
  'docs/authoring.md: needs a TRUST.json made of the entries keygen printed; test/release/cli.test.ts runs verify',
]

describe('the documents', () => {
  it('run every block that shows a command or a snippet, except those marked not-run (listed here)', () => {
    const notRun = blocks.filter((b) => b.annotation?.kind === 'not-run').map((b) => `${b.file}: ${b.annotation!.text}`)
    expect(notRun).toEqual(NOT_RUN)
    for (const b of blocks.filter((b) => b.annotation?.kind !== 'not-run')) {
      if (b.lang === 'sh') expect(b.lines[0], where(b)).toMatch(/^\$ /)
    }
  })

  it('show commands only as $ lines of collabgate', () => {
    for (const c of commands) expect(() => checkCommand(c)).not.toThrow()
  })

  it('write files only in a scratch folder: a command run in the repository writes nothing', () => {
    const inRepository = commands.filter((c) => !(c.block.annotation?.kind === 'run' && c.block.annotation.text === 'temp'))
    for (const c of inRepository.filter((c) => !c.text.endsWith(' --help'))) {
      expect(c.text, where(c.block)).not.toMatch(/>|--out\b|--audit\b|--checkpoints\b|^(npx )?collabgate (lock|sign|keygen|init)\b/)
    }
  })

  it('keep the README short and say where the rest is', () => {
    const readme = readDocument('README.md')
    expect(readme.split('\n').length).toBeLessThanOrEqual(250)
    for (const doc of DOCUMENTS.filter((d) => d !== 'README.md')) expect(readme, doc).toContain(`](${doc})`)
    expect(readme).toContain('## Public API')
  })

  it("give the README's quick start the command whose decision the README shows", () => {
    const readme = blocks.filter((b) => b.file === 'README.md')
    const quick = readme.find((b) => b.annotation?.kind === 'not-run')!
    const sample = readme.find((b) => b.lang === 'sh' && b.annotation?.kind !== 'not-run')!
    expect(quick.lines[0]).toBe(`npm ci && ${sample.lines[0]!.slice(2)}`)
    expect(sample.lines[0]).toMatch(/--as-of \d{4}-\d\d-\d\d/)
    expect(quick.lines[1]).toBe('npm test')
  })
})

const runnable = blocks.filter((b) => b.lang === 'sh' && b.annotation?.kind !== 'not-run')
const commands: Command[] = runnable.flatMap((b) => commandsOf(b, blocks[blocks.indexOf(b) + 1]))

describe.each(DOCUMENTS.filter((file) => commands.some((c) => c.block.file === file)))('the commands of %s', (file) => {
  const mine = commands.filter((c) => c.block.file === file)
  let ran: Ran[] = []
  let dir = ''

  beforeAll(() => {
    if (!existsSync(CLI)) throw new Error(`${CLI} does not exist: run 'npx tsup' first`)
    dir = scratch()
    ran = runCommands(mine, dir)
    if (UPDATE) updateShown(ran)
  }, 420_000)
  afterAll(() => removeScratch(dir))

  it.each(mine.map((c, i) => [`${c.block.line}: ${c.text.slice(0, 90)}`, i] as const))('%s', (_name, i) => {
    const r = ran[i]!
    expect(r.code, r.output).toBe(r.command.exit)
    if (r.command.shown !== undefined && !UPDATE) expect(r.output.trimEnd()).toBe(r.command.shown.trimEnd())
  })
})

const snippets = blocks.filter((b) => (b.lang === 'ts' || b.lang === 'js') && b.annotation?.kind !== 'not-run')

describe('the snippets', () => {
  let dir = ''
  beforeAll(() => {
    dir = scratch()
  })
  afterAll(() => removeScratch(dir))

  it('type-check against the built declarations, as a project that depends on collabgate sees them', () => {
    const files = snippets
      .filter((b) => b.lang === 'ts')
      .map((b, i) => {
        const file = join(dir, `snippet-${i}.ts`)
        writeFileSync(file, b.lines.join('\n') + '\nexport {}\n')
        return file
      })
    const program = ts.createProgram(files, {
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      types: ['node'],
      typeRoots: [join(ROOT, 'node_modules', '@types')],
    })
    const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => ts.formatDiagnostic(d, ts.createCompilerHost({})))
    expect(diagnostics).toEqual([])
  }, 60_000)

  it.each(snippets.map((b) => [where(b), b] as const))(
    '%s runs with node, printing what the document shows',
    (_name, b) => {
      const source = b.lines.join('\n') + '\nexport {}\n'
      const options = { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }
      const js = b.lang === 'ts' ? ts.transpileModule(source, options).outputText : source
      const file = join(dir, `run-${b.line}.mjs`)
      writeFileSync(file, js)
      const done = spawnSync(process.execPath, [file], { cwd: dir, encoding: 'utf8', timeout: 30_000 })
      expect(done.status, done.stderr + done.stdout).toBe(0)
      const next = blocks[blocks.indexOf(b) + 1]
      if (next?.annotation?.kind !== 'output') return
      const command: Command = {
        block: b,
        text: '',
        shown: next.lines.join('\n') + '\n',
        exit: 0,
        outputAt: { block: next, from: 0, to: next.lines.length },
      }
      if (UPDATE) updateShown([{ command, output: done.stdout, code: 0 }])
      else expect(done.stdout.trimEnd()).toBe(command.shown!.trimEnd())
    },
    40_000,
  )
})

describe('npx in the checkout', () => {
  // the README says `npx collabgate` works in collabgate's own checkout: npm runs the package's own bin
  it('runs the built command line', () => {
    const done = spawnSync('npx', ['--no-install', 'collabgate', '--version'], { cwd: ROOT, encoding: 'utf8', timeout: 90_000 })
    expect(done.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/)
  }, 100_000)
})

/** GitHub's anchor of a heading: lower case, punctuation but - and _ dropped, spaces made -. */
const slug = (heading: string) =>
  heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/ /g, '-')

describe('the links between documents', () => {
  // docs/api.md, the public names, is written in parallel with this reorganisation (issue 27's first item)
  const WRITTEN_ELSEWHERE = new Set(['docs/api.md'])

  it('lead to files that exist and to headings they hold', () => {
    const broken: string[] = []
    for (const file of DOCUMENTS) {
      const text = readDocument(file)
      for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = m[1]!
        if (/^[a-z]+:/.test(target)) continue
        const [path, anchor] = target.split('#') as [string, string | undefined]
        const to = path === '' ? file : posix.normalize(posix.join(posix.dirname(file), path))
        if (WRITTEN_ELSEWHERE.has(to)) continue
        if (!existsSync(join(ROOT, to))) {
          broken.push(`${file}: ${target} (no such file)`)
          continue
        }
        if (anchor === undefined || !to.endsWith('.md')) continue
        const headings = [...readDocument(to).matchAll(/^#{1,6} (.+)$/gm)].map((h) => slug(h[1]!))
        if (!headings.includes(anchor)) broken.push(`${file}: ${target} (no such heading)`)
      }
    }
    expect(broken).toEqual([])
  })
})

describe('docs/authoring.md', () => {
  it('lists every key of `validate --format json`, in order', () => {
    const listed = /`--format json` prints\s+`\{ ([^}]+) \}`/.exec(readDocument('docs/authoring.md'))
    expect(listed).not.toBeNull()
    const printed = spawnSync(process.execPath, [CLI, 'validate', '--format', 'json'], { cwd: ROOT, encoding: 'utf8' }).stdout
    expect(Object.keys(JSON.parse(printed) as object)).toEqual(listed![1]!.split(', '))
  })
})

describe('docs/cli.md', () => {
  it("shows every command's --help", () => {
    const listed = spawnSync(process.execPath, [CLI, '--help'], { encoding: 'utf8' }).stdout
    const names = [...listed.matchAll(/^ {2}([a-z]+) {2,}/gm)].map((m) => m[1]!)
    expect(names.length).toBeGreaterThan(10)
    const shown = commands.filter((c) => c.block.file === 'docs/cli.md').map((c) => c.text)
    for (const name of names) expect(shown, name).toContain(`npx collabgate ${name} --help`)
  })
})
