/**
 * Masking declared in collabgate.yaml (subjects.NAME.audit.mask): each action on the logged facts and
 * on evidence values, on copies (the record and the decision unchanged), failing closed in both modes
 * when a value must be hashed and the log has no key, and the declaration's problems at file:line.
 */
import { createHmac } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PassThrough } from 'node:stream'
import { afterEach, describe, expect, it } from 'vitest'
import { checkPolicies, createAuditLog, loadPolicies, watchPolicies, withAudit, type Decision, type PolicyRecord } from '../../src/index.js'
import { maskedParts } from '../../src/audit/mask.js'
import { example } from '../store/helpers.js'
import { APPLICATION_MASK, maskedFolder, validEntries } from './entries.js'

const KEY_ENV = 'COLLABGATE_TEST_AUDIT_KEY'
const KEY = 'a test key that is long enough for HMAC-SHA256'
const ASOF = { asOf: '2026-11-24' }
const hmac = (text: string) => 'hmac-sha256:' + createHmac('sha256', Buffer.from(KEY, 'utf8')).update(text, 'utf8').digest('hex')

const cleanups: (() => void)[] = []
afterEach(() => {
  delete process.env[KEY_ENV]
  for (const c of cleanups.splice(0)) c()
})
function folder(mask = APPLICATION_MASK) {
  const f = maskedFolder(mask)
  cleanups.push(() => f.remove())
  return f
}
function collect() {
  const stream = new PassThrough()
  let text = ''
  stream.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')))
  return { stream, text: () => text }
}
function scratchFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'collabgate-mask-'))
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }))
  return join(dir, 'decisions.ndjson')
}
const nonUs = (): PolicyRecord => {
  const record = example('applications', 'complete-us-developer') as PolicyRecord & { applicant: { registration: { country: string } } }
  record.applicant.registration.country = 'CA'
  return record
}

