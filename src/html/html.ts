/**
 * One self-contained HTML page for people (a joint review, a reviewer of a policy change): a
 * decision, an impact run, a backtest, a policy test run or a store's shadow runs. No network, no JavaScript, inline
 * CSS and SVG only, printable, and readable at a phone's width. Every value from a record or a policy is escaped.
 */
import { calendarNamed, DEFAULT_CALENDAR } from '../calendar/calendars.js'
import type { WorkingDayCalendar } from '../calendar/working-days.js'
import type { CoverageReport } from '../policy-test/coverage.js'
import type { MutationTestReport } from '../report/mutation.js'
import type { MutationReport } from '../mutate/run.js'
import type { ImpactReport } from '../impact/impact.js'
import type { BacktestReport, Rate } from '../backtest/backtest.js'
import type { ShadowCandidateReport, ShadowReport, ShadowRuleShift } from '../report/shadow.js'
import type { Decision, Evidence, ExplainedCondition, HintChange } from '../model.js'
import { ownOptions } from '../own.js'
import { hintChangeText } from '../report/hint-text.js'
import { plainValue } from '../report/text.js'

/** Text made safe for HTML content and attribute values. */
export function escapeHtml(text: string): string {
  // String(): a JSON value that claims to be a string may be a number, an object or null
  return String(text).replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  )
}

/** Any value from the JSON made HTML text: numbers too, for a field that claims a number may hold markup. */
const e = (value: unknown): string => escapeHtml(String(value))

const plain = plainValue

