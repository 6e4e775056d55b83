import type { ConditionResult } from '../compile/result.js'
import type { Evidence, LeafCondition } from '../model.js'
import { isListMatch, ITEM_FACT } from '../language/operators.js'

/** A list element as evidence: its `id` when it has one, else the element itself. */
export function elementRef(item: unknown): unknown {
  if (item && typeof item === 'object' && !Array.isArray(item)) {
    const id = (item as Record<string, unknown>).id
    if (typeof id === 'string' || typeof id === 'number') return id
  }
  return item
}

function leafEvidence(leaf: LeafCondition, actual: unknown, expected: unknown, negated: boolean): Evidence {
  const isList = isListMatch(leaf.operator)
  const e: Evidence = {
    fact: leaf.fact ?? ITEM_FACT,
    path: leaf.path ?? '$',
    operator: negated ? `not ${leaf.operator}` : leaf.operator,
  }
  const exp = isList ? leaf.value : expected
  if (exp !== undefined) e.expected = exp
  if (actual === undefined || actual === null) e.missing = true
  else e.actual = isList && Array.isArray(actual) ? actual.map(elementRef) : actual
  if (negated) e.negated = true
  return e
}

/**
 * The comparisons that made a condition fail: in a failed `all` the failing members, in a failed
 * `any` every member, under a `not` the comparisons that held.
 */
export function evidenceOf(result: ConditionResult, negated = false, out: Evidence[] = []): Evidence[] {
  const wanted = negated // under `not`, the nodes that passed explain the failure
  if (result.kind === 'leaf') {
    if (result.passed === wanted) out.push(leafEvidence(result.leaf, result.actual, result.expected, negated))
    return out
  }
  if (result.op === 'not') {
    for (const child of result.children) evidenceOf(child, !negated, out)
    return out
  }
  for (const child of result.children) if (child.passed === wanted) evidenceOf(child, negated, out)
  return out
}
