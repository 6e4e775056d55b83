/**
 * A rule-level diff between two policy versions: what a reviewer of a policy change needs to see
 * (which rules were added, removed or changed, and how), not a line diff of the YAML.
 */
import type { Check, Condition, Policy, Rule } from '../model.js'
import { canonicalJson } from '../validate/policy.js'
import { isListMatch } from '../language/operators.js'

export interface PolicyDiffSide {
  id: string
  version: string
  digest: string
  file: string
}

/** A changed top-level field of the policy (effective window, outcomes, default, ...). */
export interface FieldChange {
  field: string
  before: unknown
  after: unknown
}

/** One line of a condition diff: ' ' kept, '-' removed, '+' added. */
export interface DiffLine {
  op: ' ' | '-' | '+'
  text: string
}

export type RuleChangeField = 'title' | 'source' | 'outcome' | 'conditions' | 'message' | 'checks'

export interface RuleFieldChange {
  field: RuleChangeField
  /** Index of the check, for rules with graded checks. */
  check?: number
  before: unknown
  after: unknown
  /** For conditions and checks: the change as a line diff of the rendered condition tree. */
  lines?: DiffLine[]
}

export interface RuleSummary {
  id: string
  title: string
  /** The outcomes the rule can cause, in check order. */
  outcomes: string[]
  /** Each check's condition, as the lines `conditionLines` gives: what a reviewer reads of a rule added or removed. */
  conditions: string[][]
}

export interface RuleChange {
  id: string
  title: string
  changes: RuleFieldChange[]
}

export interface PolicyDiff {
  old: PolicyDiffSide
  new: PolicyDiffSide
  /** Same digest: the two documents hold the same content. */
  identical: boolean
  fields: FieldChange[]
  rules: {
    added: RuleSummary[]
    removed: RuleSummary[]
    changed: RuleChange[]
    unchanged: string[]
    /** The shared rules appear in a different order (which changes the order of reasons). */
    reordered: boolean
  }
}

const same = (a: unknown, b: unknown) => canonicalJson(a) === canonicalJson(b)

const side = (p: Policy): PolicyDiffSide => ({ id: p.id, version: p.version, digest: p.digest, file: p.location.file })

const summary = (r: Rule): RuleSummary => ({
  id: r.id,
  title: r.title,
  outcomes: r.checks.map((c) => c.outcome),
  conditions: r.checks.map((c) => conditionLines(c.require)),
})

/** Renders a condition tree as indented lines, one comparison a line, so changes diff line by line. */
export function conditionLines(c: Condition, indent = ''): string[] {
  if ('all' in c) return [`${indent}all of:`, ...c.all.flatMap((x) => conditionLines(x, indent + '  '))]
  if ('any' in c) return [`${indent}any of:`, ...c.any.flatMap((x) => conditionLines(x, indent + '  '))]
  if ('not' in c) return [`${indent}not:`, ...conditionLines(c.not, indent + '  ')]
  const target = [c.fact, c.path && c.path !== '$' ? c.path : undefined].filter((s) => s !== undefined).join(' ')
  if (isListMatch(c.operator) && c.value && typeof c.value === 'object') {
    return [`${indent}${target} ${c.operator}:`, ...conditionLines(c.value as Condition, indent + '  ')]
  }
  return [`${indent}${target} ${c.operator}${'value' in c ? ' ' + JSON.stringify(c.value) : ''}`]
}

const checkLines = (c: Check): string[] => [
  `[${c.outcome}]`,
  ...conditionLines(c.require, '  '),
  `  message: ${c.message}`,
]

/** Longest-common-subsequence line diff; inputs are small (one rule's conditions). */
export function diffLines(before: readonly string[], after: readonly string[]): DiffLine[] {
  const n = before.length
  const m = after.length
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0))
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i]![j] = before[i] === after[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!)
    }
  }
  const out: DiffLine[] = []
  let i = 0
  let j = 0
  while (i < n || j < m) {
    if (i < n && j < m && before[i] === after[j]) {
      out.push({ op: ' ', text: before[i]! })
      i++
      j++
    } else if (i < n && (j === m || lcs[i + 1]![j]! >= lcs[i]![j + 1]!)) {
      out.push({ op: '-', text: before[i]! })
      i++
    } else {
      out.push({ op: '+', text: after[j]! })
      j++
    }
  }
  return out
}

