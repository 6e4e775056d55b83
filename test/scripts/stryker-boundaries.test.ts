/** The mutation run leaves an operator file's boundary rows alone (scripts/stryker-boundaries.mjs): they are data. */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { Instrumenter } from '@stryker-mutator/instrumenter'
import { describe, expect, it } from 'vitest'

const ROOT = join(import.meta.dirname, '..', '..')
const quiet = { isDebugEnabled: () => false, isTraceEnabled: () => false, debug() {}, trace() {}, info() {}, warn() {}, error() {} }

describe('the mutation run’s ignore plugin', () => {
  it('ignores every mutant inside an operator’s boundaries, and only those', async () => {
    const { strykerPlugins } = (await import(pathToFileURL(join(ROOT, 'scripts', 'stryker-boundaries.mjs')).href)) as {
      strykerPlugins: { name: string; value: { shouldIgnore(path: unknown): string | undefined } }[]
    }
    expect(strykerPlugins.map((p) => p.name)).toEqual(['BoundaryRows'])
    const name = join(ROOT, 'src', 'language', 'operators', 'equal.ts')
    const content = readFileSync(name, 'utf8')
    const lines = content.split('\n')
    const first = lines.indexOf('  boundaries: [') + 1
    const last = lines.indexOf('  ],', first) + 1
    expect(first).toBeGreaterThan(0)
    const instrumenter = new Instrumenter(quiet as never)
    const mutate = async (ignorers: { shouldIgnore(path: unknown): string | undefined }[]) =>
      (await instrumenter.instrument([{ name, content, mutate: true }], { ignorers, plugins: null, excludedMutations: [], noHeader: true }))
        .mutants
    const plain = await mutate([])
    const ignoring = await mutate([strykerPlugins[0]!.value])
    const newlyIgnored = ignoring.filter((m, i) => m.status === 'Ignored' && plain[i]!.status !== 'Ignored')
    expect(newlyIgnored.length).toBeGreaterThan(10)
    for (const m of newlyIgnored) expect(m.location.start.line + 1).toBeGreaterThanOrEqual(first)
    for (const m of newlyIgnored) expect(m.location.end.line + 1).toBeLessThanOrEqual(last)
    const inRows = plain.filter((m) => m.location.start.line + 1 >= first && m.location.end.line + 1 <= last)
    expect(newlyIgnored).toHaveLength(inRows.length)
  })
})
