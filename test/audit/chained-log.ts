/** Format-2 log lines built by hand from the shared contract (src/audit/chain.ts), independent of the writer. */
import { generateKeyPairSync, type KeyObject } from 'node:crypto'
import { AUDIT_ENTRY_VERSION, formatCheckpoint, GENESIS, lineHash, signCheckpoint } from '../../src/audit/chain.js'
import { factsRead } from '../../src/decide/reads.js'
import type { Decision, PolicyRecord, PolicySet } from '../../src/index.js'

/** An entry's content without the chain fields (v, seq, prev), which chainLines adds. */
export type EntryBody = Record<string, unknown>

/** A plausible entry body, numbered n. */
export const body = (n: number): EntryBody => ({
  id: `0190a000-0000-7000-8000-${String(n).padStart(12, '0')}`,
  time: `2026-11-24T12:00:${String(n % 60).padStart(2, '0')}.000Z`,
  policy: 'creator-collaboration.us.termination',
  version: '1.0.0',
  digest: 'sha256:' + 'a'.repeat(64),
  subjectKind: 'behaviour',
  subject: `DEV-${n}`,
  outcome: 'no_action',
  rules: [],
  asOf: '2026-11-24',
})

/** Where a chain goes on from: the seq and line hash of the entry before. */
export type ChainHead = { seq: number; prev: string }

/** Lines of a chain: each entry gets v, seq and prev (GENESIS, or `from` to continue another file's chain). */
export function chainLines(bodies: readonly EntryBody[], from: ChainHead = { seq: 0, prev: GENESIS }): string[] {
  const lines: string[] = []
  let prev = from.prev
  bodies.forEach((b, i) => {
    const line = JSON.stringify({ v: AUDIT_ENTRY_VERSION, seq: from.seq + i + 1, ...b, prev })
    lines.push(line)
    prev = lineHash(line)
  })
  return lines
}

export const ndjson = (lines: readonly string[]): string => lines.map((l) => l + '\n').join('')

export function keyPair(): { privateKey: KeyObject; publicKey: KeyObject; publicPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519')
  return { privateKey, publicKey, publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() }
}

/** A checkpoints-file line for the chain's first `size` lines. */
export function checkpointLine(lines: readonly string[], size: number, key: KeyObject, origin = 'example/log'): string {
  const time = '2026-11-24T12:00:00.000Z'
  return formatCheckpoint(signCheckpoint({ origin, size, head: lineHash(lines[size - 1]!), time }, key))
}

/**
 * The format-2 entry body the contract describes for a decision (without v, seq, prev): facts are the
 * record's top-level fields the deciding version reads, plus the id field.
 */
export function entryBody(set: PolicySet, decision: Decision, record: PolicyRecord, n: number): EntryBody {
  const policy = set.select(decision.policy.id, decision.asOf, decision.policy.version)
  const facts: Record<string, unknown> = {}
  for (const fact of factsRead(policy)) if (Object.hasOwn(record, fact)) facts[fact] = record[fact]
  return {
    ...body(n),
    policy: decision.policy.id,
    version: decision.policy.version,
    digest: decision.policy.digest,
    subjectKind: decision.subject.kind,
    subject: decision.subject.id,
    outcome: decision.outcome,
    rules: decision.reasons.map((r) => r.rule),
    asOf: decision.asOf,
    schema: decision.subject.schema,
    reasons: decision.reasons.map((r) => ({ rule: r.rule, outcome: r.outcome, evidence: r.evidence })),
    facts,
  }
}
