import { readFile } from 'node:fs/promises'
import { parseArgs } from 'node:util'
import { verifyAuditLog, type AuditVerification } from '../../audit/verify.js'
import { visible } from '../../report/reporter.js'
import { cannotRead, EXIT, formatOption, statArg, UsageError, type Io } from '../io.js'

export const auditHelp = `Usage: collabgate audit verify [options] LOG...

Checks a decision log's hash chain: every entry names the hash of the line
before it and its sequence number. Several LOG files are one chain in the
order given (rotated files, oldest first). With --checkpoints and --key,
also checks each signed checkpoint: signed by the key, and its head is the
hash of the log's line at its size. Names the first line of each kind of
finding: edited, deleted, inserted, reordered, unreadable (not a whole
entry), unchained (format-1 entries), truncated (the log ends before a
checkpoint's size), checkpoint-signature, checkpoint-head, checkpoint-invalid.

A log cut short, or rewritten from some line to its end, after its last
checkpoint cannot be told from an untouched one: only a checkpoint kept
where the writer cannot write shows it.

Options:
  --checkpoints FILE  the checkpoints file (one signed checkpoint a line)
  --key PUB.pem       the Ed25519 public key the checkpoints are signed with
  --format FMT        text (default) or json
  -h, --help          show this help

Exit: 0 nothing found; 1 a finding; 2 usage or I/O errors.

Examples:
  collabgate audit verify decisions.ndjson
  collabgate audit verify --checkpoints /backup/checkpoints.ndjson --key audit.pub.pem \\
    decisions.ndjson.1 decisions.ndjson
`

export async function auditCommand(argv: string[], io: Io): Promise<number> {
  const [sub, ...rest] = argv
  if (sub === undefined || sub === '--help' || sub === '-h') {
    io.stdout(auditHelp)
    return sub === undefined ? EXIT.USAGE : EXIT.OK
  }
  if (sub !== 'verify') throw new UsageError(`audit has one subcommand, verify, not '${sub}' (collabgate audit --help)`)
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      checkpoints: { type: 'string' },
      key: { type: 'string' },
      format: { type: 'string', default: 'text' },
      help: { type: 'boolean', short: 'h' },
    },
  })
  if (values.help) {
    io.stdout(auditHelp)
    return EXIT.OK
  }
  const format = formatOption(values.format, ['text', 'json'])
  if (positionals.length === 0) throw new UsageError('audit verify needs a LOG file (collabgate audit --help)')
  if ((values.checkpoints === undefined) !== (values.key === undefined))
    throw new UsageError('--checkpoints and --key go together: the key is what makes a checkpoint evidence')
  for (const file of positionals) await statArg(file)
  if (values.checkpoints !== undefined) await statArg(values.checkpoints)
  let key: string | undefined
  if (values.key !== undefined) {
    try {
      key = await readFile(values.key, 'utf8')
    } catch (err) {
      throw cannotRead(values.key, err)
    }
  }
  const report = await verifyAuditLog(positionals, {
    ...(values.checkpoints === undefined ? {} : { checkpoints: values.checkpoints }),
    ...(key === undefined ? {} : { key }),
  })
  io.stdout(format === 'json' ? JSON.stringify(report, null, 2) + '\n' : verificationText(report))
  return report.ok ? EXIT.OK : EXIT.FAILED
}

function verificationText(r: AuditVerification): string {
  const seqs = r.firstSeq === undefined ? 'no chained entry' : `seq ${r.firstSeq}..${r.lastSeq}`
  const cps = r.checkpoints
    ? `; ${r.checkpoints.read} checkpoint(s), ${r.checkpoints.verified} verified` +
      (r.checkpoints.largest === undefined ? '' : ` (largest size ${r.checkpoints.largest})`)
    : ''
  const lines = [`${r.files.join(' + ')}: ${r.lines} line(s), ${seqs}${cps}`]
  if (r.ok) lines.push('ok: the chain is whole' + (r.checkpoints ? ' and every checkpoint matches' : ''))
  for (const f of r.findings)
    lines.push(`${f.kind}: ${f.file}:${f.line}: ${f.message}${f.more > 0 ? ` (and ${f.more} more of this kind)` : ''}`)
  for (const n of r.notes) lines.push(`note: ${n}`)
  // file names come from the command line, messages from the log: neither may steer the terminal
  return lines.map(visible).join('\n') + '\n'
}
