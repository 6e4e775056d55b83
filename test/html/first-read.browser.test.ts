/**
 * The pages people read first (issue #23 item 4), in Debian's chromium: the review strip names the holidays of the
 * policy's calendar, a test run leads with its summary, and no table makes a phone's screen scroll sideways.
 */
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { beforeAll, describe, expect, it } from 'vitest'
import { createWorkingDayCalendar } from '../../src/calendar/working-days.js'
import { UnknownCalendarError } from '../../src/calendar/calendars.js'
import { readFileSync } from 'node:fs'
import { decisionHtml, impactHtml, policyTestHtml } from '../../src/html/html.js'
import { defaultPolicies, findPolicyTestFiles, impactOf, loadPolicies, policyTestCoverage, runPolicyTests } from '../../src/index.js'
import type { MutationTestReport } from '../../src/report/mutation.js'
import { example, ROOT } from '../core/helpers.js'
import { browserPages } from './pages.js'

const ARTIFACTS = join(ROOT, 'test-artifacts')
const pages = browserPages('first-read')
beforeAll(() => void mkdirSync(ARTIFACTS, { recursive: true }))

/** Opens a page at a width without JavaScript, hands it to `check`, then closes it. */
async function inBrowser<T>(name: string, html: string, width: number, check: (page: Page) => Promise<T>): Promise<T> {
  const screenshot = join(ARTIFACTS, `${name}-${width}.png`)
  return (await pages.open(name, html, { width, screenshot }, check)).seen
}

/** The strip's day for a MM-DD: its text and its background as drawn. */
async function stripDay(page: Page, monthDay: string): Promise<{ text: string; background: string }> {
  const day = page.locator('ul.strip li').filter({ hasText: monthDay })
  expect(await day.count()).toBe(1)
  // an expression, as the node tests have no DOM types; read in the page, which runs no script of its own
  const all = "[...document.querySelectorAll('ul.strip li')]"
  const find = `${all}.find((li) => li.textContent.includes(${JSON.stringify(monthDay)}))`
  const background = (await page.evaluate(`getComputedStyle(${find}).backgroundColor`)) as string
  return { text: (await day.innerText()).trim(), background }
}

describe('the review strip names the holidays of the policy calendar', () => {
  async function thanksgivingDecision() {
    const set = await defaultPolicies()
    const decision = await set.decide(example('applications', 'rejected-multiple-reasons'), { asOf: '2026-11-24' })
    expect(decision.review).toMatchObject({ submittedAt: '2026-11-18', dueBy: '2026-11-30' })
    return decision
  }

  it('shows "Thanksgiving" on 2026-11-26, drawn as a day off like a weekend, not as a working day', async () => {
    const decision = await thanksgivingDecision()
    const days = await inBrowser('strip-thanksgiving', decisionHtml(decision), 390, async (page) => ({
      thanksgiving: await stripDay(page, '11-26'),
      working: await stripDay(page, '11-25'),
      saturday: await stripDay(page, '11-28'),
    }))
    expect(days.thanksgiving.text).toContain('Thanksgiving')
    expect(days.working.text).not.toContain('Thanksgiving')
    expect(days.thanksgiving.background).not.toBe(days.working.background)
    expect(days.thanksgiving.background).toBe(days.saturday.background)
  })

  it("uses the calendar it is given: GB has none on 2026-11-26; an unknown name is the caller's error", async () => {
    const decision = await thanksgivingDecision()
    const gb = await inBrowser('strip-gb', decisionHtml(decision, { calendar: 'GB' }), 1280, async (page) => ({
      thursday: await stripDay(page, '11-26'),
      working: await stripDay(page, '11-25'),
    }))
    expect(gb.thursday.text).not.toContain('Thanksgiving')
    expect(gb.thursday.background).toBe(gb.working.background)
    expect(() => decisionHtml(decision, { calendar: 'XX-NOWHERE' })).toThrow(UnknownCalendarError)
  })

  it("escapes a holiday's name: markup in a calendar's data is text on the page", async () => {
    const decision = await thanksgivingDecision()
    const name = '<img src=x onerror=alert(1)>'
    const calendar = createWorkingDayCalendar({ source: { getHolidays: () => [{ date: '2026-11-24', name }] } })
    const seen = await inBrowser('strip-escaped', decisionHtml(decision, { calendar }), 1280, async (page) => ({
      day: await stripDay(page, '11-24'),
      images: await page.locator('img').count(),
    }))
    expect(seen.day.text).toContain(name)
    expect(seen.images).toBe(0)
  })
})

/** A real test run of the shipped policies, with one case turned into a failure and a mutation score beside it. */
async function testRun(): Promise<MutationTestReport> {
  const dir = join(ROOT, 'policies')
  const set = await loadPolicies(dir)
  const result = await runPolicyTests(set, await findPolicyTestFiles([dir]))
  const first = result.cases[0]!
  const failing = { ...first, passed: false, mismatches: [{ what: 'outcome', expected: 'approve', actual: 'reject' }] }
  const cases = [failing, ...result.cases.slice(1)]
  const coverage = policyTestCoverage(set.policies, result.cases)
  const mutation = { policies: [], total: 40, killed: 31, survived: 9, equivalent: 0, score: 77.5, problems: [] }
  return { result: { ...result, cases }, coverage, minCoverage: 100, mutation, minMutationScore: 80 }
}

