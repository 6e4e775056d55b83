/**
 * Facts as of the decision date: validate warns (W_EVENT_AFTER_AS_OF) when a list match compares an
 * event's date but never bounds it by asOf, for the newest version of a policy only (older ones are
 * released and immutable); the shipped folder's newest versions bound every event.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { checkPolicies } from '../../src/index.js'
import { parseYamlSource } from '../../src/read/yaml-source.js'
import { unboundedEventDates } from '../../src/validate/as-of.js'
import { checkPolicyDocument } from '../../src/validate/policy.js'
import { shippedFolder } from '../shipped-folder.js'

const ROOT = join(import.meta.dirname, '..', '..')
const base = mkdtempSync(join(tmpdir(), 'collabgate-asof-'))
afterAll(() => rmSync(base, { recursive: true, force: true }))

function findings(where: string) {
  const text = `id: test.asof
version: 1.0.0
title: As of
subject: behaviour
effective: { from: "2020-01-01" }
outcomes: [block, pass]
default: pass
rules:
  - id: R-1
    title: Rule
    source: { status: modelled, from: test }
    outcome: block
    require: { fact: incidents, operator: noneMatch, value: ${where} }
    message: "Failed."
`
  const { policy, problems } = checkPolicyDocument(parseYamlSource('asof.yaml', text), shippedFolder())
  if (!policy) throw new Error(JSON.stringify(problems))
  return unboundedEventDates(policy).map((f) => [f.rule, f.pointer, f.paths, f.base])
}

describe('W_EVENT_AFTER_AS_OF', () => {
  it('finds a list match comparing event dates with no bound by asOf', () => {
    expect(findings('{ path: $.occurredAt, operator: dateAfter, value: "2020-01-01" }')).toEqual([
      ['R-1', '/rules/0/require', ['$.occurredAt'], '$.occurredAt'],
    ])
    expect(
      findings(
        '{ any: [{ path: $.occurredAt, operator: dateOnOrBefore, value: { fact: asOf } }, { path: $.type, operator: equal, value: x }] }',
      ),
    ).toHaveLength(1) // a bound inside `any` bounds nothing
    expect(findings('{ path: $.reportedAt, operator: dateAfter, value: { addWorkingDays: 3, to: { path: $.occurredAt } } }')).toEqual([
      ['R-1', '/rules/0/require', ['$.reportedAt', '$.occurredAt'], '$.occurredAt'],
    ])
  })

  it('is quiet when an element date is bounded by asOf, or no date is compared', () => {
    expect(findings('{ path: $.type, operator: equal, value: fraud }')).toEqual([])
    expect(
      findings(
        '{ all: [{ path: $.occurredAt, operator: dateOnOrBefore, value: { fact: asOf } }, { path: $.reportedAt, operator: present, value: false }] }',
      ),
    ).toEqual([])
    expect(findings('{ all: [{ fact: asOf, operator: dateAfter, value: { addWorkingDays: 3, to: { path: $.occurredAt } } }] }')).toEqual([])
  })

  it('warns on a folder whose newest termination version counts events after asOf, not on the shipped folder', async () => {
    const dir = join(base, 'policies')
    cpSync(join(ROOT, 'policies'), dir, {
      recursive: true,
      filter: (src) => !/\.test\.ya?ml$|lock\.json$|test-records|termination\.v1\.1\.0\.yaml$/.test(src),
    })
    const old = await checkPolicies(dir)
    expect(old.warnings.filter((w) => w.code === 'W_EVENT_AFTER_AS_OF')).toEqual([
      expect.objectContaining({
        file: expect.stringContaining('creator-collaboration.us.termination.v1.0.0.yaml'),
        line: 201,
        message: expect.stringContaining('TRM-INCIDENT-UNREPORTED: incidents is matched on dates ($.reportedAt, $.occurredAt)'),
        hint: "add { path: $.occurredAt, operator: dateOnOrBefore, value: { fact: asOf } } to the match's all",
      }),
    ])
    // with 1.1.0 beside it, 1.0.0 is released history: no warning for the newest, which bounds its events
    writeFileSync(
      join(dir, 'creator-collaboration.us.termination.v1.1.0.yaml'),
      readFileSync(join(ROOT, 'policies', 'creator-collaboration.us.termination.v1.1.0.yaml')),
    )
    expect((await checkPolicies(dir)).warnings.filter((w) => w.code === 'W_EVENT_AFTER_AS_OF')).toEqual([])
    expect((await checkPolicies(join(ROOT, 'policies'))).warnings).toEqual([])
  })
})
