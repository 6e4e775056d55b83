/**
 * One operator, one file: a scratch operator (`startsWith`) written into a copy of the project, then the whole
 * derivation run there (`scripts/build-validators.mjs`, what `npm run build` runs first), is found everywhere an
 * operator must be: the schema's enum and the precompiled validators, the registry, the mutants, the text report's
 * symbols, the README's table and the property tests' generator; the overlap check decides it exactly only when its
 * file says how it cuts values.
 */
import { spawnSync } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { OPERATORS } from '../../src/language/operators.js'
import { probePolicy, probeSubject } from '../core/probe.js'
import { docTableFix } from './operator-docs.js'
import { boundaryRows, withoutBoundaries } from './boundaries.js'

const ROOT = join(import.meta.dirname, '..', '..')

const STARTS_WITH = `/** \`startsWith\`: a scratch operator, written by test/language/scratch-operator.test.ts. */
import { defineOperator } from './operator.js'

export const startsWith = defineOperator({
  name: 'startsWith',
  valueKind: 'scalar',
  describe: 'starts with',
  doc: 'is a string that starts with the value',
  jsonRulesEngine: '(none of this name)',
  order: 25,
  symbol: '^=',
  asciiSymbol: '^=',
  negation: 'notEqual',
  sample: { on: ['string'] },
  boundaries: [
    ['Acme Ltd', 'Acme', true],
    ['Acme', 'Acme', true],
    ['acme', 'Acme', false],
    [undefined, 'Acme', false],
    [1, '1', false],
  ],
  holds: (actual, expected) => typeof actual === 'string' && typeof expected === 'string' && actual.startsWith(expected),
})
`

// a second scratch operator with no `order` (listed last) that says how it cuts values, as `equal` does
const SAME_AS = `import { defineOperator } from './operator.js'

export const sameAs = defineOperator({
  name: 'sameAs',
  valueKind: 'scalar',
  describe: 'is the same as',
  doc: 'is the same string, number or boolean',
  jsonRulesEngine: '(none of this name)',
  overlap: 'set',
  holds: (actual, expected) => actual === expected,
})
`

/** The parts of the project the derivation and these checks read, copied under `dir`, with the real node_modules. */
function copyProject(dir: string, parts: readonly string[]): void {
  for (const part of parts) {
    mkdirSync(dirname(join(dir, part)), { recursive: true })
    cpSync(join(ROOT, part), join(dir, part), { recursive: true })
  }
  symlinkSync(realpathSync(join(ROOT, 'node_modules')), join(dir, 'node_modules'), 'dir')
}

const build = (dir: string, ...args: string[]) =>
  spawnSync(process.execPath, [join(dir, 'scripts', 'build-validators.mjs'), ...args], { encoding: 'utf8', timeout: 120_000 })

const temps: string[] = []
afterAll(() => temps.forEach((t) => rmSync(t, { recursive: true, force: true })))
const scratchDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'collabgate-operator-'))
  temps.push(dir)
  return dir
}

// the registry's order with startsWith where its `order` (25) puts it (after notEqual's 20, before in's 30), sameAs last
const NAMES = [...Object.keys(OPERATORS).flatMap((name) => (name === 'notEqual' ? [name, 'startsWith'] : [name])), 'sameAs']
const SCHEMA = { type: 'object', required: ['id'], properties: { id: { type: 'string' }, v: { type: 'string' } } }
const DOC = {
  outcomes: ['fail', 'pass'],
  default: 'pass',
  rules: [{ id: 'P-1', outcome: 'fail', require: { fact: 'v', operator: 'startsWith', value: 'Acme' } }],
}