const STYLE = `
:root { color-scheme: light; --ink: #1d2330; --muted: #5b6475; --line: #d8dce4; --bad: #b42318; --good: #1a7f37;
  --warn: #9a6700; --bg: #f6f7f9; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink);
  background: #fff; }
main { max-width: 60rem; margin: 0 auto; padding: 1.25rem; }
h1 { font-size: 1.5rem; margin: 0 0 .25rem; overflow-wrap: anywhere; }
h2 { font-size: 1.15rem; margin: 1.75rem 0 .5rem; border-bottom: 1px solid var(--line); padding-bottom: .25rem;
  overflow-wrap: anywhere; }
h3 { font-size: 1rem; margin: 1.25rem 0 .25rem; overflow-wrap: anywhere; }
p, li, dd { overflow-wrap: anywhere; }
.meta { color: var(--muted); margin: 0; }
.badge { display: inline-block; padding: .05rem .5rem; border-radius: 1rem; font-weight: 600; font-size: .85rem;
  background: var(--bg); border: 1px solid var(--line); }
.bad { color: var(--bad); } .good { color: var(--good); } .warn { color: var(--warn); }
.scroll { overflow-x: auto; max-width: 100%; } /* a table wider than the screen scrolls here, whole words kept */
table { border-collapse: collapse; width: 100%; margin: .5rem 0; font-size: .9rem; }
th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top;
  overflow-wrap: break-word; }
th { background: var(--bg); font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .15rem 1rem; margin: .75rem 0; }
dl.facts dt { color: var(--muted); } dl.facts dd { margin: 0; }
.strip { display: flex; flex-wrap: wrap; gap: .25rem; margin: .5rem 0; padding: 0; list-style: none; }
.strip li { border: 1px solid var(--line); border-radius: .3rem; padding: .15rem .35rem; font-size: .75rem;
  text-align: center; min-width: 3.2rem; }
.strip li.off { background: var(--bg); color: var(--muted); }
.strip li.holiday { max-width: 7rem; overflow-wrap: anywhere; }
.strip li.due { border-color: var(--warn); font-weight: 700; }
details { margin: 1rem 0; } summary { cursor: pointer; font-weight: 600; }
ul.tree { list-style: none; padding-left: 1.1rem; margin: .15rem 0; }
svg text { font: 12px system-ui, sans-serif; fill: var(--ink); }
@media print { details { display: block; } .scroll { overflow: visible; } }
`

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`
}

function table(head: readonly string[], rows: readonly (readonly string[])[], numeric: readonly number[] = []): string {
  const cell = (tag: string, v: string, i: number) =>
    `<${tag}${numeric.includes(i) ? ' class="num"' : ''}>${v}</${tag}>`
  const heads = head.map((h, i) => cell('th', e(h), i)).join('')
  const body = rows.map((r) => `<tr>${r.map((v, i) => cell('td', v, i)).join('')}</tr>`).join('')
  return `<div class="scroll"><table><thead><tr>${heads}</tr></thead><tbody>${body}</tbody></table></div>`
}

const mark = (passed: boolean) =>
  passed ? '<span class="good" aria-label="held">✓</span>' : '<span class="bad" aria-label="did not hold">✗</span>'

function evidenceRows(evidence: readonly Evidence[]): string[][] {
  return evidence.map((x) => [
    e(
      x.fact === '$item'
        ? x.path.replace(/^\$\.?/, '') || 'element'
        : `${x.fact}${x.path !== '$' ? x.path.slice(1) : ''}`,
    ),
    e(x.operator),
    e(plain(x.expected)),
    x.missing ? '<em>missing</em>' : e(plain(x.actual)),
  ])
}

function explained(c: ExplainedCondition): string {
  if ('group' in c)
    return (
      `<li>${mark(c.passed)} ${c.group === 'not' ? 'not' : `${e(c.group)} of`}:<ul ` +
      `class="tree">${c.conditions.map(explained).join('')}</ul></li>`
    )
  const where =
    c.fact === '$item' ? c.path.replace(/^\$\.?/, '') || 'element' : `${c.fact}${c.path !== '$' ? c.path.slice(1) : ''}`
  return (
    `<li>${mark(c.passed)} ${e(where)} <code>${e(c.operator)}</code> ${e(plain(c.expected))} <span ` +
    `class="meta">(held: ${c.missing ? 'missing' : e(plain(c.actual))})</span></li>`
  )
}

/** The days from the review's start to its due date, weekends and named holidays set apart: a small calendar strip. */
function reviewStrip(from: string, dueBy: string, calendar: WorkingDayCalendar): string {
  const days: string[] = []
  const start = Date.parse(`${from}T00:00:00Z`)
  const end = Date.parse(`${dueBy}T00:00:00Z`)
  if (!Number.isFinite(start) || !Number.isFinite(end) || end < start || end - start > 60 * 86_400_000) return ''
  for (let t = start; t <= end; t += 86_400_000) {
    const d = new Date(t)
    const iso = d.toISOString().slice(0, 10)
    const weekday = d.toLocaleDateString('en-GB', { weekday: 'short', timeZone: 'UTC' })
    const weekend = d.getUTCDay() === 0 || d.getUTCDay() === 6
    const holiday = weekend ? undefined : calendar.holidayName(iso)
    const off = weekend || holiday !== undefined
    const classes = [off ? 'off' : '', holiday !== undefined ? 'holiday' : '', iso === dueBy ? 'due' : '']
    const cls = classes.filter(Boolean).join(' ')
    const name = holiday === undefined ? '' : `<br><span class="holiday-name">${e(holiday)}</span>`
    days.push(`<li${cls ? ` class="${cls}"` : ''}>${e(weekday)}<br>${e(iso.slice(5))}${name}</li>`)
  }
  return `<ul class="strip" aria-label="days from submission to the due date">${days.join('')}</ul>`
}

/** How a decision's page is drawn. */
export interface DecisionHtmlOptions {
  /** The calendar the decision's policy names (its `calendar`) or one built by the caller; default `US`. */
  calendar?: string | WorkingDayCalendar
}

/**
 * A decision: outcome, each reason with its evidence, where each rule lives, the review deadline, the explain trace
 * folded away.
 * @throws UnknownCalendarError (code `E_UNKNOWN_CALENDAR`) for an unknown `calendar`
 */
export function decisionHtml(d: Decision, options: DecisionHtmlOptions = {}): string {
  // the calendar is looked up before drawing: an unknown name is the caller's error, not a page without holidays
  const given = ownOptions(options).calendar ?? DEFAULT_CALENDAR
  const calendar = typeof given === 'string' ? calendarNamed(given) : given
  const outcomeClass = d.reasons.length === 0 ? 'good' : 'bad'
  const parts: string[] = [
    `<h1>Decision: <span class="${outcomeClass}">${e(d.outcome)}</span></h1>`,
    `<p class="meta">${e(d.subject.kind)} ${e(d.subject.id)} · as of ${e(d.asOf)}</p>`,
    `<dl class="facts"><dt>Policy</dt><dd>${e(d.policy.id)}@${e(d.policy.version)}</dd>` +
      `<dt>Digest</dt><dd><code>${e(d.policy.digest)}</code></dd>` +
      `<dt>Record schema</dt><dd>${e(d.subject.kind)}@${e(d.subject.schema.version)}</dd></dl>`,
  ]
  if (d.review) {
    parts.push(
      `<h2>Review deadline</h2><p>Submitted ${e(d.review.submittedAt)}, due by <strong>${e(d.review.dueBy)}</strong>` +
        `${d.review.overdue ? ' <span class="badge bad">overdue</span>' : ''} ` +
        `(working days of the policy's calendar; weekends and holidays shaded).</p>` +
        reviewStrip(d.review.submittedAt, d.review.dueBy, calendar),
    )
  }
  parts.push(`<h2>Reasons (${e(d.reasons.length)})</h2>`)
  if (d.reasons.length === 0) parts.push('<p>No rule objected.</p>')
  for (const r of d.reasons) {
    parts.push(
      `<h3>${e(r.rule)} <span class="badge">${e(r.outcome)}</span></h3><p>${e(r.message)}</p>` +
        `${table(['field', 'operator', 'expected', 'the record held'], evidenceRows(r.evidence))}` +
        `<p class="meta">${e(r.title)} · ${e(r.source.file)}:${e(r.source.line)} · ` +
        `${e(r.basis.status)}: ${e(r.basis.from)}</p>`,
    )
    // a decision read from a file may carry anything: only a list of changes is drawn
    const changes: unknown = r.hint?.changes
    if (Array.isArray(changes) && changes.length > 0) {
      const items = changes.map((c: HintChange) => `<li>${e(hintChangeText(c))}</li>`).join('')
      parts.push(`<p class="hint">To pass, change:</p><ul class="hint">${items}</ul>`)
    }
  }
  if (d.explanation) {
    const rules = d.explanation
      .map(
        (r) =>
          `<li>${mark(r.passed)} <strong>${e(r.rule)}</strong> ${e(r.title)}<ul ` +
          `class="tree">${r.checks.map((c) => explained(c.condition)).join('')}</ul></li>`,
      )
      .join('')
    parts.push(
      '<details><summary>Explain trace: every rule, with what the record held</summary>' +
        `<ul class="tree">${rules}</ul></details>`,
    )
  }
  return page(`Decision ${d.subject.id}: ${d.outcome}`, parts.join('\n'))
}

