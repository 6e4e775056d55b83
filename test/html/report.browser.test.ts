/**
 * The HTML pages as a person sees them, in a real headless browser: Debian's chromium driven by
 * playwright-core (.ci/run installs chromium when it is missing; nothing is downloaded at run time).
 * Each page at a phone's width and a desktop's: its headings, tables and numbers, no console error,
 * no request beyond the file itself, nothing wider than the screen. Screenshots go to test-artifacts/.
 */
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { browserPages } from './pages.js'
import { beforeAll, describe, expect, it } from 'vitest'
import { decisionHtml, impactHtml, policyTestHtml, shadowHtml } from '../../src/html/html.js'
import { defaultPolicies, findPolicyTestFiles, impactOf, loadPolicies, policyTestCoverage, runPolicyTests } from '../../src/index.js'
import { example, ROOT } from '../core/helpers.js'
import { shadowReportOf } from './shadow-fixture.js'

const ARTIFACTS = join(ROOT, 'test-artifacts')
const WIDTHS = [390, 1280] as const
const pages = browserPages('html')
beforeAll(() => void mkdirSync(ARTIFACTS, { recursive: true }))

interface Seen {
  h1: string
  h2: string[]
  tables: number
  text: string
  errors: string[]
  requests: string[]
  overflow: boolean
}

/** Opens a page at a width, as a person would, and reports what is on it. */
async function look(name: string, html: string, width: number): Promise<Seen> {
  const screenshot = join(ARTIFACTS, `${name}-${width}.png`)
  const { seen, errors, requests } = await pages.open(name, html, { width, screenshot }, async (page) => {
    // what the browser laid out, read without the page's own JavaScript (it has none)
    const [scrollWidth, innerWidth] = (await page.evaluate('[document.documentElement.scrollWidth, window.innerWidth]')) as [number, number]
    return {
      overflow: scrollWidth > innerWidth + 1,
      h1: (await page.locator('h1').innerText()).trim(),
      h2: (await page.locator('h2').allInnerTexts()).map((t) => t.trim()),
      tables: await page.locator('table').count(),
      text: await page.locator('main').innerText(),
    }
  })
  return { ...seen, errors, requests }
}

describe('the HTML report in a real browser', () => {
  it.each(WIDTHS)('shows a decision: outcome, reasons with evidence, the review strip, the explain trace folded (%i px)', async (width) => {
    const set = await defaultPolicies()
    const decision = await set.decide(example('applications', 'rejected-multiple-reasons'), { asOf: '2026-11-24', explain: true })
    const seen = await look('decision', decisionHtml(decision), width)
    expect(seen.h1).toBe('Decision: reject')
    expect(seen.h2).toEqual(['Review deadline', `Reasons (${decision.reasons.length})`])
    expect(seen.tables).toBe(decision.reasons.length)
    expect(seen.text).toContain('ONB-SCOPE-US')
    expect(seen.text).toContain('Submitted 2026-11-18, due by 2026-11-30')
    expect(seen.text).toContain('Explain trace')
    // folded away: the trace's lines are not shown until the summary is opened
    expect(seen.text).not.toContain('(held: CA)')
    expect([seen.errors, seen.requests, seen.overflow]).toEqual([[], [], false])
  })

  it.each(WIDTHS)('shows an impact run: numbers, the transition matrix and chart, rule shifts and samples (%i px)', async (width) => {
    const folder = join(ROOT, 'examples', 'policy-repo')
    const set = await loadPolicies(join(folder, 'policies'), { lock: false })
    const { readFileSync } = await import('node:fs')
    const lines = readFileSync(join(folder, 'records.ndjson'), 'utf8').split('\n')
    const report = await impactOf(set, lines, {
      policy: 'creator-collaboration.us.onboarding',
      from: '1.0.0',
      to: '1.1.0',
      asOf: '2027-02-01',
    })
    const seen = await look('impact', impactHtml(report), width)
    expect(seen.h1).toBe('Impact of creator-collaboration.us.onboarding 1.0.0 → 1.1.0')
    expect(seen.h2).toEqual(['Outcomes, before and after', 'Rules behind the changes', 'Sample records per change'])
    expect(seen.text).toMatch(/Records decided\s+6/)
    expect(seen.text).toContain('approve → needs_information (1)')
    expect(seen.tables).toBeGreaterThanOrEqual(3)
    expect([seen.errors, seen.requests, seen.overflow]).toEqual([[], [], false])
  })

  it.each(WIDTHS)('shows a test run: counts, cases and rule coverage (%i px)', async (width) => {
    const dir = join(ROOT, 'policies')
    const set = await loadPolicies(dir)
    const result = await runPolicyTests(set, await findPolicyTestFiles([dir]))
    const coverage = policyTestCoverage(set.policies, result.cases)
    const seen = await look('tests', policyTestHtml({ result, coverage, minCoverage: 100 }), width)
    expect(seen.h1).toBe(`Policy tests: ${result.cases.length} passed, 0 failed`)
    expect(seen.h2).toEqual(['Cases', 'Rule coverage: 100%'])
    expect(seen.tables).toBe(1 + coverage.policies.length)
    expect([seen.errors, seen.requests, seen.overflow]).toEqual([[], [], false])
  })

  it.each(WIDTHS)('shows shadow runs: counts, the served → candidate matrix, changed outcomes and rules (%i px)', async (width) => {
    const report = await shadowReportOf(['complete-us-developer', 'missing-details', 'complete-us-developer'])
    const seen = await look('shadow', shadowHtml(report), width)
    expect(seen.h1).toBe('Shadow runs: 1 candidate version(s)')
    expect(seen.h2).toEqual(['creator-collaboration.us.onboarding 1.1.0'])
    expect(seen.text).toMatch(/Decisions answered\s+3/)
    expect(seen.text).toMatch(/approve → manual_review\s+2/)
    expect(seen.text).toContain('ONB-STRENGTH')
    expect(seen.tables).toBe(3)
    expect([seen.errors, seen.requests, seen.overflow]).toEqual([[], [], false])
  })

  it('escapes what a record holds: markup in a record is text on the page', async () => {
    const set = await defaultPolicies()
    const record = example('applications', 'rejected-multiple-reasons') as Record<string, Record<string, unknown>>
    record.applicant!.registration = { ...(record.applicant!.registration as object), country: '<img src=x onerror=alert(1)>' }
    const seen = await look('escaped', decisionHtml(await set.decide(record, { asOf: '2026-11-24' })), 1280)
    expect(seen.text).toContain('<img src=x onerror=alert(1)>')
    expect([seen.errors, seen.requests]).toEqual([[], []])
  })
})
