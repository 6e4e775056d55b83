/**
 * What a one-record `collabgate decide` loads: start-up time is mostly modules read and compiled, so the single
 * record path must not load the batch, shard or audit code, nor go through Node's CommonJS loader.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { assertBuilt, cli, ROOT } from './run-cli.js'

const TRACER = pathToFileURL(join(ROOT, 'test', 'cli', 'trace-modules.mjs')).href
const RECORD = 'examples/applications/complete-us-developer.json'

let dir: string
beforeAll(() => {
  assertBuilt()
  dir = mkdtempSync(join(tmpdir(), 'collabgate-start-up-'))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** Runs the CLI with every loaded module traced: its format and URL, and the src/ files a dist/ chunk holds. */
async function traced(name: string, args: string[], input?: string) {
  const file = join(dir, `${name}.txt`)
  const env = { COLLABGATE_TRACE_MODULES: file, NODE_OPTIONS: `--import=${TRACER}` }
  const run = await cli(args, { env, ...(input === undefined ? {} : { input }) })
  expect(run.stderr).toBe('')
  expect(run.code).toBe(0)
  const modules = readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((line) => {
      const [format = '', url = ''] = line.split(' ')
      return { format, url }
    })
  const sources = modules
    .filter((m) => m.url.startsWith(pathToFileURL(join(ROOT, 'dist')).href))
    .flatMap((m) => readFileSync(fileURLToPath(m.url), 'utf8').match(/^\/\/ src\/\S+/gm) ?? [])
    .map((s) => s.slice(3))
  return { modules, sources }
}

describe('a one-record decide loads only what it needs', () => {
  it('loads no batch, shard or audit code and no worker threads', async () => {
    const { modules, sources } = await traced('one', ['decide', RECORD, '--as-of', '2026-11-24'])
    expect(sources).toContain('src/folder/load.ts')
    expect(sources.filter((s) => /^src\/(batch|shard|audit)\//.test(s))).toEqual([])
    expect(modules.map((m) => m.url)).not.toContain('node:worker_threads')
  })

  it('loads no CommonJS module (Node would start its CommonJS loader and export scanner for it)', async () => {
    const { modules } = await traced('cjs', ['decide', RECORD, '--as-of', '2026-11-24'])
    expect(modules.filter((m) => m.format === 'commonjs')).toEqual([])
  })

  it('the trace sees what batch mode loads: its batch code and worker threads', async () => {
    const line = readFileSync(join(ROOT, RECORD), 'utf8').replace(/\s*\n\s*/g, '')
    const { modules, sources } = await traced('batch', ['decide', '--ndjson', '-', '--as-of', '2026-11-24'], line + '\n')
    expect(sources).toContain('src/batch/batch.ts')
    expect(modules.map((m) => m.url)).toContain('node:worker_threads')
  })
})
