import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { findChromium } from './chromium.js'

describe('finding the browser for the page tests', () => {
  const dir = mkdtempSync(join(tmpdir(), 'collabgate-chromium-'))
  const fake = join(dir, 'chromium-browser')
  writeFileSync(fake, '#!/bin/sh\n')
  chmodSync(fake, 0o755)
  const plain = join(dir, 'not-runnable')
  writeFileSync(plain, '')
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('takes CHROME_PATH first', () => {
    expect(findChromium({ CHROME_PATH: fake, PATH: '' })).toEqual({ path: fake })
  })
  it('says so when CHROME_PATH names nothing runnable', () => {
    expect(findChromium({ CHROME_PATH: plain, PATH: dir })).toEqual({ missing: expect.stringContaining('CHROME_PATH') })
  })
  it('searches the PATH', () => {
    expect(findChromium({ PATH: `/nonexistent:${dir}` })).toEqual({ path: fake })
  })
  it('names the ways to give one when there is none', () => {
    const found = findChromium({ PATH: '/nonexistent' })
    if ('path' in found)
      expect(found.path).toMatch(/\.app\//) // a Mac with Chrome installed
    else expect(found.missing).toMatch(/CHROME_PATH.*PATH.*apt-get install -y chromium/)
  })
})
