/**
 * What a policy folder owns: its record kinds and their versioned schemas (collabgate.yaml), version
 * succession, the lock as release manifest, markets chosen by data, calendars and the review clock.
 * Each test works on a scratch copy of the shipped 1.0.0 policies that it changes the way an author would.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import {
  checkPolicies,
  CollabgateError,
  defaultPoliciesDir,
  diffPolicies,
  loadPolicies,
  lockOfFolder,
  PolicySet,
  PolicyValidationError,
  watchPolicies,
  type PolicyProblem,
} from '../../src/index.js'
import { formatLock, lockOf, nextLock, parseLock } from '../../src/lock/lock.js'
import { caught, clone, example, ONBOARDING, type Json } from '../core/helpers.js'

const scratchRoot = mkdtempSync(join(tmpdir(), 'collabgate-folder-'))
afterAll(() => rmSync(scratchRoot, { recursive: true, force: true }))

let count = 0
/** A copy of the shipped folder with only the 1.0.0 policies (and collabgate.yaml, records/, the 1.0.0 lock entries). */
function scratch(): { dir: string; write(name: string, text: string): void; read(name: string): string; remove(name: string): void } {
  const dir = join(scratchRoot, `f${++count}`)
  cpSync(defaultPoliciesDir(), dir, {
    recursive: true,
    filter: (src) => !/\.test\.ya?ml$|test-records|parsed\.json$|\.v1\.[12]\.0\.yaml$/.test(src),
  })
  const lock = parseLock(readFileSync(join(dir, 'policies.lock.json'), 'utf8'))
  for (const key of Object.keys(lock)) if (key.includes('@1.1.0') || key.includes('@1.2.0')) delete lock[key]
  writeFileSync(join(dir, 'policies.lock.json'), formatLock(lock))
  return {
    dir,
    write: (name, text) => writeFileSync(join(dir, name), text),
    read: (name) => readFileSync(join(dir, name), 'utf8'),
    remove: (name) => unlinkSync(join(dir, name)),
  }
}

const ONB_V1 = `${ONBOARDING}.v1.0.0.yaml`
const codes = (problems: readonly PolicyProblem[]) => problems.map((p) => p.code)
const application = (): Json => clone(example('applications', 'complete-us-developer'))

/** A minimal policy document on `subject`; `extra` lines go after `default:`. */
const policyText = (
  id: string,
  version: string,
  from: string,
  extra = '',
  rule = '{ fact: category, operator: equal, value: creator_collaboration }',
) => `id: ${id}
version: ${version}
title: ${id} ${version}
subject: application
effective: { from: "${from}" }
outcomes: [reject, approve]
default: approve
${extra}
rules:
  - id: R-ONE
    title: One rule
    source: { status: modelled, from: test }
    outcome: reject
    require: ${rule}
    message: "no"
`

