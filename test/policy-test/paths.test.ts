/**
 * Issue #21: no input reaches outside its place. A test file's `recordFile` and `base`, and the record
 * schemas collabgate.yaml names, are files inside the policy folder (symbolic links resolved); any
 * other is E_PATH_OUTSIDE at its line, and is never read, so nothing of it can reach a report.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { checkPolicies, loadPolicies, runPolicyTestFiles } from '../../src/index.js'
import { assertBuilt, cli, ROOT } from '../cli/run-cli.js'

const SECRET = 'ghp_SECRET0123456789'
let work: string
let dir: string

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'collabgate-paths-'))
  dir = join(work, 'policies')
  cpSync(join(ROOT, 'test/fixtures/authoring/versions'), dir, { recursive: true })
  rmSync(join(dir, 'acme.onboarding.test.yaml'))
  mkdirSync(join(work, 'secrets'))
  // the example: a valid record whose quoted field is a credential, one folder up
  const record = JSON.parse(readFileSync(join(dir, 'record.json'), 'utf8')) as { applicant: { registration: { country: string } } }
  record.applicant.registration.country = SECRET
  writeFileSync(join(work, 'secrets', 'ci-credentials.json'), JSON.stringify(record))
})
afterAll(() => rmSync(work, { recursive: true, force: true }))

/** A test file in the folder whose one case reads `recordFile` and expects a message that shows what it quoted. */
function testFile(name: string, recordLine: string): string {
  const file = join(dir, name)
  writeFileSync(
    file,
    [
      'policy: acme.onboarding',
      'asOf: "2025-09-02"',
      ...(recordLine.startsWith('base:') ? [recordLine] : []),
      'cases:',
      '  - name: the message quotes the record',
      ...(recordLine.startsWith('base:') ? [] : [`    ${recordLine}`]),
      '    expect: { outcome: approve, messages: { ONB-SCOPE-US: "nothing" } }',
      '',
    ].join('\n'),
  )
  return file
}

async function run(file: string, options: { followSymlinks?: boolean } = {}) {
  const set = await loadPolicies(dir, { lock: false })
  return (await runPolicyTestFiles(set, [file], (abs) => abs.slice(dir.length + 1), { root: dir, ...options })).result
}

