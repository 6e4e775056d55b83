/**
 * Policy bytes are taken strictly (issue 10, part 3) and parsing is linear in the file (part 2):
 * invalid UTF-8 and control characters are errors with file:line:col, values JSON cannot hold are
 * refused, symbolic links stay inside the policy folder unless told otherwise, and a file of
 * 100,000 keys is refused by a linear count instead of a quadratic duplicate-key check.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { checkPolicies, DEFAULT_PARSE_LIMITS } from '../../src/index.js'
import { parseYamlSource } from '../../src/read/yaml-source.js'
import { OLD_FILE, ONBOARDING, scratchPolicies } from '../store/helpers.js'
import { assertBuilt, cli, ROOT } from '../cli/run-cli.js'

const dirs: string[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})
const tempDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'collabgate-bytes-'))
  dirs.push(d)
  return d
}
const at = (p: { code: string; line: number; column: number }) => `${p.code} ${p.line}:${p.column}`

/** 100,000 distinct keys in 988,890 bytes: the file of the issue (232 s of frozen service before). */
const HUNDRED_THOUSAND_KEYS = Array.from({ length: 100_000 }, (_, i) => `k${i}: 1\n`).join('')

describe('linear parsing', () => {
  it('refuses a 989 KB policy of 100,000 distinct keys with E_YAML_LIMIT (it used to take minutes)', async () => {
    expect(Buffer.byteLength(HUNDRED_THOUSAND_KEYS)).toBe(988_890)
    const dir = tempDir()
    writeFileSync(join(dir, 'keys.yaml'), HUNDRED_THOUSAND_KEYS)
    const { problems } = await checkPolicies(dir, { lock: false })
    expect(problems).toHaveLength(1)
    expect(problems[0]).toMatchObject({
      code: 'E_YAML_LIMIT',
      file: 'keys.yaml',
      message: 'more than 10000 nodes (keys, values and list items)',
    })
    // the count stops where the limit is passed: key 5,000's value is the 10,001st node
    expect(problems[0]!.line).toBe(5001)
  })

  it('counts keys, values and list items against maxNodes, which a caller can set', () => {
    expect(DEFAULT_PARSE_LIMITS.maxNodes).toBe(10_000)
    const limits = { ...DEFAULT_PARSE_LIMITS, maxNodes: 6 }
    expect(parseYamlSource('ok.yaml', 'a: 1\nb: [1, 2]\n', limits).problems).toEqual([])
    expect(parseYamlSource('big.yaml', 'a: 1\nb: [1, 2]\nc: 3\n', limits).problems.map(at)).toEqual(['E_YAML_LIMIT 3:1'])
    expect(parseYamlSource('big.yaml', 'a: 1\nb:\n  - 1\n  - 2\n', limits).problems.map(at)).toEqual(['E_YAML_LIMIT 4:5'])
  })

  it('reports a duplicate key as such: E_YAML_SYNTAX at the second key, naming the first, with a linear check', () => {
    const { problems, value } = parseYamlSource('dup.yaml', 'a: 1\nb:\n  c: 1\n  d: 2\n  c: 3\n')
    expect(value).toBeUndefined()
    expect(problems).toMatchObject([
      {
        code: 'E_YAML_SYNTAX',
        file: 'dup.yaml',
        line: 5,
        column: 3,
        message: "'c' is declared twice in one mapping (first at line 3); keep one (DUPLICATE_KEY)",
      },
    ])
    // thousands of keys with one duplicate at the end: found, every one of them
    const many = Array.from({ length: 4000 }, (_, i) => `k${i}: 1`).join('\n') + '\nk17: 2\nk18: 3\n'
    expect(parseYamlSource('many.yaml', many).problems.map(at)).toEqual(['E_YAML_SYNTAX 4001:1', 'E_YAML_SYNTAX 4002:1'])
  })

  it('treats 1 and "1" as one key, as JSON does (the second would silently win)', () => {
    expect(parseYamlSource('dup.yaml', '1: a\n"1": b\n').problems.map(at)).toEqual(['E_YAML_SYNTAX 2:1'])
  })
})