describe('record kinds declared by the folder', () => {
  it('judges a new record kind with its own schema, id field and recognition, with nothing in the code naming it', async () => {
    const f = scratch()
    f.write(
      'records/partner.v1.0.0.schema.json',
      JSON.stringify({
        $schema: 'https://json-schema.org/draft/2020-12/schema',
        type: 'object',
        additionalProperties: false,
        required: ['partnerId', 'tier'],
        properties: { partnerId: { type: 'string', minLength: 1 }, tier: { enum: ['gold', 'silver'] } },
      }),
    )
    f.write(
      'collabgate.yaml',
      f.read('collabgate.yaml') +
        `  partner:
    id: partnerId
    recognise: { fact: partnerId, operator: present, value: true }
    schemas:
      1.0.0: records/partner.v1.0.0.schema.json
`,
    )
    f.write(
      'acme.partner.v1.0.0.yaml',
      `id: acme.partner
version: 1.0.0
title: Partner tiers
subject: partner
primary: true
effective: { from: "2020-01-01" }
outcomes: [review, pass]
default: pass
rules:
  - id: P-GOLD
    title: Gold partners only
    source: { status: modelled, from: test }
    outcome: review
    require: { fact: tier, operator: equal, value: gold }
    message: "tier {{ tier }}"
`,
    )
    const set = await loadPolicies(f.dir, { lock: false })
    const d = await set.decide({ partnerId: 'P-7', tier: 'silver' }, { asOf: '2026-01-01' })
    expect(d.policy.id).toBe('acme.partner')
    expect(d.subject).toEqual({ kind: 'partner', id: 'P-7', schema: { version: '1.0.0', digest: expect.stringMatching(/^sha256:/) } })
    expect(d.reasons.map((r) => r.message)).toEqual(['tier silver'])
    const bad = await caught(() => set.decide({ partnerId: 'P-7', tier: 'bronze' }, { asOf: '2026-01-01' }))
    expect(bad.code).toBe('E_RECORD_INVALID')
    // validate checks facts against the declared schema, at file:line:col
    f.write('acme.partner.v1.0.0.yaml', f.read('acme.partner.v1.0.0.yaml').replace('fact: tier,', 'fact: tierr,'))
    const checked = await checkPolicies(f.dir, { lock: false })
    expect(checked.problems.map((p) => [p.code, p.file, p.line])).toEqual([['E_UNKNOWN_FACT', 'acme.partner.v1.0.0.yaml', 14]])
    expect(checked.problems[0]).toMatchObject({
      message: "unknown fact 'tierr'",
      hint: "did you mean 'tier'? this policy's records have: partnerId, tier, asOf",
      params: { fact: 'tierr', known: ['partnerId', 'tier', 'asOf'] },
    })
  })

  it('adds a record field and a rule on it as a new version, and the old version keeps its schema', async () => {
    const f = scratch()
    const v1 = JSON.parse(f.read('records/application.v1.0.0.schema.json')) as Json
    const v11 = clone(v1)
    ;((v11.properties as Json).product as { properties: Json }).properties.privacyPolicyUrl = { type: 'string', maxLength: 2000 }
    f.write('records/application.v1.1.0.schema.json', JSON.stringify(v11, null, 2))
    f.write(
      'collabgate.yaml',
      f
        .read('collabgate.yaml')
        .replace(
          '      1.0.0: records/application.v1.0.0.schema.json',
          '      1.0.0: records/application.v1.0.0.schema.json\n      1.1.0: records/application.v1.1.0.schema.json',
        ),
    )
    const rule = '{ fact: product, path: $.privacyPolicyUrl, operator: present, value: true }'
    // without pinning the new schema the field is unknown, as before
    f.write('acme.privacy.v1.0.0.yaml', policyText('acme.privacy', '1.0.0', '2020-01-01', '', rule))
    const unpinned = await checkPolicies(f.dir, { lock: false })
    expect(codes(unpinned.problems)).toEqual(['E_UNKNOWN_PATH'])
    expect(unpinned.problems[0]!.message).toContain('$.privacyPolicyUrl')
    f.write('acme.privacy.v1.0.0.yaml', policyText('acme.privacy', '1.0.0', '2020-01-01', 'recordSchema: "1.1.0"', rule))
    const set = await loadPolicies(f.dir, { lock: false })
    const record = application()
    ;(record.product as Json).privacyPolicyUrl = 'https://brightloop.example/privacy'
    const d = await set.decide(record, { asOf: '2026-11-24', policy: 'acme.privacy' })
    expect(d.outcome).toBe('approve')
    expect(d.subject.schema.version).toBe('1.1.0')
    // onboarding 1.0.0 still validates with schema 1.0.0, which has no such field
    const old = await caught(() => set.decide(record, { asOf: '2026-11-24', policy: ONBOARDING }))
    expect(old.code).toBe('E_RECORD_INVALID')
    expect(old.message).toContain("unknown field 'privacyPolicyUrl'")
    // the lock releases the new schema beside the old one
    const lock = lockOf(
      set.policies,
      (await checkPolicies(f.dir, { lock: false })).subjects.flatMap((s) => s.schemas),
    )
    expect(Object.keys(lock).filter((k) => k.startsWith('record:'))).toEqual([
      'record:application@1.0.0',
      'record:application@1.1.0',
      'record:behaviour@1.0.0',
    ])
    // a schema version nobody declared is a problem at recordSchema
    f.write('acme.privacy.v1.0.0.yaml', policyText('acme.privacy', '1.0.0', '2020-01-01', 'recordSchema: "2.0.0"', rule))
    const unknown = await checkPolicies(f.dir, { lock: false })
    expect(unknown.problems.map((p) => [p.code, p.pointer])).toEqual([['E_UNKNOWN_RECORD_SCHEMA', '/recordSchema']])
    expect(unknown.problems[0]).toMatchObject({ message: 'application has no record schema version 2.0.0', hint: 'versions: 1.0.0, 1.1.0' })
  })

  it('refuses a broken declaration with a stable code at file:line:col, and a live store keeps serving the last good set', async () => {
    const f = scratch()
    const store = await watchPolicies(f.dir, { watch: false })
    const good = f.read('collabgate.yaml')
    const cases: { name: string; edit: () => void; code: string; file: string; message?: string }[] = [
      {
        name: 'a record schema that is not valid JSON Schema',
        edit: () =>
          f.write(
            'records/application.v1.0.0.schema.json',
            f.read('records/application.v1.0.0.schema.json').replace('"type": "object"', '"type": "objekt"'),
          ),
        code: 'E_RECORD_SCHEMA',
        file: 'collabgate.yaml',
        message: 'is not a usable JSON Schema',
      },
      {
        name: 'a schema file that is not JSON',
        edit: () => f.write('records/application.v1.0.0.schema.json', '{ nope'),
        code: 'E_RECORD_SCHEMA',
        file: 'collabgate.yaml',
        message: 'is not JSON',
      },
      {
        name: 'a schema outside the folder',
        edit: () => f.write('collabgate.yaml', good.replace('records/application.v1.0.0.schema.json', '../../etc/passwd')),
        code: 'E_PATH_OUTSIDE',
        file: 'collabgate.yaml',
        message: 'inside the policy folder',
      },
      {
        name: 'a subject without an id field in its schema',
        edit: () => f.write('collabgate.yaml', good.replace('id: applicationId', 'id: applicantId')),
        code: 'E_RECORD_SCHEMA',
        file: 'collabgate.yaml',
        message: "the id field 'applicantId'",
      },
      {
        name: 'recognition on an unknown field',
        edit: () => f.write('collabgate.yaml', good.replace('recognise: { fact: applicationId,', 'recognise: { fact: applicationNo,')),
        code: 'E_UNKNOWN_FACT',
        file: 'collabgate.yaml',
      },
      {
        name: 'a declaration that is not the declared shape',
        edit: () => f.write('collabgate.yaml', good.replace('subjects:', 'subject:')),
        code: 'E_SCHEMA',
        file: 'collabgate.yaml',
      },
      {
        name: 'a YAML alias bomb',
        edit: () =>
          f.write(
            'collabgate.yaml',
            `a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n${good}`,
          ),
        code: 'E_YAML_LIMIT',
        file: 'collabgate.yaml',
      },
    ]
    const schemaText = f.read('records/application.v1.0.0.schema.json')
    for (const c of cases) {
      c.edit()
      const result = await store.reload()
      expect(result.status, c.name).toBe('rejected')
      const problems = result.status === 'rejected' ? result.problems : []
      expect(codes(problems), c.name).toContain(c.code)
      const p = problems.find((x) => x.code === c.code)!
      expect(p.file, c.name).toBe(c.file)
      expect(p.line, c.name).toBeGreaterThan(0)
      if (c.message) expect(p.message, c.name).toContain(c.message)
      // the last good set still decides
      expect((await store.decide(application(), { asOf: '2026-11-24' })).policy.id, c.name).toBe(ONBOARDING)
      f.write('collabgate.yaml', good)
      f.write('records/application.v1.0.0.schema.json', schemaText)
    }
    expect(store.generation).toBe(1)
    store.close()
  })

  it('refuses two subjects with the same recognition, and at decide time names both kinds when they overlap otherwise', async () => {
    const f = scratch()
    const good = f.read('collabgate.yaml')
    f.write(
      'collabgate.yaml',
      good.replace(
        'recognise: { fact: developerId, operator: present, value: true }',
        'recognise: { fact: applicationId, operator: present, value: true }',
      ),
    )
    const same = await checkPolicies(f.dir)
    // behaviour records have no applicationId either: both problems, and nothing about the policies or the lock
    expect(same.problems.map((p) => [p.code, p.file, p.pointer])).toEqual([
      ['E_UNKNOWN_FACT', 'collabgate.yaml', '/subjects/behaviour/recognise/fact'],
      ['E_SUBJECT_OVERLAP', 'collabgate.yaml', '/subjects/behaviour/recognise'],
    ])
    // conditions the loader cannot compare (a set built by hand): the decision names both kinds
    const loaded = await loadPolicies(scratch().dir)
    const kinds = loaded.subjectKinds.map((k) =>
      k.name === 'behaviour' ? { ...k, recognise: { any: [k.recognise, { fact: 'applicationId', operator: 'present', value: true }] } } : k,
    )
    const set = new PolicySet(loaded.policies, { subjects: kinds })
    const err = await caught(() => set.decide(application(), { asOf: '2026-11-24' }))
    expect(err.code).toBe('E_SUBJECT_AMBIGUOUS')
    expect(err.message).toContain('application and behaviour')
    expect((await set.decide(application(), { asOf: '2026-11-24', policy: ONBOARDING })).outcome).toBe('approve')
  })

  it.each(['__proto__', 'constructor', 'toString'])(
    'treats a record kind or schema version named %s as data: refused or ordinary, never a prototype',
    async (name) => {
      const f = scratch()
      const good = f.read('collabgate.yaml')
      f.write(
        'collabgate.yaml',
        `${good}  ${name}:\n    id: developerId\n    recognise: { fact: developerId, operator: present, value: true }\n    schemas:\n      1.0.0: records/behaviour.v1.0.0.schema.json\n`,
      )
      const kind = await checkPolicies(f.dir)
      // `constructor` is a lowercase name like any other, so it is only data: here, a kind recognised like behaviour
      expect(new Set(codes(kind.problems)), name).toEqual(new Set([name === 'constructor' ? 'E_SUBJECT_OVERLAP' : 'E_SCHEMA']))
      f.write(
        'collabgate.yaml',
        good.replace(
          '      1.0.0: records/behaviour.v1.0.0.schema.json',
          `      1.0.0: records/behaviour.v1.0.0.schema.json\n      ${name}: records/behaviour.v1.0.0.schema.json`,
        ),
      )
      const version = await checkPolicies(f.dir)
      expect(codes(version.problems), name).toEqual(['E_INVALID_VERSION'])
      expect(({} as Record<string, unknown>).id).toBeUndefined()
      expect(({} as Record<string, unknown>).schemas).toBeUndefined()
    },
  )

  it('wants a policy file named ID.vVERSION.yaml: another form is a warning, the form with another id or version an error', async () => {
    const f = scratch()
    f.write('uk.yaml', policyText('acme.uk', '1.0.0', '2020-01-01'))
    // the lock off: a new id is unreleased (E_UNRELEASED) in a locked folder; the name is what this test is about
    const warned = await checkPolicies(f.dir, { lock: false })
    expect(warned.problems).toEqual([])
    expect(warned.warnings.filter((w) => w.code === 'W_FILE_NAME')).toEqual([
      expect.objectContaining({
        severity: 'warning',
        message: 'uk.yaml holds acme.uk@1.0.0',
        hint: 'name it acme.uk.v1.0.0.yaml',
        file: 'uk.yaml',
        line: 2,
      }),
    ])
    f.remove('uk.yaml')
    f.write('acme.uk.v2.0.0.yaml', policyText('acme.uk', '1.0.0', '2020-01-01'))
    const { problems } = await checkPolicies(f.dir, { lock: false })
    expect(problems.map((p) => [p.code, p.file, p.line, p.message])).toEqual([
      ['E_FILE_NAME', 'acme.uk.v2.0.0.yaml', 2, 'the file is named acme.uk.v2.0.0.yaml but holds acme.uk@1.0.0'],
    ])
  })

  it('refuses a policy on a subject the folder does not declare, listing the declared ones', async () => {
    const f = scratch()
    f.write('acme.x.v1.0.0.yaml', policyText('acme.x', '1.0.0', '2020-01-01').replace('subject: application', 'subject: applicant'))
    const { problems } = await checkPolicies(f.dir)
    expect(problems.map((p) => [p.code, p.file, p.line, p.column])).toEqual([['E_UNKNOWN_SUBJECT', 'acme.x.v1.0.0.yaml', 4, 1]])
    expect(problems[0]).toMatchObject({
      severity: 'error',
      message: "subject 'applicant' is not declared by the policy folder",
      hint: 'it declares: application, behaviour (collabgate.yaml)',
    })
  })
})