/** Horizontal bars, one per from → to pair, as inline SVG. */
function transitionChart(r: ImpactReport): string {
  const rows = r.transitions
  if (rows.length === 0) return ''
  const max = Math.max(...rows.map((t) => t.count))
  const height = rows.length * 26 + 8
  const bars = rows
    .map((t, i) => {
      const width = Math.max(2, Math.round((t.count / max) * 240))
      const y = i * 26 + 4
      return (
        `<text x="0" y="${y + 15}">${e(`${t.from} → ${t.to}`)}</text><rect x="270" y="${y}" width="${width}" ` +
        `height="18" fill="${t.from === t.to ? '#8c96a8' : '#b42318'}"></rect><text x="${276 + width}" ` +
        `y="${y + 14}">${e(t.count)}</text>`
      )
    })
    .join('')
  return (
    `<div class="scroll"><svg role="img" aria-label="records per outcome change" width="560" ` +
    `height="${height}" viewBox="0 0 560 ${height}">${bars}</svg></div>`
  )
}

/**
 * An impact run: the numbers, an outcome transition matrix and chart, per-rule shifts, sample records per transition.
 */
export function impactHtml(r: ImpactReport): string {
  const outcomes = [...new Set(r.transitions.flatMap((t) => [t.from, t.to]))]
  const count = (from: string, to: string) => r.transitions.find((t) => t.from === from && t.to === to)?.count ?? 0
  const matrix = table(
    ['from ↓ / to →', ...outcomes],
    outcomes.map((from) => [e(from), ...outcomes.map((to) => e(count(from, to)))]),
    outcomes.map((_, i) => i + 1),
  )
  const samples = r.transitions
    .filter((t) => t.from !== t.to)
    .map((t) => {
      const records = r.changes.filter((c) => c.before.outcome === t.from && c.after.outcome === t.to).slice(0, 5)
      return `<h3>${e(t.from)} → ${e(t.to)} (${e(t.count)})</h3>${table(
        ['line', 'record', 'rules before', 'rules after'],
        records.map((c) => [
          e(c.line),
          e(c.id),
          e(c.before.rules.join(', ') || '(none)'),
          e(c.after.rules.join(', ') || '(none)'),
        ]),
        [0],
      )}`
    })
    .join('')
  const body = [
    `<h1>Impact of ${e(r.policy)} ${e(r.from.version)} → ${e(r.to.version)}</h1>`,
    `<p class="meta">as of ${e(r.asOf)} · ${e(String(r.from.digest).slice(0, 19))}… → ` +
      `${e(String(r.to.digest).slice(0, 19))}…</p>`,
    `<dl class="facts"><dt>Records decided</dt><dd>${e(r.decided)}</dd><dt>Decisions ` +
      `changed</dt><dd>${e(r.changed)}</dd><dt>With another outcome</dt><dd>${e(r.outcomeChanged)}</dd><dt>Valid ` +
      `under one version's schema only</dt><dd>${e(r.refused.length)}</dd><dt>Other record kinds, ` +
      `skipped</dt><dd>${e(r.otherKind)}</dd><dt>Lines not decided</dt><dd>${e(r.invalid.length)}</dd></dl>`,
    `<h2>Outcomes, before and after</h2>${matrix}${transitionChart(r)}`,
    `<h2>Rules behind the changes</h2>${table(
      ['rule', 'now objects to', 'no longer objects to'],
      r.rules.map((s) => [e(s.rule), e(s.started), e(s.stopped)]),
      [1, 2],
    )}`,
    `<h2>Sample records per change</h2>${samples || '<p>No outcome changed.</p>'}`,
  ]
  if (r.invalid.length > 0) {
    body.push(
      `<h2>Lines not decided (${e(r.invalid.length)})</h2>${table(
        ['line', 'code', 'why'],
        r.invalid.slice(0, 20).map((i) => [e(i.line), e(i.code), e(i.message)]),
        [0],
      )}`,
    )
  }
  return page(`Impact of ${r.policy} ${r.from.version} → ${r.to.version}`, body.join('\n'))
}

