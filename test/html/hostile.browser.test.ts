/**
 * Issue #21: every page `collabgate report` renders escapes every value of its JSON, whatever JSON type
 * the value claims. For each kind of page, a real result's JSON has every leaf (strings, numbers,
 * booleans, nulls) replaced by markup; the page is opened in Debian's chromium with JavaScript ON, so
 * anything that slipped through would run. Nothing may: no `window.__pwned`, no dialog, no element
 * or event handler made from the data, and the markup shows as text.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { browserPages } from './pages.js'
import { describe, expect, it } from 'vitest'
import {
  defaultPolicies,
  impactOf,
  loadPolicies,
  mutationTest,
  policyTestCoverage,
  runPolicyTestFiles,
  findPolicyTestFiles,
} from '../../src/index.js'
import { MUTATION_TEST_REPORTERS } from '../../src/report/mutation.js'
import { htmlFor } from '../../src/cli/commands/report.js'
import { example, ROOT } from '../core/helpers.js'
import { shadowReportOf } from './shadow-fixture.js'

const PAYLOADS = [
  '<img src=x onerror="window.__pwned=1">',
  '</script><script>window.__pwned=1</script>',
  '" onmouseover="window.__pwned=1" autofocus onfocus="window.__pwned=1" x="',
  "' onfocus='window.__pwned=1' autofocus x='",
  '<svg onload="window.__pwned=1"></svg>',
  '</title></style><iframe srcdoc="<script>parent.__pwned=1</script>"></iframe>',
  '<script>alert(1)</script>',
]
const pages = browserPages('hostile-html')

/** The same JSON shape with every leaf a payload (the keys kept, so the page kind is still told). */
function poison(value: unknown, next: { i: number } = { i: 0 }): unknown {
  if (Array.isArray(value)) return value.map((v) => poison(v, next))
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, poison(v, next)]))
  return PAYLOADS[next.i++ % PAYLOADS.length]
}

/** Opens the page with JavaScript on and reports whatever ran or was built from the data. */
async function open(name: string, html: string) {
  const { seen, dialogs } = await pages.open(name, html, { width: 1280, js: true }, async (page) => {
    // hover and focus everything once, so handlers that need a person would have fired too
    await page.mouse.move(10, 10)
    return (await page.evaluate(`({
    pwned: typeof window.__pwned,
    built: document.querySelectorAll('script, iframe, img, object, embed, svg [onload], svg[onload]').length,
    handlers: [...document.querySelectorAll('*')].flatMap((el) => [...el.attributes].map((a) => a.name)).filter((n) => n.startsWith('on')),
    text: document.querySelector('main').innerText,
  })`)) as { pwned: string; built: number; handlers: string[]; text: string }
  })
  return { ...seen, dialogs }
}

async function decisionJson(): Promise<unknown> {
  const set = await defaultPolicies()
  const d = await set.decide(example('applications', 'rejected-multiple-reasons'), { asOf: '2026-11-24', explain: true, hints: true })
  return JSON.parse(JSON.stringify(d))
}

async function impactJson(): Promise<unknown> {
  const folder = join(ROOT, 'examples', 'policy-repo')
  const set = await loadPolicies(join(folder, 'policies'), { lock: false })
  const lines = [...readFileSync(join(folder, 'records.ndjson'), 'utf8').split('\n').filter(Boolean), '{ not json']
  const report = await impactOf(set, lines, {
    policy: 'creator-collaboration.us.onboarding',
    from: '1.0.0',
    to: '1.1.0',
    asOf: '2027-02-01',
  })
  return JSON.parse(JSON.stringify(report))
}

async function testRunJson(): Promise<unknown> {
  const dir = join(ROOT, 'test', 'fixtures', 'authoring', 'failing-test')
  const set = await loadPolicies(dir, { lock: false })
  const run = await runPolicyTestFiles(set, await findPolicyTestFiles([dir]))
  const coverage = policyTestCoverage(set.policies, run.result.cases)
  const mutation = mutationTest(set.policies, run)
  const json = JSON.parse(
    MUTATION_TEST_REPORTERS.json({ result: run.result, coverage, minCoverage: 100, mutation, minMutationScore: 100 }),
  ) as { problems: unknown[] }
  json.problems.push({ code: 'E_SCHEMA', file: 'f.yaml', line: 1, column: 1, pointer: '', message: 'm' })
  return json
}

describe('the harness', () => {
  it('sees markup that was not escaped run: a page with the raw payloads is caught', async () => {
    const seen = await open('control', `<!doctype html><title>t</title><main>${PAYLOADS.join('')}</main>`)
    expect(seen.pwned).toBe('number')
    expect(seen.built).toBeGreaterThan(0)
    expect(seen.handlers).not.toEqual([])
  })
})

describe('every page kind escapes every value of its JSON, whatever type it claims', () => {
  it.each([
    ['decision', decisionJson],
    ['impact run', impactJson],
    ['test run with coverage and mutation', testRunJson],
    ['shadow runs', async () => JSON.parse(JSON.stringify(await shadowReportOf(['complete-us-developer', 'missing-details'])))],
  ])('%s: a JSON whose every leaf is markup runs nothing and shows the markup as text', async (kind, build) => {
    const html = htmlFor(poison(await build()))
    const seen = await open(kind.replace(/ /g, '-'), html)
    expect(seen.pwned).toBe('undefined')
    expect(seen.dialogs).toEqual([])
    expect(seen.built).toBe(0)
    expect(seen.handlers).toEqual([])
    expect(seen.text).toContain('<img src=x onerror="window.__pwned=1">')
    // the decision's hints are drawn, poisoned like the rest
    if (kind === 'decision') expect(seen.text).toContain('To pass, change:')
  })
})
