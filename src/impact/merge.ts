/** Merging the impact reports of shards 1..N (`impact --shard K/N`) into the report one run over the input gives. */
import type { ImpactReport, ImpactTransition, RuleShift } from './impact.js'
import { byRuleShift, byTransitionCount } from './impact.js'
import { CollabgateError } from '../errors.js'

const byLine = (a: { line: number }, b: { line: number }): number => a.line - b.line

/** One run's report: counts summed, transitions and rule shifts summed by key and sorted, lists back in line order. */
export function mergeImpactReports(reports: readonly ImpactReport[]): ImpactReport {
  reports.forEach((r, i) => assertImpactReport(r, `${i + 1}/${reports.length}`))
  const first = reports[0]!
  const transitions = new Map<string, ImpactTransition>()
  const shifts = new Map<string, RuleShift>()
  type Count = 'lines' | 'otherKind' | 'decided' | 'changed' | 'outcomeChanged'
  const sum = (key: Count): number => reports.reduce((n, r) => n + r[key], 0)
  for (const r of reports) {
    for (const t of r.transitions) {
      const key = `${t.from}\u0000${t.to}`
      const seen = transitions.get(key)
      if (seen) seen.count += t.count
      else transitions.set(key, { from: t.from, to: t.to, count: t.count })
    }
    for (const s of r.rules) {
      const seen = shifts.get(s.rule)
      if (seen) {
        seen.started += s.started
        seen.stopped += s.stopped
      } else shifts.set(s.rule, { rule: s.rule, started: s.started, stopped: s.stopped })
    }
  }
  // the keys in impactOf's order, so the JSON text is the unsharded run's
  return {
    policy: first.policy,
    from: first.from,
    to: first.to,
    asOf: first.asOf,
    lines: sum('lines'),
    otherKind: sum('otherKind'),
    decided: sum('decided'),
    changed: sum('changed'),
    outcomeChanged: sum('outcomeChanged'),
    transitions: [...transitions.values()].sort(byTransitionCount),
    rules: [...shifts.values()].sort(byRuleShift),
    changes: reports.flatMap((r) => r.changes).sort(byLine),
    refused: reports.flatMap((r) => r.refused).sort(byLine),
    invalid: reports.flatMap((r) => r.invalid).sort(byLine),
  }
}

const COUNTS = ['lines', 'otherKind', 'decided', 'changed', 'outcomeChanged'] as const
const LISTS = ['transitions', 'rules', 'changes', 'refused', 'invalid'] as const

/** A shard's report read from JSON has the counts and lists merged here, or merge refuses it (E_MERGE_INVALID). */
function assertImpactReport(report: ImpactReport, shard: string): void {
  const r = report as unknown as Record<string, unknown>
  const bad =
    COUNTS.find((k) => !Number.isSafeInteger(r[k])) ??
    LISTS.find((k) => !Array.isArray(r[k])) ??
    (['policy', 'asOf'] as const).find((k) => typeof r[k] !== 'string')
  if (bad !== undefined) {
    throw new CollabgateError('E_MERGE_INVALID', `the impact report of shard ${shard} has no valid "${bad}"`)
  }
}
