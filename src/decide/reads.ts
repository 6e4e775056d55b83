/**
 * The record fields a policy version reads: what the decision log keeps of a record so the same case
 * can be decided again, and nothing more.
 */
import { AS_OF_FACT, isListMatch } from '../language/operators.js'
import type { Condition, MaskRule, Policy } from '../model.js'

/** Adds the top-level facts a condition names: its leaves, date operands, and list matches' element conditions. */
function collect(c: Condition, out: Set<string>): void {
  if ('all' in c) return c.all.forEach((x) => collect(x, out))
  if ('any' in c) return c.any.forEach((x) => collect(x, out))
  if ('not' in c) return collect(c.not, out)
  if (c.fact !== undefined) out.add(c.fact)
  if (isListMatch(c.operator)) return collect(c.value as Condition, out)
  const operand = (v: unknown): void => {
    // only a date operand is an object with facts: other values are scalars or lists of them
    if (!v || typeof v !== 'object' || Array.isArray(v)) return
    const o = v as { fact?: unknown; to?: unknown }
    if (typeof o.fact === 'string') out.add(o.fact)
    operand(o.to)
  }
  operand(c.value)
}

/**
 * The record's top-level fields that a policy version reads (every fact its rules, review clock and
 * appliesTo name), with the record kind's id field, sorted; `asOf` is the caller's date, not a field.
 */
export function factsRead(policy: Policy): string[] {
  const out = new Set<string>([policy.record.idField])
  for (const rule of policy.rules) for (const check of rule.checks) collect(check.require, out)
  if (policy.review) {
    out.add(policy.review.from.fact)
    collect(policy.review.decided, out)
  }
  if (policy.appliesTo) collect(policy.appliesTo, out)
  // a derived fact is no field of the record: what it is computed from is
  for (const f of policy.derived ?? []) {
    out.delete(f.name)
    for (const o of f.operands) if (typeof o !== 'number') out.add(o.fact)
    if (f.where) collect(f.where, out)
  }
  for (const f of policy.derived ?? []) out.delete(f.name)
  out.delete(AS_OF_FACT)
  return [...out].sort()
}

/** What the decision log needs to know of the policy version behind a decision (PolicySet.auditContext). */
export interface DecisionSource {
  /** The lock's release of the folder that decided (absent when the set had no lock). */
  release?: number
  /** The record's top-level fields the deciding policy version reads, its kind's id field included (factsRead). */
  reads: readonly string[]
  /** The record kind's masking, as its folder declares it. */
  mask?: readonly MaskRule[]
}