describe('a scratch operator file, after the derivation', () => {
  let dir = ''
  let before: ReturnType<typeof build>
  let after: ReturnType<typeof build>
  beforeAll(() => {
    dir = scratchDir()
    copyProject(dir, ['src', 'schemas', 'scripts', 'policies/records', 'test/core/probe.ts', 'test/compile/generated-fields.ts'])
    writeFileSync(join(dir, 'src', 'language', 'operators', 'starts-with.ts'), STARTS_WITH)
    writeFileSync(join(dir, 'src', 'language', 'operators', 'same-as.ts'), SAME_AS)
    before = build(dir, '--check')
    const run = build(dir)
    expect(run.stderr).toBe('')
    expect(run.status).toBe(0)
    after = build(dir, '--check')
  }, 180_000)

  it('is found missing by the check until the build runs, and not after', () => {
    expect(before.status).toBe(1)
    expect(before.stderr).toContain('src/language/operators/index.ts and schemas/policy.schema.json differ from the operator files')
    expect(before.stderr).toContain('run: npm run build')
    expect(after.stderr).toBe('')
    expect(after.status).toBe(0)
  })

  it("is in the policy schema's enum, in its order, and the precompiled validators accept it", async () => {
    const schema = JSON.parse(readFileSync(join(dir, 'schemas', 'policy.schema.json'), 'utf8')) as {
      $defs: { condition: { properties: { operator: { enum: string[] } } } }
    }
    expect(schema.$defs.condition.properties.operator.enum).toEqual(NAMES)
    const probe = (await import(join(dir, 'test', 'core', 'probe.ts'))) as typeof import('../core/probe.js')
    expect(probe.probePolicy(probe.probeSubject(SCHEMA), DOC)).toBeDefined()
    // the project as it is refuses it: the validator's enum is what changed
    expect(probePolicy(probeSubject(SCHEMA), DOC)).toBeUndefined()
  })

  it('is in the registry, and both evaluators judge with it', async () => {
    const registry = (await import(join(dir, 'src', 'language', 'operators.ts'))) as typeof import('../../src/language/operators.js')
    expect(Object.keys(registry.OPERATORS)).toEqual(NAMES)
    expect(registry.compare('startsWith', 'Acme Ltd', 'Acme')).toBe(true)
    expect(registry.compare('startsWith', undefined, 'Acme')).toBe(false)
    const probe = (await import(join(dir, 'test', 'core', 'probe.ts'))) as typeof import('../core/probe.js')
    const { compileClosures } = (await import(join(dir, 'src', 'compile', 'closures.ts'))) as typeof import('../../src/compile/closures.js')
    const { compileEngine } = (await import(join(dir, 'src', 'compile', 'engine.ts'))) as typeof import('../../src/compile/engine.js')
    const policy = probe.probePolicy(probe.probeSubject(SCHEMA), DOC)!
    const closures = compileClosures(policy)
    const engine = compileEngine(policy)
    for (const [v, passed] of [
      ['Acme Ltd', true],
      ['Other', false],
    ] as const) {
      const record = { id: 'r', v }
      expect(
        closures.evaluateSync(record, '2026-01-05').map((r) => r.checks[0]!.passed),
        v,
      ).toEqual([passed])
      expect(await engine.evaluate(record, '2026-01-05'), v).toEqual(closures.evaluateSync(record, '2026-01-05'))
    }
  })

  it('brings the boundary rows of its file to the operator tests, which both evaluators answer as it says', async () => {
    const registry = (await import(join(dir, 'src', 'language', 'operators.ts'))) as typeof import('../../src/language/operators.js')
    const rows = boundaryRows(registry.OPERATORS)
    expect(rows.startsWith).toEqual([
      ['Acme Ltd', 'Acme', true],
      ['Acme', 'Acme', true],
      ['acme', 'Acme', false],
      [undefined, 'Acme', false],
      [1, '1', false],
    ])
    // a file without rows is named by the check that asks for them
    expect(withoutBoundaries(registry.OPERATORS)).toEqual(['sameAs'])
    const probe = (await import(join(dir, 'test', 'core', 'probe.ts'))) as typeof import('../core/probe.js')
    const { compileClosures } = (await import(join(dir, 'src', 'compile', 'closures.ts'))) as typeof import('../../src/compile/closures.js')
    const { compileEngine } = (await import(join(dir, 'src', 'compile', 'engine.ts'))) as typeof import('../../src/compile/engine.js')
    const schema = { type: 'object', required: ['id'], properties: { id: { type: 'string' }, v: {} } }
    for (const [actual, expected, holds] of rows.startsWith!) {
      expect(registry.compare('startsWith', actual, expected)).toBe(holds)
      const require = { fact: 'v', operator: 'startsWith', value: expected }
      const policy = probe.probePolicy(probe.probeSubject(schema), { ...DOC, rules: [{ id: 'P-1', outcome: 'fail', require }] })!
      const record = actual === undefined ? { id: 'r' } : { id: 'r', v: actual }
      const passed = compileClosures(policy).evaluateSync(record, '2026-01-05')[0]!.checks[0]!.passed
      expect(passed, JSON.stringify(actual)).toBe(holds)
      expect(await compileEngine(policy).evaluate(record, '2026-01-05')).toEqual(compileClosures(policy).evaluateSync(record, '2026-01-05'))
    }
  })

  it('has the negation mutant its file names, written with its symbol', async () => {
    const probe = (await import(join(dir, 'test', 'core', 'probe.ts'))) as typeof import('../core/probe.js')
    const { policyMutants } = (await import(join(dir, 'src', 'mutate', 'mutants.ts'))) as typeof import('../../src/mutate/mutants.js')
    const policy = probe.probePolicy(probe.probeSubject(SCHEMA), DOC)!
    const here = { file: 'probe', line: 1, column: 1 }
    const negations = policyMutants(policy, () => here).filter((m) => m.operator === 'negation')
    expect(negations.map((m) => m.description)).toEqual(['P-1: v ^= Acme → notEqual Acme'])
    expect(negations[0]!.policy.rules[0]!.checks[0]!.require).toMatchObject({ operator: 'notEqual', value: 'Acme' })
  })

  it('is written with its symbol in the text report', async () => {
    const text = (await import(join(dir, 'src', 'report', 'text.ts'))) as typeof import('../../src/report/text.js')
    expect(text.describeCondition({ fact: 'v', operator: 'startsWith', value: 'Acme' })).toBe('v ^= "Acme"')
  })

  it("is a row of docs/authoring.md's table, which the table check prints for pasting", async () => {
    const registry = (await import(join(dir, 'src', 'language', 'operators.ts'))) as typeof import('../../src/language/operators.js')
    const table = registry.operatorTable()
    const row = '| `startsWith` | is a string that starts with the value | a string, number or boolean | (none of this name) |'
    expect(table.split('\n')[4]).toBe(row)
    const fix = docTableFix(readFileSync(join(ROOT, 'docs', 'authoring.md'), 'utf8'), table)
    expect(fix).toMatch(
      /^docs\/authoring\.md's operator table differs from the operator files .*Replace docs\/authoring\.md lines \d+-\d+ with:/,
    )
    expect(fix).toContain(table)
  })

  it("is drawn by the property tests' generator, on the field kinds its file names, with values of its kind", async () => {
    const fields = (await import(join(dir, 'test', 'compile', 'generated-fields.ts'))) as typeof import('../compile/generated-fields.js')
    const byKind = fields.operatorsByKind()
    expect(byKind.string).toContain('startsWith')
    expect(Object.entries(byKind).filter(([, ops]) => ops.includes('startsWith'))).toHaveLength(1)
    const field = { fact: 'v', kind: 'string' as const, values: ['Acme', 'Ac'] }
    const none = () => fc.constant(undefined)
    const values = fc.sample(fields.ruleValue('startsWith', field, { date: none, condition: none }), { numRuns: 30, seed: 7 })
    expect(new Set(values)).toEqual(new Set(['Acme', 'Ac']))
  })

  it('is decided exactly by the overlap check when its file says how it cuts values, and left to the non-exact path when not', async () => {
    const { overlapOf } = (await import(join(dir, 'src', 'validate', 'overlap.ts'))) as typeof import('../../src/validate/overlap.js')
    const v = (operator: string, value: unknown) => ({ fact: 'v', operator, value })
    expect(overlapOf(v('sameAs', 'A'), v('equal', 'B'))).toBe('none')
    expect(overlapOf(v('sameAs', 'A'), v('equal', 'A'))).toEqual({ witness: { v: 'A' } })
    expect(overlapOf(v('startsWith', 'A'), v('equal', 'B'))).toBe('unknown')
  })
})