function coverageTable(c: CoverageReport): string {
  return c.policies
    .map(
      (p) =>
        `<h3>${e(p.id)}@${e(p.version)} · ${e(p.covered)}/${e(p.total)} rules</h3>${table(
          ['rule', 'passed', 'objected', ''],
          p.rules.map((r) => [
            e(r.id),
            e(r.passed),
            e(r.objected),
            r.covered ? mark(true) : '<span class="warn">never seen both ways</span>',
          ]),
          [1, 2],
        )}`,
    )
    .join('')
}

/** Per policy version: the mutants no case noticed, and the ones declared equivalent with their reasons. */
function mutationTables(m: MutationReport): string {
  return m.policies
    .map((p) => {
      const rows = p.mutants
        .filter((x) => x.status !== 'killed')
        .map((x) => [
          x.status === 'survived' ? '<span class="bad">survived</span>' : 'equivalent',
          e(`${x.file}:${x.line}:${x.column}`),
          e(x.description),
          e(x.status === 'equivalent' ? (x.equivalent?.reason ?? '') : 'no case notices it'),
        ])
      const head =
        `<h3>${e(p.id)}@${e(p.version)} · ${e(p.killed)}/${e(p.total - p.equivalent)} mutants killed by ` +
        `${e(p.cases)} cases (${e(p.score)}%)</h3>`
      return rows.length === 0 ? head : head + table(['', 'where', 'change', 'why'], rows)
    })
    .join('')
}

