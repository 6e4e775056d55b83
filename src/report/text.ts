import { fieldName } from '../language/paths.js'
import type { Condition, Decision, Evidence, ExplainedCondition } from '../model.js'
import { isListMatch, ITEM_FACT, OPERATORS } from '../language/operators.js'
import { hintChangeText } from './hint-text.js'
import { visible } from './reporter.js'

// how each operator file says a text report writes it (`≥`), or its name
const symbolOf = (op: string): string => OPERATORS[op]?.symbol ?? op

function describeValue(value: unknown): string {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const o = value as { fact?: string; path?: string; addWorkingDays?: number; to?: unknown }
    if (typeof o.addWorkingDays === 'number') return `${describeValue(o.to)} + ${o.addWorkingDays} working days`
    if (typeof o.fact === 'string') return fieldName(o.fact, o.path)
    if (typeof o.path === 'string') return o.path.replace(/^\$\.?/, '')
  }
  return JSON.stringify(value)
}

/** A condition in one line for people: `type = "fraud" and status = "confirmed"`. */
export function describeCondition(c: Condition): string {
  if ('all' in c)
    return c.all.map((x) => ('any' in x ? `(${describeCondition(x)})` : describeCondition(x))).join(' and ')
  if ('any' in c)
    return c.any.map((x) => ('all' in x ? `(${describeCondition(x)})` : describeCondition(x))).join(' or ')
  if ('not' in c) return `not (${describeCondition(c.not)})`
  const subject = c.fact === undefined ? (c.path ?? '$').replace(/^\$\.?/, '') || 'element' : fieldName(c.fact, c.path)
  if (c.operator === 'present') return c.value === true ? `${subject} is present` : `${subject} is absent`
  if (isListMatch(c.operator)) {
    return `${c.operator === 'someMatch' ? 'some' : 'no'} ${subject} with ${describeCondition(c.value as Condition)}`
  }
  return `${subject} ${symbolOf(c.operator)} ${describeValue(c.value)}`
}

/** A value for people: strings as they are, lists joined, nothing as "missing"; never raw JSON for these. */
export function plainValue(value: unknown): string {
  if (value === undefined || value === null) return 'missing'
  if (typeof value === 'string') return value === '' ? '(empty)' : value
  if (Array.isArray(value)) return value.length === 0 ? '(none)' : `[${value.map(plainValue).join(', ')}]`
  if (typeof value === 'object') {
    const o = value as Record<string, unknown>
    // a rule's date operands, as an author wrote them
    if (typeof o.addWorkingDays === 'number') return `${plainValue(o.to)} + ${o.addWorkingDays} working days`
    if (typeof o.fact === 'string' && Object.keys(o).every((k) => k === 'fact' || k === 'path'))
      return fieldName(o.fact, typeof o.path === 'string' ? o.path : undefined)
    return Object.entries(o)
      .map(([k, v]) => `${k}: ${plainValue(v)}`)
      .join('; ')
  }
  return String(value)
}

function evidenceLine(e: Evidence): string {
  const where = e.fact === ITEM_FACT ? e.path : fieldName(e.fact, e.path)
  const actual = e.missing ? 'missing' : plainValue(e.actual)
  if (e.operator.endsWith('Match') && e.expected && typeof e.expected === 'object') {
    const which = e.operator.includes('none') ? 'no element' : 'an element'
    return (
      `${where}: expected ${e.negated ? 'not ' : ''}${which} with ` +
      `${describeCondition(e.expected as Condition)}, found ${actual}`
    )
  }
  const expected = e.expected === undefined ? '' : ` ${plainValue(e.expected)}`
  return `${where}: expected ${e.operator}${expected}, found ${actual}`
}

/** An explain trace, one line per group or comparison, indented as the condition nests. */
function explainedLines(c: ExplainedCondition, indent: string): string[] {
  const mark = c.passed ? '✓' : '✗'
  if ('group' in c)
    return [
      `${indent}${mark} ${c.group === 'not' ? 'not' : `${c.group} of`}:`,
      ...c.conditions.flatMap((x) => explainedLines(x, indent + '    ')),
    ]
  const where = c.fact === ITEM_FACT ? c.path.replace(/^\$\.?/, '') || 'element' : fieldName(c.fact, c.path)
  const held = c.missing ? 'missing' : plainValue(c.actual)
  if (isListMatch(c.operator))
    return [
      `${indent}${mark} ${where} ${c.operator === 'someMatch' ? 'has an element' : 'has no element'} with ` +
        `${describeCondition(c.expected as Condition)} (matching: ${held})`,
    ]
  return [`${indent}${mark} ${where} ${symbolOf(c.operator)} ${plainValue(c.expected)} (held: ${held})`]
}

/** A decision for people: outcome first, then each reason with its evidence and where the rule lives. */
export function formatDecisionText(d: Decision): string {
  const lines: string[] = []
  lines.push(`${d.subject.kind} ${d.subject.id}: ${d.outcome.toUpperCase()}`)
  lines.push(`  policy ${d.policy.id}@${d.policy.version} (${d.policy.digest.slice(0, 19)}…) as of ${d.asOf}`)
  if (d.review) {
    lines.push(
      `  review: submitted ${d.review.submittedAt}, due by ${d.review.dueBy}${d.review.overdue ? ' — OVERDUE' : ''}`,
    )
  }
  if (d.reasons.length === 0) lines.push('  no rule objected')
  for (const r of d.reasons) {
    lines.push(`  - [${r.outcome}] ${r.rule}: ${r.message}`)
    lines.push(`      rule at ${r.source.file}:${r.source.line} (${r.basis.status})`)
    for (const e of r.evidence) lines.push(`      ${evidenceLine(e)}`)
    r.hint?.changes.forEach((c, i) => lines.push(`      ${i === 0 ? 'to pass:' : '    and:'} ${hintChangeText(c)}`))
  }
  if (d.explanation) {
    lines.push('  explain (every rule; ✓ held, ✗ did not, with what the record held):')
    for (const r of d.explanation) {
      lines.push(`    ${r.passed ? '✓' : '✗'} ${r.rule} ${r.title} (${r.source.file}:${r.source.line})`)
      for (const c of r.checks) {
        if (r.checks.length > 1) lines.push(`        ${c.passed ? '✓' : '✗'} check [${c.outcome}]`)
        lines.push(...explainedLines(c.condition, r.checks.length > 1 ? '          ' : '        '))
      }
    }
  }
  // each line is the reporter's words and data, never a control character of its own
  return lines.map(visible).join('\n')
}
