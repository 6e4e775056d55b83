/** The policy diff for people (diffPolicies builds it). */
import { canonicalJson } from '../validate/policy.js'
import type { PolicyDiff, RuleSummary } from '../diff/diff.js'
import { visible } from './reporter.js'

const show = (v: unknown): string =>
  typeof v === 'string' ? JSON.stringify(v) : v === null ? '(none)' : canonicalJson(v)

function showWindow(w: unknown): string {
  if (!w || typeof w !== 'object') return show(w)
  const e = w as { from: string; until?: string }
  return `from ${e.from}${e.until ? ` until ${e.until}` : ' (no end)'}`
}

/** The diff for people. */
export function formatPolicyDiffText(d: PolicyDiff): string {
  const lines: string[] = []
  const name = d.old.id === d.new.id ? d.old.id : `${d.old.id} → ${d.new.id}`
  lines.push(`${name} ${d.old.version} → ${d.new.version}`)
  lines.push(`  old: ${d.old.file} (${d.old.digest.slice(0, 19)}…)`)
  lines.push(`  new: ${d.new.file} (${d.new.digest.slice(0, 19)}…)`)
  if (d.identical) {
    lines.push('  identical content')
    return lines.map(visible).join('\n') + '\n'
  }
  for (const f of d.fields) {
    if (f.field === 'version' || f.field === 'id') continue
    const [a, b] =
      f.field === 'effective' ? [showWindow(f.before), showWindow(f.after)] : [show(f.before), show(f.after)]
    lines.push(`  ${f.field}: ${a} → ${b}`)
  }
  const r = d.rules
  lines.push('')
  lines.push(
    `rules: ${r.added.length} added, ${r.removed.length} removed, ${r.changed.length} changed, ` +
      `${r.unchanged.length} unchanged${r.reordered ? ' (order changed)' : ''}`,
  )
  const withConditions = (mark: string, a: RuleSummary) => {
    lines.push(`  ${mark} ${a.id} [${a.outcomes.join(', ')}] ${a.title}`)
    a.conditions.forEach((condition, k) => {
      if (a.conditions.length > 1) lines.push(`      ${mark}   check ${k + 1} [${a.outcomes[k]}]:`)
      for (const line of condition) lines.push(`      ${mark}   ${a.conditions.length > 1 ? '  ' : ''}${line}`)
    })
  }
  for (const a of r.added) withConditions('+', a)
  for (const a of r.removed) withConditions('-', a)
  for (const c of r.changed) {
    lines.push(`  ~ ${c.id} ${c.title}`)
    for (const ch of c.changes) {
      const label = ch.check === undefined ? ch.field : `${ch.field} (check ${ch.check + 1})`
      if (ch.lines) {
        lines.push(`      ${label}:`)
        for (const l of ch.lines) lines.push(`      ${l.op} ${l.text}`)
      } else if (ch.field === 'source') {
        const a = ch.before as { status: string; from: string }
        const b = ch.after as { status: string; from: string }
        lines.push(`      source: ${a.status} "${a.from}" → ${b.status} "${b.from}"`)
      } else lines.push(`      ${label}: ${show(ch.before)} → ${show(ch.after)}`)
    }
  }
  return lines.map(visible).join('\n') + '\n'
}