describe('succession and the lock as release manifest', () => {
  it('releases 1.1.0 without changing a byte of 1.0.0 or its lock line, and 1.0.0 decisions replay byte for byte', async () => {
    const f = scratch()
    const record = application()
    const replayOf = async () => JSON.stringify(await (await loadPolicies(f.dir)).decide(record, { asOf: '2026-11-24' }))
    const before = await replayOf()
    const v1Text = f.read(ONB_V1)
    const lockBefore = f.read('policies.lock.json')
    const v11 = v1Text
      .replace('version: 1.0.0', 'version: 1.1.0')
      .replace('from: "2023-09-18"', 'from: "2027-01-04"')
      .replace(/(path: \$\.yearsInOperation\s+operator: greaterThanInclusive\s+value: )1\b/, '$15')
    f.write(`${ONBOARDING}.v1.1.0.yaml`, v11)

    // unreleased and in effect on dates 1.0.0 covers: loading refuses it until it is released
    const unreleased = await checkPolicies(f.dir)
    expect(unreleased.problems.map((p) => [p.code, p.file, p.pointer])).toEqual([
      ['E_UNRELEASED', `${ONBOARDING}.v1.1.0.yaml`, '/effective/from'],
    ])
    expect(unreleased.problems[0]!.message).toContain(
      'from 2027-01-04, a date the released creator-collaboration.us.onboarding@1.0.0 covers',
    )
    await expect(loadPolicies(f.dir)).rejects.toThrow(PolicyValidationError)
    expect((await checkPolicies(f.dir, { lock: false })).problems).toEqual([])

    // release: the lock gains one line
    const checked = await checkPolicies(f.dir, { lock: false })
    const next = nextLock(parseLock(lockBefore), lockOfFolder(checked))
    expect(next.added).toEqual([`${ONBOARDING}@1.1.0`])
    f.write('policies.lock.json', formatLock(next.lock))
    const lockLines = (text: string) => text.split('\n').filter((l) => !l.includes('@1.1.0'))
    expect(lockLines(f.read('policies.lock.json'))).toEqual(lockLines(lockBefore))
    expect(f.read(ONB_V1)).toBe(v1Text)

    expect(await replayOf()).toBe(before)
    const set = await loadPolicies(f.dir)
    expect(
      set
        .list()
        .filter((p) => p.id === ONBOARDING)
        .map((p) => [p.version, p.effective]),
    ).toEqual([
      ['1.0.0', { from: '2023-09-18', until: '2027-01-04' }],
      ['1.1.0', { from: '2027-01-04' }],
    ])
    expect((await set.decide(record, { asOf: '2027-01-04' })).outcome).toBe('manual_review')
  })

  it('fails when a released version is gone, pointing at its line in the lock, instead of judging with another policy', async () => {
    const f = scratch()
    const store = await watchPolicies(f.dir, { watch: false })
    f.remove(ONB_V1)
    const reload = await store.reload()
    expect(reload.status === 'rejected' && codes(reload.problems)).toEqual(['E_LOCK_MISSING'])
    // the store keeps judging applications with onboarding, never with the api-access policy left in the folder
    expect((await store.decide(application(), { asOf: '2026-11-24' })).policy.id).toBe(ONBOARDING)
    store.close()
    const { problems } = await checkPolicies(f.dir)
    const lockText = f.read('policies.lock.json')
    expect(problems.map((p) => [p.code, p.file])).toEqual([['E_LOCK_MISSING', 'policies.lock.json']])
    expect(lockText.split('\n')[problems[0]!.line - 1]).toContain(`"${ONBOARDING}@1.0.0"`)
    await expect(loadPolicies(f.dir)).rejects.toThrow(PolicyValidationError)
    // a single file is not the whole folder: its siblings are not missing
    expect((await checkPolicies(join(f.dir, `${ONBOARDING.replace('onboarding', 'termination')}.v1.0.0.yaml`))).problems).toEqual([])
  })

  it('does not call a released file missing when it is there but fails to load', async () => {
    const f = scratch()
    f.write(ONB_V1, f.read(ONB_V1).replace('subject: application', 'subject: applicant'))
    const { problems } = await checkPolicies(f.dir)
    expect(codes(problems)).toEqual(['E_UNKNOWN_SUBJECT'])
  })

  it('diffs what decides besides the rules: record schema, calendar, markets', async () => {
    const f = scratch()
    f.write(
      'acme.uk.v1.0.0.yaml',
      policyText(
        'acme.uk',
        '1.0.0',
        '2020-01-01',
        'primary: true\ncalendar: GB-ENG\nappliesTo: { fact: category, operator: equal, value: uk }',
      ),
    )
    f.write(
      'acme.uk.v1.1.0.yaml',
      policyText(
        'acme.uk',
        '1.1.0',
        '2021-01-01',
        'primary: true\ncalendar: GB-SCT\nappliesTo: { fact: category, operator: in, value: [uk, gb] }',
      ),
    )
    const set = await loadPolicies(f.dir, { lock: false })
    const diff = diffPolicies(set.select('acme.uk', '2020-06-01'), set.select('acme.uk', '2021-06-01'))
    expect(diff.fields.map((x) => x.field)).toEqual(['version', 'title', 'effective', 'calendar', 'appliesTo'])
    expect(diff.fields.find((x) => x.field === 'calendar')).toEqual({ field: 'calendar', before: 'GB-ENG', after: 'GB-SCT' })
  })

  it('fails when a released record schema changes', async () => {
    const f = scratch()
    f.write(
      'records/behaviour.v1.0.0.schema.json',
      f.read('records/behaviour.v1.0.0.schema.json').replace('"maxItems": 1000', '"maxItems": 999'),
    )
    const { problems } = await checkPolicies(f.dir)
    expect(problems.map((p) => [p.code, p.file])).toEqual([['E_LOCK_MISMATCH', 'collabgate.yaml']])
    expect(problems[0]!.message).toContain('record:behaviour@1.0.0 is released')
  })

  it('names files relative to the folder, whatever path reached it', async () => {
    const f = scratch()
    const viaAbsolute = await loadPolicies(f.dir)
    const viaRelative = await loadPolicies(relative(process.cwd(), f.dir))
    const files = (s: PolicySet) => s.list().map((p) => p.file)
    expect(files(viaAbsolute)).toEqual(files(viaRelative))
    expect(files(viaAbsolute)).toContain(ONB_V1)
    const d = await viaRelative.decide(example('applications', 'missing-details'), { asOf: '2026-11-24' })
    expect(d.reasons.every((r) => r.source.file === ONB_V1)).toBe(true)
  })

  it('decides only with the digest the caller names', async () => {
    const set = await loadPolicies(scratch().dir)
    const digest = set.select(ONBOARDING, '2026-11-24').digest
    expect((await set.decide(application(), { asOf: '2026-11-24', policy: ONBOARDING, version: '1.0.0', digest })).policy.digest).toBe(
      digest,
    )
    const err = await caught(() => set.decide(application(), { asOf: '2026-11-24', digest: 'sha256:' + '0'.repeat(64) }))
    expect(err.code).toBe('E_DIGEST_MISMATCH')
    expect(err.message).toContain(digest)
    expect(() => set.decideSync(application(), { asOf: '2026-11-24', digest: 'sha256:x' })).toThrow(CollabgateError)
  })
})

