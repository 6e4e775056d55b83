import { readFileSync } from 'node:fs'
import { relative, sep } from 'node:path'
import { describe, expect, it } from 'vitest'
import { checkPolicies, loadPolicies, PolicyValidationError, formatProblem, type PolicyProblem } from '../../src/index.js'
import { parseYamlSource } from '../../src/read/yaml-source.js'
import { checkPolicyDocument } from '../../src/validate/policy.js'
import { shippedFolder } from '../shipped-folder.js'
import { caught, expectedMarkers, fixture, FIXTURES } from './helpers.js'

// File names relative to the fixture folder, so assertions do not depend on the working directory.
const options = { displayName: (abs: string) => relative(FIXTURES, abs).split(sep).join('/') }
const check = (...parts: string[]) => checkPolicies(fixture(...parts), options)
const markers = (problems: readonly PolicyProblem[]) => problems.map((p) => `${p.line} ${p.code}`).sort()

/** The column where `key` starts on the given line of a fixture (1-based). */
function columnOf(file: string, line: number, key: string): number {
  const text = readFileSync(fixture(file), 'utf8').split('\n')[line - 1] ?? ''
  const at = text.indexOf(key)
  expect(at, `'${key}' on line ${line} of ${file}`).toBeGreaterThanOrEqual(0)
  return at + 1
}

describe('YAML syntax errors', () => {
  it('reports an unquoted ": " in a value at its line and column', async () => {
    const { policies, problems } = await check('invalid', 'malformed.yaml')
    expect(policies).toEqual([])
    expect(problems).toHaveLength(1)
    expect(problems[0]).toMatchObject({ code: 'E_YAML_SYNTAX', file: 'invalid/malformed.yaml', line: 4, column: 8 })
    expect(problems[0]!.message).toMatch(/nested mappings/i)
    // the column points at the text YAML could not take as a value: "Gate: for US developers"
    expect(columnOf('invalid/malformed.yaml', 4, 'Gate:')).toBe(8)
  })

  it('reports a duplicate key at the second occurrence', async () => {
    const { problems } = await check('invalid', 'duplicate-key.yaml')
    expect(problems).toHaveLength(1)
    expect(problems[0]).toMatchObject({ code: 'E_YAML_SYNTAX', line: 6, column: 5 })
    expect(problems[0]!.message).toMatch(/declared twice/i)
  })

  it('reports syntax errors of in-memory text through the same source map', () => {
    const source = parseYamlSource('inline.yaml', 'id: a\neffective:\n\tfrom: "2024-01-01"\n')
    expect(source.value).toBeUndefined()
    expect(source.problems).toHaveLength(1)
    expect(source.problems[0]).toMatchObject({ code: 'E_YAML_SYNTAX', file: 'inline.yaml', line: 3, column: 1 })
    expect(source.problems[0]!.message).toMatch(/tab/i)
  })
})

describe('JSON Schema violations', () => {
  it('lists every violation, each at the key that causes it', async () => {
    const file = 'invalid/schema-violations.yaml'
    const { policies, problems } = await check(file)
    expect(policies).toEqual([])
    expect(problems.every((p) => p.code === 'E_SCHEMA' && p.file === file)).toBe(true)
    expect(markers(problems)).toEqual(expectedMarkers(fixture(file)))
    const byPointer = new Map(problems.map((p) => [p.pointer, p]))
    expect([...byPointer.keys()].sort()).toEqual(
      ['/colour', '/id', '/primary', '/rules/0/id', '/rules/0/source/status', '/rules/1', '/subject', '/title'].sort(),
    )
    expect(byPointer.get('/colour')).toMatchObject({ line: 7, column: 1 })
    expect(byPointer.get('/colour')!.message).toContain("unknown field 'colour'")
    expect(byPointer.get('/rules/0/source/status')).toMatchObject({ line: 16, column: columnOf(file, 16, 'status') })
    expect(byPointer.get('/rules/0/id')).toMatchObject({ line: 13, column: columnOf(file, 13, 'id:') })
    expect(byPointer.get('/rules/1')!.message).toContain("missing required field 'message'")
    expect(byPointer.get('/subject')!.message).toContain('must be a lower-case name')
  })

  it('refuses a document that is not a mapping', () => {
    const { policy, problems } = checkPolicyDocument(parseYamlSource('list.yaml', '- id: a\n- id: b\n'), shippedFolder())
    expect(policy).toBeUndefined()
    expect(problems).toHaveLength(1)
    expect(problems[0]).toMatchObject({ code: 'E_SCHEMA', file: 'list.yaml', line: 1, column: 1, pointer: '' })
  })
})

