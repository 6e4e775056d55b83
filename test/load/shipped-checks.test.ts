import { createHash } from 'node:crypto'
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeEach, describe, expect, it } from 'vitest'
import { checkPolicies, DEFAULT_PARSE_LIMITS, defaultPolicies, defaultPoliciesDir, type Policy } from '../../src/index.js'
import { findPolicyFiles } from '../../src/folder/load.js'
import { FOLDER_FILE, loadFolder, readFolder, shippedDisplayName } from '../../src/folder/declaration.js'
import { locatePolicy } from '../../src/folder/load.js'
import { checkKey, clearCheckCache, subjectsDigest } from '../../src/folder/check-cache.js'
import {
  formatShippedChecks,
  shippedChecks,
  shippedFolder,
  type ShippedCheck,
  type ShippedFolder,
} from '../../src/folder/shipped-checks.js'
import { parseYamlSource, parseYamlText } from '../../src/read/yaml-source.js'
import { checkPolicyDocument } from '../../src/validate/policy.js'
import { example } from '../core/helpers.js'

const GENERATED = join(import.meta.dirname, '..', '..', 'src', 'generated', 'shipped-checks.js')

beforeEach(() => clearCheckCache())

/** Every shipped policy file checked afresh (no cache of any kind but the parse cache), as the loader keys it. */
async function freshChecks(): Promise<ShippedCheck[]> {
  const root = defaultPoliciesDir()
  const { subjects } = await loadFolder(root, shippedDisplayName)
  const folder = { subjects: new Map(subjects.map((s) => [s.name, s])) }
  const files = await findPolicyFiles([root])
  expect(files.length).toBeGreaterThanOrEqual(6)
  return files.map((abs) => {
    const file = shippedDisplayName(abs)
    const bytes = readFileSync(abs)
    const text = bytes.toString('utf8')
    const checked = checkPolicyDocument(parseYamlSource(file, text), folder)
    expect(checked.problems, file).toEqual([])
    const { positions } = parseYamlText(file, text, DEFAULT_PARSE_LIMITS)
    return {
      key: checkKey(bytes, { display: file, limits: DEFAULT_PARSE_LIMITS, subjects: subjectsDigest(subjects) }),
      file,
      policy: checked.policy!,
      positions: [...positions].map(([pointer, p]) => [pointer, p.line, p.col] as [string, number, number]),
    }
  })
}

/** The shipped declaration read and checked afresh, with the SHA-256 of each file it was read from. */
async function freshFolder(): Promise<ShippedFolder> {
  const root = defaultPoliciesDir()
  const folder = await readFolder(root, shippedDisplayName, DEFAULT_PARSE_LIMITS)
  expect(folder.problems).toEqual([])
  const names = [FOLDER_FILE, ...folder.subjects.flatMap((s) => s.schemas.map((r) => r.location.file))]
  const sha256 = (file: string) =>
    createHash('sha256')
      .update(readFileSync(join(root, file)))
      .digest('hex')
  return { files: Object.fromEntries(names.map((f) => [f, sha256(f)])), subjects: folder.subjects, digest: folder.digest! }
}

const same = (a: Policy, b: Policy) => a.id === b.id && a.version === b.version

describe('the shipped policies, checked when the package is built', () => {
  it('are the check of every shipped policy file as it is now (update with `npx vitest run test/load -u`)', async () => {
    await expect(formatShippedChecks(await freshChecks(), await freshFolder())).toMatchFileSnapshot(GENERATED)
  })

  it('give a load of the shipped folder each policy, equal to a fresh check, placed alike', async () => {
    const fresh = await freshChecks()
    const lookup = await shippedChecks()
    const { policies, problems } = await checkPolicies(defaultPoliciesDir())
    expect(problems).toEqual([])
    expect(policies.length).toBe(fresh.length)
    for (const f of fresh) {
      const loaded = policies.find((p) => same(p, f.policy))!
      expect(loaded, f.file).toBe(lookup(f.key)!.policy)
      expect(Object.isFrozen(loaded.rules[0]!.checks[0]!.require)).toBe(true)
      // the same content through JSON: no value lost or added
      expect(loaded).toStrictEqual(f.policy)
      for (const [pointer, line, column] of f.positions)
        expect(locatePolicy(loaded, pointer), `${f.file} ${pointer}`).toEqual({ file: f.file, line, column })
    }
  })

  it('decide as the policies of a fresh check do', async () => {
    const shipped = await defaultPolicies()
    const fresh = await freshChecks()
    const record = example('applications', 'complete-us-developer')
    const { PolicySet } = await import('../../src/index.js')
    const set = new PolicySet(
      fresh.map((f) => f.policy),
      { subjects: shipped.subjectKinds, ...(shipped.release === undefined ? {} : { release: shipped.release }) },
    )
    for (const asOf of ['2026-11-24', '2027-02-01']) expect(shipped.decideSync(record, { asOf })).toEqual(set.decideSync(record, { asOf }))
  })

  it('answer no other bytes, name, limits or subjects: those are checked as usual', async () => {
    const [first] = await freshChecks()
    const lookup = await shippedChecks()
    expect(lookup(first!.key)).toBeDefined()
    const root = defaultPoliciesDir()
    const { subjects } = await loadFolder(root, shippedDisplayName)
    const bytes = readFileSync(join(root, first!.file))
    const inputs = { display: first!.file, limits: DEFAULT_PARSE_LIMITS, subjects: subjectsDigest(subjects) }
    expect(checkKey(bytes, inputs)).toBe(first!.key)
    const edited = Buffer.concat([bytes, Buffer.from('# edited\n')])
    expect(lookup(checkKey(edited, inputs))).toBeUndefined()
    expect(lookup(checkKey(bytes, { ...inputs, display: `x/${first!.file}` }))).toBeUndefined()
    expect(lookup(checkKey(bytes, { ...inputs, limits: { ...DEFAULT_PARSE_LIMITS, maxNodes: 1e9 } }))).toBeUndefined()
    expect(lookup(checkKey(bytes, { ...inputs, subjects: subjectsDigest(subjects.slice(1)) }))).toBeUndefined()
  })

  it('give the shipped declaration as read afresh, and nothing once one of its files holds other bytes', async () => {
    const fresh = await freshFolder()
    const root = defaultPoliciesDir()
    const loaded = await loadFolder(root, shippedDisplayName)
    expect(loaded.problems).toEqual([])
    expect(loaded.subjects).toStrictEqual(fresh.subjects)
    expect(loaded.digest).toBe(fresh.digest)
    expect(await shippedFolder(root)).toStrictEqual({ subjects: fresh.subjects, digest: fresh.digest })
    const copy = mkdtempSync(join(tmpdir(), 'collabgate-shipped-folder-'))
    try {
      cpSync(root, copy, { recursive: true })
      expect(await shippedFolder(copy)).toBeDefined()
      for (const file of Object.keys(fresh.files)) {
        const original = readFileSync(join(copy, file))
        writeFileSync(join(copy, file), Buffer.concat([original, Buffer.from('\n')]))
        expect(await shippedFolder(copy), file).toBeUndefined()
        writeFileSync(join(copy, file), original)
      }
      rmSync(join(copy, Object.keys(fresh.files).at(-1)!))
      expect(await shippedFolder(copy)).toBeUndefined()
    } finally {
      rmSync(copy, { recursive: true, force: true })
    }
  })
})