describe('strict policy bytes', () => {
  it('refuses invalid UTF-8 with E_ENCODING at its line and column, where each of three byte-different files had one digest', async () => {
    const scratch = scratchPolicies()
    try {
      const text = scratch.read(OLD_FILE)
      const line = text.split('\n').findIndex((l) => l.startsWith('title: ')) + 1
      expect(line).toBeGreaterThan(0)
      for (const bad of [[0xff], [0xc3, 0x28], [0xed, 0xa0, 0x80]]) {
        const bytes = Buffer.from(text.replace(/^title: /m, 'title: \u00e9X'))
        const offset = bytes.indexOf('X')
        writeFileSync(join(scratch.dir, OLD_FILE), Buffer.concat([bytes.subarray(0, offset), Buffer.from(bad), bytes.subarray(offset + 1)]))
        const { problems } = await checkPolicies(scratch.dir, { lock: false })
        // column counts characters: "title: é" is 8 of them
        expect(problems.map(at), Buffer.from(bad).toString('hex')).toEqual([`E_ENCODING ${line}:9`])
        expect(problems[0]!.file).toBe(OLD_FILE)
        expect(problems[0]!.message).toContain('not valid UTF-8')
      }
    } finally {
      scratch.remove()
    }
  })

  it.each([
    ['a raw NUL', '\u0000', '0000'],
    ['an escape', '\u001b', '001B'],
    ['a DEL', '\u007f', '007F'],
    ['a C1 control', '\u0085', '0085'],
  ])('refuses %s with E_ENCODING at its line and column', (_name, char, hex) => {
    const { problems, value } = parseYamlSource('p.yaml', `a: 1\nb: x${char}y\n`)
    expect(value).toBeUndefined()
    expect(problems).toMatchObject([{ code: 'E_ENCODING', line: 2, column: 5, message: expect.stringContaining(`U+${hex}`) }])
  })

  it('allows tab, CR and LF', () => {
    expect(parseYamlSource('p.yaml', 'a: "x\ty"\r\nb: 2\r\n').problems).toEqual([])
  })

  it.each([
    ['.nan', 'NaN', 5],
    ['.inf', 'Infinity', 5],
    ['-.Inf', '-Infinity', 5],
    ['1e400', 'Infinity', 5],
    ['!!binary aGVsbG8=', 'binary data', 14],
  ])('refuses %s where a JSON value is expected, with E_YAML_VALUE at the value', (written, shown, column) => {
    const { problems, value } = parseYamlSource('p.yaml', `a: 1\nb:\n  - ${written}\n`)
    expect(value).toBeUndefined()
    expect(problems).toMatchObject([{ code: 'E_YAML_VALUE', line: 3, column, message: expect.stringContaining(`(${shown})`) }])
  })

  it('refuses .nan and .inf inside a policy, so they no longer share a digest with null', async () => {
    const scratch = scratchPolicies()
    try {
      const text = scratch.read(OLD_FILE)
      const m = /value: (\d+)$/m.exec(text)!
      const line = text.slice(0, m.index).split('\n').length
      const column = m.index + 'value: '.length - text.lastIndexOf('\n', m.index)
      for (const v of ['.nan', '.inf', 'null']) {
        scratch.write(OLD_FILE, text.replace(m[0], `value: ${v}`))
        const { problems } = await checkPolicies(scratch.dir, { lock: false })
        if (v === 'null') expect(problems.map((p) => p.code)).not.toContain('E_YAML_VALUE')
        else expect(problems.map(at)).toEqual([`E_YAML_VALUE ${line}:${column}`])
      }
    } finally {
      scratch.remove()
    }
  })
})

