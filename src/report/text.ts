import type { Decision } from '../model.js'

/** A decision for people: outcome first, then each reason with its evidence and where the rule lives. */
export function formatDecisionText(d: Decision): string {
  const lines: string[] = []
  lines.push(`${d.subject.kind} ${d.subject.id}: ${d.outcome.toUpperCase()}`)
  lines.push(`  policy ${d.policy.id}@${d.policy.version} (${d.policy.digest.slice(0, 19)}…) as of ${d.asOf}`)
  if (d.review) {
    lines.push(`  review: submitted ${d.review.submittedAt}, due by ${d.review.dueBy}${d.review.overdue ? ' — OVERDUE' : ''}`)
  }
  if (d.reasons.length === 0) lines.push('  no rule objected')
  for (const r of d.reasons) {
    lines.push(`  - [${r.outcome}] ${r.rule}: ${r.message}`)
    lines.push(`      rule at ${r.source.file}:${r.source.line} (${r.basis.status})`)
    for (const e of r.evidence) {
      const where = e.fact === '$item' ? e.path : `${e.fact}${e.path && e.path !== '$' ? ' ' + e.path : ''}`
      const actual = e.missing ? 'missing' : JSON.stringify(e.actual)
      const expected = e.expected === undefined ? '' : ` ${JSON.stringify(e.expected)}`
      lines.push(`      ${where}: expected ${e.operator}${expected}, found ${actual}`)
    }
  }
  return lines.join('\n')
}
