/**
 * The public API is pinned: the names `collabgate` and `collabgate/report` export (source, ESM and CommonJS builds)
 * are the lists below, and the README's "Public API" section (or docs/api.md) lists exactly them, one line each.
 * A name added or dropped fails here until the list and the docs say so.
 */
import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import ts from 'typescript'
import { beforeAll, describe, expect, it } from 'vitest'
import * as mainSource from '../../src/index.js'
import * as reportSource from '../../src/report-entry.js'
import { assertBuilt, ROOT } from '../cli/run-cli.js'

/** `collabgate`: what a service and a policy tool need (at most 40 names). */
const MAIN = [
  // deciding
  'PolicySet',
  'defaultPolicies',
  'defaultPoliciesDir',
  'loadPolicies',
  'parseRecordJson',
  'decideNdjson',
  'decideNdjsonToStream',
  'usWorkingDays',
  // loading and the live store
  'checkPolicies',
  'lockOfFolder',
  'watchPolicies',
  'DEFAULT_MAX_RECORD_BYTES',
  'DEFAULT_PARSE_LIMITS',
  // authoring and testing
  'runPolicyTests',
  'runPolicyTestFiles',
  'findPolicyTestFiles',
  'policyTestCoverage',
  'mutationTest',
  'diffPolicies',
  'impactOf',
  'backtestOf',
  'parseLabels',
  // audit
  'createAuditLog',
  'newDecisionId',
  'withAudit',
  'verifyAuditLog',
  'replayAuditFiles',
  'replayAuditLog',
  // errors
  'CollabgateError',
  'ERROR_CODES',
  'formatProblem',
  'PolicyValidationError',
  'RecordValidationError',
  'InvalidDateError',
]

/** `collabgate/report`: each reporter family one way. */
const REPORT = [
  'VALIDATION_REPORTERS',
  'POLICY_TEST_REPORTERS',
  'MUTATION_TEST_REPORTERS',
  'formatDecisionText',
  'formatPolicyDiffText',
  'formatImpactText',
  'formatBacktestText',
  'backtestHtml',
  'decisionHtml',
  'impactHtml',
  'policyTestHtml',
  'shadowHtml',
  'ANSI_COLOURS',
  'visible',
]

const sorted = (names: Iterable<string>): string[] => [...names].sort()

/** The names an entry file exports as types only (`export type { … }`), read with the TypeScript parser. */
function typeExports(file: string): string[] {
  const sf = ts.createSourceFile(file, readFileSync(join(ROOT, file), 'utf8'), ts.ScriptTarget.Latest, true)
  const names: string[] = []
  for (const st of sf.statements) {
    if (!ts.isExportDeclaration(st) || !st.exportClause || !ts.isNamedExports(st.exportClause)) continue
    for (const e of st.exportClause.elements) if (st.isTypeOnly || e.isTypeOnly) names.push(e.name.text)
  }
  return sorted(names)
}

