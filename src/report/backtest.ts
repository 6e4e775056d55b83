/**
 * A backtest for people (text) and for CI (`--fail-on` thresholds over the report's rates and counts).
 */
import { CollabgateError } from '../errors.js'
import { columns, visible } from './reporter.js'
import type { BacktestReport, Rate, RuleScore, VersionScore } from '../backtest/backtest.js'

/** A rate as `0.9 [0.81, 0.95] (45/50)`, `small` when its denominator is small, `-` with no denominator. */
export function formatRate(r: Rate): string {
  if (r.rate === null) return `- (${r.k}/${r.n})`
  return `${r.rate.toFixed(3)} [${r.low!.toFixed(3)}, ${r.high!.toFixed(3)}] (${r.k}/${r.n})${r.small ? ' small' : ''}`
}

function matrix(title: string, corner: string, outcomes: readonly string[], counts: readonly number[][]): string[] {
  const rows = [[corner, ...outcomes], ...outcomes.map((o, i) => [o, ...counts[i]!.map(String)])]
  return ['', title, ...columns(rows, 2).map((l) => `  ${l}`)]
}

function versionLines(name: string, v: VersionScore, outcomes: readonly string[]): string[] {
  const b = v.binary
  const title = `${name} ${v.ref.version}: label against prediction`
  const lines = matrix(title, 'label ↓ / predicted →', outcomes, v.confusion)
  lines.push(
    `  objects (not ${v.defaultOutcome}): TP ${b.tp}, FP ${b.fp}, FN ${b.fn}, TN ${b.tn}`,
    `  precision ${formatRate(b.precision)}`,
    `  recall    ${formatRate(b.recall)}`,
    `  accuracy  ${formatRate(b.accuracy)} (outcome exactly the label's)`,
    '',
    `${name} ${v.ref.version}: rules`,
  )
  const rule = (r: RuleScore) => [r.rule, ...[r.fireRate, r.precision, r.recall, r.onlyRate].map(formatRate)]
  const table = [['rule', 'fire rate', 'precision', 'recall', 'only objecting rule'], ...v.rules.map(rule)]
  lines.push(...columns(table, 2).map((l) => `  ${l}`))
  return lines
}

/** The backtest for people: coverage first, then transitions, each version's confusion matrix and rules. */
export function formatBacktestText(r: BacktestReport): string {
  const shard = r.shard ? ` · shard ${r.shard.index}/${r.shard.count}` : ''
  const lines = [
    `backtest of ${r.policy} ${r.baseline.version} → ${r.candidate.version} ` +
      `(${r.input}, now ${r.now}, maturity ${r.maturityDays}d${shard})`,
    `  ${r.entries} entr${r.entries === 1 ? 'y' : 'ies'}: ${r.used} replayed under both versions and joined to a ` +
      `label, ${r.entries - r.used} left out; ${r.labels} label(s) read`,
  ]
  for (const x of r.excluded) {
    const samples = x.samples.length > 0 ? ` (e.g. ${x.samples.join(', ')})` : ''
    if (x.count > 0) lines.push(`    ${x.reason}: ${x.count}${samples}`)
  }
  lines.push(...matrix('outcomes, baseline → candidate', 'baseline ↓ / candidate →', r.outcomes, r.transitions))
  lines.push(`  outcome changed: ${formatRate(r.changed)}`)
  lines.push(...versionLines('baseline', r.versions.baseline, r.outcomes))
  lines.push(...versionLines('candidate', r.versions.candidate, r.outcomes))
  lines.push('', `small: a rate over fewer than 30 cases; intervals are 95% Wilson score intervals`)
  return lines.map(visible).join('\n') + '\n'
}

/** One `--fail-on` threshold, parsed. */
export interface Threshold {
  text: string
  version: 'baseline' | 'candidate'
  metric: string
  rule?: string
  op: '<' | '<=' | '>' | '>='
  value: number
}

