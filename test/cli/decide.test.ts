import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { defaultPolicies, type Decision } from '../../src/index.js'
import { example, ROOT } from '../core/helpers.js'

const CLI = join(ROOT, 'dist', 'cli.js')

interface Run {
  code: number | null
  stdout: string
  stderr: string
}

// At most two CLI processes at a time: each is a CPU-bound Node start-up, and more only thrash a small machine.
let slots = 2
const waiting: (() => void)[] = []
async function limited<T>(fn: () => Promise<T>): Promise<T> {
  if (slots === 0) await new Promise<void>((resolve) => waiting.push(resolve))
  else slots--
  try {
    return await fn()
  } finally {
    const next = waiting.shift()
    if (next) next()
    else slots++
  }
}

/** Runs the built CLI with this Node binary, from the repository root. */
function cli(args: string[], stdin?: string): Promise<Run> {
  return limited(() => spawnCli(args, stdin))
}

function spawnCli(args: string[], stdin?: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' } })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d))
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
    child.stdin.end(stdin ?? '')
  })
}

const noStack = (text: string) => expect(text).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m)
const AS_OF = '2026-11-20'
const REJECTED = 'examples/applications/rejected-multiple-reasons.json'
const BAD_RECORD = {
  applicationId: 'APP-BAD',
  category: 7,
  applicant: { registration: {} },
  account: { type: 'app_developer', businessVerified: 'yes' },
  product: { functions: 'create' },
}

// Every CLI run is queued up front (each is a Node start-up plus a policy load); the tests then check one run each.
let runs: Record<string, Promise<Run>>
beforeAll(() => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npx tsup\` (or npm run build) before these tests`)
  runs = {
    json: cli(['decide', '--as-of', AS_OF, REJECTED]),
    text: cli(['decide', '--format', 'text', '--as-of', AS_OF, REJECTED]),
    stdin: cli(['decide', '--as-of', AS_OF, '-'], JSON.stringify(example('behaviour', 'late-incident-report'))),
    unreadable: cli(['decide', '--as-of', AS_OF, 'examples/no-such-record.json']),
    notJson: cli(['decide', '--as-of', AS_OF, '-'], '{"applicationId": "A-1",'),
    badRecord: cli(['decide', '--as-of', AS_OF, '-'], JSON.stringify(BAD_RECORD)),
    unknownPolicy: cli([
      'decide',
      '--policy',
      'creator-collaboration.eu.onboarding',
      '--as-of',
      AS_OF,
      'examples/applications/complete-us-developer.json',
    ]),
    tooEarly: cli(['decide', '--as-of', '2023-09-17', 'examples/applications/complete-us-developer.json']),
    invalidPolicies: cli(['decide', '--policies', 'test/fixtures/core/invalid/semantic-problems.yaml', '--as-of', AS_OF, REJECTED]),
  }
  // a run that fails to spawn is reported by the test that awaits it, not as an unhandled rejection first
  for (const run of Object.values(runs)) run.catch(() => undefined)
})