describe('a test reads records only from inside its policy folder', () => {
  it.each([
    ['an absolute path', '/etc/passwd'],
    ['a path up and out', '../secrets/ci-credentials.json'],
    ['a path out and back in by another name', `../${'x/'.repeat(3)}../../../secrets/ci-credentials.json`],
  ])('refuses %s in recordFile with E_PATH_OUTSIDE at its line, and runs nothing', async (_, path) => {
    const result = await run(testFile('out.test.yaml', `recordFile: ${path}`))
    // not run, but counted: a failed case with the reason, no decision
    expect(result.cases.map((c) => [c.name, c.passed, c.error, c.decision])).toEqual([
      ['the message quotes the record', false, 'E_PATH_OUTSIDE', undefined],
    ])
    expect(result.problems).toEqual([
      expect.objectContaining({
        code: 'E_PATH_OUTSIDE',
        file: 'out.test.yaml',
        line: 5,
        pointer: '/cases/0/recordFile',
        message: expect.stringContaining(`'${path}' is outside the policy folder`),
      }),
    ])
  })

  it('refuses a base outside once, at the base line, for every case that would read it', async () => {
    const result = await run(testFile('base.test.yaml', 'base: ../secrets/ci-credentials.json'))
    expect(result.problems.map((p) => [p.code, p.line, p.pointer])).toEqual([['E_PATH_OUTSIDE', 3, '/base']])
    expect(result.cases.map((c) => [c.passed, c.error, c.decision])).toEqual([[false, 'E_PATH_OUTSIDE', undefined]])
  })

  it('refuses a symbolic link inside the folder that leads outside, unless followSymlinks', async () => {
    symlinkSync(join(work, 'secrets', 'ci-credentials.json'), join(dir, 'linked.json'))
    try {
      const file = testFile('link.test.yaml', 'recordFile: linked.json')
      const refused = await run(file)
      expect(refused.problems).toMatchObject([
        { code: 'E_PATH_OUTSIDE', line: 5, message: expect.stringContaining("'linked.json' is a symbolic link that leads outside") },
      ])
      const followed = await run(file, { followSymlinks: true })
      expect(followed.problems).toEqual([])
      expect(followed.cases[0]!.decision?.reasons[0]?.message).toContain(SECRET)
    } finally {
      rmSync(join(dir, 'linked.json'))
    }
  })

  it('reads a record file inside the folder, through a link that stays inside too', async () => {
    symlinkSync(join(dir, 'record.json'), join(dir, 'inside.json'))
    try {
      const result = await run(testFile('inside.test.yaml', 'recordFile: inside.json'))
      expect(result.problems).toEqual([])
      expect(result.cases.map((c) => c.decision?.outcome)).toEqual(['approve'])
    } finally {
      rmSync(join(dir, 'inside.json'))
    }
  })

  it('collabgate test: the issue example never prints the credential, in any format, and fails naming the line', async () => {
    assertBuilt()
    const file = testFile('acme.onboarding.test.yaml', 'recordFile: ../secrets/ci-credentials.json')
    for (const format of ['text', 'json', 'junit', 'github']) {
      const r = await cli(['test', '--no-lock', '--format', format, dir])
      expect(r.code, format).toBe(1)
      expect(r.stdout + r.stderr, format).not.toContain(SECRET)
      expect(r.stdout, format).toContain('E_PATH_OUTSIDE')
    }
    const text = (await cli(['test', '--no-lock', file])).stdout
    expect(text).toMatch(/acme\.onboarding\.test\.yaml:5:\d+ E_PATH_OUTSIDE '\.\.\/secrets\/ci-credentials\.json' is outside/)
    rmSync(file)
  })
})

describe("collabgate.yaml's record schemas stay inside the folder", () => {
  /** The shipped declaration copied beside the fixture's policies, with its schema path replaced. */
  function declare(schemaPath: string): void {
    cpSync(join(ROOT, 'policies', 'records'), join(dir, 'records'), { recursive: true })
    const shipped = readFileSync(join(ROOT, 'policies', 'collabgate.yaml'), 'utf8')
    writeFileSync(join(dir, 'collabgate.yaml'), shipped.replace('records/application.v1.0.0.schema.json', schemaPath))
  }

  it.each([
    ['an absolute path', '/etc/passwd'],
    ['a path up and out', '../secrets/ci-credentials.json'],
  ])('refuses %s with E_PATH_OUTSIDE at its line', async (_, path) => {
    declare(path)
    try {
      const { problems } = await checkPolicies(dir, { lock: false })
      const p = problems.find((x) => x.code === 'E_PATH_OUTSIDE')
      expect(p).toMatchObject({ file: 'collabgate.yaml', pointer: '/subjects/application/schemas/1.0.0' })
      expect(p!.line).toBeGreaterThan(1)
      expect(p!.message).toContain(path)
    } finally {
      rmSync(join(dir, 'collabgate.yaml'))
    }
  })

  it('refuses a schema whose symbolic link leads outside, and reads it with followSymlinks', async () => {
    writeFileSync(join(work, 'schema.json'), readFileSync(join(ROOT, 'policies/records/application.v1.0.0.schema.json')))
    declare('records/linked.schema.json')
    symlinkSync(join(work, 'schema.json'), join(dir, 'records', 'linked.schema.json'))
    try {
      const refused = await checkPolicies(dir, { lock: false })
      expect(refused.problems.map((p) => [p.code, p.file, p.pointer])).toEqual([
        ['E_PATH_OUTSIDE', 'collabgate.yaml', '/subjects/application/schemas/1.0.0'],
      ])
      expect((await checkPolicies(dir, { lock: false, followSymlinks: true })).problems).toEqual([])
    } finally {
      rmSync(join(dir, 'collabgate.yaml'))
      rmSync(join(dir, 'records'), { recursive: true })
    }
  })
})