/** What a reader wants first: failures, rule coverage and mutation score, each against its minimum. */
function testSummary(r: MutationTestReport, failed: number): string {
  const minimum = (min: number | undefined) => (min === undefined ? '' : ` (minimum ${e(min)}%)`)
  const failures = `<span class="${failed === 0 ? 'good' : 'bad'}">${e(failed)}</span>`
  const facts = [['Failures', `${failures} of ${e(r.result.cases.length)} cases`]]
  if (r.result.problems.length > 0) facts.push(['Problems', `<span class="bad">${e(r.result.problems.length)}</span>`])
  if (r.coverage) {
    const below = r.minCoverage !== undefined && r.coverage.percent < r.minCoverage
    const cls = below ? 'bad' : 'good'
    facts.push(['Rule coverage', `<span class="${cls}">${e(r.coverage.percent)}%</span>${minimum(r.minCoverage)}`])
  }
  if (r.mutation) {
    const m = r.mutation
    const below = (r.minMutationScore !== undefined && m.score < r.minMutationScore) || m.problems.length > 0
    const cls = below ? 'bad' : 'good'
    facts.push(['Mutation score', `<span class="${cls}">${e(m.score)}%</span>${minimum(r.minMutationScore)}`])
  }
  const rows = facts.map(([term, value]) => `<dt>${term}</dt><dd>${value}</dd>`).join('')
  return `<section class="summary" aria-label="Summary"><dl class="facts">${rows}</dl></section>`
}

/**
 * A policy test run: the summary first, then every case (a failure with expected beside actual), rule coverage and
 * the mutation score in detail.
 */
export function policyTestHtml({
  result,
  coverage,
  minCoverage,
  mutation,
  minMutationScore,
}: MutationTestReport): string {
  const passed = result.cases.filter((c) => c.passed).length
  const failed = result.cases.length - passed
  const rows = result.cases.map((c) => [
    mark(c.passed),
    e(`${c.file}:${c.line}`),
    e(c.name),
    c.passed
      ? ''
      : e(
          c.mismatches.map((m) => `${m.what}: expected ${m.expected}, got ${m.actual}`).join('; ') ||
            c.failures.join('; '),
        ),
  ])
  const body = [
    `<h1>Policy tests: <span class="${failed === 0 ? 'good' : 'bad'}">${passed} passed, ${failed} failed</span></h1>`,
    `<p class="meta">${e(result.files.length)} test file(s)</p>`,
    testSummary({ result, coverage, minCoverage, mutation, minMutationScore }, failed),
  ]
  if (result.problems.length > 0) {
    body.push(
      `<h2>Problems</h2>${table(
        ['where', 'code', 'problem'],
        result.problems.map((p) => [e(`${p.file}:${p.line}:${p.column}`), e(p.code), e(p.message)]),
      )}`,
    )
  }
  body.push(`<h2>Cases</h2>${table(['', 'where', 'case', 'what differed'], rows)}`)
  if (coverage) {
    const below = minCoverage !== undefined && coverage.percent < minCoverage
    body.push(
      `<h2>Rule coverage: <span class="${below ? 'bad' : 'good'}">${e(coverage.percent)}%</span></h2>` +
        `<p>${e(coverage.covered)} of ${e(coverage.total)} rules seen both passing and objecting` +
        `${minCoverage !== undefined ? `; the minimum is ${e(minCoverage)}%` : ''}.</p>${coverageTable(coverage)}`,
    )
  }
  if (mutation) {
    const below = (minMutationScore !== undefined && mutation.score < minMutationScore) || mutation.problems.length > 0
    const equivalent = mutation.equivalent > 0 ? `, ${e(mutation.equivalent)} declared equivalent` : ''
    body.push(
      `<h2>Mutation score: <span class="${below ? 'bad' : 'good'}">${e(mutation.score)}%</span></h2>` +
        `<p>${e(mutation.killed)} of ${e(mutation.total - mutation.equivalent)} mutants killed${equivalent}` +
        `${minMutationScore !== undefined ? `; the minimum is ${e(minMutationScore)}%` : ''}.</p>` +
        `${mutationTables(mutation)}`,
    )
  }
  return page(`Policy tests: ${passed} passed, ${failed} failed`, body.join('\n'))
}

/** A list from the JSON, or none: a page drawn from a hand-edited report must not throw. */
const listOf = <T>(v: readonly T[] | undefined): readonly T[] => (Array.isArray(v) ? v : [])

const NO_CHANGE = '<p>No outcome changed.</p>'
const ids = (list: readonly string[] | undefined) => e(listOf(list).join(', ') || '—')

/** A rule that would object differently: how often each way, with sample decision ids. */
function ruleRow(r: ShadowRuleShift): string[] {
  return [e(r.rule), e(r.started), e(r.stopped), ids(r.startedSamples), ids(r.stoppedSamples)]
}

