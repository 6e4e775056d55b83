/**
 * The page tests' one setup: a Chromium launched before a file's tests and closed after them, and pages opened
 * from HTML written to a scratch folder, with what went wrong on them (console errors, page errors, dialogs)
 * and every request beyond the page itself.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll } from 'vitest'
import { launchChromium } from './chromium.js'

export interface PageOptions {
  /** viewport width in CSS pixels (the height is 900) */
  width: number
  /** whether the page's JavaScript runs (off unless said) */
  js?: boolean
  /** a PNG of the whole page is saved here after `read` */
  screenshot?: string
}

export interface PageSeen<T> {
  seen: T
  /** console errors and uncaught page errors */
  errors: string[]
  /** every URL the page requested beyond its own file */
  requests: string[]
  /** messages of dialogs the page opened (each dismissed) */
  dialogs: string[]
}

/** Registers the browser's launch and close for the calling test file; `open` renders one page at a time. */
export function browserPages(name: string): {
  open<T>(page: string, html: string, options: PageOptions, read: (page: Page) => Promise<T>): Promise<PageSeen<T>>
} {
  const scratch = mkdtempSync(join(tmpdir(), `collabgate-${name}-`))
  let browser: Browser | undefined
  beforeAll(async () => {
    browser = await launchChromium()
  }, 60_000)
  afterAll(async () => {
    await browser?.close()
    rmSync(scratch, { recursive: true, force: true })
  })
  return {
    async open(page, html, options, read) {
      if (!browser) throw new Error('the browser is not running: open pages inside a test')
      const file = join(scratch, `${page}.html`)
      writeFileSync(file, html)
      const url = pathToFileURL(file).href
      const context = await browser.newContext({
        viewport: { width: options.width, height: 900 },
        javaScriptEnabled: options.js ?? false,
      })
      try {
        const tab = await context.newPage()
        const errors: string[] = []
        const requests: string[] = []
        const dialogs: string[] = []
        tab.on('console', (m) => {
          if (m.type() === 'error') errors.push(m.text())
        })
        tab.on('pageerror', (err) => errors.push(err.message))
        tab.on('request', (r) => requests.push(r.url()))
        tab.on('dialog', (d) => {
          dialogs.push(d.message())
          void d.dismiss()
        })
        await tab.goto(url, { waitUntil: 'load' })
        const seen = await read(tab)
        if (options.screenshot) await tab.screenshot({ path: options.screenshot, fullPage: true })
        return { seen, errors, requests: requests.filter((u) => u !== url), dialogs }
      } finally {
        await context.close()
      }
    },
  }
}
