import { givenOrFound } from '../discover.js'
import { parseArgs } from 'node:util'
import { displayPath } from '../display.js'
import { impactOf, readLines } from '../../impact/impact.js'
import { formatImpactText } from '../../report/impact.js'
import { defaultPolicies, loadPolicies } from '../../folder/load.js'
import { EXIT, statArg, today, formatOption, UsageError, type Io } from '../io.js'
import { parseShard } from '../../shard/shard.js'

export const impactHelp = `Usage: collabgate impact --policy ID --from V1 --to V2 [options] RECORDS.ndjson

Replays records (one JSON record per line; - for standard input) through two
versions of a policy and reports how many decisions change, from which
outcome to which, and for each changed record the rules that objected before
and after. Lines that are not JSON or fail the record schema are counted and
listed with their line numbers.

Options:
  --policy ID        the policy id (required)
  --from VERSION     the version in use (required); none for a brand-new
                     policy: every record goes from no decision to its outcome
  --to VERSION       the version that would replace it (required)
  --policies DIR     use the policies in DIR instead of the shipped ones
  --as-of DATE       decision date for both versions, YYYY-MM-DD (default: today, UTC)
  --format FMT       text (default) or json
  --fail-on-change   exit 1 when any decision changes
  --shard K/N        report on shard K of N of the records only (by subject id;
                     with --format json): collabgate merge joins the N reports
                     into the one report of the whole file
  -h, --help         show this help

Exit: 0 report made; 1 decisions changed (with --fail-on-change only) or a
policy is invalid; 2 usage errors, or some lines could not be decided (the
report still lists them).

Examples:
  collabgate impact --policy creator-collaboration.us.onboarding --from 1.0.0 --to 1.1.0 examples/records.ndjson
  collabgate impact --policies my-policies/ --policy acme.onboarding --from 1.0.0 --to 2.0.0 --format json \
records.ndjson
  collabgate impact --policies my-policies/ --policy acme.uk.onboarding --from none --to 1.0.0 records.ndjson
  collabgate impact --policy acme.onboarding --from 1.0.0 --to 2.0.0 --format json --shard 2/3 records.ndjson
`

export async function impactCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      policy: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      policies: { type: 'string' },
      'as-of': { type: 'string' },
      format: { type: 'string', default: 'text' },
      'fail-on-change': { type: 'boolean' },
      shard: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  })
  if (values.help) {
    io.stdout(impactHelp)
    return EXIT.OK
  }
  formatOption(values.format, ['text', 'json'])
  const shard = values.shard === undefined ? undefined : parseShard(values.shard)
  if (shard && values.format !== 'json') throw new UsageError('--shard writes a report for merge: add --format json')
  const missing = (['policy', 'from', 'to'] as const).filter((k) => values[k] === undefined).map((k) => `--${k}`)
  if (missing.length > 0) throw new UsageError(`impact needs ${missing.join(', ')}\n\n${impactHelp}`)
  if (positionals.length !== 1)
    throw new UsageError(`impact takes one RECORDS file (NDJSON, or - for standard input)\n\n${impactHelp}`)
  const file = positionals[0]!
  if (file !== '-') {
    if (!(await statArg(file)).isFile()) throw new UsageError(`${file} is not a file`)
  }
  // impact is the look before a release: the version it weighs is usually not in the lock yet
  if (values.policies !== undefined) await statArg(values.policies)
  const folder = await givenOrFound(io, 'impact', values.policies)
  const set = folder ? await loadPolicies(folder, { displayName: displayPath, lock: false }) : await defaultPolicies()
  const lines = readLines(file === '-' ? process.stdin : file)
  const report = await impactOf(set, lines, {
    policy: values.policy!,
    from: values.from!,
    to: values.to!,
    asOf: values['as-of'] ?? today(),
    ...(shard ? { shard } : {}),
  })
  io.stdout(values.format === 'json' ? JSON.stringify(report, null, 2) + '\n' : formatImpactText(report))
  if (report.invalid.length > 0) {
    io.stderr(
      `collabgate: ${report.invalid.length} line(s) of ${file === '-' ? 'standard input' : file} could not be ` +
        `decided (see the report)\n`,
    )
    return EXIT.USAGE
  }
  return values['fail-on-change'] && report.changed > 0 ? EXIT.FAILED : EXIT.OK
}
