import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it, vi } from 'vitest'
import * as fsp from 'node:fs/promises'
import { findPolicyFiles } from '../../src/folder/load.js'

// counts the stats of the walk, answering them as node does
vi.mock('node:fs/promises', async (original) => {
  const actual = await original<typeof import('node:fs/promises')>()
  return { ...actual, stat: vi.fn(actual.stat) }
})

const tmp = mkdtempSync(join(tmpdir(), 'collabgate-find-files-'))
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

describe('finding the policy files of a folder', () => {
  it('stats only folders and symbolic links, not each file (a round trip each on every reload)', async () => {
    const dir = join(tmp, 'policies')
    mkdirSync(join(dir, 'records'), { recursive: true })
    for (let i = 0; i < 20; i++) writeFileSync(join(dir, 'records', `r${i}.json`), '{}')
    for (const f of ['a.v1.0.0.yaml', 'b.v1.0.0.yml', 'a.test.yaml', 'notes.txt']) writeFileSync(join(dir, f), 'x: 1\n')
    writeFileSync(join(tmp, 'outside.yaml'), 'x: 1\n')
    symlinkSync(join(tmp, 'outside.yaml'), join(dir, 'linked.yaml'))
    const stat = vi.mocked(fsp.stat)
    stat.mockClear()
    const found = await findPolicyFiles([dir])
    expect(found).toEqual(['a.v1.0.0.yaml', 'b.v1.0.0.yml', 'linked.yaml'].map((f) => join(dir, f)))
    // the folder, records/ and the link
    expect(stat).toHaveBeenCalledTimes(3)
  })
})
