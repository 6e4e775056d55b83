import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { afterAll, describe, expect, it } from 'vitest'
import { loadPolicies } from '../../src/folder/load.js'
import { impactOf, readLines } from '../../src/impact/impact.js'
import { ROOT } from '../cli/run-cli.js'

const VERSIONS = join(ROOT, 'test/fixtures/authoring/versions')
const options = { policy: 'acme.onboarding', from: '1.0.0', to: '1.1.0', asOf: '2025-09-02' }
const dir = mkdtempSync(join(tmpdir(), 'impact-lines-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe("impact's record lines, read as the batch reads them", () => {
  it('makes a line over the cap an error line with its number, and reads on', async () => {
    const set = await loadPolicies(VERSIONS)
    const long = `{"applicationId": "${'x'.repeat(200)}"}`
    const input = Readable.from([Buffer.from(`null\n${long}\n{"applicationId": "A"}\n`)])
    const report = await impactOf(set, readLines(input, 100), { ...options, maxLineChars: 100 })
    expect(report.lines).toBe(3)
    expect(report.invalid.map((i) => [i.line, i.code])).toEqual([
      [1, 'E_RECORD_INVALID'],
      [2, 'E_LINE_TOO_LONG'],
      [3, 'E_RECORD_INVALID'],
    ])
    expect(report.invalid[1]!.message).toBe('the line is longer than 100 characters')
  })

  it('makes a line that is not UTF-8 an error line with its number and the bad byte', async () => {
    const set = await loadPolicies(VERSIONS)
    const file = join(dir, 'records.ndjson')
    writeFileSync(file, Buffer.concat([Buffer.from('\n{"a": "'), Buffer.from([0xff]), Buffer.from('"}\nnull')]))
    const report = await impactOf(set, readLines(file), options)
    expect(report.invalid.map((i) => [i.line, i.code, i.message])).toEqual([
      [2, 'E_RECORD_NOT_UTF8', 'the line is not valid UTF-8: its byte 7 (counted from 0) begins no UTF-8 character'],
      [3, 'E_RECORD_INVALID', expect.any(String)],
    ])
  })
})
