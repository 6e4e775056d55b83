/**
 * The dependency rule, checked over the import graph of src/: each stage knows only the stages to its
 * left, so the pipeline reads one way (load → validate → compile → decide), and the tools around it
 * (lock, folder loading, reports, tests, diff, impact, batch, store) sit to the right of what they use.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, normalize, relative, sep } from 'node:path'
import { describe, expect, it } from 'vitest'

const SRC = join(import.meta.dirname, '..', '..', 'src')

/** Left to right. A module may import from its own layer or any layer to its left. */
const LAYERS: readonly (readonly string[])[] = [
  ['model.ts', 'errors.ts', 'order.ts', 'succession.ts', 'schemas.ts', 'suggest.ts', 'own.ts', 'generated'],
  ['calendar'],
  ['language'],
  ['load'],
  ['validate'],
  ['compile'],
  ['decide'],
  ['shard'],
  ['release'],
  ['lock'],
  ['folder'],
  ['report'],
  ['audit'],
  ['policy-test'],
  ['mutate'],
  ['diff'],
  ['impact'],
  ['backtest'],
  ['html'],
  ['batch'],
  ['store'],
  ['merge'],
  ['cli'],
  ['index.ts', 'report-entry.ts'],
]

/** A module's unit: its folder under src/, or the file itself at the top. */
const unitOf = (file: string): string => relative(SRC, file).split(sep)[0]!
const layerOf = (unit: string): number => LAYERS.findIndex((l) => l.includes(unit))

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return sources(path)
    return /\.ts$/.test(name) && !name.endsWith('.d.ts') ? [path] : []
  })
}

/** Every relative import (static, dynamic or re-export) of every module, as unit → unit edges. */
function edges(): { from: string; to: string; file: string; spec: string }[] {
  const out: { from: string; to: string; file: string; spec: string }[] = []
  for (const file of sources(SRC)) {
    const text = readFileSync(file, 'utf8')
    for (const m of text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)) {
      const target = normalize(join(dirname(file), m[1]!))
      if (!target.startsWith(SRC)) continue // schemas/*.json sit beside src/
      out.push({ from: unitOf(file), to: unitOf(target), file: relative(SRC, file), spec: m[1]! })
    }
  }
  return out
}

describe('the dependency rule', () => {
  const all = edges()

  it('places every module of src/ in a layer', () => {
    const units = [...new Set(sources(SRC).map(unitOf))]
    expect(units.filter((u) => layerOf(u) < 0)).toEqual([])
  })

  it('has every import point left (or within its own folder)', () => {
    const wrong = all.filter((e) => layerOf(e.to) > layerOf(e.from)).map((e) => `${e.file} imports ${e.spec} (${e.from} → ${e.to})`)
    expect(wrong).toEqual([])
  })

  it('catches a wrong-way import when there is one', () => {
    // the check itself can fail: a validator importing the folder loader is to the right of it
    expect(layerOf('folder')).toBeGreaterThan(layerOf('validate'))
    expect(all.length).toBeGreaterThan(100)
    expect(all.some((e) => e.from === 'decide' && e.to === 'compile')).toBe(true)
  })
})