describe('semantic checks', () => {
  it('reports every semantic problem of a schema-valid policy, at the offending key', async () => {
    const file = 'invalid/semantic-problems.yaml'
    const { policies, problems } = await check(file)
    expect(policies).toEqual([])
    expect(markers(problems)).toEqual(expectedMarkers(fixture(file)))
    const codes = new Set(problems.map((p) => p.code))
    for (const code of [
      'E_INVALID_VERSION',
      'E_INVALID_DATE',
      'E_UNKNOWN_OUTCOME',
      'E_UNKNOWN_FACT',
      'E_UNKNOWN_PATH',
      'E_UNKNOWN_OPERATOR',
      'E_DUPLICATE_RULE',
      'E_EMPTY_GROUP',
      'E_BAD_VALUE',
      'E_TEMPLATE',
    ]) {
      expect(codes, code).toContain(code)
    }
    const at = (code: string, pointer: string) => problems.find((p) => p.code === code && p.pointer === pointer)
    expect(at('E_UNKNOWN_FACT', '/rules/0/require/fact')).toMatchObject({ line: 18, column: columnOf(file, 18, 'fact') })
    expect(at('E_UNKNOWN_FACT', '/rules/0/require/fact')!.message).toContain("'applicantt'")
    expect(at('E_UNKNOWN_PATH', '/rules/1/require/path')!.message).toContain('$.registration.postcode')
    expect(at('E_UNKNOWN_OPERATOR', '/rules/2/require/operator')).toMatchObject({ line: 40, column: columnOf(file, 40, 'operator') })
    expect(at('E_UNKNOWN_OPERATOR', '/rules/2/require/operator')!.message).toContain("'looksLike'")
    expect(at('E_UNKNOWN_OUTCOME', '/default')!.message).toContain("'accept'")
    expect(at('E_UNKNOWN_OUTCOME', '/rules/3/outcome')!.message).toContain("'maybe'")
    expect(at('E_DUPLICATE_RULE', '/rules/4/id')!.message).toContain('P-UNKNOWN-FACT')
    expect(at('E_INVALID_DATE', '/effective/from')!.message).toContain('2024-02-30')
    expect(at('E_INVALID_DATE', '/rules/7/require/value')!.message).toContain('2024-13-01')
    expect(at('E_INVALID_VERSION', '/version')!.message).toContain("'1.0'")
    expect(at('E_EMPTY_GROUP', '/rules/5/require/any')).toBeDefined()
    expect(at('E_BAD_VALUE', '/rules/6/require/value')).toBeDefined()
    expect(at('E_TEMPLATE', '/rules/8/message')!.message).toContain('applicant.nickname')
  })

  it('checks value kinds, element fields, nested list matches, working days and windows', async () => {
    const file = 'invalid/more-problems.yaml'
    const { problems } = await check(file)
    expect(markers(problems)).toEqual(expectedMarkers(fixture(file)))
    const messages = problems.map((p) => p.message).join('\n')
    expect(messages).toContain("operator 'in' needs a list")
    expect(messages).toContain("operator 'containsAny' works on lists, but developerId is string")
    expect(messages).toContain("operator 'present' takes true or false")
    expect(messages).toContain("operator 'equal' needs a value")
    expect(messages).toContain('asOf is a date; it has no path')
    expect(messages).toContain("path 'incidents[*].type' is not supported")
    expect(messages).toContain("list elements have no field at '$.severity'")
    expect(messages).toContain("'noneMatch' cannot be used inside another list match")
    expect(messages).toContain('a condition needs a fact')
    expect(messages).toContain('exactly one of all, any, not, operator')
    expect(messages).toContain('addWorkingDays is a whole number')
    expect(messages).toContain('effective.until 2024-01-01 must come after effective.from 2024-06-01')
    expect(messages).toContain('the review clock needs `from`')
  })
})

describe('versions of one policy id', () => {
  it('lets a successor end its predecessor: an earlier until or none, the next from ends it', async () => {
    for (const dir of ['overlap', 'overlap-open']) {
      const { policies, problems } = await check(dir)
      expect(problems, dir).toEqual([])
      expect(policies).toHaveLength(2)
      const set = await loadPolicies(fixture(dir), options)
      const v1End = dir === 'overlap' ? '2025-01-01' : '2026-01-01'
      expect(set.list().map((p) => [p.version, p.effective])).toEqual([
        ['1.0.0', { from: '2024-01-01', until: v1End }],
        ['2.0.0', { from: v1End }],
      ])
      const day = (d: string) => set.select('demo.overlap', d).version
      const dayBefore = dir === 'overlap' ? '2024-12-31' : '2025-12-31'
      expect([day('2024-01-01'), day(dayBefore), day(v1End)]).toEqual(['1.0.0', '1.0.0', '2.0.0'])
    }
    // the explicit until of 1.0.0 (2025-06-01) is later than 2.0.0's from: 2.0.0 decides from 2025-01-01
    const set = await loadPolicies(fixture('overlap'), options)
    expect(set.select('demo.overlap', '2024-12-31').version).toBe('1.0.0')
    expect(set.select('demo.overlap', '2025-03-01').version).toBe('2.0.0')
  })

  it('rejects two versions that take effect on the same day, pointing at the later file', async () => {
    const { problems } = await check('same-from')
    expect(problems).toHaveLength(1)
    expect(problems[0]).toMatchObject({
      code: 'E_OVERLAPPING_WINDOWS',
      file: 'same-from/b.v2.yaml',
      pointer: '/effective/from',
      line: 6,
      column: 3,
    })
    expect(problems[0]!.message).toContain('both take effect on 2024-01-01')
  })

  it('rejects a successor with a lower version than the one it ends', async () => {
    const { problems } = await check('version-order')
    expect(problems.map((p) => [p.code, p.file, p.pointer])).toEqual([['E_INVALID_VERSION', 'version-order/b.v0.yaml', '/version']])
    expect(problems[0]!.message).toContain('demo.overlap@0.9.0 takes effect after demo.overlap@1.0.0')
  })

  it('rejects the same version defined twice', async () => {
    const { problems } = await check('duplicate-version')
    expect(problems).toHaveLength(1)
    expect(problems[0]).toMatchObject({
      code: 'E_DUPLICATE_VERSION',
      file: 'duplicate-version/b.yaml',
      pointer: '/version',
      line: 2,
      column: 1,
    })
    expect(problems[0]!.message).toContain('duplicate-version/a.yaml')
  })

  it('accepts adjacent windows (until is exclusive)', async () => {
    const { problems, policies } = await check('valid', 'apps')
    expect(problems).toEqual([])
    expect(policies.map((p) => `${p.id}@${p.version}`).sort()).toEqual(['demo.gate@1.0.0', 'demo.gate@2.0.0'])
  })
})