describe('markets chosen by data', () => {
  const UK = (extra = '') =>
    policyText(
      'acme.uk.onboarding',
      '1.0.0',
      '2027-01-04',
      `primary: true
calendar: GB-ENG
appliesTo: { fact: applicant, path: $.registration.country, operator: equal, value: GB }
review: { workingDays: 7 }
${extra}`,
      '{ fact: applicant, path: $.registration.country, operator: equal, value: GB }',
    )

  const gb = (): Json => {
    const r = application()
    ;((r.applicant as Json).registration as Json).country = 'GB'
    return r
  }

  it('routes a record to the market whose appliesTo claims it, only once that market is in effect; the US fallback keeps rejecting the rest', async () => {
    const f = scratch()
    f.write('acme.uk.onboarding.v1.0.0.yaml', UK())
    const set = await loadPolicies(f.dir, { lock: false })
    expect((await set.decide(gb(), { asOf: '2027-01-04' })).policy.id).toBe('acme.uk.onboarding')
    // before the UK market takes effect, a GB applicant is the US policy's, which rejects it
    const early = await set.decide(gb(), { asOf: '2027-01-03' })
    expect([early.policy.id, early.outcome, early.reasons[0]?.rule]).toEqual([ONBOARDING, 'reject', 'ONB-SCOPE-US'])
    const ca = application()
    ;((ca.applicant as Json).registration as Json).country = 'CA'
    const canadian = await set.decide(ca, { asOf: '2027-02-01' })
    expect([canadian.policy.id, canadian.outcome]).toEqual([ONBOARDING, 'reject'])
    expect((await set.decide(application(), { asOf: '2027-02-01' })).policy.id).toBe(ONBOARDING)
  })

  it('counts the review clock on the market calendar: English bank holidays, not US ones', async () => {
    const f = scratch()
    f.write('acme.uk.onboarding.v1.0.0.yaml', UK())
    const set = await loadPolicies(f.dir, { lock: false })
    const r = gb()
    r.submittedAt = '2027-12-22'
    delete r.review
    // 7 English working days after Wed 22 Dec 2027: 23, 24, (27, 28: Christmas and Boxing Day substitutes), 29, 30, 31, (3 Jan: New Year substitute), 4, 5
    const uk = await set.decide(r, { asOf: '2028-01-05' })
    expect(uk.policy.id).toBe('acme.uk.onboarding')
    expect(uk.review).toEqual({ submittedAt: '2027-12-22', dueBy: '2028-01-05', overdue: false })
    expect((await set.decide(r, { asOf: '2028-01-06' })).review?.overdue).toBe(true)
    // the US calendar observes Christmas on Fri 24 and New Year on Fri 31 instead: 23, 27, 28, 29, 30, 3, 4
    const us = await set.decide({ ...r, applicant: application().applicant }, { asOf: '2028-01-05' })
    expect([us.policy.id, us.review?.dueBy, us.review?.overdue]).toEqual([ONBOARDING, '2028-01-04', true])
  })

  it('reports two markets that can claim the same records, and names every candidate when a set holds them anyway', async () => {
    const f = scratch()
    f.write('acme.uk.onboarding.v1.0.0.yaml', UK())
    f.write('acme.gb.onboarding.v1.0.0.yaml', UK().replace('id: acme.uk.onboarding', 'id: acme.gb.onboarding'))
    const checked = await checkPolicies(f.dir, { lock: false })
    expect(checked.problems.map((p) => [p.code, p.file, p.pointer])).toEqual([
      ['E_AMBIGUOUS_PRIMARY', 'acme.uk.onboarding.v1.0.0.yaml', '/appliesTo'],
    ])
    const set = new PolicySet(checked.policies, { subjects: checked.subjects })
    const err = await caught(() => set.decide(gb(), { asOf: '2027-02-01' }))
    expect(err.code).toBe('E_POLICY_AMBIGUOUS')
    expect(err.message).toContain('acme.gb.onboarding@1.0.0, acme.uk.onboarding@1.0.0')
    // markets that compare the same field with different values are told apart
    f.write(
      'acme.gb.onboarding.v1.0.0.yaml',
      UK().replace('id: acme.uk.onboarding', 'id: acme.gb.onboarding').replace('value: GB }\nreview', 'value: IE }\nreview'),
    )
    expect((await checkPolicies(f.dir, { lock: false })).problems).toEqual([])
  })

  it('refuses appliesTo on unknown fields or on a policy that is not primary, and an unknown calendar with a suggestion', async () => {
    const f = scratch()
    f.write(
      'acme.uk.onboarding.v1.0.0.yaml',
      UK()
        .replace(
          'path: $.registration.country, operator: equal, value: GB }\nreview',
          'path: $.registration.nation, operator: equal, value: GB }\nreview',
        )
        .replace('calendar: GB-ENG', 'calendar: UK'),
    )
    const { problems } = await checkPolicies(f.dir, { lock: false })
    expect(problems.map((p) => [p.code, p.pointer])).toEqual([
      ['E_UNKNOWN_CALENDAR', '/calendar'],
      ['E_UNKNOWN_PATH', '/appliesTo/path'],
    ])
    expect(problems[0]!.message).toContain('did you mean "GB"')
    expect(problems[0]).toMatchObject({ file: 'acme.uk.onboarding.v1.0.0.yaml', line: 9, column: 1 })
    f.write('acme.uk.onboarding.v1.0.0.yaml', UK().replace('primary: true\n', ''))
    const notPrimary = await checkPolicies(f.dir, { lock: false })
    expect(notPrimary.problems.map((p) => [p.code, p.pointer])).toEqual([['E_SCHEMA', '/appliesTo']])
  })

  it('says no policy applies when every market declines a record and none is the fallback', async () => {
    const f = scratch()
    f.write('acme.uk.onboarding.v1.0.0.yaml', UK())
    const checked = await checkPolicies(f.dir, { lock: false })
    const withoutFallback = new PolicySet(
      checked.policies.filter((p) => p.id !== ONBOARDING),
      { subjects: checked.subjects },
    )
    const err = await caught(() => withoutFallback.decide(application(), { asOf: '2027-02-01' }))
    expect(err.code).toBe('E_NO_POLICY_APPLIES')
    expect(err.message).toContain('acme.uk.onboarding@1.0.0')
  })
})

