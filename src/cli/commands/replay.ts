import { givenOrFound } from '../discover.js'
import { parseArgs } from 'node:util'
import { replayAuditFiles, type ReplayItem, type ReplayReport } from '../../audit/replay.js'
import { defaultPolicies, loadPolicies } from '../../folder/load.js'
import type { PolicySet } from '../../decide/policy-set.js'
import { visible } from '../../report/reporter.js'
import { EXIT, formatOption, statArg, UsageError, type Io } from '../io.js'

export const replayHelp = `Usage: collabgate replay [options] LOG...

Decides every entry of a decision log again, from the facts it logged, with
the policy version, digest and asOf it names, and compares the outcome and
reasons (rule, outcome, evidence) with the entry's. Reports each entry whose
decision differs, and each that could not be decided again and why:
format-1 (logged no facts), masked-fact (the rules read a field the log
masked), policy-missing, version-missing, digest-mismatch (the folder holds
other content under that version), schema-mismatch, facts-invalid. Several
LOG files are read in the order given.

Options:
  --policies DIR     the policy folder to decide with (default: the shipped
                     policies); its lock is enforced
  --evaluator KIND   compiled (default) or engine
  --max-listed N     list at most N entries (default 1000); all are counted
  --format FMT       text (default) or json
  -h, --help         show this help

Exit: 0 every entry decided again identically; 1 an entry differs or could
not be replayed; 2 usage or I/O errors.

Examples:
  collabgate replay decisions.ndjson
  collabgate replay --policies ./policies --format json decisions.ndjson.1 decisions.ndjson
`

export async function replayCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      policies: { type: 'string' },
      evaluator: { type: 'string', default: 'compiled' },
      'max-listed': { type: 'string' },
      format: { type: 'string', default: 'text' },
      help: { type: 'boolean', short: 'h' },
    },
  })
  if (values.help) {
    io.stdout(replayHelp)
    return EXIT.OK
  }
  const format = formatOption(values.format, ['text', 'json'])
  const evaluator = values.evaluator
  const known = evaluator === 'compiled' || evaluator === 'engine'
  if (!known) throw new UsageError(`--evaluator must be compiled or engine, not ${evaluator}`)
  const maxText = values['max-listed']
  const maxValid = maxText === undefined || /^\d{1,9}$/.test(maxText)
  if (!maxValid) throw new UsageError(`--max-listed must be a whole number, not ${maxText}`)
  if (positionals.length === 0) throw new UsageError('replay needs at least one LOG file (collabgate replay --help)')
  for (const file of positionals) await statArg(file)
  if (values.policies !== undefined) await statArg(values.policies)
  const folder = await givenOrFound(io, 'replay', values.policies)
  const set: PolicySet = folder === undefined ? await defaultPolicies() : await loadPolicies(folder, { lock: true })
  const report = await replayAuditFiles(set, positionals, {
    evaluator,
    ...(maxText === undefined ? {} : { maxListed: Number(maxText) }),
  })
  io.stdout(format === 'json' ? JSON.stringify(report, null, 2) + '\n' : replayText(report))
  return report.differs === 0 && report.notReplayable === 0 ? EXIT.OK : EXIT.FAILED
}

const where = (i: ReplayItem): string => {
  const at = i.file === undefined ? `entry ${i.index}` : `${i.file}:${i.line}`
  return i.id ? `${at} (${i.id})` : at
}

const brief = (d: { outcome: unknown; reasons: unknown }): string => {
  const ruleOf = (r: unknown) => String((r as { rule?: unknown } | null)?.rule)
  const rules = Array.isArray(d.reasons) ? d.reasons.map(ruleOf).join(', ') : '?'
  return `${String(d.outcome)} [${rules}]`
}

function replayText(r: ReplayReport): string {
  const counts = `${r.identical} identical, ${r.differs} differ, ${r.notReplayable} not replayable`
  const lines = [`replayed ${r.entries} entr${r.entries === 1 ? 'y' : 'ies'}: ${counts}`]
  for (const [reason, n] of Object.entries(r.refusals)) lines.push(`  ${reason}: ${n}`)
  for (const i of r.items) {
    if (i.status === 'differs') {
      const evidenceOnly = brief(i.logged) === brief(i.replayed) ? ' (evidence or subject differs)' : ''
      lines.push(`differs: ${where(i)}: logged ${brief(i.logged)}, replayed ${brief(i.replayed)}${evidenceOnly}`)
    } else lines.push(`not replayable: ${where(i)}: ${i.reason}: ${i.message}`)
  }
  const listed = r.differs + r.notReplayable
  if (listed > r.items.length) lines.push(`(${listed - r.items.length} more not listed: --max-listed)`)
  // entries come from a file anyone may have written: their text may not steer the terminal
  return lines.map(visible).join('\n') + '\n'
}