const RULE_KEYS = {
  precision: 'precision',
  recall: 'recall',
  'fire-rate': 'fireRate',
  'only-rate': 'onlyRate',
} as const
const EXAMPLES = 'precision<0.9, baseline.recall<0.8, precision[RULE-ID]<0.7, changed>0.05'
const VERSION_METRICS = ['precision', 'recall', 'accuracy']
const RULE_METRICS = ['precision', 'recall', 'fire-rate', 'only-rate']
const RUN_METRICS = ['changed', 'coverage', 'used']

/**
 * `[baseline.|candidate.]METRIC[RULE] OP NUMBER`: METRIC precision, recall or accuracy of a version (candidate by
 * default); with `[RULE]` a rule's precision, recall, fire-rate or only-rate; or the run's changed (share of outcomes
 * that change), coverage (share of entries used) or used (a count). OP is <, <=, > or >=. E_INVALID_ARGUMENT otherwise.
 */
export function parseThreshold(text: string): Threshold {
  const m = /^(?:(baseline|candidate)\.)?([a-z-]+)(?:\[([^\]]+)\])?\s*(<=|>=|<|>)\s*(\d+(?:\.\d+)?)$/.exec(text.trim())
  const bad = (why: string): CollabgateError => {
    return new CollabgateError('E_INVALID_ARGUMENT', `--fail-on ${JSON.stringify(text)}: ${why} (e.g. ${EXAMPLES})`)
  }
  if (!m) throw bad('not [VERSION.]METRIC[RULE] OP NUMBER')
  const [, version, metric, rule, op, value] = m
  if (rule !== undefined ? !RULE_METRICS.includes(metric!) : ![...VERSION_METRICS, ...RUN_METRICS].includes(metric!))
    throw bad(`unknown metric ${metric}${rule !== undefined ? ' for a rule' : ''}`)
  if (version !== undefined && RUN_METRICS.includes(metric!)) throw bad(`${metric} is the run's, not a version's`)
  const threshold: Threshold = {
    text: text.trim(),
    version: (version ?? 'candidate') as Threshold['version'],
    metric: metric!,
    op: op as Threshold['op'],
    value: Number(value),
  }
  if (rule !== undefined) threshold.rule = rule
  return threshold
}

/** A threshold's result: `failed` when the comparison holds, or when there is no data to compare. */
export interface ThresholdResult {
  threshold: Threshold
  value: number | null
  failed: boolean
  message: string
}

const compare = (a: number, op: Threshold['op'], b: number): boolean =>
  op === '<' ? a < b : op === '<=' ? a <= b : op === '>' ? a > b : a >= b

/** Checks thresholds against a report; E_INVALID_ARGUMENT for a rule the version does not have. */
export function checkThresholds(r: BacktestReport, thresholds: readonly Threshold[]): ThresholdResult[] {
  return thresholds.map((t) => {
    const v = r.versions[t.version]
    let value: number | null
    if (t.metric === 'used') value = r.used
    else if (t.metric === 'coverage') value = r.entries === 0 ? null : r.used / r.entries
    else if (t.metric === 'changed') value = r.changed.rate
    else if (t.rule !== undefined) {
      const rule = v.rules.find((x) => x.rule === t.rule)
      const lacks = `--fail-on ${t.text}: ${t.version} ${v.ref.version} has no rule ${t.rule}`
      if (!rule) throw new CollabgateError('E_INVALID_ARGUMENT', lacks)
      value = rule[RULE_KEYS[t.metric as keyof typeof RULE_KEYS]].rate
    } else value = v.binary[t.metric as 'precision' | 'recall' | 'accuracy'].rate
    const holds = value !== null && compare(value, t.op, t.value)
    const failed = value === null || holds
    const shown = value === null ? 'no data' : String(Math.round(value * 1e6) / 1e6)
    return { threshold: t, value, failed, message: `--fail-on ${t.text}: ${shown}${failed ? ' (fails)' : ' (holds)'}` }
  })
}
