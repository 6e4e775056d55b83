/** `collabgate decide` shows each reason's hint by default (JSON and text), and leaves it out with --no-hints. */
import { beforeAll, describe, expect, it } from 'vitest'
import { defaultPolicies, type Decision } from '../../src/index.js'
import { example } from '../core/helpers.js'
import { assertBuilt, cli } from './run-cli.js'

beforeAll(assertBuilt)

const AS_OF = '2026-12-24'
const RECORD = 'examples/applications/missing-details.json'

describe('collabgate decide: hints', () => {
  it('JSON: each reason carries its hint by default; --no-hints gives the decision without them', async () => {
    const [shown, left] = await Promise.all([
      cli(['decide', '--as-of', AS_OF, RECORD]),
      cli(['decide', '--no-hints', '--as-of', AS_OF, RECORD]),
    ])
    expect([shown.code, left.code]).toEqual([0, 0])
    const set = await defaultPolicies()
    const record = example('applications', 'missing-details')
    expect(JSON.parse(shown.stdout)).toEqual(JSON.parse(JSON.stringify(await set.decide(record, { asOf: AS_OF, hints: true }))))
    expect(left.stdout).toBe(JSON.stringify(await set.decide(record, { asOf: AS_OF }), null, 2) + '\n')
    const decision = JSON.parse(shown.stdout) as Decision
    expect(decision.reasons.find((r) => r.rule === 'ONB-BUSINESS-VERIFIED')!.hint).toEqual({
      changes: [{ fact: 'account', path: '$.businessVerified', want: 'equal to', value: true, actual: false }],
    })
  })

  it('text and --explain: the changes under each reason', async () => {
    const run = await cli(['decide', '--format', 'text', '--explain', '--as-of', AS_OF, RECORD])
    expect(run.code).toBe(0)
    expect(run.stdout).toContain('      to pass: account.businessVerified false → equal to true\n')
    expect(run.stdout).toContain('      to pass: add applicant.legalName\n          and: add applicant.registration.number\n')
    const none = await cli(['decide', '--format', 'text', '--no-hints', '--as-of', AS_OF, RECORD])
    expect(none.stdout).not.toContain('to pass:')
  })
})
