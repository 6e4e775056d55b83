/** Evidence about a derived fact says how it was computed for the record (`sum(a 30, b 30) = 60`). */
import { compileElementTest } from '../compile/closures.js'
import { deriverOf } from '../compile/derived.js'
import type { Evidence, Policy, PolicyRecord } from '../model.js'

/** Adds `computed` to each piece of evidence that reads a derived fact; a policy without any is left alone. */
export function addComputed(policy: Policy, record: PolicyRecord, asOf: string, evidence: Evidence[]): void {
  if (!policy.derived) return
  const deriver = deriverOf(policy, compileElementTest)
  for (const e of evidence) {
    const how = deriver.describe(record, asOf, e.fact)
    if (how !== undefined) e.computed = how
  }
}
