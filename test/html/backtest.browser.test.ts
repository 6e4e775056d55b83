/**
 * The backtest page (`collabgate report` of `backtest --format json`) in a real headless chromium, as the other
 * pages are checked: coverage first, both matrices and the rules, no console error, no request, nothing wider
 * than a 390 px screen and no word cut in a cell; and a JSON whose every leaf is markup runs nothing.
 */
import { rmSync } from 'node:fs'
import type { Page } from 'playwright-core'
import { browserPages } from './pages.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { backtestHtml } from '../../src/html/html.js'
import { backtestOf, parseLabels, type BacktestReport } from '../../src/index.js'
import { htmlFor } from '../../src/cli/commands/report.js'
import { readLines } from '../../src/impact/impact.js'
import { labelledSet, NOW, POLICY, type LabelledSet } from '../backtest/labelled-set.js'

const pages = browserPages('backtest-html')
let s: LabelledSet
let report: BacktestReport

beforeAll(async () => {
  s = await labelledSet()
  const labels = await parseLabels(readLines(s.labelsCsv), s.labelsCsv, 'csv')
  const options = { policy: POLICY, baseline: '1.0.0', candidate: '1.1.0', now: NOW, maturityDays: 14 }
  report = JSON.parse(JSON.stringify(await backtestOf(s.set, { log: [s.log] }, labels, options))) as BacktestReport
}, 60_000)
afterAll(async () => {
  rmSync(s.dir, { recursive: true, force: true })
})

async function inBrowser<T>(name: string, html: string, width: number, js: boolean, read: (page: Page) => Promise<T>) {
  const { seen, errors, requests, dialogs } = await pages.open(name, html, { width, js }, read)
  return { seen, errors: [...errors, ...dialogs.map((d) => `dialog: ${d}`)], requests }
}

/** The page's width, tables that spill out of their box, words wider than their cell (as first-read checks). */
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
    return cell.innerText.split(/\\s+|(?<=-)/).filter((w) => w && pen.measureText(w).width > room + 1);
  }),
})`

describe('the backtest page in a real browser', () => {
  it.each([390, 1280])('leads with coverage, then the matrices and the rules (%i px)', async (width) => {
    const { seen, errors, requests } = await inBrowser(`backtest-${width}`, htmlFor(report), width, false, async (page) => ({
      h1: (await page.locator('h1').innerText()).trim(),
      h2: (await page.locator('h2').allInnerTexts()).map((t) => t.trim()),
      tables: await page.locator('table').count(),
      coverage: await page.locator('section.summary').innerText(),
      text: await page.locator('main').innerText(),
      layout: JSON.parse((await page.evaluate(LAYOUT)) as string) as { page: number; spilled: number; cut: string[] },
    }))
    expect(seen.h1).toBe('Backtest of acme.onboarding 1.0.0 → 1.1.0')
    expect(seen.h2).toEqual([
      'Left out, by reason',
      'Outcomes, baseline → candidate',
      'baseline 1.0.0: label against prediction',
      'candidate 1.1.0: label against prediction',
    ])
    // left out, transitions, and per version a confusion matrix and a rules table
    expect(seen.tables).toBe(6)
    expect(seen.coverage).toMatch(/Entries\s+29\s+Used \(replayed and labelled\)\s+19/)
    expect(seen.text).toContain('TP 10 · FP 3 · FN 4 · TN 2')
    expect(seen.text).toMatch(/Precision\s+0\.769 \[0\.497, 0\.918\] \(10\/13\) small/)
    expect([errors, requests]).toEqual([[], []])
    expect(seen.layout).toEqual({ page: width, spilled: 0, cut: [] })
  })

  it('writes the same page for the report and through `collabgate report`', () => {
    expect(htmlFor(report)).toBe(backtestHtml(report))
  })
})

const PAYLOADS = [
  '<img src=x onerror="window.__pwned=1">',
  '</script><script>window.__pwned=1</script>',
  '" onmouseover="window.__pwned=1" autofocus onfocus="window.__pwned=1" x="',
  "' onfocus='window.__pwned=1' autofocus x='",
  '<svg onload="window.__pwned=1"></svg>',
  '</title></style><iframe srcdoc="<script>parent.__pwned=1</script>"></iframe>',
]

/** The same JSON shape with every leaf a payload (keys kept, so the page kind is still told). */
function poison(value: unknown, next: { i: number } = { i: 0 }): unknown {
  if (Array.isArray(value)) return value.map((v) => poison(v, next))
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, poison(v, next)]))
  return PAYLOADS[next.i++ % PAYLOADS.length]
}

describe('the backtest page escapes every value of its JSON', () => {
  it('a JSON whose every leaf is markup runs nothing and shows the markup as text', async () => {
    const hostile = poison(report) as Record<string, unknown>
    expect(hostile['kind']).not.toBe('backtest')
    const { seen, errors } = await inBrowser('backtest-hostile', htmlFor(hostile), 1280, true, async (page) => {
      await page.mouse.move(10, 10)
      return (await page.evaluate(`({
        pwned: typeof window.__pwned,
        built: document.querySelectorAll('script, iframe, img, object, embed, svg [onload], svg[onload]').length,
        handlers: [...document.querySelectorAll('*')].flatMap((el) => [...el.attributes].map((a) => a.name))
          .filter((n) => n.startsWith('on')),
        text: document.querySelector('main').innerText,
      })`)) as { pwned: string; built: number; handlers: string[]; text: string }
    })
    expect(errors).toEqual([])
    expect([seen.pwned, seen.built, seen.handlers]).toEqual(['undefined', 0, []])
    expect(seen.text).toContain('<img src=x onerror="window.__pwned=1">')
    expect(seen.text).toContain('</title></style><iframe')
  })
})
