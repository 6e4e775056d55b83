import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ACCESS_TEST } from '../mutate/access-test.js'
import { assertBuilt, cli, ROOT } from './run-cli.js'

beforeAll(assertBuilt)

const temps: string[] = []
afterAll(() => temps.forEach((t) => rmSync(t, { recursive: true, force: true })))

/** A copy of the shipped policies without their tests and lock, with one weak test of API access. */
function weakFolder(extra = ''): string {
  const dir = mkdtempSync(join(tmpdir(), 'collabgate-cli-mutate-'))
  temps.push(dir)
  cpSync(join(ROOT, 'policies'), dir, { recursive: true })
  for (const f of readdirSync(dir)) if (f.endsWith('.test.yaml') || f === 'policies.lock.json') rmSync(join(dir, f))
  writeFileSync(join(dir, 'access.test.yaml'), ACCESS_TEST + extra)
  return dir
}

const ORDER = 'outcomes: deny before allow → allow before deny'

describe.concurrent('collabgate test --mutate', () => {
  it('lists each surviving mutant at its file:line:col with the change in words, and the score', async () => {
    const dir = weakFolder()
    const r = await cli(['test', dir, '--mutate', '--no-lock'])
    expect(r.code).toBe(0) // no minimum: a report, not a verdict
    expect(r.stdout).toMatch(
      /creator-collaboration\.us\.api-access@1\.1\.0 \(.*api-access\.v1\.1\.0\.yaml\): \d+\/\d+ killed by 2 cases \(/,
    )
    expect(r.stdout).toMatch(new RegExp(`survived .*api-access\\.v1\\.1\\.0\\.yaml:17:12 ${ORDER} \\(the whole policy\\)`))
    // no case makes check 1 (the category) object: its outcome could be anything
    expect(r.stdout).toMatch(/survived .*api-access\.v1\.1\.0\.yaml:29:9 API-CATEGORY-APPROVED \[check 1\]: outcome deny → allow\n/)
    expect(r.stdout).toMatch(/mutation score: \d+\/\d+ mutants killed \([\d.]+%\)\npolicy-tests: 2 passed, 0 failed\n$/)
  })

  it('fails below --min-mutation-score, and passes once a case kills the survivors or they are declared equivalent', async () => {
    const weak = await cli(['test', weakFolder(), '--min-mutation-score', '100', '--no-lock'])
    expect(weak.code).toBe(1)
    expect(weak.stdout).toMatch(/below the minimum of 100%/)
    const r = await cli(['test', weakFolder(), '--min-mutation-score', '0', '--no-lock'])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('minimum 0% met')
  })

  it('shows declared equivalents apart with their reasons, and fails on a stale declaration', async () => {
    const declared = weakFolder(`equivalent:
  - mutant: "${ORDER}"
    reason: every check objects with deny
  - mutant: "API-CATEGORY-APPROVED: gone"
    reason: stale on purpose
`)
    const r = await cli(['test', declared, '--mutate', '--no-lock'])
    expect(r.code).toBe(1)
    expect(r.stdout).toMatch(
      new RegExp(
        `equivalent .*api-access\\.v1\\.1\\.0\\.yaml:17:12 ${ORDER}: every check objects with deny \\(.*access\\.test\\.yaml:12\\)`,
      ),
    )
    expect(r.stdout).toMatch(/✗ .*access\.test\.yaml:14:5 E_EQUIVALENT_STALE no mutant 'API-CATEGORY-APPROVED: gone'/)
    expect(r.stdout).toMatch(/, 1 declared equivalent/)
  })

  it('gives the mutants as JSON, JUnit and GitHub annotations', async () => {
    const dir = weakFolder()
    const json = await cli(['test', dir, '--mutate', '--format', 'json', '--no-lock'])
    const body = JSON.parse(json.stdout) as {
      passed: number
      mutation: {
        score: number
        minimum: null
        policies: { version: string; mutants: { status: string; description: string; line: number }[] }[]
      }
    }
    expect(body.passed).toBe(2)
    const v11 = body.mutation.policies.find((p) => p.version === '1.1.0')!
    expect(v11.mutants.find((m) => m.description === ORDER)).toMatchObject({ status: 'survived', line: 17 })
    expect(body.mutation.minimum).toBeNull()

    const junit = await cli(['test', dir, '--mutate', '--format', 'junit', '--no-lock'])
    expect(junit.stdout).toContain('<testsuite name="mutants of creator-collaboration.us.api-access@1.1.0"')
    expect(junit.stdout).toContain(`<failure message="survived: no case notices ${ORDER.replace(/→/g, '→')}"`)
    expect(junit.stderr).toMatch(/mutation score: /)

    const gh = await cli(['test', dir, '--mutate', '--format', 'github', '--no-lock'])
    expect(gh.stdout).toMatch(
      new RegExp(`::warning file=.*api-access\\.v1\\.1\\.0\\.yaml,line=17,col=12,title=survived mutant::no policy test notices ${ORDER}`),
    )
    expect(gh.stdout).toMatch(/policy-tests: 2 passed, 0 failed\n$/)
  })

  it('kills every mutant of the shipped policies, or declares it equivalent with a reason (what npm test enforces)', async () => {
    const r = await cli(['test', '--mutate', '--min-mutation-score', '100'])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/mutation score: (\d+)\/\1 mutants killed \(100%\), 10 declared equivalent, minimum 100% met\n/)
    expect(r.stdout).not.toContain('survived')
    expect(r.stdout.match(/^ {4}equivalent .*: .+ \(policies\/.*\.test\.yaml:\d+\)$/gm)).toHaveLength(10)
  })

  it('turns the JSON into an HTML page with the mutation score, each survivor and each equivalent with its reason', async () => {
    const dir = weakFolder(`equivalent:
  - mutant: "${ORDER}"
    reason: every check objects with deny
`)
    const json = await cli(['test', dir, '--format', 'json', '--min-mutation-score', '100', '--no-lock'])
    expect(json.code).toBe(1)
    const html = await cli(['report', '-'], { input: json.stdout })
    expect(html.code).toBe(0)
    expect(html.stdout).toMatch(
      /<h2>Mutation score: <span class="bad">[\d.]+%<\/span><\/h2><p>\d+ of \d+ mutants killed, 1 declared equivalent; the minimum is 100%\.<\/p>/,
    )
    expect(html.stdout).toContain('API-CATEGORY-APPROVED [check 1]: outcome deny → allow')
    expect(html.stdout).toContain('every check objects with deny')
  })

  it('refuses a minimum that is no percentage', async () => {
    const r = await cli(['test', '--min-mutation-score', 'all'])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('--min-mutation-score must be a percentage from 0 to 100, not all')
  })

  it('scopes coverage and mutation to the versions a test file named on its own tests', async () => {
    const r = await cli(['test', 'policies/creator-collaboration.us.termination.test.yaml', '--coverage', '--mutate'])
    // the file's cases are shared by termination 1.0.0 and 1.1.0 (`versions`): both, and nothing else
    expect(r.stdout).toContain('rule coverage: 16/16 rules')
    expect(r.stdout).not.toContain('onboarding@')
    expect(r.stdout).toContain('creator-collaboration.us.termination@1.0.0')
    expect(r.stdout).toContain('creator-collaboration.us.termination@1.1.0')
  })
})
