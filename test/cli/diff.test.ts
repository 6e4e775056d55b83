import { beforeAll, describe, expect, it } from 'vitest'
import type { PolicyDiff } from '../../src/index.js'
import { assertBuilt, AUTHORING, cli } from './run-cli.js'

beforeAll(assertBuilt)

const V1 = `${AUTHORING}/versions/acme.onboarding.v1.0.0.yaml`
const V2 = `${AUTHORING}/versions/acme.onboarding.v1.1.0.yaml`

describe.concurrent('collabgate diff', () => {
  it('shows rules added, removed and changed, and the effective windows, as text', async () => {
    const r = await cli(['diff', V1, V2])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('acme.onboarding 1.0.0 → 1.1.0\n')
    expect(r.stdout).toContain('  effective: from 2024-01-01 until 2025-07-01 → from 2025-07-01 (no end)\n')
    expect(r.stdout).toContain('rules: 1 added, 1 removed, 2 changed, 1 unchanged\n')
    expect(r.stdout).toContain('  + ONB-TECH-SECURITY [manual_review] Platform data is encrypted at rest\n')
    expect(r.stdout).toContain('  - ONB-API-SCOPES [manual_review] Every requested API scope is an affiliate scope\n')
    // a rule added or removed shows its conditions, so a reviewer sees what it requires
    expect(r.stdout).toContain(
      '  + ONB-TECH-SECURITY [manual_review] Platform data is encrypted at rest\n      +   security $.encryptionAtRest equal true\n',
    )
    expect(r.stdout).toContain(
      '\n      -   product $.requestedScopes containsOnly ["affiliate_seller","affiliate_creator","affiliate_partner"]\n',
    )
    expect(r.stdout).toContain(
      [
        '  ~ ONB-STRENGTH The developer has been in business long enough',
        '      conditions:',
        '        all of:',
        '      -   applicant $.yearsInOperation greaterThanInclusive 1',
        '      +   applicant $.yearsInOperation greaterThanInclusive 2',
      ].join('\n'),
    )
    expect(r.stdout).toContain(
      '      source: modelled "Fixture: verification" → confirmed "Fixture: verification, now confirmed by the source"\n',
    )
    expect(r.stdout).toContain(
      '      message: "Business verification is not complete." → "Business verification is not complete; finish it in Partner Center."\n',
    )
  })

  it('resolves ID@VERSION in --policies and prints JSON; --exit-code says they differ', async () => {
    const r = await cli([
      'diff',
      '--policies',
      `${AUTHORING}/versions`,
      '--format',
      'json',
      '--exit-code',
      'acme.onboarding@1.0.0',
      'acme.onboarding@1.1.0',
    ])
    expect(r.code).toBe(1)
    const d = JSON.parse(r.stdout) as PolicyDiff
    expect(d.old).toMatchObject({ id: 'acme.onboarding', version: '1.0.0', file: V1 })
    expect(d.new).toMatchObject({ version: '1.1.0', file: V2 })
    expect(d.fields.map((f) => f.field)).toEqual(['version', 'effective'])
    expect(d.rules.added.map((r) => r.id)).toEqual(['ONB-TECH-SECURITY'])
    expect(d.rules.removed.map((r) => r.id)).toEqual(['ONB-API-SCOPES'])
    expect(d.rules.unchanged).toEqual(['ONB-SCOPE-US'])
    expect(d.rules.changed.map((c) => [c.id, c.changes.map((x) => x.field)])).toEqual([
      ['ONB-BUSINESS-VERIFIED', ['source', 'message']],
      ['ONB-STRENGTH', ['conditions']],
    ])
  })

  it('says when two files hold the same content, and --exit-code then exits 0', async () => {
    const r = await cli(['diff', '--exit-code', V1, V1])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('  identical content\n')
  })

  it('exits 2 for an unknown version or a wrong number of arguments', async () => {
    const r = await cli(['diff', '--policies', `${AUTHORING}/versions`, 'acme.onboarding@1.0.0', 'acme.onboarding@9.9.9'])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain("E_POLICY_NOT_FOUND: policy 'acme.onboarding' has no version 9.9.9")
    expect(r.stderr).toContain('versions: 1.0.0, 1.1.0')
    const one = await cli(['diff', V1])
    expect(one.code).toBe(2)
    expect(one.stderr).toContain('diff takes two policies')
  })
})