describe('masking declared in collabgate.yaml', () => {
  it('redacts, hashes (HMAC-SHA256 with the key from the environment) and removes, on copies, and says what it masked', async () => {
    process.env[KEY_ENV] = KEY
    const set = await loadPolicies(folder().dir)
    const { stream, text } = collect()
    const record = example('applications', 'complete-us-developer') as PolicyRecord & {
      applicant: { legalName: string; contactEmail: string; registration: { country: string } }
      security: Record<string, unknown>
    }
    const before = JSON.stringify(record)
    const decision = await withAudit(set, createAuditLog(stream, { hmacKeyEnv: KEY_ENV })).decide(record, ASOF)
    const plain = await set.decide(record, ASOF)
    expect(JSON.stringify(decision)).toBe(JSON.stringify(plain)) // the decision is never changed by masking
    expect(JSON.stringify(record)).toBe(before) // nor the record
    const [entry] = validEntries(text())
    const applicant = entry!.facts.applicant as typeof record.applicant
    expect(applicant.legalName).toBe('[redacted]')
    expect(applicant.contactEmail).toBe(hmac(record.applicant.contactEmail))
    expect(applicant.registration.country).toBe(hmac('US'))
    expect(Object.hasOwn(entry!.facts.security as object, 'statement')).toBe(false)
    expect((entry!.facts.security as Record<string, unknown>).encryptionAtRest).toBe(record.security.encryptionAtRest)
    expect(entry!.masked).toEqual([
      { pointer: '/applicant/legalName', action: 'redact' },
      { pointer: '/applicant/contactEmail', action: 'hash' },
      { pointer: '/security/statement', action: 'remove' },
      { pointer: '/applicant/registration/country', action: 'hash' },
    ])
    for (const secret of [record.applicant.legalName, record.applicant.contactEmail, String(record.security.statement)])
      expect(text()).not.toContain(secret)
  })

  it('masks an evidence value read from a masked pointer the same way', async () => {
    process.env[KEY_ENV] = KEY
    const set = await loadPolicies(folder().dir)
    const { stream, text } = collect()
    const decision = await withAudit(set, createAuditLog(stream, { hmacKeyEnv: KEY_ENV })).decide(nonUs(), ASOF)
    const scope = decision.reasons.find((r) => r.rule === 'ONB-SCOPE-US')!
    expect(scope.evidence[0]).toMatchObject({ fact: 'applicant', path: '$.registration.country', actual: 'CA' })
    const [entry] = validEntries(text())
    const logged = entry!.reasons.find((r) => r.rule === 'ONB-SCOPE-US')!
    expect(logged.evidence[0]).toEqual({ ...scope.evidence[0], actual: hmac('CA') })
    expect(text()).not.toContain('"CA"')
  })

  it('masks inside an evidence value that holds a masked pointer, and removes list elements', () => {
    const decision = {
      policy: { id: 'p', version: '1.0.0', digest: 'sha256:' + '1'.repeat(64) },
      subject: { kind: 'application', id: 'A-1', schema: { version: '1.0.0', digest: 'sha256:' + '2'.repeat(64) } },
      outcome: 'reject',
      asOf: '2026-11-24',
      reasons: [
        {
          rule: 'R',
          outcome: 'reject',
          title: 't',
          message: 'm',
          source: { file: 'f', line: 1, column: 1 },
          basis: { status: 'confirmed', from: 'x' },
          evidence: [
            { fact: 'applicant', path: '$', operator: 'present', actual: { legalName: 'Secret Inc', years: 3 } },
            { fact: 'tags', path: '$', operator: 'contains', actual: ['a', 'b', 'c'] },
            { fact: 'applicant', path: '$.legalName', operator: 'present', missing: true },
          ],
        },
      ],
    } as unknown as Decision
    const record = { id: 'A-1', applicant: { legalName: 'Secret Inc', years: 3 }, tags: ['a', 'b', 'c'] }
    const parts = maskedParts(
      decision,
      record,
      ['id', 'applicant', 'tags'],
      [
        { pointer: '/applicant/legalName', action: 'remove' },
        { pointer: '/tags/1', action: 'remove' },
        { pointer: '/nowhere/at/all', action: 'hash' }, // a pointer to no value never applies, so needs no key
      ],
      undefined,
      KEY_ENV,
    )
    expect(parts.facts).toEqual({ id: 'A-1', applicant: { years: 3 }, tags: ['a', 'c'] })
    expect(parts.reasons[0]!.evidence.map((e) => e.actual)).toEqual([{ years: 3 }, ['a', 'c'], undefined])
    expect(parts.masked).toEqual([
      { pointer: '/applicant/legalName', action: 'remove' },
      { pointer: '/tags/1', action: 'remove' },
    ])
    expect(record).toEqual({ id: 'A-1', applicant: { legalName: 'Secret Inc', years: 3 }, tags: ['a', 'b', 'c'] })
  })

  it('durable: with no key for a hash, fails the decision with E_AUDIT_FAILED saying masking, and writes no line', async () => {
    const set = await loadPolicies(folder().dir)
    const file = scratchFile()
    const log = createAuditLog(file, { mode: 'durable', hmacKeyEnv: KEY_ENV })
    const audited = withAudit(set, log)
    const err = await audited.decide(example('applications', 'complete-us-developer'), ASOF).catch((e: unknown) => e)
    expect(err).toMatchObject({ code: 'E_AUDIT_FAILED', message: expect.stringMatching(/masked.*COLLABGATE_TEST_AUDIT_KEY/) })
    // a record kind without masking is still logged
    await audited.decide(example('behaviour', 'clean-developer'), ASOF)
    await log.close()
    const entries = validEntries(readFileSync(file, 'utf8'))
    expect(entries.map((e) => e.subjectKind)).toEqual(['behaviour'])
    expect(entries[0]!.seq).toBe(1)
    expect(log.health()).toMatchObject({ healthy: false, failed: 1, reason: expect.stringMatching(/masked/) })
  })

  it('buffered: with no key for a hash, drops the entry, counts it, and is unhealthy with the reason; decisions stand', async () => {
    const set = await loadPolicies(folder().dir)
    const file = scratchFile()
    const errors: Error[] = []
    const log = createAuditLog(file, { hmacKeyEnv: KEY_ENV, onError: (e) => errors.push(e) })
    const audited = withAudit(set, log)
    const decision = await audited.decide(example('applications', 'complete-us-developer'), ASOF)
    expect(decision.outcome).toBe('approve')
    await audited.decide(example('behaviour', 'clean-developer'), ASOF)
    await log.close()
    const entries = validEntries(readFileSync(file, 'utf8'))
    expect(entries.map((e) => e.subjectKind)).toEqual(['behaviour'])
    expect(readFileSync(file, 'utf8')).not.toContain('brightloop')
    expect(log.health()).toMatchObject({ healthy: false, dropped: 1, entries: 1, reason: expect.stringMatching(/masked/) })
    expect(errors).toHaveLength(1)
  })
})

