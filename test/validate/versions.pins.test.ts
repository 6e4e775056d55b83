/**
 * The checks across the versions of one folder (src/validate/versions.ts): how versions of one id succeed each
 * other, and which primary policies could claim the same records. Exact codes, messages, pointers, locations,
 * hints and params. Policies are built inside the tests from in-memory text.
 */
import { describe, expect, it } from 'vitest'
import { parseYamlSource } from '../../src/read/yaml-source.js'
import type { Policy } from '../../src/model.js'
import { checkFolderDocument, type SchemaFile } from '../../src/validate/folder.js'
import { checkPolicyDocument, type FolderContext } from '../../src/validate/policy.js'
import { checkAcrossVersions, checkPrimaries } from '../../src/validate/versions.js'

const RECORD = {
  type: 'object',
  required: ['appId'],
  properties: {
    appId: { type: 'string' },
    country: { type: 'string' },
    address: { type: 'object', properties: { country: { type: 'string' }, city: { type: 'string' } } },
  },
}

function folder(): FolderContext {
  const yaml = `subjects:
  app:
    id: appId
    recognise: { fact: appId, operator: present, value: true }
    schemas: { "1.0.0": r.json }
  other:
    id: appId
    recognise: { fact: country, operator: present, value: true }
    schemas: { "1.0.0": r.json }
`
  const files = new Map<string, SchemaFile>([['r.json', { file: 'r.json', text: JSON.stringify(RECORD) }]])
  const { subjects, problems } = checkFolderDocument(parseYamlSource('collabgate.yaml', yaml), files)
  expect(problems).toEqual([])
  return { subjects: new Map(subjects.map((s) => [s.name, s])) }
}

interface Options {
  until?: string
  primary?: boolean
  appliesTo?: string
  subject?: string
  file?: string
}

/** A valid policy `id@version` in effect from `from`, read from a file named `file` (default ID.vVERSION.yaml). */
function policy(ctx: FolderContext, id: string, version: string, from: string, o: Options = {}): Policy {
  const text = `id: ${id}
version: "${version}"
title: ${id}
subject: ${o.subject ?? 'app'}
effective: { from: "${from}"${o.until ? `, until: "${o.until}"` : ''} }
${o.primary === false ? '' : 'primary: true\n'}${o.appliesTo ? `appliesTo: ${o.appliesTo}\n` : ''}outcomes: [reject, approve]
default: approve
rules:
  - { id: R-OK, title: ok, source: { status: modelled, from: test }, outcome: reject, require: { fact: appId, operator: present, value: true }, message: "no" }
`
  const { policy: p, problems } = checkPolicyDocument(parseYamlSource(o.file ?? `${id}.v${version}.yaml`, text), ctx)
  expect(problems).toEqual([])
  return p!
}

const brief = (problems: ReturnType<typeof checkAcrossVersions>) =>
  problems.map((p) => ({
    code: p.code,
    file: p.file,
    line: p.line,
    column: p.column,
    pointer: p.pointer,
    message: p.message,
    hint: p.hint,
  }))