describe('a test run leads with its summary', () => {
  it.each([390, 1280])('failures, coverage and mutation score come before the first case (%i px)', async (width) => {
    const report = await testRun()
    const seen = await inBrowser('tests-summary', policyTestHtml(report), width, async (page) => {
      const summary = page.getByRole('region', { name: 'Summary' })
      // counted first: a page without one fails at once instead of waiting for it
      expect(await summary.count()).toBe(1)
      const firstCase = page.locator('table tbody tr').first()
      return {
        text: (await summary.innerText()).replace(/\s+/g, ' ').trim(),
        summaryTop: (await summary.boundingBox())?.y,
        caseTop: (await firstCase.boundingBox())?.y,
        firstCase: await firstCase.innerText(),
      }
    })
    expect(seen.text).toBe(
      `Failures 1 of ${report.result.cases.length} cases Rule coverage ${report.coverage!.percent}% (minimum 100%) ` +
        'Mutation score 77.5% (minimum 80%)',
    )
    expect(seen.firstCase).toContain(report.result.cases[0]!.name)
    expect(seen.summaryTop).toBeDefined()
    expect(seen.caseTop).toBeDefined()
    expect(seen.summaryTop!).toBeLessThan(seen.caseTop!)
  })

  it('says what was not measured by leaving it out, and counts problems', async () => {
    const { result } = await testRun()
    const problems = [{ file: 'x.test.yaml', line: 1, column: 1, code: 'E_TEST_FILE', message: 'broken' }]
    const html = policyTestHtml({ result: { ...result, problems } as MutationTestReport['result'] })
    const text = await inBrowser('tests-summary-bare', html, 390, async (page) => {
      const summary = page.getByRole('region', { name: 'Summary' })
      expect(await summary.count()).toBe(1)
      return (await summary.innerText()).replace(/\s+/g, ' ').trim()
    })
    expect(text).toBe(`Failures 1 of ${result.cases.length} cases Problems 1`)
  })
})

/** What a 390 px screen shows of a page's tables: the page's width, tables that spill out, words cut inside a cell. */
const LAYOUT = `JSON.stringify({
  page: document.documentElement.scrollWidth,
  spilled: [...document.querySelectorAll('table')].filter((t) => {
    const box = t.parentElement;
    const scrolls = box.classList.contains('scroll') && getComputedStyle(box).overflowX === 'auto';
    return t.scrollWidth > box.clientWidth + 1 && !scrolls;
  }).length,
  cut: [...document.querySelectorAll('th, td')].flatMap((cell) => {
    const style = getComputedStyle(cell);
    const pen = document.createElement('canvas').getContext('2d');
    pen.font = style.font;
    const room = cell.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    // a line may break at a space or after a hyphen: the pieces between are the words that must stay whole
    return cell.innerText.split(/\\s+|(?<=-)/).filter((w) => w && pen.measureText(w).width > room + 1);
  }),
})`

interface Layout {
  page: number
  spilled: number
  cut: string[]
}

describe('tables at 390 px: nothing wider than the screen, no word cut to fit a squeezed column', () => {
  async function layout(name: string, html: string): Promise<Layout> {
    return inBrowser(name, html, 390, async (page) => JSON.parse((await page.evaluate(LAYOUT)) as string) as Layout)
  }

  it('a decision with its evidence tables', async () => {
    const set = await defaultPolicies()
    const decision = await set.decide(example('applications', 'rejected-multiple-reasons'), { asOf: '2026-11-24' })
    expect(await layout('narrow-decision', decisionHtml(decision))).toEqual({ page: 390, spilled: 0, cut: [] })
  })

  it('a test run with its cases, coverage and mutants', async () => {
    const report = await testRun()
    expect(await layout('narrow-tests', policyTestHtml(report))).toEqual({ page: 390, spilled: 0, cut: [] })
  })

  it('an impact run with its matrix, rule shifts and samples', async () => {
    const folder = join(ROOT, 'examples', 'policy-repo')
    const set = await loadPolicies(join(folder, 'policies'), { lock: false })
    const lines = readFileSync(join(folder, 'records.ndjson'), 'utf8').split('\n')
    const options = { policy: 'creator-collaboration.us.onboarding', from: '1.0.0', to: '1.1.0', asOf: '2027-02-01' }
    const html = impactHtml(await impactOf(set, lines, options))
    expect(await layout('narrow-impact', html)).toEqual({ page: 390, spilled: 0, cut: [] })
  })

  it('a word longer than the screen: its table scrolls in its own box, the page does not', async () => {
    const { result } = await testRun()
    const long = `policies/${'x'.repeat(300)}.test.yaml`
    const cases = result.cases.map((c, i) => (i === 0 ? { ...c, file: long } : c))
    const seen = await layout('narrow-long-word', policyTestHtml({ result: { ...result, cases } }))
    expect([seen.page, seen.spilled]).toEqual([390, 0])
  })
})
