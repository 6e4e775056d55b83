import { givenOrFound } from '../discover.js'
import { createReadStream } from 'node:fs'
import { createInterface } from 'node:readline'
import { parseArgs } from 'node:util'
import { backtestOf, type BacktestInput } from '../../backtest/backtest.js'
import { labelsFormatOf, parseLabels, type Labels } from '../../backtest/labels.js'
import { checkThresholds, formatBacktestText, parseThreshold } from '../../report/backtest.js'
import { defaultPolicies, loadPolicies } from '../../folder/load.js'
import { readLines } from '../../impact/impact.js'
import { parseShard } from '../../shard/shard.js'
import { visible } from '../../report/reporter.js'
import { displayPath } from '../display.js'
import { EXIT, formatOption, statArg, today, UsageError, type Io } from '../io.js'

export const backtestHelp = `Usage: collabgate backtest --policy ID --baseline V1 --candidate V2 --labels FILE
                           (--log LOG... | RECORDS.ndjson) [options]

Decides each logged case again under two versions of a policy, at the case's
asOf, joins the reviewers' final outcomes, and scores both versions against
them: how many entries were used and why the others were left out, the
baseline → candidate outcome matrix, each version's confusion matrix (label
against prediction), precision and recall of "objects" (any outcome but the
default), and per rule its fire rate, precision, recall and how often it was
the only objecting rule, each with a 95% Wilson interval.

The input is a decision log (--log, format 2, verified first: each entry's
logged facts are decided again at its asOf) or an NDJSON file of records
decided as of --as-of. Labels are CSV (a header naming outcome and decision
or subject) or NDJSON ({"decision": ID, "outcome": O} or {"subject": ID, ...}).

Options:
  --policy ID        the policy id (required)
  --baseline V       the version in use (required)
  --candidate V      the version to weigh (required)
  --labels FILE      reviewers' final outcomes (required)
  --log LOG          a decision log file; repeat for rotated files, oldest first
  --policies DIR     use the policies in DIR instead of the shipped ones
  --now DATE         the date maturity is measured against, YYYY-MM-DD
                     (default: today, UTC)
  --maturity DAYS    leave out cases decided fewer than DAYS days before
                     --now, e.g. 14d (default 0d)
  --as-of DATE       the decision date of RECORDS (default: --now)
  --shard K/N        only the cases whose subject id hashes to shard K of N
  --fail-on EXPR     exit 1 when EXPR holds, e.g. precision<0.9,
                     baseline.recall<0.8, precision[ONB-STRENGTH]<0.7,
                     changed>0.05, coverage<0.5, used<100; repeatable
  --format FMT       text (default) or json
  -h, --help         show this help

Exit: 0 report made; 1 a --fail-on threshold failed, or a policy is invalid;
2 usage errors, unreadable or malformed input or labels, a log that fails
verification.

Examples:
  collabgate backtest --policy creator-collaboration.us.onboarding --baseline 1.0.0 --candidate 1.1.0 \\
    --log decisions.ndjson --labels reviews.csv --maturity 14d --fail-on precision<0.9
  collabgate backtest --policy acme.onboarding --baseline 1.0.0 --candidate 1.1.0 --policies ./policies \\
    --labels labels.ndjson --as-of 2026-11-02 --shard 2/3 --format json records.ndjson
`

/** The first line of a file, to tell CSV from NDJSON when its name does not. */
async function firstLine(file: string): Promise<string | undefined> {
  const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8', end: 4095 }), crlfDelay: Infinity })
  for await (const line of lines) {
    lines.close()
    return line
  }
  return undefined
}

async function readLabels(file: string): Promise<Labels> {
  if (!(await statArg(file)).isFile()) throw new UsageError(`${file} is not a file`)
  // the format first: a line reader started before it is iterated drops the lines it reads meanwhile
  const format = labelsFormatOf(file, await firstLine(file))
  return parseLabels(readLines(file), file, format)
}

export async function backtestCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      policy: { type: 'string' },
      baseline: { type: 'string' },
      candidate: { type: 'string' },
      labels: { type: 'string' },
      log: { type: 'string', multiple: true },
      policies: { type: 'string' },
      now: { type: 'string' },
      maturity: { type: 'string' },
      'as-of': { type: 'string' },
      shard: { type: 'string' },
      'fail-on': { type: 'string', multiple: true },
      format: { type: 'string', default: 'text' },
      help: { type: 'boolean', short: 'h' },
    },
  })
  if (values.help) {
    io.stdout(backtestHelp)
    return EXIT.OK
  }
  const format = formatOption(values.format, ['text', 'json'])
  const required = ['policy', 'baseline', 'candidate', 'labels'] as const
  const missing = required.filter((k) => values[k] === undefined).map((k) => `--${k}`)
  if (missing.length > 0) throw new UsageError(`backtest needs ${missing.join(', ')}\n\n${backtestHelp}`)
  const logs = values.log ?? []
  if (logs.length > 0 === positionals.length > 0 || positionals.length > 1)
    throw new UsageError(`backtest takes --log LOG... or one RECORDS file, not both or neither\n\n${backtestHelp}`)
  if (logs.length > 0 && values['as-of'] !== undefined)
    throw new UsageError('--as-of is for RECORDS: a log entry is decided at its own asOf')
  const maturity = values.maturity ?? '0d'
  const days = /^(\d{1,5})d$/.exec(maturity)
  if (!days) throw new UsageError(`--maturity must be a number of days such as 14d, not ${maturity}`)
  const thresholds = (values['fail-on'] ?? []).map(parseThreshold)
  const shard = values.shard === undefined ? undefined : parseShard(values.shard)
  const now = values.now ?? today()
  for (const file of logs) await statArg(file)
  const records = positionals[0]
  if (records !== undefined && !(await statArg(records)).isFile()) throw new UsageError(`${records} is not a file`)
  const labels = await readLabels(values.labels!)
  if (values.policies !== undefined) await statArg(values.policies)
  // like impact, a backtest weighs a candidate that is usually not in the lock yet
  const folder = await givenOrFound(io, 'backtest', values.policies)
  const set = folder ? await loadPolicies(folder, { displayName: displayPath, lock: false }) : await defaultPolicies()
  const input: BacktestInput =
    records === undefined ? { log: logs } : { records: readLines(records), asOf: values['as-of'] ?? now, name: records }
  const report = await backtestOf(set, input, labels, {
    policy: values.policy!,
    baseline: values.baseline!,
    candidate: values.candidate!,
    now,
    maturityDays: Number(days[1]),
    ...(shard === undefined ? {} : { shard }),
  })
  io.stdout(format === 'json' ? JSON.stringify(report, null, 2) + '\n' : formatBacktestText(report))
  const results = checkThresholds(report, thresholds)
  for (const r of results) io.stderr(`collabgate: ${visible(r.message)}\n`)
  return results.some((r) => r.failed) ? EXIT.FAILED : EXIT.OK
}
