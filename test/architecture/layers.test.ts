/**
 * The dependency rule, checked over the import graph of src/ as the TypeScript parser reads it: each stage knows
 * only the stages to its left, so the pipeline reads one way (read → validate → compile → decide), and the tools
 * around it (lock, folder loading, tests, diff, impact, reports, batch, store) sit to the right of what they use.
 * No module imports an entry point (the package's entries, the CLI, the worker scripts).
 */
import { readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'
import { buildEntries, layerOf, referencesOf, sources, SRC, unitOf, violations } from './import-graph.js'

const entries = buildEntries()
const modules = sources().map((file) => ({ file, text: readFileSync(file, 'utf8') }))
// parsed once, while the file loads: a busy machine must not time the tests out
const references = modules.flatMap((m) => referencesOf(m.file, m.text, entries).references)
const verdict = violations(modules, entries)

/** The rule's verdict on one module that is not on disk (each module's verdict depends on its own text only). */
const withModule = (path: string, text: string): string[] => violations([{ file: join(SRC, path), text }], entries)

describe('the dependency rule', () => {
  it('reads every module of src/, the entry points and worker scripts among them, and places each in a layer', () => {
    const read = modules.map((m) => relative(SRC, m.file))
    expect([...entries.values()].map((f) => relative(SRC, f)).filter((f) => !read.includes(f))).toEqual([])
    expect([...entries.keys()].sort()).toEqual(['batch-worker', 'cli', 'index', 'report', 'store-worker'])
    expect(modules.map((m) => unitOf(m.file)).filter((u) => layerOf(u) < 0)).toEqual([])
  })

  it('has every import point left (or within its own folder), and none name an entry point', () => {
    expect(verdict).toEqual([])
  })

  it('sees the run-time loads of the built workers as edges to their sources', () => {
    const loads = references
      .filter((r) => r.how === 'run-time load' && r.target !== undefined)
      .map((r) => `${relative(SRC, r.file)} → ${relative(SRC, r.target!)}`)
    expect(new Set(loads)).toEqual(new Set(['store/check.ts → store/check-worker.ts', 'batch/pool.ts → batch/worker.ts']))
  })

  it('catches a wrong-way import written with single quotes, double quotes, as a re-export or a dynamic import', () => {
    const wrong = [
      `import { loadPolicies } from '../folder/load.js'`,
      `import { loadPolicies } from "../folder/load.js"`,
      `import type { CheckResult } from "../folder/load.js"`,
      `export { loadPolicies } from "../folder/load.js"`,
      `export const later = () => import('../folder/load.js')`,
      'export const later = () => import("../folder/load.js")',
      'export const later = () => import(`../folder/load.js`)',
    ]
    for (const line of wrong)
      expect(withModule('validate/wrong-way.ts', line), line).toEqual([
        expect.stringMatching(/^validate\/wrong-way\.ts .*\.\.\/folder\/load\.js \(validate → folder\)$/),
      ])
    // the same lines pointing left are fine
    expect(withModule('folder/right-way.ts', `import { checkPolicyDocument } from "../validate/policy.js"`)).toEqual([])
  })

  it('catches an import of an entry point from inside, even from its own layer', () => {
    expect(withModule('model.ts', `export type { Decision } from "./index.js"`)).toEqual([
      'model.ts exports ./index.js: the entry point index (index.ts)',
      'model.ts exports ./index.js (model.ts → index.ts)',
    ])
    expect(withModule('validate/ajv.ts', `import { visible } from '../report-entry.js'`)).toEqual([
      'validate/ajv.ts imports ../report-entry.js: the entry point report (report-entry.ts)',
      'validate/ajv.ts imports ../report-entry.js (validate → report-entry.ts)',
    ])
    expect(withModule('cli/commands/audit.ts', `import { decide } from '../main.js'`)).toEqual([
      'cli/commands/audit.ts imports ../main.js: the entry point cli (cli/main.ts)',
    ])
    expect(withModule('batch/pool.ts', `import './worker.js'`)).toEqual([
      'batch/pool.ts imports ./worker.js: the entry point batch-worker (batch/worker.ts)',
    ])
  })

  it('catches a worker loaded from a layer to its left, and an import it cannot follow', () => {
    const load = `new Worker(new URL('../../dist/store-worker.js', import.meta.url))`
    expect(withModule('validate/threads.ts', load)).toEqual([
      'validate/threads.ts run-time loads ../../dist/store-worker.js (validate → store)',
    ])
    expect(withModule('validate/threads.ts', `export const file = join(here, "batch-worker.js")`)).toEqual([
      'validate/threads.ts run-time loads batch-worker.js (validate → batch)',
    ])
    expect(withModule('validate/computed.ts', 'export const m = (name: string) => import(`../${name}.js`)')).toEqual([
      'validate/computed.ts: import() of a computed name cannot be checked: import(`../${name}.js`)',
    ])
    expect(withModule('orphan/new.ts', `export const x = 1`)).toEqual(['orphan/new.ts is in no layer'])
  })
})