describe('versions of one id', () => {
  it('accepts versions that succeed each other with higher versions, whatever order they come in', () => {
    const ctx = folder()
    const ps = [policy(ctx, 'a', '2.0.0', '2025-01-01'), policy(ctx, 'a', '1.0.0', '2024-01-01'), policy(ctx, 'b', '0.1.0', '2024-01-01')]
    expect(checkAcrossVersions(ps)).toEqual([])
  })

  it('refuses the same version twice, at the later one, located by default at the document', () => {
    const ctx = folder()
    const ps = [
      policy(ctx, 'a', '1.0.0', '2024-01-01', { file: 'one.yaml' }),
      policy(ctx, 'a', '1.0.0', '2025-01-01', { file: 'two.yaml' }),
    ]
    expect(brief(checkAcrossVersions(ps))).toEqual([
      {
        code: 'E_DUPLICATE_VERSION',
        file: 'two.yaml',
        line: 1,
        column: 1,
        pointer: '/version',
        message: 'a@1.0.0 is defined twice (also in one.yaml)',
        hint: undefined,
      },
    ])
  })

  it('refuses two versions taking effect on the same day, with the hint, at the locator the loader gives', () => {
    const ctx = folder()
    const ps = [
      policy(ctx, 'a', '1.0.0', '2024-01-01', { file: 'one.yaml' }),
      policy(ctx, 'a', '1.1.0', '2024-01-01', { file: 'two.yaml' }),
    ]
    const asked: string[] = []
    const locate = (p: Policy, pointer: string) => {
      asked.push(`${p.version} ${pointer}`)
      return { file: `${p.location.file}!`, line: 5, column: 3 }
    }
    expect(brief(checkAcrossVersions(ps, locate))).toEqual([
      {
        code: 'E_OVERLAPPING_WINDOWS',
        file: 'two.yaml!',
        line: 5,
        column: 3,
        pointer: '/effective/from',
        message: 'a@1.1.0 and a@1.0.0 (in one.yaml) both take effect on 2024-01-01',
        hint: 'a successor takes effect on a later day',
      },
    ])
    expect(asked).toEqual(['1.1.0 /effective/from'])
  })

  it('refuses a successor that is not a higher version than the one it follows (build metadata does not count)', () => {
    const ctx = folder()
    const ps = [
      policy(ctx, 'a', '2.0.0', '2024-01-01'),
      policy(ctx, 'a', '3.0.0', '2025-01-01'),
      // lower than both earlier versions: reported once, against the version it follows
      policy(ctx, 'a', '1.0.0', '2026-01-01'),
      policy(ctx, 'b', '1.0.0+x', '2024-01-01'),
      policy(ctx, 'b', '1.0.0+y', '2024-06-01'),
    ]
    expect(brief(checkAcrossVersions(ps))).toEqual([
      {
        code: 'E_INVALID_VERSION',
        file: 'a.v1.0.0.yaml',
        line: 1,
        column: 1,
        pointer: '/version',
        message: 'a@1.0.0 takes effect after a@3.0.0 (2026-01-01 > 2025-01-01) but is not a higher version',
        hint: undefined,
      },
      {
        code: 'E_INVALID_VERSION',
        file: 'b.v1.0.0+y.yaml',
        line: 1,
        column: 1,
        pointer: '/version',
        message: 'b@1.0.0+y takes effect after b@1.0.0+x (2024-06-01 > 2024-01-01) but is not a higher version',
        hint: undefined,
      },
    ])
    // the loader's locator is asked for the version's own line
    const asked: string[] = []
    checkAcrossVersions(ps, (p, pointer) => {
      asked.push(`${p.id}@${p.version} ${pointer}`)
      return p.location
    })
    expect(asked).toEqual(['a@1.0.0 /version', 'b@1.0.0+y /version'])
  })
})