/** One candidate: its counts, the served → candidate matrix, changed cells with sample ids, the rules that moved. */
function shadowCandidate(c: ShadowCandidateReport): string {
  const cells = listOf(c.transitions)
  const outcomes = [...new Set(cells.flatMap((t) => [String(t.from), String(t.to)]))]
  const cell = (from: string, to: string) => cells.find((t) => String(t.from) === from && String(t.to) === to)
  const count = (from: string, to: string) => cell(from, to)?.count ?? 0
  const matrix = table(
    ['served ↓ / candidate →', ...outcomes],
    outcomes.map((from) => [e(from), ...outcomes.map((to) => e(count(from, to)))]),
    outcomes.map((_, i) => i + 1),
  )
  const moved = cells.filter((t) => t.from !== t.to)
  const changed = moved.map((t) => [e(`${t.from} → ${t.to}`), e(t.count), ids(t.samples)])
  const changedTable = changed.length > 0 ? table(['change', 'decisions', 'sample ids'], changed, [1]) : NO_CHANGE
  const errors = Object.entries(c.errors && typeof c.errors === 'object' ? c.errors : {})
  const errorText = errors.map(([code, n]) => `${e(code)}: ${e(n)}`).join(', ') || '0'
  return [
    `<h2>${e(c.policy)} ${e(c.version)}</h2>`,
    `<p class="meta">${e(c.source)} · <code>${e(c.digest)}</code></p>`,
    `<dl class="facts"><dt>Compared</dt><dd>${e(c.compared)}</dd><dt>Skipped</dt><dd>${e(c.skipped)}</dd>` +
      `<dt>Errors</dt><dd>${errorText}</dd><dt>Over the time budget</dt><dd>${e(c.overBudget)}</dd></dl>`,
    `<h3>Served outcome → candidate outcome</h3>${outcomes.length > 0 ? matrix : '<p>Nothing compared yet.</p>'}`,
    `<h3>Changed outcomes</h3>${changedTable}`,
    `<h3>Rules that would object differently</h3>${
      listOf(c.rules).length > 0
        ? table(
            ['rule', 'newly objecting', 'no longer objecting', 'samples: newly', 'samples: no longer'],
            listOf(c.rules).map(ruleRow),
            [1, 2],
          )
        : '<p>No rule would object differently.</p>'
    }`,
  ].join('\n')
}

/** A store's shadow runs (PolicyStore.shadowReport()): what each candidate would have decided on live traffic. */
export function shadowHtml(r: ShadowReport): string {
  const candidates = listOf(r.candidates)
  const body = [
    `<h1>Shadow runs: ${e(candidates.length)} candidate version(s)</h1>`,
    `<p class="meta">sample rate ${e(r.sampleRate)} · queue of ${e(r.queueSize)} · ` +
      `${e(r.budgetMs)} ms of shadow work per turn · never answered</p>`,
    `<dl class="facts"><dt>Decisions answered</dt><dd>${e(r.seen)}</dd><dt>Sampled</dt><dd>${e(r.sampled)}</dd>` +
      `<dt>Dropped (queue full)</dt><dd>${e(r.dropped)}</dd><dt>Not copyable</dt><dd>${e(r.uncopyable)}</dd>` +
      `<dt>Waiting</dt><dd>${e(r.queued)}</dd></dl>`,
    ...candidates.map(shadowCandidate),
  ]
  if (candidates.length === 0) body.push('<p>No decision was shadowed yet.</p>')
  return page(`Shadow runs: ${candidates.length} candidate version(s)`, body.join('\n'))
}

/** Items of what claims to be a list (a hand-edited or hostile JSON may hold anything there). */
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : [])

/** A rate with its interval and counts; small ones marked. */
function rateCell(value: unknown): string {
  const r = (value ?? {}) as Partial<Rate>
  const counts = `<span class="meta">(${e(r.k)}/${e(r.n)})</span>`
  if (r.rate === null || r.rate === undefined) return `– ${counts}`
  const small = r.small === true ? ' <span class="badge warn">small</span>' : ''
  // three decimals as the text report shows them; anything not a number is escaped as it is
  const at = (x: unknown): string => (typeof x === 'number' ? x.toFixed(3) : e(x))
  return `${at(r.rate)} <span class="meta">[${at(r.low)}, ${at(r.high)}]</span> ${counts}${small}`
}