describe('symbolic links', () => {
  function folderWithLinks(): { dir: string; outside: string } {
    const scratch = scratchPolicies()
    dirs.push(join(scratch.dir, '..'))
    const outside = join(tempDir(), 'elsewhere')
    mkdirSync(outside)
    return { dir: scratch.dir, outside }
  }

  it('refuses a policy file whose link leads outside the folder, with E_SYMLINK, unless followSymlinks', async () => {
    const { dir, outside } = folderWithLinks()
    const text = readFileSync(join(dir, OLD_FILE), 'utf8')
    rmSync(join(dir, OLD_FILE))
    writeFileSync(join(outside, OLD_FILE), text)
    symlinkSync(join(outside, OLD_FILE), join(dir, OLD_FILE))
    const refused = await checkPolicies(dir, { lock: false })
    expect(refused.problems).toMatchObject([{ code: 'E_SYMLINK', file: OLD_FILE, message: expect.stringContaining('followSymlinks') }])
    expect(refused.policies.map((p) => p.id)).not.toContain(ONBOARDING)
    const followed = await checkPolicies(dir, { lock: false, followSymlinks: true })
    expect(followed.problems).toEqual([])
    expect(followed.policies.map((p) => p.id)).toContain(ONBOARDING)
  })

  it('refuses a linked folder that leads outside, and the folder declaration too', async () => {
    const { dir, outside } = folderWithLinks()
    writeFileSync(join(outside, 'extra.v1.0.0.yaml'), 'id: extra\n')
    symlinkSync(outside, join(dir, 'linked'))
    const { problems } = await checkPolicies(dir, { lock: false })
    expect(problems.map((p) => [p.code, p.file])).toEqual([['E_SYMLINK', 'linked/extra.v1.0.0.yaml']])

    rmSync(join(dir, 'linked'))
    writeFileSync(join(outside, 'collabgate.yaml'), readFileSync(join(dir, 'collabgate.yaml')))
    rmSync(join(dir, 'collabgate.yaml'))
    symlinkSync(join(outside, 'collabgate.yaml'), join(dir, 'collabgate.yaml'))
    expect((await checkPolicies(dir, { lock: false })).problems.map((p) => [p.code, p.file])).toEqual([['E_SYMLINK', 'collabgate.yaml']])
  })

  it('validate refuses the link (exit 1, E_SYMLINK) and follows it with --follow-symlinks', async () => {
    assertBuilt()
    const { dir, outside } = folderWithLinks()
    writeFileSync(join(outside, OLD_FILE), readFileSync(join(dir, OLD_FILE)))
    rmSync(join(dir, OLD_FILE))
    symlinkSync(join(outside, OLD_FILE), join(dir, OLD_FILE))
    const refused = await cli(['validate', '--no-lock', dir])
    expect(refused.code).toBe(1)
    expect(refused.stdout).toContain('E_SYMLINK')
    const followed = await cli(['validate', '--no-lock', '--follow-symlinks', dir])
    expect([followed.code, followed.stdout]).toEqual([0, expect.not.stringContaining('E_SYMLINK')])
  })

  it('test and decide --policies refuse the link too, and follow it with --follow-symlinks', async () => {
    assertBuilt()
    const { dir, outside } = folderWithLinks()
    writeFileSync(join(outside, OLD_FILE), readFileSync(join(dir, OLD_FILE)))
    rmSync(join(dir, OLD_FILE))
    symlinkSync(join(outside, OLD_FILE), join(dir, OLD_FILE))
    const record = readFileSync(join(ROOT, 'examples', 'applications', 'complete-us-developer.json'), 'utf8')
    const decide = ['decide', '-', '--as-of', '2026-11-24', '--no-lock', '--policies', dir]
    const refused = await cli(decide, { input: record })
    expect([refused.code, refused.stderr]).toEqual([1, expect.stringContaining('E_SYMLINK')])
    const followed = await cli([...decide, '--follow-symlinks'], { input: record })
    expect(followed.code).toBe(0)
    expect(JSON.parse(followed.stdout)).toMatchObject({ outcome: 'approve' })
    const tested = await cli(['test', '--no-lock', dir])
    expect([tested.code, tested.stderr]).toEqual([1, expect.stringContaining('E_SYMLINK')])
    const testedFollowing = await cli(['test', '--no-lock', '--follow-symlinks', dir])
    expect(testedFollowing.stderr).not.toContain('E_SYMLINK')
  })

  it('follows links that stay inside the folder (a ConfigMap-style ..data folder)', async () => {
    const { dir } = folderWithLinks()
    mkdirSync(join(dir, '..2026_11_30'))
    writeFileSync(join(dir, '..2026_11_30', OLD_FILE), readFileSync(join(dir, OLD_FILE)))
    symlinkSync('..2026_11_30', join(dir, '..data'))
    rmSync(join(dir, OLD_FILE))
    symlinkSync(join('..data', OLD_FILE), join(dir, OLD_FILE))
    const { problems, policies } = await checkPolicies(dir, { lock: false })
    expect(problems).toEqual([])
    expect(policies.map((p) => p.id)).toContain(ONBOARDING)
  })
})
