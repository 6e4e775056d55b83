/**
 * One walk of a policy folder serves the loader (findPolicyFiles) and the store's at-rest snapshot (snapshotFolder):
 * on a folder with nested folders, links and hidden files both callers name the same files, and the same loop.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { findPolicyFiles } from '../../src/folder/load.js'
import { walkFolder } from '../../src/folder/walk.js'
import { snapshotFolder } from '../../src/store/check.js'
import { PolicyValidationError } from '../../src/errors.js'

const tmp = mkdtempSync(join(tmpdir(), 'collabgate-walk-'))
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

let count = 0
/** A folder with nested folders, a linked folder and file from outside it, hidden files and folders, node_modules. */
function house(): string {
  const dir = join(tmp, `house${++count}`)
  const outside = join(tmp, `outside${count}`)
  const write = (path: string) => {
    mkdirSync(join(path, '..'), { recursive: true })
    writeFileSync(path, 'x: 1\n')
  }
  for (const f of ['a.v1.0.0.yaml', 'b.test.yaml', 'records/r.json', 'notes.txt', 'n/e/s/t/deep.v1.0.0.yml']) write(join(dir, f))
  for (const f of ['.hidden.yaml', '.git/x.yaml', 'node_modules/p/y.yaml', 'n/.z/z.yaml']) write(join(dir, f))
  for (const f of ['shared/s.v1.0.0.yaml', 'shared/.h.yaml', 'one.yaml']) write(join(outside, f))
  symlinkSync(join(outside, 'shared'), join(dir, 'n', 'shared'))
  symlinkSync(join(outside, 'one.yaml'), join(dir, 'linked.yaml'))
  symlinkSync(join(outside, 'shared'), join(dir, '.hidden-link'))
  return dir
}

/** The files a snapshot names (not its root line, not its loops). */
const snapshotFiles = async (dir: string): Promise<string[]> =>
  (await snapshotFolder(dir))
    .split('\n')
    .slice(1)
    .filter((line) => !line.endsWith(' loop'))
    .map((line) => line.slice(0, line.indexOf(' ')))

describe('one walk of a policy folder for the loader and the snapshot', () => {
  it('finds the same YAML and JSON files for both callers, through links, past hidden names', async () => {
    const dir = house()
    const loaded = (await findPolicyFiles([dir], (p) => /\.(ya?ml|json)$/i.test(p))).map((p) => relative(dir, p))
    expect(loaded).toEqual([
      'a.v1.0.0.yaml',
      'b.test.yaml',
      'linked.yaml',
      join('n', 'e', 's', 't', 'deep.v1.0.0.yml'),
      join('n', 'shared', 's.v1.0.0.yaml'),
      join('records', 'r.json'),
    ])
    expect(await snapshotFiles(dir)).toEqual(loaded)
    const policies = (await findPolicyFiles([dir])).map((p) => relative(dir, p))
    expect(policies).toEqual(loaded.filter((f) => /\.ya?ml$/.test(f) && !f.endsWith('.test.yaml')))
  })

  it('names the same link back to a folder that holds it: the loader refuses it, the snapshot notes it', async () => {
    const dir = house()
    symlinkSync('..', join(dir, 'n', 'up'))
    const refused = await findPolicyFiles([dir]).catch((err: unknown) => err)
    expect(refused).toBeInstanceOf(PolicyValidationError)
    expect((refused as PolicyValidationError).problems).toEqual([expect.objectContaining({ code: 'E_LINK_CYCLE', file: 'n/up' })])
    expect((await snapshotFolder(dir)).split('\n')).toContain(`${join('n', 'up')} loop`)
  })

  it('throws on a link to nothing unless told what to do with what it cannot read', async () => {
    const dir = house()
    symlinkSync(join(tmp, 'nothing-here'), join(dir, 'dangling.yaml'))
    const noop = () => undefined
    await expect(walkFolder(dir, { file: noop, loop: noop })).rejects.toMatchObject({ code: 'ENOENT' })
    const unreadable: string[] = []
    await walkFolder(dir, { file: noop, loop: noop, unreadable: (p, err) => void unreadable.push(`${p} ${err.code}`) })
    expect(unreadable).toEqual([`${join(dir, 'dangling.yaml')} ENOENT`])
    expect((await snapshotFolder(dir)).split('\n')).toContain('dangling.yaml ENOENT')
  })

  it('sees a change to a policy file 40 folders deep, as deep as the loader finds it', async () => {
    const dir = join(tmp, `deep${++count}`)
    const file = join(dir, ...Array.from({ length: 40 }, (_, i) => `d${i}`), 'p.v1.0.0.yaml')
    mkdirSync(join(file, '..'), { recursive: true })
    writeFileSync(file, 'x: 1\n')
    expect(await findPolicyFiles([dir])).toEqual([file])
    const before = await snapshotFolder(dir)
    expect(before.split('\n')).toHaveLength(2)
    writeFileSync(file, 'x: 2\n')
    expect(await snapshotFolder(dir)).not.toBe(before)
  })
})