describe('folder trees', () => {
  it('loads every policy file below a folder, sorted by path', async () => {
    const { policies, problems, files } = await check('valid')
    expect(problems).toEqual([])
    expect(files).toEqual(['valid/apps/gate.v1.yaml', 'valid/apps/gate.v2.yaml', 'valid/behaviour/watch.yaml'])
    expect(policies.map((p) => p.location.file)).toEqual(files)
    const set = await loadPolicies(fixture('valid'), options)
    expect(set.list().map((p) => `${p.id}@${p.version}`)).toEqual(['demo.gate@1.0.0', 'demo.gate@2.0.0', 'demo.watch@1.0.0'])
  })

  it('gathers the problems of every file of a tree, not just the first file', async () => {
    const { problems } = await check('invalid')
    const files = new Set(problems.map((p) => p.file))
    expect([...files].sort()).toEqual([
      'invalid/duplicate-key.yaml',
      'invalid/malformed.yaml',
      'invalid/more-problems.yaml',
      'invalid/schema-violations.yaml',
      'invalid/semantic-problems.yaml',
    ])
  })

  it('loadPolicies throws a PolicyValidationError listing every problem', async () => {
    const err = await caught<PolicyValidationError>(() => loadPolicies(fixture('invalid'), options))
    expect(err).toBeInstanceOf(PolicyValidationError)
    expect(err.code).toBe('E_POLICY_INVALID')
    const { problems } = await check('invalid')
    expect(err.problems).toEqual(problems)
    expect(err.problems.length).toBeGreaterThanOrEqual(30)
    expect(err.message).toContain(`${problems.length} problem(s)`)
    expect(err.message).toContain(formatProblem(problems[0]!).split(' ')[0]!)
  })

  it('a path that does not exist is an E_IO problem, not a crash', async () => {
    const { problems } = await checkPolicies(fixture('no-such-folder'))
    expect(problems).toHaveLength(1)
    expect(problems[0]!.code).toBe('E_IO')
    expect(problems[0]!.message).toContain('ENOENT')
    const err = await caught<PolicyValidationError>(() => loadPolicies(fixture('no-such-folder')))
    expect(err.problems[0]!.code).toBe('E_IO')
  })
})

describe('content digest', () => {
  const digest = async (name: string) => (await loadPolicies(fixture('digest', name), options)).policies[0]!.digest

  it('is a sha256 digest, stable under comments, key order, quoting and flow style', async () => {
    const original = await digest('original.yaml')
    expect(original).toMatch(/^sha256:[0-9a-f]{64}$/)
    expect(readFileSync(fixture('digest', 'reformatted.yaml'), 'utf8')).not.toEqual(
      readFileSync(fixture('digest', 'original.yaml'), 'utf8'),
    )
    expect(await digest('reformatted.yaml')).toBe(original)
  })

  it('changes when a value changes', async () => {
    expect(await digest('changed.yaml')).not.toBe(await digest('original.yaml'))
  })

  it('is the same digest that decisions carry', async () => {
    const set = await loadPolicies(fixture('digest', 'original.yaml'), options)
    const decision = await set.decide(
      {
        applicationId: 'A-1',
        category: 'x',
        submittedAt: '2024-05-06',
        applicant: { registration: { country: 'US' }, yearsInOperation: 1 },
        account: { type: 'app_developer' },
        product: {},
      },
      { asOf: '2024-05-06' },
    )
    expect(decision.policy).toEqual({ id: 'demo.gate', version: '1.0.0', digest: await digest('original.yaml') })
  })
})