describe('collabgate decide', () => {
  it('prints the decision as JSON, equal to the library decision', async () => {
    const run = await runs.json!
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    const printed = JSON.parse(run.stdout) as Decision
    // the command line shows each reason's hint unless --no-hints
    const expected = await (
      await defaultPolicies()
    ).decide(JSON.parse(readFileSync(join(ROOT, REJECTED), 'utf8')), { asOf: AS_OF, hints: true })
    expect(printed).toEqual(JSON.parse(JSON.stringify(expected)))
    expect(printed.outcome).toBe('reject')
  })

  it('--format text prints the outcome, each reason and where its rule lives', async () => {
    const run = await runs.text!
    expect(run.code).toBe(0)
    const expected = await (await defaultPolicies()).decide(example('applications', 'rejected-multiple-reasons'), { asOf: AS_OF })
    expect(run.stdout).toContain('application APP-2026-11-0057: REJECT')
    expect(run.stdout).toContain(`review: submitted 2026-11-18, due by ${expected.review!.dueBy}`)
    expect(expected.reasons).toHaveLength(4)
    for (const r of expected.reasons) {
      expect(run.stdout).toContain(`- [${r.outcome}] ${r.rule}: ${r.message}`)
      expect(run.stdout).toContain(`rule at ${r.source.file}:${r.source.line} (${r.basis.status})`)
    }
    expect(() => JSON.parse(run.stdout)).toThrow()
  })

  it('reads the record from standard input for -', async () => {
    const run = await runs.stdin!
    expect(run.code).toBe(0)
    const expected = await (await defaultPolicies()).decide(example('behaviour', 'late-incident-report'), { asOf: AS_OF, hints: true })
    expect(JSON.parse(run.stdout)).toEqual(JSON.parse(JSON.stringify(expected)))
    expect(expected.outcome).toBe('terminate')
  })

  it('an unreadable file: exit 2, a message naming it, no stack trace', async () => {
    const run = await runs.unreadable!
    expect(run.code).toBe(2)
    expect(run.stdout).toBe('')
    expect(run.stderr).toContain('cannot read examples/no-such-record.json: ENOENT')
    noStack(run.stderr)
  })

  it('input that is not JSON: exit 2', async () => {
    const run = await runs.notJson!
    expect(run.code).toBe(2)
    expect(run.stdout).toBe('')
    expect(run.stderr).toContain('standard input is not JSON')
    noStack(run.stderr)
  })

  it('a record failing its schema: exit 2 and every problem on stderr', async () => {
    const run = await runs.badRecord!
    expect(run.code).toBe(2)
    expect(run.stdout).toBe('')
    expect(run.stderr).toContain('the application record is invalid (5 problem(s))')
    for (const line of [
      "/: missing required field 'submittedAt'",
      '/category: must be string',
      "/applicant/registration: missing required field 'country'",
      '/account/businessVerified: must be boolean',
      '/product/functions: must be array',
    ]) {
      expect(run.stderr).toContain(line)
    }
    noStack(run.stderr)
  })

  it('an unknown --policy: exit 2 with E_POLICY_NOT_FOUND', async () => {
    const run = await runs.unknownPolicy!
    expect(run.code).toBe(2)
    expect(run.stdout).toBe('')
    expect(run.stderr).toContain('E_POLICY_NOT_FOUND')
    expect(run.stderr).toContain("'creator-collaboration.eu.onboarding'")
    noStack(run.stderr)
  })

  it('--as-of before any version is in effect: exit 2 with E_NO_VERSION_IN_EFFECT', async () => {
    const run = await runs.tooEarly!
    expect(run.code).toBe(2)
    expect(run.stdout).toBe('')
    expect(run.stderr).toContain('E_NO_VERSION_IN_EFFECT')
    expect(run.stderr).toContain('2023-09-17')
    noStack(run.stderr)
  })

  it('invalid --policies: exit 1, every problem listed as file:line:column CODE', async () => {
    const run = await runs.invalidPolicies!
    expect(run.code).toBe(1)
    expect(run.stdout).toBe('')
    // 12 in the files, and the folder has no lock, which decide --policies requires
    expect(run.stderr).toContain('13 problem(s) in policies')
    expect(run.stderr).toContain('E_LOCK_REQUIRED no lock file at policies.lock.json')
    // file names are relative to the folder named by --policies, as in decisions
    expect(run.stderr).toContain('\n  semantic-problems.yaml:18:7 E_UNKNOWN_FACT')
    expect(run.stderr).toContain('\n  semantic-problems.yaml:92:5 E_TEMPLATE')
    noStack(run.stderr)
  })
})

describe('collabgate decide: inputs it refuses before reading them', () => {
  it('a single-record file over 1 MiB: exit 2, pointing at --ndjson', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'collabgate-big-'))
    const file = join(dir, 'big.json')
    writeFileSync(file, JSON.stringify({ developerId: 'D', incidents: [], pad: 'x'.repeat(1_100_000) }))
    const run = await cli(['decide', '--as-of', AS_OF, file])
    rmSync(dir, { recursive: true, force: true })
    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(/is \d+ bytes; it may be at most 1048576 bytes \(for many records, one per line, use --ndjson\)/)
    noStack(run.stderr)
  })

  it('no FILE with a terminal on standard input: a usage error instead of waiting', async () => {
    // `script` gives the CLI a pseudo-terminal as standard input
    const run = spawnSync('script', ['-qec', `${process.execPath} ${CLI} decide`, '/dev/null'], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 15_000,
      input: '',
    })
    expect(run.status).toBe(2)
    expect(run.stdout).toContain('give a FILE, or pipe a record into standard input')
  })
})
