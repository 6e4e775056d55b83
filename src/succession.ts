/**
 * Version succession: a policy version is in effect from its `effective.from` until the next
 * version's `from` (of the same id); an explicit `until` only ends a version earlier, which is how a
 * policy with no successor is retired. Releasing a successor therefore never touches the released file.
 */
import type { Policy } from './model.js'
import { compareText } from './order.js'

/** The first day each version is no longer in effect (undefined: open-ended), given its successors. */
export function effectiveEnds(policies: readonly Policy[]): Map<Policy, string | undefined> {
  const ends = new Map<Policy, string | undefined>()
  const byId = new Map<string, Policy[]>()
  for (const p of policies) byId.set(p.id, [...(byId.get(p.id) ?? []), p])
  for (const versions of byId.values()) {
    const sorted = [...versions].sort((a, b) => compareText(a.effective.from, b.effective.from))
    sorted.forEach((p, i) => {
      const next = sorted[i + 1]?.effective.from
      const until = p.effective.until
      ends.set(p, until === undefined ? next : next === undefined || until < next ? until : next)
    })
  }
  return ends
}

/** Whether a version is in effect on `asOf`, given where it ends. */
export const inEffectOn = (p: Policy, end: string | undefined, asOf: string): boolean =>
  p.effective.from <= asOf && (end === undefined || asOf < end)
