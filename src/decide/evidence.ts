import type { ConditionResult } from '../compile/result.js'
import type { Check, Evidence, ExplainedCondition, LeafCondition, Rule, RuleExplanation } from '../model.js'
import { isListMatch, ITEM_FACT } from '../language/operators.js'

/** A list element as evidence: its `id` when it has one, else the element itself. */
export function elementRef(item: unknown): unknown {
  // text, numbers, booleans, null and undefined have no own id: no boxing for them (the common element)
  if (item === null || (typeof item !== 'object' && typeof item !== 'function')) return item
  // an own `id` of an object that is not a list: Object() boxes text and numbers (which have no own id) and
  // makes an empty object of null and undefined; an inherited id (a polluted prototype) is not the element's
  const id = !Array.isArray(item) && Object.hasOwn(Object(item), 'id') ? (item as { id: unknown }).id : undefined
  return typeof id === 'string' || typeof id === 'number' ? id : item
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

/** A condition tree as an explain trace shows it: groups with their members, comparisons with their values. */
export function explainedOf(result: ConditionResult): ExplainedCondition {
  if (result.kind === 'group')
    return { group: result.op, passed: result.passed, conditions: result.children.map(explainedOf) }
  const { leaf, actual, expected, passed } = result
  const isList = isListMatch(leaf.operator)
  const out: ExplainedCondition = {
    fact: leaf.fact ?? ITEM_FACT,
    path: leaf.path ?? '$',
    operator: leaf.operator,
    passed,
  }
  const exp = isList ? leaf.value : expected
  if (exp !== undefined) out.expected = exp
  if (actual === undefined || actual === null) out.missing = true
  else out.actual = isList && Array.isArray(actual) ? actual.map(elementRef) : actual
  return out
}

/** Every rule of a policy explained: each check passed or not, with its condition's values. */
export function explanationOf(
  explained: readonly { rule: Rule; checks: readonly { check: Check; tree: ConditionResult }[] }[],
): RuleExplanation[] {
  return explained.map(({ rule, checks }) => {
    // a lone comparison is compiled inside an `all` of one
    // (json-rules-engine wants a group): show the comparison itself
    // (read as a group: a leaf has no `op`, so it is never unwrapped)
    const root = (tree: ConditionResult) => {
      const g = tree as Extract<ConditionResult, { kind: 'group' }>
      return g.op === 'all' && g.children.length === 1 ? g.children[0]! : tree
    }
    const out = checks.map(({ check, tree }) => ({
      outcome: check.outcome,
      passed: tree.passed,
      condition: explainedOf(root(tree)),
    }))
    return { rule: rule.id, title: rule.title, passed: out.every((c) => c.passed), checks: out, source: rule.location }
  })
}
