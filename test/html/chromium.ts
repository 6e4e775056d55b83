/**
 * A Chromium driven by playwright-core (never a browser download), with the flags this closed network needs. The
 * browser is CHROME_PATH when set, else the first of chromium, chromium-browser, google-chrome(-stable) on the PATH,
 * else macOS's Google Chrome or Chromium app.
 */
import { accessSync, constants } from 'node:fs'
import { delimiter, join } from 'node:path'
import { chromium, type Browser } from 'playwright-core'

const NAMES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable']
const MAC_APPS = ['/Applications/Google Chrome.app/Contents/MacOS/Google Chrome', '/Applications/Chromium.app/Contents/MacOS/Chromium']

const runnable = (file: string): boolean => {
  try {
    accessSync(file, constants.X_OK)
    return true
  } catch {
    return false
  }
}

/** The browser to drive, or a sentence saying how to name one. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): { path: string } | { missing: string } {
  const named = env.CHROME_PATH
  if (named !== undefined && named !== '') {
    return runnable(named) ? { path: named } : { missing: `CHROME_PATH=${named} is not a program that can be run` }
  }
  const dirs = (env.PATH ?? '').split(delimiter).filter((d) => d !== '')
  for (const name of NAMES) for (const dir of dirs) if (runnable(join(dir, name))) return { path: join(dir, name) }
  for (const app of MAC_APPS) if (runnable(app)) return { path: app }
  return {
    missing:
      `no Chromium found: set CHROME_PATH to a Chromium or Chrome, or put one of ${NAMES.join(', ')} on the PATH ` +
      '(on Debian: apt-get install -y chromium, as .ci/run does); the browser tests never download one',
  }
}

/** Launches the Chromium findChromium() names; a clear error when there is none. */
export async function launchChromium(): Promise<Browser> {
  const found = findChromium()
  if ('missing' in found) throw new Error(found.missing)
  // no background connections, no component updates: the machine reaches no network
  return chromium.launch({
    executablePath: found.path,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
}
