/** Evidence about a derived fact says how it was computed for the record (`sum(a 30, b 30) = 60`). */
import { compileElementTest } from '../compile/closures.js'
import { deriverOf } from '../compile/derived.js'
import type { Evidence, Policy, PolicyRecord } from '../model.js'

/** One shared no-op for the policies without derived facts: no closure made per decision. */
const addNothing = (): void => undefined

/**
 * For one decision: adds `computed` to each piece of evidence that reads a derived fact. The facts are traced once per
 * decision, and only when some evidence reads one; a policy without derived facts is left alone.
 */
export function computedFor(policy: Policy, record: PolicyRecord, asOf: string): (evidence: Evidence[]) => void {
  const derived = policy.derived
  if (!derived) return addNothing
  const names = new Set(derived.map((f) => f.name))
  let traces: ReadonlyMap<string, string> | undefined
  return (evidence) => {
    for (const e of evidence) {
      if (!names.has(e.fact)) continue
      traces ??= deriverOf(policy, compileElementTest).traces(record, asOf)
      const how = traces.get(e.fact)
      if (how !== undefined) e.computed = how
    }
  }
}