describe('primary policies that could claim the same records', () => {
  const ambiguous = (a: string, b: string, from: string, pointer = '/primary', file = `${b.replace('@', '.v')}.yaml`) => ({
    code: 'E_AMBIGUOUS_PRIMARY',
    file,
    line: 1,
    column: 1,
    pointer,
    // the newer one (b) first, each with its file
    message: `${b} (in ${file}) and ${a} (in ${a.replace('@', '.v')}.yaml) are both primary for app records from ${from} and can claim the same records`,
    hint: 'give each market an appliesTo that tells them apart (one may stay the fallback without it)',
  })

  it('refuses two fallbacks (no appliesTo) of one subject, from the later of their first days, with both as data', () => {
    const ctx = folder()
    const problems = checkPrimaries([policy(ctx, 'us', '1.0.0', '2024-03-01'), policy(ctx, 'gb', '1.0.0', '2024-01-01')])
    // the newer one (the later first day) is named first, in the message and the data
    expect(brief(problems)).toEqual([ambiguous('gb@1.0.0', 'us@1.0.0', '2024-03-01')])
    expect(problems[0]!.params).toEqual({ policies: ['us@1.0.0', 'gb@1.0.0'], from: '2024-03-01' })
    const swapped = checkPrimaries([policy(ctx, 'us', '1.0.0', '2024-01-01'), policy(ctx, 'gb', '1.0.0', '2024-03-01')])
    expect(swapped[0]!.params).toEqual({ policies: ['gb@1.0.0', 'us@1.0.0'], from: '2024-03-01' })
  })

  it('uses the locator the loader gives, at /appliesTo when the later one has an appliesTo', () => {
    const ctx = folder()
    const at = '{ fact: country, operator: equal, value: GB }'
    const asked: string[] = []
    const locate = (p: Policy, pointer: string) => {
      asked.push(`${p.id} ${pointer}`)
      return { file: 'x.yaml', line: 9, column: 2 }
    }
    const problems = checkPrimaries(
      [policy(ctx, 'us', '1.0.0', '2024-01-01', { appliesTo: at }), policy(ctx, 'gb', '1.0.0', '2024-01-01', { appliesTo: at })],
      locate,
    )
    expect(brief(problems)).toEqual([
      {
        ...ambiguous('us@1.0.0', 'gb@1.0.0', '2024-01-01', '/appliesTo'),
        file: 'x.yaml',
        line: 9,
        column: 2,
        message:
          'gb@1.0.0 (in gb.v1.0.0.yaml) and us@1.0.0 (in us.v1.0.0.yaml) are both primary for app records from 2024-01-01 and can ' +
          'claim the same records: e.g. a record with {"country":"GB"} (country equal "GB"; country equal "GB")',
      },
    ])
    expect(asked).toEqual(['gb /appliesTo'])
  })

  it('tells markets apart by appliesTo: a fallback and a market, different fields, paths or values, other operators', () => {
    const ctx = folder()
    const pair = (a: string | undefined, b: string | undefined) =>
      checkPrimaries([
        policy(ctx, 'one', '1.0.0', '2024-01-01', a ? { appliesTo: a } : {}),
        policy(ctx, 'two', '1.0.0', '2024-01-01', b ? { appliesTo: b } : {}),
      ]).length
    const eq = (v: string, fact = 'country') => `{ fact: ${fact}, operator: equal, value: ${v} }`
    expect(pair(undefined, eq('GB'))).toBe(0)
    expect(pair(eq('GB'), undefined)).toBe(0)
    expect(pair(eq('GB'), eq('US'))).toBe(0)
    // different fields can both hold for one record (country GB and appId GB): decided exactly, an overlap
    expect(pair(eq('GB'), eq('GB', 'appId'))).toBe(1)
    expect(pair(eq('GB'), '{ fact: address, path: $.country, operator: equal, value: GB }')).toBe(1)
    expect(
      pair(
        '{ fact: address, path: $.country, operator: equal, value: GB }',
        '{ fact: address, path: $.country, operator: in, value: [GB] }',
      ),
    ).toBe(1)
    expect(
      pair('{ fact: address, path: $.country, operator: equal, value: GB }', '{ fact: address, path: $.city, operator: equal, value: GB }'),
    ).toBe(1)
    // no path reads the whole value, as $ does
    expect(pair(eq('GB'), '{ fact: country, path: $, operator: equal, value: GB }')).toBe(1)
    expect(pair(eq('GB'), '{ fact: country, operator: in, value: [FR, GB] }')).toBe(1)
    expect(pair('{ fact: country, operator: in, value: [FR, DE] }', '{ fact: country, operator: in, value: [DE] }')).toBe(1)
    expect(pair('{ fact: country, operator: in, value: [FR, DE] }', '{ fact: country, operator: in, value: [GB] }')).toBe(0)
    // a third country (FR) is neither GB nor US
    expect(pair('{ fact: country, operator: notEqual, value: GB }', '{ fact: country, operator: notEqual, value: US }')).toBe(1)
    expect(pair('{ fact: country, operator: notIn, value: [GB] }', '{ fact: country, operator: in, value: [GB] }')).toBe(0)
    expect(pair('{ not: { fact: country, operator: equal, value: GB } }', eq('GB'))).toBe(0)
    expect(pair(eq('GB'), '{ not: { fact: country, operator: equal, value: GB } }')).toBe(0)
    // the same records, written as a group: decided exactly, an overlap
    expect(pair('{ any: [{ fact: country, operator: equal, value: GB }] }', eq('GB'))).toBe(1)
    // the same condition, however written, claims the same records
    expect(pair('{ not: { fact: country, operator: equal, value: GB } }', '{ not: { value: GB, operator: equal, fact: country } }')).toBe(1)
  })

  it('counts only windows that share a day (until and a successor end a window, exclusively)', () => {
    const ctx = folder()
    // gb ends on 2025-01-01; us starts that day: no shared day, in either order
    const gbEnded = () => policy(ctx, 'gb', '1.0.0', '2024-01-01', { until: '2025-01-01' })
    expect(checkPrimaries([gbEnded(), policy(ctx, 'us', '1.0.0', '2025-01-01')])).toEqual([])
    expect(checkPrimaries([policy(ctx, 'us', '1.0.0', '2025-01-01'), gbEnded()])).toEqual([])
    // one day earlier they share 2024-12-31
    const shared = checkPrimaries([gbEnded(), policy(ctx, 'us', '1.0.0', '2024-12-31')])
    expect(shared.map((p) => p.params)).toEqual([{ policies: ['us@1.0.0', 'gb@1.0.0'], from: '2024-12-31' }])
    const sharedSwapped = checkPrimaries([policy(ctx, 'us', '1.0.0', '2024-12-31'), gbEnded()])
    expect(sharedSwapped.map((p) => p.params)).toEqual([{ policies: ['us@1.0.0', 'gb@1.0.0'], from: '2024-12-31' }])
    // a successor of gb ends its 1.0.0; gb@2.0.0 is not primary
    const succeeded = [
      policy(ctx, 'gb', '1.0.0', '2024-01-01'),
      policy(ctx, 'gb', '2.0.0', '2025-01-01', { primary: false }),
      policy(ctx, 'us', '1.0.0', '2025-01-01'),
    ]
    expect(checkPrimaries(succeeded)).toEqual([])
  })

  it('ignores versions of one id, policies of other subjects and policies that are not primary', () => {
    const ctx = folder()
    expect(
      checkPrimaries([policy(ctx, 'gb', '1.0.0', '2024-01-01', { until: '2026-01-01' }), policy(ctx, 'gb', '2.0.0', '2025-01-01')]),
    ).toEqual([])
    expect(
      checkPrimaries([policy(ctx, 'gb', '1.0.0', '2024-01-01'), policy(ctx, 'us', '1.0.0', '2024-01-01', { subject: 'other' })]),
    ).toEqual([])
    expect(
      checkPrimaries([policy(ctx, 'gb', '1.0.0', '2024-01-01'), policy(ctx, 'us', '1.0.0', '2024-01-01', { primary: false })]),
    ).toEqual([])
    expect(
      checkPrimaries([policy(ctx, 'gb', '1.0.0', '2024-01-01', { primary: false }), policy(ctx, 'us', '1.0.0', '2024-01-01')]),
    ).toEqual([])
  })

  it('reports every pair among three fallbacks', () => {
    const ctx = folder()
    const problems = checkPrimaries([
      policy(ctx, 'a', '1.0.0', '2024-01-01'),
      policy(ctx, 'b', '1.0.0', '2024-01-01'),
      policy(ctx, 'c', '1.0.0', '2024-01-01'),
    ])
    expect(problems.map((p) => (p.params as { policies: string[] }).policies.join(' '))).toEqual([
      // on the same first day the later file is the newer one, named first
      'b@1.0.0 a@1.0.0',
      'c@1.0.0 a@1.0.0',
      'c@1.0.0 b@1.0.0',
    ])
  })
})