describe('the review clock in YAML', () => {
  it('counts from the field, for the working days, until the condition the policy declares', async () => {
    const f = scratch()
    f.write(
      'acme.clock.v1.0.0.yaml',
      policyText(
        'acme.clock',
        '1.0.0',
        '2020-01-01',
        `review:
  workingDays: 2
  from: { fact: review, path: $.decidedAt }
  decided: { fact: review, path: $.result, operator: equal, value: approved }`,
      ),
    )
    const set = await loadPolicies(f.dir, { lock: false })
    const r = application()
    r.review = { result: 'pending', decidedAt: '2026-11-25' }
    // Wed 25 Nov 2026 + 2 US working days: Thanksgiving (26th) is a holiday, so Fri 27 and Mon 30
    expect((await set.decide(r, { asOf: '2026-12-01', policy: 'acme.clock' })).review).toEqual({
      submittedAt: '2026-11-25',
      dueBy: '2026-11-30',
      overdue: true,
    })
    r.review = { result: 'approved', decidedAt: '2026-11-25' }
    expect((await set.decide(r, { asOf: '2026-12-01', policy: 'acme.clock' })).review?.overdue).toBe(false)
    // a clock on a field that is not a date, or a policy of a subject with no clock defaults, is refused
    f.write(
      'acme.clock.v1.0.0.yaml',
      policyText('acme.clock', '1.0.0', '2020-01-01', 'review: { workingDays: 2, from: { fact: applicant, path: $.yearsInOperation } }'),
    )
    expect((await checkPolicies(f.dir, { lock: false })).problems.map((p) => [p.code, p.pointer])).toEqual([
      ['E_BAD_VALUE', '/review/from'],
    ])
  })

  it('moves decisions around an observed Veterans Day under the corrected US calendar', async () => {
    const set = await loadPolicies(scratch().dir)
    const r = application()
    r.submittedAt = '2028-11-03'
    delete r.review
    // Fri 3 Nov 2028 + 7 working days: 6, 7, 8, 9, (10: Veterans Day observed), 13, 14, 15
    expect((await set.decide(r, { asOf: '2028-11-15' })).review).toEqual({ submittedAt: '2028-11-03', dueBy: '2028-11-15', overdue: false })
  })
})
