import { parseArgs } from 'node:util'
import { defaultPolicies, loadPolicies } from '../../load/load.js'
import { formatDecisionText } from '../../report/text.js'
import { EXIT, readInput, today, UsageError, type Io } from '../io.js'

export const decideHelp = `Usage: collabgate decide [options] [FILE|-]

Decides one record (JSON) against a policy and prints the decision.
Without --policy, an application record goes to the onboarding policy and a
behaviour record to the termination policy.

Options:
  --policy ID        policy id (e.g. creator-collaboration.us.api-access)
  --as-of DATE       decision date, YYYY-MM-DD (default: today, UTC)
  --policies DIR     use the policies in DIR instead of the shipped ones
  --format FMT       json (default) or text
  -h, --help         show this help

Exit: 0 a decision was made; 2 unreadable input or a record that fails its schema.

Examples:
  collabgate decide examples/applications/complete-us-developer.json
  collabgate decide --policy creator-collaboration.us.api-access --as-of 2026-11-24 app.json
  cat behaviour.json | collabgate decide --format text -
`

export async function decideCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      policy: { type: 'string' },
      'as-of': { type: 'string' },
      policies: { type: 'string' },
      format: { type: 'string', default: 'json' },
      help: { type: 'boolean', short: 'h' },
    },
  })
  if (values.help) {
    io.stdout(decideHelp)
    return EXIT.OK
  }
  if (positionals.length > 1) throw new UsageError('decide takes one FILE (or - for standard input)')
  if (values.format !== 'json' && values.format !== 'text') throw new UsageError(`--format must be json or text, not ${values.format}`)
  const file = positionals[0] ?? '-'
  const text = await readInput(io, file)
  let record: unknown
  try {
    record = JSON.parse(text)
  } catch (err) {
    throw new UsageError(`${file === '-' ? 'standard input' : file} is not JSON: ${(err as Error).message}`)
  }
  const set = values.policies ? await loadPolicies(values.policies) : await defaultPolicies()
  const options = { asOf: values['as-of'] ?? today(), ...(values.policy ? { policy: values.policy } : {}) }
  const decision = await set.decide(record, options)
  io.stdout(values.format === 'text' ? formatDecisionText(decision) + '\n' : JSON.stringify(decision, null, 2) + '\n')
  return EXIT.OK
}