describe('the derivation refuses operator files it cannot read', () => {
  const attempt = (file: string) => {
    const dir = scratchDir()
    copyProject(dir, ['scripts', 'schemas', 'src/language/operators'])
    writeFileSync(join(dir, 'src', 'language', 'operators', 'scratch.ts'), file)
    return spawnSync(process.execPath, [join(dir, 'scripts', 'build-operators.mjs')], { encoding: 'utf8', timeout: 60_000 })
  }

  it.each([
    [
      'a name that is not a literal',
      "const n = 'x'\nexport const x = defineOperator({ name: n, valueKind: 'scalar' })\n",
      "scratch.ts: the operator's name must be a string literal",
    ],
    [
      'an order that is not a number literal',
      "export const x = defineOperator({ name: 'x', order: '1' })\n",
      "scratch.ts: the operator's order must be a number literal",
    ],
    ['a definition that is not exported', "const x = defineOperator({ name: 'x' })\n", 'scratch.ts: export the operator as a named const'],
    ['a name another file has', "export const again = defineOperator({ name: 'equal' })\n", "two operator files define 'equal'"],
  ])(
    '%s',
    (_what, source, message) => {
      const run = attempt(source)
      expect(run.status).toBe(1)
      expect(run.stderr).toContain(message)
      // the spawn's own timeout bounds it; loading the TypeScript parser is most of it
    },
    90_000,
  )
})