/** The `## Public API` section of a markdown file: `### group` → the names listed as `- \`name\`` lines. */
function documented(text: string): { groups: Map<string, string[]>; section: string } | undefined {
  const start = text.search(/^## Public API$/m)
  if (start < 0) return undefined
  const rest = text.slice(start + 1)
  const end = rest.search(/^## /m)
  const section = end < 0 ? rest : rest.slice(0, end)
  const groups = new Map<string, string[]>()
  let group = ''
  for (const line of section.split('\n')) {
    const heading = /^### (.+)$/.exec(line)
    if (heading) group = heading[1]!
    const item = /^- `([A-Za-z_][A-Za-z0-9_]*)`/.exec(line)
    if (item) groups.set(group, [...(groups.get(group) ?? []), item[1]!])
  }
  return { groups, section }
}

const DOCS = ['README.md', join('docs', 'api.md')]

beforeAll(assertBuilt)

describe('the public API', () => {
  it('keeps the main entry small', () => {
    expect(MAIN.length).toBeLessThanOrEqual(40)
    expect(new Set([...MAIN, ...REPORT]).size).toBe(MAIN.length + REPORT.length)
  })

  it('exports exactly the pinned names from the sources', () => {
    expect(sorted(Object.keys(mainSource))).toEqual(sorted(MAIN))
    expect(sorted(Object.keys(reportSource))).toEqual(sorted(REPORT))
  })

  it('exports exactly the pinned names from the ESM and CommonJS builds', async () => {
    const require = createRequire(import.meta.url)
    for (const [entry, names] of [
      ['index', MAIN],
      ['report', REPORT],
    ] as const) {
      const esm = (await import(pathToFileURL(join(ROOT, 'dist', `${entry}.js`)).href)) as object
      const cjs = require(join(ROOT, 'dist', `${entry}.cjs`)) as object
      expect(sorted(Object.keys(esm)), `dist/${entry}.js`).toEqual(sorted(names))
      expect(sorted(Object.keys(cjs)), `dist/${entry}.cjs`).toEqual(sorted(names))
    }
  })

  it('maps each entry in package.json, with import, require and types', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { exports: Record<string, unknown> }
    expect(pkg.exports['./report']).toEqual({
      import: { types: './dist/report.d.ts', default: './dist/report.js' },
      require: { types: './dist/report.d.cts', default: './dist/report.cjs' },
    })
    expect(pkg.exports['./util']).toBeUndefined()
    // the package's own name resolves through the exports map (a self-reference), as a dependant's would
    const resolve = createRequire(join(ROOT, 'package.json')).resolve
    expect(resolve('collabgate/report')).toBe(join(ROOT, 'dist', 'report.cjs'))
    expect(resolve('collabgate')).toBe(join(ROOT, 'dist', 'index.cjs'))
    expect(() => resolve('collabgate/util')).toThrow(/subpath '.\/util' is not defined/)
    for (const file of ['report.js', 'report.cjs', 'report.d.ts', 'report.d.cts'])
      expect(existsSync(join(ROOT, 'dist', file)), file).toBe(true)
  })

  it('is listed in the docs, one line a name, grouped by entry', () => {
    const holders = DOCS.filter((f) => existsSync(join(ROOT, f)))
      .map((f) => ({ file: f, doc: documented(readFileSync(join(ROOT, f), 'utf8')) }))
      .filter((h) => h.doc !== undefined)
    // the README or docs/api.md holds the list; whichever holds one holds the true one
    expect(holders.length).toBeGreaterThan(0)
    const types = [...typeExports('src/index.ts'), ...typeExports('src/report-entry.ts')]
    for (const { file, doc } of holders) {
      const { groups, section } = doc!
      const report = groups.get('`collabgate/report`') ?? []
      const main = [...groups].filter(([g]) => g !== '`collabgate/report`').flatMap(([, names]) => names)
      expect(sorted(main), `${file}: collabgate`).toEqual(sorted(MAIN))
      expect(sorted(report), `${file}: collabgate/report`).toEqual(sorted(REPORT))
      expect(
        types.filter((t) => !section.includes(`\`${t}\``)),
        `${file}: types not named`,
      ).toEqual([])
    }
  })

  it('reads a listing that misses a name or adds one as different', () => {
    const good = ['## Public API', '### Deciding', ...MAIN.map((n) => `- \`${n}\`: x`), '### `collabgate/report`']
    const listed = (lines: string[]) => documented([...lines, ...REPORT.map((n) => `- \`${n}\`: x`), '## Next'].join('\n'))
    expect(sorted(listed(good)!.groups.get('Deciding')!)).toEqual(sorted(MAIN))
    expect(sorted(listed(good.filter((l) => !l.includes('`PolicySet`')))!.groups.get('Deciding')!)).not.toEqual(sorted(MAIN))
    expect(documented('## Other\n- `PolicySet`: x')).toBeUndefined()
  })
})