/** A square matrix of counts, rows and columns named by the outcomes. */
function countMatrix(corner: string, outcomes: unknown[], counts: unknown): string {
  const rows = list(counts)
  return table(
    [corner, ...outcomes.map(String)],
    outcomes.map((o, i) => [e(o), ...outcomes.map((_, j) => e(list(rows[i])[j] ?? ''))]),
    outcomes.map((_, i) => i + 1),
  )
}

/**
 * A labelled backtest: what was used and what was left out (and why) first, then baseline → candidate outcomes,
 * each version's confusion matrix against the labels, and per rule its rates with 95% Wilson intervals.
 */
export function backtestHtml(r: BacktestReport): string {
  const outcomes = list(r.outcomes)
  const excluded = list(r.excluded).map((x) => {
    const o = (x ?? {}) as { reason?: unknown; count?: unknown; samples?: unknown }
    return [e(o.reason), e(o.count), e(list(o.samples).map(String).join(', '))]
  })
  const versions = (['baseline', 'candidate'] as const).map((name) => {
    const v = ((r.versions ?? {}) as Partial<BacktestReport['versions']>)[name]
    if (!v) return ''
    const b = (v.binary ?? {}) as Partial<BacktestReport['versions']['baseline']['binary']>
    const ref = (v.ref ?? {}) as Partial<BacktestReport['baseline']>
    const rules = list(v.rules).map((x) => {
      const s = (x ?? {}) as Partial<BacktestReport['versions']['baseline']['rules'][number]>
      return [e(s.rule), rateCell(s.fireRate), rateCell(s.precision), rateCell(s.recall), rateCell(s.onlyRate)]
    })
    return (
      `<h2>${e(name)} ${e(ref.version)}: label against prediction</h2>` +
      countMatrix('label ↓ / predicted →', outcomes, v.confusion) +
      `<dl class="facts"><dt>Objects (not ${e(v.defaultOutcome)})</dt>` +
      `<dd>TP ${e(b.tp)} · FP ${e(b.fp)} · FN ${e(b.fn)} · TN ${e(b.tn)}</dd>` +
      `<dt>Precision</dt><dd>${rateCell(b.precision)}</dd><dt>Recall</dt><dd>${rateCell(b.recall)}</dd>` +
      `<dt>Accuracy (exact outcome)</dt><dd>${rateCell(b.accuracy)}</dd></dl>` +
      `<h3>Rules of ${e(name)} ${e(ref.version)}</h3>` +
      table(['rule', 'fire rate', 'precision', 'recall', 'only objecting rule'], rules)
    )
  })
  const baseline = (r.baseline ?? {}) as Partial<BacktestReport['baseline']>
  const candidate = (r.candidate ?? {}) as Partial<BacktestReport['candidate']>
  const shard = r.shard ? ` · shard ${e(r.shard.index)}/${e(r.shard.count)}` : ''
  const body = [
    `<h1>Backtest of ${e(r.policy)} ${e(baseline.version)} → ${e(candidate.version)}</h1>`,
    `<p class="meta">${e(r.input)} · now ${e(r.now)} · maturity ${e(r.maturityDays)} days${shard}</p>`,
    `<section class="summary" aria-label="Coverage"><dl class="facts"><dt>Entries</dt><dd>${e(r.entries)}</dd>` +
      `<dt>Used (replayed and labelled)</dt><dd>${e(r.used)}</dd><dt>Labels read</dt><dd>${e(r.labels)}</dd>` +
      `<dt>Outcome changed</dt><dd>${rateCell(r.changed)}</dd></dl></section>`,
    `<h2>Left out, by reason</h2>${table(['reason', 'entries', 'first ones'], excluded, [1])}`,
    `<h2>Outcomes, baseline → candidate</h2>${countMatrix('baseline ↓ / candidate →', outcomes, r.transitions)}`,
    ...versions,
    `<p class="meta">Intervals are 95% Wilson score intervals; ` +
      `<span class="badge warn">small</span> marks a rate over fewer than 30 cases.</p>`,
  ]
  const title = `Backtest of ${String(r.policy)} ${String(baseline.version)} → ${String(candidate.version)}`
  return page(title, body.join('\n'))
}
