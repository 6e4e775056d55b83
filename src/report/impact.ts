/** The impact report for people (impactOf builds it). */
import type { ImpactReport } from '../impact/impact.js'
import { visible } from './reporter.js'

/** How many undecidable lines the text report lists before it sums up the rest. */
const SHOWN_INVALID = 20

/** The impact report for people. */
export function formatImpactText(r: ImpactReport): string {
  const lines: string[] = []
  lines.push(`impact of ${r.policy} ${r.from.version} → ${r.to.version} (as of ${r.asOf})`)
  lines.push(
    `  ${r.decided} record(s) decided, ${r.changed} decision(s) changed (${r.outcomeChanged} with a different ` +
      `outcome), ${r.invalid.length} line(s) could not be decided`,
  )
  if (r.refused.length > 0) lines.push(`  ${r.refused.length} record(s) valid under only one version's record schema`)
  if (r.otherKind > 0) lines.push(`  ${r.otherKind} record(s) of another kind than ${r.policy} judges, skipped`)
  const moved = r.transitions.filter((t) => t.from !== t.to)
  const kept = r.transitions.filter((t) => t.from === t.to)
  if (moved.length > 0) {
    lines.push('', 'outcome changes:')
    for (const t of moved) lines.push(`  ${t.from} → ${t.to}: ${t.count}`)
  }
  if (kept.length > 0) {
    lines.push('', 'outcome unchanged:')
    for (const t of kept) lines.push(`  ${t.from}: ${t.count}`)
  }
  if (r.rules.length > 0) {
    lines.push('', 'rules behind the changes:')
    for (const s of r.rules) lines.push(`  ${s.rule}: now objects to ${s.started}, no longer objects to ${s.stopped}`)
  }
  if (r.changes.length > 0) {
    lines.push('', 'changed decisions:')
    const list = (rules: string[]) => (rules.length === 0 ? '(none)' : rules.join(', '))
    for (const c of r.changes) {
      lines.push(`  line ${c.line} ${c.id}: ${c.before.outcome} → ${c.after.outcome}`)
      lines.push(`      before: ${list(c.before.rules)}`)
      lines.push(`      after:  ${list(c.after.rules)}`)
    }
  }
  if (r.refused.length > 0) {
    lines.push('', "records only one version's record schema accepts:")
    for (const x of r.refused) {
      lines.push(
        `  line ${x.line} ${x.id}: refused by ${x.refusedBy}'s record schema; under ${x.decided.version}: ` +
          `${x.decided.outcome}${x.decided.rules.length > 0 ? ` (${x.decided.rules.join(', ')})` : ''}`,
      )
      lines.push(`      ${x.message}`)
    }
  }
  if (r.invalid.length > 0) {
    lines.push('', 'lines that could not be decided:')
    // a file of the wrong records would otherwise print one line
    // each (12,000 of them): the first ones, and how many by code
    for (const i of r.invalid.slice(0, SHOWN_INVALID)) lines.push(`  line ${i.line}: ${i.code} ${i.message}`)
    if (r.invalid.length > SHOWN_INVALID) {
      const byCode = new Map<string, number>()
      for (const i of r.invalid) byCode.set(i.code, (byCode.get(i.code) ?? 0) + 1)
      const counts = [...byCode].map(([code, n]) => `${n} ${code}`).join(', ')
      lines.push(`  … and ${r.invalid.length - SHOWN_INVALID} more (${counts} in all; --format json lists every one)`)
    }
  }
  return lines.map(visible).join('\n') + '\n'
}
