/**
 * Masking of what a decision log entry keeps of a record: the facts the policy read and the values its
 * evidence quotes. Works on copies (copy-on-write along each pointer), so neither the record nor the
 * decision changes, and fails closed: a value that cannot be masked throws, and the entry is not written.
 */
import { createHmac } from 'node:crypto'
import { CollabgateError } from '../errors.js'
import { parsePath } from '../language/paths.js'
import type { Decision, Evidence, MaskAction, MaskRule, PolicyRecord } from '../model.js'
import { canonicalize } from '../release/canonical.js'
import { pointerSegments } from '../validate/folder.js'

/** What replaces a redacted value. */
export const REDACTED = '[redacted]'

/** One reason of an entry: the rule, its outcome and its evidence (actual values masked). */
export interface AuditReason {
  rule: string
  outcome: string
  evidence: Evidence[]
}

/** A pointer the entry's masking applied, with its action. */
export interface AppliedMask {
  pointer: string
  action: MaskAction
}

type Container = Record<string, unknown> | unknown[]

const isContainer = (v: unknown): v is Container => v !== null && typeof v === 'object'
const own = (c: Container, key: string): boolean =>
  Array.isArray(c) ? /^(0|[1-9][0-9]*)$/.test(key) && Number(key) < c.length : Object.hasOwn(c, key)
// spread defines own fields, so a key `__proto__` is copied as a field and never sets the prototype
const copyOf = (c: Container): Container => (Array.isArray(c) ? c.slice() : { ...c })
/** Sets an own field; `__proto__` as a field (plain assignment would set the prototype). */
function put(c: Container, key: string, value: unknown): void {
  if (key === '__proto__')
    Object.defineProperty(c, key, { value, enumerable: true, writable: true, configurable: true })
  else (c as Record<string, unknown>)[key] = value
}

/** The masked form of one value; throws (E_AUDIT_FAILED) when it must be hashed and the log has no key. */
function maskedValue(
  value: unknown,
  action: Exclude<MaskAction, 'remove'>,
  key: Buffer | undefined,
  keyEnv: string,
): string {
  if (action === 'redact') return REDACTED
  if (!key)
    throw new CollabgateError(
      'E_AUDIT_FAILED',
      `the audit entry could not be masked: a mask rule hashes a value and ${keyEnv} held no HMAC key ` +
        'when the log was created',
    )
  // text is hashed as its UTF-8 bytes, so other systems can join on it; any other value as its canonical JSON
  const text = typeof value === 'string' ? value : canonicalize(value)
  return 'hmac-sha256:' + createHmac('sha256', key).update(text, 'utf8').digest('hex')
}

/**
 * Applies one rule at `segments` below `root` (already a copy), copying each container on the way;
 * returns whether the value was there.
 */
function applyAt(
  root: Container,
  segments: readonly string[],
  action: MaskAction,
  key: Buffer | undefined,
  keyEnv: string,
): boolean {
  let parent = root
  for (let i = 0; i < segments.length - 1; i++) {
    const seg = segments[i]!
    if (!own(parent, seg)) return false
    const child = (parent as Record<string, unknown>)[seg]
    if (!isContainer(child)) return false
    const copy = copyOf(child)
    put(parent, seg, copy)
    parent = copy
  }
  const last = segments[segments.length - 1]!
  if (!own(parent, last)) return false
  const value = (parent as Record<string, unknown>)[last]
  if (action === 'remove') {
    if (Array.isArray(parent)) parent.splice(Number(last), 1)
    else delete parent[last]
  } else put(parent, last, maskedValue(value, action, key, keyEnv))
  return true
}

/** The record's fields named in `reads` (own fields only), as a fresh object the masking may change. */
export function factsOf(record: PolicyRecord, reads: readonly string[]): Record<string, unknown> {
  // a plain object (JSON.stringify's fast path); put() keeps a field named __proto__ a field
  const facts: Record<string, unknown> = {}
  for (const name of reads)
    if (Object.hasOwn(record, name) && record[name] !== undefined) put(facts, name, record[name])
  return facts
}

/** The pointer of an evidence's value (fact and path), as segments; undefined when its path is not one we read. */
function evidenceSegments(e: Evidence): string[] | undefined {
  const path = parsePath(e.path)
  return path ? [e.fact, ...path.map(String)] : undefined
}

/**
 * An evidence's `actual` masked by the rules that reach it; without rules known (`rules` undefined), no actual at
 * all.
 */
function maskEvidence(
  e: Evidence,
  rules: readonly { rule: MaskRule; segments: string[] }[] | undefined,
  key: Buffer | undefined,
  keyEnv: string,
  applied: Set<MaskRule>,
): Evidence {
  // a derived fact's computation quotes its inputs' values: a log that masks anything (or cannot tell) drops it
  if (e.computed !== undefined && (!rules || rules.length > 0)) {
    const plain = { ...e }
    delete plain.computed
    return maskEvidence(plain, rules, key, keyEnv, applied)
  }
  if (e.actual === undefined) return e
  const { actual, ...rest } = e
  // a decision the log cannot trace to its policy's mask keeps no record value at all
  if (!rules) return rest
  if (rules.length === 0) return e
  const at = evidenceSegments(e)
  if (!at) return rest
  const holder: Record<string, unknown> = { actual }
  for (const { rule, segments } of rules) {
    const common = Math.min(segments.length, at.length)
    let same = true
    for (let i = 0; i < common && same; i++) same = segments[i] === at[i]
    if (!same) continue
    // the rule's pointer holds the evidence's value (mask it whole), or lies inside it (mask that part of a copy)
    const inside = segments.length <= at.length ? ['actual'] : ['actual', ...segments.slice(at.length)]
    if (applyAt(holder, inside, rule.action, key, keyEnv)) applied.add(rule)
  }
  return Object.hasOwn(holder, 'actual') ? { ...rest, actual: holder.actual } : rest
}

/** The parts of an entry that hold record data, masked: the facts read, the reasons' evidence, and what was masked. */
export function maskedParts(
  decision: Decision,
  record: PolicyRecord,
  reads: readonly string[] | undefined,
  mask: readonly MaskRule[] | undefined,
  key: Buffer | undefined,
  keyEnv: string,
): { facts: Record<string, unknown>; reasons: AuditReason[]; masked: AppliedMask[] } {
  const facts = reads ? factsOf(record, reads) : {}
  const rules = reads ? (mask ?? []).map((rule) => ({ rule, segments: pointerSegments(rule.pointer) })) : undefined
  const applied = new Set<MaskRule>()
  for (const r of rules ?? []) if (applyAt(facts, r.segments, r.rule.action, key, keyEnv)) applied.add(r.rule)
  const reasons = decision.reasons.map((r) => ({
    rule: r.rule,
    outcome: r.outcome,
    evidence: r.evidence.map((e) => maskEvidence(e, rules, key, keyEnv, applied)),
  }))
  const masked = (mask ?? []).filter((m) => applied.has(m)).map((m) => ({ pointer: m.pointer, action: m.action }))
  return { facts, reasons, masked }
}
