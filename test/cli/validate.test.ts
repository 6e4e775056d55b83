import { beforeAll, describe, expect, it } from 'vitest'
import { ANSI, assertBuilt, AUTHORING, cli } from './run-cli.js'

beforeAll(assertBuilt)

const BROKEN = `${AUTHORING}/broken/acme.broken.v1.0.0.yaml`
const SYNTAX = `${AUTHORING}/broken/acme.syntax.v1.0.0.yaml`

describe.concurrent('collabgate validate', () => {
  it('passes the shipped policies (default path) with their lock, uncoloured in a pipe', async () => {
    const r = await cli(['validate'])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/✓ 7 policy file\(s\), 7 version\(s\) loaded: all valid\n$/)
    expect(r.stdout).not.toContain('warning')
    expect(r.stdout).not.toMatch(ANSI)
  })

  it('reports every problem of every broken file at its exact line and column', async () => {
    const r = await cli(['validate', `${AUTHORING}/broken`])
    expect(r.code).toBe(1)
    const lines = r.stdout.trim().split('\n')
    expect(lines.slice(0, 4).map((l) => l.split(' ').slice(0, 3).join(' '))).toEqual([
      `✗ ${BROKEN}:20:7 E_UNKNOWN_OPERATOR`,
      `✗ ${BROKEN}:27:5 E_UNKNOWN_OUTCOME`,
      `✗ ${BROKEN}:28:16 E_UNKNOWN_FACT`,
      `✗ ${SYNTAX}:5:1 E_YAML_SYNTAX`,
    ])
    expect(lines[0]).toContain("unknown operator 'greaterThen'")
    expect(lines[2]).toContain("unknown fact 'aplicant'")
    expect(lines[4]).toBe('✗ 2 policy file(s), 0 version(s) loaded: 4 problem(s)')
  })

  it('gives the same problems as JSON', async () => {
    const r = await cli(['validate', '--format', 'json', `${AUTHORING}/broken`])
    expect(r.code).toBe(1)
    const body = JSON.parse(r.stdout) as {
      valid: boolean
      problems: { code: string; file: string; line: number; column: number; pointer: string }[]
    }
    expect(body.valid).toBe(false)
    expect(body.problems.map((p) => [p.code, p.file, p.line, p.column, p.pointer])).toEqual([
      ['E_UNKNOWN_OPERATOR', BROKEN, 20, 7, '/rules/0/require/operator'],
      ['E_UNKNOWN_OUTCOME', BROKEN, 27, 5, '/rules/1/outcome'],
      ['E_UNKNOWN_FACT', BROKEN, 28, 16, '/rules/1/require/fact'],
      ['E_YAML_SYNTAX', SYNTAX, 5, 1, ''],
    ])
  })

  it('prints GitHub annotations with file, line and column', async () => {
    const r = await cli(['validate', '--format', 'github', `${AUTHORING}/broken`])
    expect(r.code).toBe(1)
    const annotations = r.stdout.split('\n').filter((l) => l.startsWith('::'))
    expect(annotations).toHaveLength(4)
    expect(annotations[0]).toMatch(
      new RegExp(`^::error file=${BROKEN},line=20,col=7,title=E_UNKNOWN_OPERATOR::unknown operator 'greaterThen'`),
    )
    expect(annotations[3]).toMatch(new RegExp(`^::error file=${SYNTAX},line=5,col=1,title=E_YAML_SYNTAX::`))
  })

  it('fails a released version edited without a version bump, and a version the lock does not list', async () => {
    const dir = `${AUTHORING}/lock-mismatch`
    const r = await cli(['validate', dir])
    expect(r.code).toBe(1)
    expect(r.stdout).toContain(
      `✗ ${dir}/acme.onboarding.v1.0.0.yaml:4:1 E_LOCK_MISMATCH acme.onboarding@1.0.0 is released (locked sha256:86cfd88fa493…) but its content changed`,
    )
    expect(r.stdout).toContain('released versions are immutable: restore it and ship the change as a new version')
    expect(r.stdout).toContain(
      `✗ ${dir}/acme.onboarding.v1.1.0.yaml:4:1 E_UNRELEASED acme.onboarding@1.1.0 is not released: the lock does not list this policy version`,
    )

    const gh = await cli(['validate', '--format', 'github', dir])
    expect(gh.code).toBe(1)
    expect(gh.stdout).toContain(
      `::error file=${dir}/acme.onboarding.v1.0.0.yaml,line=4,col=1,title=E_LOCK_MISMATCH::acme.onboarding@1.0.0 is released`,
    )
    // --no-lock: the same folder is valid scratch work
    const off = await cli(['validate', '--no-lock', dir])
    expect(off.code).toBe(0)
    expect(off.stdout).toMatch(/✓ 2 policy file\(s\), 2 version\(s\) loaded: all valid\n$/)
    expect(gh.stdout).toContain(`::error file=${dir}/acme.onboarding.v1.1.0.yaml,line=4,col=1,title=E_UNRELEASED::`)
  })

  it('passes two versions whose lock matches, and a single file (lock beside it)', async () => {
    const r = await cli(['validate', '--format', 'json', `${AUTHORING}/versions/acme.onboarding.v1.1.0.yaml`])
    expect(r.code).toBe(0)
    const body = JSON.parse(r.stdout) as { valid: boolean; warnings: unknown[]; lock: { found: boolean; stale: string[] } }
    expect(body).toMatchObject({ valid: true, warnings: [], lock: { found: true, stale: ['acme.onboarding@1.0.0'] } })
  })

  it('exits 2 for a path that does not exist and for an unknown format', async () => {
    const missing = await cli(['validate', 'no/such/folder'])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain('cannot read no/such/folder: ENOENT')
    const format = await cli(['validate', '--format', 'xml'])
    expect(format.code).toBe(2)
    expect(format.stderr).toContain('--format must be text, json or github')
  })
})
