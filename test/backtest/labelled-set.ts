/**
 * A labelled decision log built by hand for acme.onboarding (test/fixtures/authoring/versions), 1.0.0 against 1.1.0.
 *
 * 1.0.0 rules: ONB-SCOPE-US (reject), ONB-BUSINESS-VERIFIED (needs_information), ONB-STRENGTH (years ≥ 1,
 * manual_review), ONB-API-SCOPES (manual_review). 1.1.0: the same first two, ONB-STRENGTH at years ≥ 2, and
 * ONB-TECH-SECURITY (encryption at rest, manual_review) instead of ONB-API-SCOPES.
 *
 * Record types, with what 1.0.0 → 1.1.0 decide:
 *   A clean                         approve → approve
 *   B registered in CA              reject [SCOPE-US] → reject [SCOPE-US]
 *   C business not verified         needs_information [BV] → needs_information [BV]
 *   D a non-affiliate scope         manual_review [API-SCOPES] → approve
 *   E no encryption at rest         approve → manual_review [TECH-SECURITY]
 *   F 1.5 years in operation        approve → manual_review [STRENGTH]
 *   G CA and not verified           reject [SCOPE-US, BV] → reject [SCOPE-US, BV]
 */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadPolicies, type PolicySet } from '../../src/index.js'
import { factsRead } from '../../src/decide/reads.js'
import { chainLines, ndjson, type EntryBody } from '../audit/chained-log.js'
import { AUTHORING, ROOT } from '../cli/run-cli.js'

export const FOLDER = join(ROOT, AUTHORING, 'versions')
export const POLICY = 'acme.onboarding'
export const OUTCOMES = ['reject', 'needs_information', 'manual_review', 'approve'] as const
export const NOW = '2025-03-31'
export const MATURE = '2025-03-01'

type Kind = 'A' | 'B' | 'C' | 'D' | 'E' | 'F' | 'G'

export function record(kind: Kind, id: string): Record<string, unknown> {
  const r = {
    applicationId: id,
    category: 'creator_collaboration',
    submittedAt: '2025-02-20',
    applicant: { legalName: 'Acme Labs', registration: { country: kind === 'B' || kind === 'G' ? 'CA' : 'US' }, yearsInOperation: 3 },
    account: { type: 'app_developer', businessVerified: !(kind === 'C' || kind === 'G') },
    product: { name: 'Acme', requestedScopes: kind === 'D' ? ['admin'] : ['affiliate_seller'] },
    security: { encryptionAtRest: kind !== 'E' },
  }
  if (kind === 'F') r.applicant.yearsInOperation = 1.5
  return r
}

export interface LabelledSet {
  set: PolicySet
  dir: string
  log: string
  labelsCsv: string
  labelsNdjson: string
  /** Log lines, to tamper with. */
  lines: string[]
}

const decisionId = (n: number) => `0190a000-0000-7000-8000-${String(n).padStart(12, '0')}`

export async function labelledSet(): Promise<LabelledSet> {
  const set = await loadPolicies(FOLDER, { lock: false })
  const v1 = set.select(POLICY, NOW, '1.0.0')
  const bodies: EntryBody[] = []
  const csv = ['decision,subject,outcome,note']
  const json: string[] = []
  const entry = (facts: Record<string, unknown>, more: EntryBody = {}): string => {
    const n = bodies.length + 1
    bodies.push({
      id: decisionId(n),
      time: `${MATURE}T12:00:00.000Z`,
      policy: POLICY,
      version: '1.0.0',
      digest: v1.digest,
      subjectKind: 'application',
      subject: String(facts['applicationId'] ?? `APP-${n}`),
      outcome: 'approve',
      rules: [],
      asOf: MATURE,
      facts,
      ...more,
    })
    return decisionId(n)
  }
  const byDecision = (id: string, outcome: string) => {
    csv.push(`${id},,${outcome},"by decision, ""quoted"""`)
    json.push(JSON.stringify({ decision: id, outcome }))
  }
  const bySubject = (subject: string, outcome: string) => {
    csv.push(`,${subject},${outcome},`)
    json.push(JSON.stringify({ subject, outcome }))
  }
  // 16 used entries: each 1.0.0 outcome (B, C, D, A) labelled with each of the four outcomes
  for (const kind of ['B', 'C', 'D', 'A'] as const)
    for (const label of OUTCOMES) byDecision(entry(record(kind, `APP-${kind}-${label}`)), label)
  // 3 more used entries, labelled by subject
  entry(record('E', 'APP-E'))
  bySubject('APP-E', 'manual_review')
  entry(record('F', 'APP-F'))
  bySubject('APP-F', 'approve')
  entry(record('G', 'APP-G'))
  bySubject('APP-G', 'reject')
  // one entry left out for each reason a verified log can have
  entry(record('A', 'APP-X-NOT-AN-ENTRY'), { asOf: undefined })
  entry(record('A', 'APP-X-OTHER'), { policy: 'acme.other' })
  byDecision(entry(record('A', 'APP-X-IMMATURE'), { asOf: '2025-03-25' }), 'approve')
  entry(record('A', 'APP-X-UNLABELLED'))
  byDecision(entry({}, { subject: 'APP-X-NO-FACTS' }), 'approve')
  byDecision(entry(record('A', 'APP-X-VERSION'), { version: '0.9.0' }), 'approve')
  const logged = record('A', 'APP-X-NOT-LOGGED')
  const kept = Object.fromEntries(factsRead(v1).map((f) => [f, logged[f]]))
  byDecision(entry(kept), 'approve')
  const masked = [{ pointer: '/applicant/registration/country', action: 'redact' }]
  byDecision(entry(record('A', 'APP-X-MASKED'), { masked }), 'approve')
  const bad = record('A', 'APP-X-INVALID')
  ;(bad['applicant'] as Record<string, unknown>)['yearsInOperation'] = 'three'
  byDecision(entry(bad), 'approve')
  // a store's shadow decision of the first entry: counting it would count that decision twice
  const shadowOf = { id: decisionId(1), version: '1.0.0', digest: v1.digest, outcome: 'reject', rules: ['ONB-SCOPE-US'] }
  byDecision(entry(record('B', 'APP-B-reject'), { shadowOf }), 'reject')
  const dir = mkdtempSync(join(tmpdir(), 'collabgate-backtest-'))
  const lines = chainLines(bodies.map((b) => JSON.parse(JSON.stringify(b)) as EntryBody))
  const log = join(dir, 'decisions.ndjson')
  writeFileSync(log, ndjson(lines))
  const labelsCsv = join(dir, 'labels.csv')
  writeFileSync(labelsCsv, csv.join('\r\n') + '\r\n')
  const labelsNdjson = join(dir, 'labels.ndjson')
  writeFileSync(labelsNdjson, json.join('\n') + '\n')
  return { set, dir, log, labelsCsv, labelsNdjson, lines }
}
