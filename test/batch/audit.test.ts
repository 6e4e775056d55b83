/** A batch with a decision log: one entry per decided line, in input order, written before its output line. */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { decideNdjson } from '../../src/batch/batch.js'
import { defaultPolicies } from '../../src/folder/load.js'
import type { PolicySet } from '../../src/decide/policy-set.js'
import type { DecisionSink } from '../../src/audit/audit.js'
import { CollabgateError } from '../../src/errors.js'
import type { Decision } from '../../src/model.js'
import { ROOT } from '../core/helpers.js'

const LINES = readFileSync(join(ROOT, 'examples', 'records.ndjson'), 'utf8')
  .trimEnd()
  .split('\n')
let set: PolicySet
beforeAll(async () => {
  set = await defaultPolicies()
})

async function* lines(n: number) {
  for (let i = 0; i < n; i++) yield (i === 5 ? '{not json' : LINES[i % LINES.length]) + '\n'
}

describe('decideNdjson with audit', () => {
  it.each([0, 2])('workers %i: every decided line is logged once, in order, with its record', async (workers) => {
    const logged: [string, string][] = []
    const sink: DecisionSink = {
      write: (d: Decision, record) => {
        const idField = d.subject.kind === 'application' ? 'applicationId' : 'developerId'
        logged.push([d.subject.id, String(record[idField])])
      },
    }
    let out = ''
    const options = { asOf: '2026-11-24', workers, blockLines: 7, audit: sink }
    const summary = await decideNdjson(set, lines(300), (t) => void (out += t), options)
    const answered = out
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { subject?: { id: string } })
      .filter((d) => d.subject)
      .map((d) => d.subject!.id)
    expect(summary).toMatchObject({ lines: 300, decided: 299, failed: 1 })
    expect(logged.map(([id]) => id)).toEqual(answered)
    expect(logged.every(([id, fromRecord]) => id === fromRecord)).toBe(true)
  })

  it('a durable sink that fails stops the batch before the block it could not log is written', async () => {
    let calls = 0
    const sink: DecisionSink & { mode: 'durable' } = {
      mode: 'durable',
      write: () => undefined,
      commit: () => (++calls > 20 ? Promise.reject(new Error('ENOSPC')) : Promise.resolve()),
    }
    let out = ''
    const options = { asOf: '2026-11-24', workers: 0, blockLines: 10, audit: sink }
    const run = decideNdjson(set, lines(100), (t) => void (out += t), options)
    await expect(run).rejects.toSatisfy((e: unknown) => e instanceof CollabgateError && e.code === 'E_AUDIT_FAILED')
    // the blocks logged before the failure were written; the block whose entry failed, and all after it, were not
    const decidedOut = out.split('\n').filter((l) => l.startsWith('{"policy"')).length
    expect(decidedOut).toBeGreaterThanOrEqual(10)
    expect(decidedOut).toBeLessThanOrEqual(20)
  })
})