describe('the store', () => {
  it('logs the facts its served set reads, masked as its folder declares', async () => {
    process.env[KEY_ENV] = KEY
    const { stream, text } = collect()
    const store = await watchPolicies(folder().dir, { watch: false, worker: false, audit: createAuditLog(stream, { hmacKeyEnv: KEY_ENV }) })
    const record = example('applications', 'complete-us-developer') as PolicyRecord & { applicant: { contactEmail: string } }
    await store.decide(record, { ...ASOF, decisionId: 'req-1' })
    store.close()
    const [entry] = validEntries(text())
    expect(entry).toMatchObject({ id: 'req-1', subject: record.applicationId, facts: { applicant: { legalName: '[redacted]' } } })
    expect((entry!.facts.applicant as { contactEmail: string }).contactEmail).toBe(hmac(record.applicant.contactEmail))
    expect(entry!.masked).toHaveLength(4)
  })
})

describe('audit.mask in collabgate.yaml', () => {
  it('names a pointer to no field, a wrong action, a pointer given twice and one that is no pointer, at file:line', async () => {
    const f = folder(
      [
        '        - { pointer: /applicant/legalNmae, action: redact }',
        '        - { pointer: /applicant/contactEmail, action: scramble }',
        '        - { pointer: /security/statement, action: remove }',
        '        - { pointer: /security/statement, action: redact }',
        '        - { pointer: applicant, action: redact }',
        '',
      ].join('\n'),
    )
    const text = f.read('collabgate.yaml')
    const lineOf = (needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1
    const { problems } = await checkPolicies(f.dir)
    const found = problems.map((p) => ({ code: p.code, line: p.line, message: p.message }))
    expect(found).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ code: 'E_SCHEMA', line: lineOf('scramble') }),
        expect.objectContaining({ code: 'E_SCHEMA', line: lineOf('pointer: applicant,') }),
      ]),
    )
    expect(problems.every((p) => p.file.endsWith('collabgate.yaml'))).toBe(true)
    // the shape is checked first; with it right, the pointers are checked against the record schema
    const g = folder(
      [
        '        - { pointer: /applicant/legalNmae, action: redact }',
        '        - { pointer: /security/statement, action: remove }',
        '        - { pointer: /security/statement, action: redact }',
        '',
      ].join('\n'),
    )
    const gText = g.read('collabgate.yaml')
    const gLine = (needle: string) => gText.split('\n').findIndex((l) => l.includes(needle)) + 1
    const second = (await checkPolicies(g.dir)).problems.map((p) => ({ code: p.code, line: p.line, message: p.message }))
    expect(second).toEqual([
      { code: 'E_UNKNOWN_PATH', line: gLine('legalNmae'), message: expect.stringContaining('/applicant/legalNmae leads to no field') },
      { code: 'E_SCHEMA', line: gLine('/security/statement, action: redact'), message: expect.stringContaining('twice') },
    ])
  })

  it('is part of the declaration: the subjects carry it, and a folder with it decides as one without', async () => {
    const f = folder()
    const { subjects, problems } = await checkPolicies(f.dir)
    expect(problems).toEqual([])
    expect(subjects.find((s) => s.name === 'application')!.audit!.mask).toHaveLength(4)
    expect(subjects.find((s) => s.name === 'behaviour')!.audit).toBeUndefined()
  })
})

describe('masking a derived fact', () => {
  const decision = {
    reasons: [
      {
        rule: 'ONB-STRENGTH',
        outcome: 'manual_review',
        evidence: [
          {
            fact: 'clientsServed',
            path: '$',
            operator: 'greaterThanInclusive',
            expected: 50,
            actual: 49,
            computed: 'sum(applicant.clientsServed.sellers 25, applicant.clientsServed.creators 24) = 49',
          },
        ],
      },
    ],
  } as unknown as Decision
  const record = { applicationId: 'A-1', applicant: { clientsServed: { sellers: 25, creators: 24 } } } as PolicyRecord

  it('drops how it was computed (its inputs) when the kind masks anything, or the mask is unknown', () => {
    const masked = maskedParts(
      decision,
      record,
      ['applicant'],
      [{ pointer: '/applicant/clientsServed/sellers', action: 'redact' }],
      undefined,
      'K',
    )
    expect(masked.reasons[0]!.evidence).toEqual([
      { fact: 'clientsServed', path: '$', operator: 'greaterThanInclusive', expected: 50, actual: 49 },
    ])
    const unknown = maskedParts(decision, record, undefined, undefined, undefined, 'K')
    expect(unknown.reasons[0]!.evidence[0]).not.toHaveProperty('computed')
    expect(unknown.reasons[0]!.evidence[0]).not.toHaveProperty('actual')
  })

  it('keeps it when the kind masks nothing', () => {
    const plain = maskedParts(decision, record, ['applicant'], [], undefined, 'K')
    expect(plain.reasons[0]!.evidence[0]).toHaveProperty('computed', decision.reasons[0]!.evidence[0]!.computed)
  })
})