function diffRule(a: Rule, b: Rule): RuleFieldChange[] {
  const changes: RuleFieldChange[] = []
  if (a.title !== b.title) changes.push({ field: 'title', before: a.title, after: b.title })
  if (!same(a.basis, b.basis)) changes.push({ field: 'source', before: a.basis, after: b.basis })
  if (a.checks.length !== b.checks.length) {
    changes.push({
      field: 'checks',
      before: a.checks.map((c) => ({ outcome: c.outcome, require: c.require, message: c.message })),
      after: b.checks.map((c) => ({ outcome: c.outcome, require: c.require, message: c.message })),
      lines: diffLines(a.checks.flatMap(checkLines), b.checks.flatMap(checkLines)),
    })
    return changes
  }
  const graded = a.checks.length > 1
  a.checks.forEach((ca, i) => {
    const cb = b.checks[i]!
    const at = graded ? { check: i } : {}
    if (ca.outcome !== cb.outcome) changes.push({ field: 'outcome', ...at, before: ca.outcome, after: cb.outcome })
    if (!same(ca.require, cb.require)) {
      changes.push({
        field: 'conditions',
        ...at,
        before: ca.require,
        after: cb.require,
        lines: diffLines(conditionLines(ca.require), conditionLines(cb.require)),
      })
    }
    if (ca.message !== cb.message) changes.push({ field: 'message', ...at, before: ca.message, after: cb.message })
  })
  return changes
}

/** Compares two policy versions (usually two versions of one id) rule by rule. */
export function diffPolicies(before: Policy, after: Policy): PolicyDiff {
  const fields: FieldChange[] = []
  const field = (name: string, a: unknown, b: unknown) => {
    if (!same(a ?? null, b ?? null)) fields.push({ field: name, before: a ?? null, after: b ?? null })
  }
  field('id', before.id, after.id)
  field('version', before.version, after.version)
  field('title', before.title, after.title)
  field('description', before.description, after.description)
  field('subject', before.subject, after.subject)
  field('primary', before.primary, after.primary)
  field('effective', before.effective, after.effective)
  field('outcomes', before.outcomes, after.outcomes)
  field('default', before.defaultOutcome, after.defaultOutcome)
  field('review', before.review, after.review)
  field(
    'recordSchema',
    `${before.record.subject}@${before.record.schema.version}`,
    `${after.record.subject}@${after.record.schema.version}`,
  )
  field('calendar', before.calendar, after.calendar)
  field('appliesTo', before.appliesTo, after.appliesTo)

  const oldIds = new Map(before.rules.map((r) => [r.id, r]))
  const newIds = new Map(after.rules.map((r) => [r.id, r]))
  const added = after.rules.filter((r) => !oldIds.has(r.id)).map(summary)
  const removed = before.rules.filter((r) => !newIds.has(r.id)).map(summary)
  const changed: RuleChange[] = []
  const unchanged: string[] = []
  for (const b of after.rules) {
    const a = oldIds.get(b.id)
    if (!a) continue
    const changes = diffRule(a, b)
    if (changes.length > 0) changed.push({ id: b.id, title: b.title, changes })
    else unchanged.push(b.id)
  }
  const sharedOld = before.rules.map((r) => r.id).filter((id) => newIds.has(id))
  const sharedNew = after.rules.map((r) => r.id).filter((id) => oldIds.has(id))
  return {
    old: side(before),
    new: side(after),
    identical: before.digest === after.digest,
    fields,
    rules: { added, removed, changed, unchanged, reordered: sharedOld.join('\n') !== sharedNew.join('\n') },
  }
}

/** True when the diff shows any difference at all. */
export const hasDifferences = (d: PolicyDiff): boolean =>
  !d.identical &&
  (d.fields.some((f) => f.field !== 'version') ||
    d.rules.added.length + d.rules.removed.length + d.rules.changed.length > 0 ||
    d.rules.reordered)
