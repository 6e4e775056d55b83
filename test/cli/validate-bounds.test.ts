/** `collabgate validate` on a file with thousands of problems (capped per file) and a folder with link loops (E_LINK_CYCLE). */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { manyProblems } from '../store/helpers.js'
import { assertBuilt, cli } from './run-cli.js'

beforeAll(assertBuilt)
const dir = mkdtempSync(join(tmpdir(), 'collabgate-validate-bounds-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const broken = manyProblems()

describe('collabgate validate, bounded', () => {
  it('lists at most 50 problems of a file and counts the rest', { timeout: 30_000 }, async () => {
    const file = join(dir, 'broken.v1.0.0.yaml')
    writeFileSync(file, broken)
    const json = await cli(['validate', '--format', 'json', file])
    expect(json.code).toBe(1)
    const problems = (JSON.parse(json.stdout) as { problems: { code: string; message: string }[] }).problems
    expect(problems).toHaveLength(51)
    expect(problems.at(-1)).toMatchObject({ code: 'E_TOO_MANY_PROBLEMS', message: '… and 5551 more problems in this file' })
    const text = await cli(['validate', file])
    expect(text.stdout).toContain('E_TOO_MANY_PROBLEMS … and 5551 more problems in this file')
  })

  it('refuses a folder with symbolic-link loops, naming the link', { timeout: 30_000 }, async () => {
    const folder = join(dir, 'looping')
    mkdirSync(join(folder, 'nested'), { recursive: true })
    symlinkSync('.', join(folder, 'loop'))
    symlinkSync('..', join(folder, 'nested', 'up'))
    const r = await cli(['validate', folder])
    expect(r.code).toBe(1)
    expect(r.stdout).toMatch(/✗ loop:1:1 E_LINK_CYCLE loop is a symbolic link to a folder that holds it/)
  })
})
