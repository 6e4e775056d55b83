import { DEFAULT_MAX_RECORD_BYTES } from '../../read/record-json.js'
import { RecordValidationError } from '../../errors.js'
import { parseRecordText } from '../../read/json-text.js'
import { recordTextOf } from '../../read/utf8.js'
import { parseArgs } from 'node:util'
import type { Shard } from '../../shard/shard.js'
import { defaultPolicies, loadPolicies } from '../../folder/load.js'
import type { DecideSyncOptions, PolicySet } from '../../decide/policy-set.js'
import type { Decision } from '../../model.js'
import { formatDecisionText } from '../../report/text.js'
import type { AuditLog, CheckpointOptions } from '../../audit/audit.js'
import { readFile } from 'node:fs/promises'
import { cannotRead, EXIT, readInputBytes, statArg, today, formatOption, UsageError, type Io } from '../io.js'
import { announce, discoverPolicyFolder } from '../discover.js'

export const decideHelp = `Usage: collabgate decide [options] [FILE|-]

Decides one record (JSON) against a policy and prints the decision.
Without --policy, the record's kind (as the folder's collabgate.yaml
recognises it) and market (the primary policies' appliesTo) pick the policy:
with the shipped policies, an application record goes to the onboarding
policy and a behaviour record to the termination policy.

Batch mode (--ndjson, or a FILE ending in .ndjson): one record per line in,
one line out per line in, in the same order: the decision as JSON, or
{"line": N, "error": {"code", "message", "problems"}} for a line that is
blank, not JSON, or not a valid record. Lines are decided in parallel worker
threads; memory stays flat whatever the file size. On a terminal, a progress
line (records, rate, ETA) is shown on stderr; never in pipes or when CI is set.

Options:
  --policy ID[@VER]  policy id (e.g. creator-collaboration.us.api-access);
                     with @VERSION, exactly that version (for replays)
  --digest SHA       the digest (sha256:...) the deciding policy must have:
                     E_DIGEST_MISMATCH instead of a decision from other content
  --as-of DATE       decision date, YYYY-MM-DD (default: today, UTC)
  --policies DIR     use the policies in DIR instead of the shipped ones
                     (DIR must have a lock, which is enforced: only what it
                     releases decides; file names in reasons are relative
                     to DIR)
  --no-lock          do not require or enforce DIR's lock (scratch work)
  --trust FILE       with --policies: DIR's release must be signed and approved
                     as the trust file requires (see collabgate verify)
  --follow-symlinks  read files of DIR whose symbolic links lead outside it
                     (refused by default: E_SYMLINK)
  --explain          add every rule, passed or objecting, with each condition's
                     value (JSON: "explanation"; text: an explain section)
  --no-hints         single record: leave out each reason's hint (the smallest
                     changes that make its rule pass; shown by default; batch
                     mode never computes them)
  --format FMT       json (default) or text (single record only)
  --ndjson           batch mode: FILE (or -) holds one JSON record per line
  --workers N        batch mode: worker threads (default: available cores;
                     0 decides in the main thread)
  --shard K/N        batch mode: answer shard K of N of the lines only (by
                     subject id): a header line, {"line": N, "result": ...}
                     per line, an end line; collabgate merge joins the N
                     outputs into the unsharded output
  --audit FILE       append each decision to the decision log FILE (NDJSON,
                     the library's createAuditLog; check it with collabgate
                     audit verify, decide it again with collabgate replay);
                     batch mode: one entry per decided line, in input order
  --audit-mode MODE  buffered (default: the entry is handed to the file and
                     the answer printed) or durable (printed only once the
                     entry is written and flushed; else E_AUDIT_FAILED, exit 2)
  --checkpoints FILE with --audit: append signed checkpoints of the log's
                     chain to FILE (every 1000 entries and when the run ends);
                     needs --checkpoint-key and --origin
  --checkpoint-key KEY.pem  the Ed25519 private key that signs them
  --origin NAME      the log's name in each checkpoint
  -h, --help         show this help

Exit: 0 a decision was made for every record; 1 (batch) some lines failed;
2 unreadable input, bad options, or (single record) a record that fails its schema.

Examples:
  collabgate decide examples/applications/complete-us-developer.json
  collabgate decide --policy creator-collaboration.us.api-access --as-of 2026-11-24 app.json
  collabgate decide --policy creator-collaboration.us.onboarding@1.0.0 \\
    --digest sha256:6e1ccd93... --as-of 2026-11-24 app.json
  cat behaviour.json | collabgate decide --format text -
  collabgate decide --as-of 2026-11-24 examples/records.ndjson > decisions.ndjson
  cat records.ndjson | collabgate decide --ndjson --workers 4 - | grep '"error"'
`

export async function decideCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      policy: { type: 'string' },
      'as-of': { type: 'string' },
      policies: { type: 'string' },
      digest: { type: 'string' },
      explain: { type: 'boolean', default: false },
      'no-hints': { type: 'boolean', default: false },
      'no-lock': { type: 'boolean', default: false },
      trust: { type: 'string' },
      'follow-symlinks': { type: 'boolean', default: false },
      format: { type: 'string', default: 'json' },
      ndjson: { type: 'boolean', default: false },
      workers: { type: 'string' },
      shard: { type: 'string' },
      audit: { type: 'string' },
      'audit-mode': { type: 'string' },
      checkpoints: { type: 'string' },
      'checkpoint-key': { type: 'string' },
      origin: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  })
  if (values.help) {
    io.stdout(decideHelp)
    return EXIT.OK
  }
  if (positionals.length > 1) throw new UsageError('decide takes one FILE (or - for standard input)')
  formatOption(values.format, ['json', 'text'])
  // inside a policy repository its folder decides, as --policies would; the shipped policies only outside any
  if (values.policies === undefined) {
    const found = await discoverPolicyFolder()
    if (found !== undefined) announce(io, 'decide', (values.policies = found))
  }
  const file = positionals[0] ?? '-'
  const audit = await auditOptions(values)
  const options = {
    asOf: values['as-of'] ?? today(),
    ...policyOption(values.policy),
    ...(values.digest !== undefined ? { digest: values.digest } : {}),
    ...(values.explain ? { explain: true } : {}),
  }
  if (values.ndjson || /\.ndjson$/i.test(file)) {
    if (values.format !== 'json') throw new UsageError('batch mode writes NDJSON; --format text is for single records')
    // batch, shard and audit code load only when asked for: a one-record decide starts without them
    const shard =
      values.shard === undefined ? undefined : (await import('../../shard/shard.js')).parseShard(values.shard)
    return decideBatch(io, file, values, options, audit, shard)
  }
  if (values.workers !== undefined) throw new UsageError('--workers applies to batch mode (--ndjson or a .ndjson file)')
  if (values.shard !== undefined) throw new UsageError('--shard applies to batch mode (--ndjson or a .ndjson file)')
  // waiting silently for a terminal to type JSON looks like a hang; '-' asks for that explicitly
  if (positionals.length === 0 && process.stdin.isTTY)
    throw new UsageError(`give a FILE, or pipe a record into standard input\n\n${decideHelp}`)
  const input = await readInputBytes(io, file, DEFAULT_MAX_RECORD_BYTES, {
    advice: 'for many records, one per line, use --ndjson',
    code: 'E_RECORD_TOO_LARGE',
  })
  let record: unknown
  try {
    record = parseRecordText(typeof input === 'string' ? input : recordTextOf(input))
  } catch (err) {
    if (err instanceof RecordValidationError && err.code === 'E_RECORD_INVALID')
      throw new UsageError(
        `${file === '-' ? 'standard input' : file} is not JSON: ` +
          `${err.problems[0]!.message.replace(/^not valid JSON: /, '')}`,
        'E_RECORD_INVALID',
      )
    throw err
  }
  const set = await policySet(values)
  const log = await openAuditLog(audit)
  let decision: Decision
  try {
    decision = await set.decide(record, values['no-hints'] ? options : { ...options, hints: true })
    // durable: no answer is printed unless its entry is on disk (recordDecision throws E_AUDIT_FAILED)
    if (log)
      await (await import('../../audit/audit.js')).recordDecision(log, decision, record, set.auditContext(decision))
  } finally {
    await log?.close()
  }
  io.stdout(values.format === 'text' ? formatDecisionText(decision) + '\n' : JSON.stringify(decision, null, 2) + '\n')
  return log && auditLost(io, log) ? EXIT.FAILED : EXIT.OK
}

/** The --audit options, checked: a log file, its mode, and its checkpoints (all three options, or none). */
interface AuditChoice {
  file: string
  mode: 'buffered' | 'durable'
  checkpoints?: CheckpointOptions
}

async function auditOptions(values: {
  audit?: string | undefined
  'audit-mode'?: string | undefined
  checkpoints?: string | undefined
  'checkpoint-key'?: string | undefined
  origin?: string | undefined
}): Promise<AuditChoice | undefined> {
  const mode = values['audit-mode']
  const cp = [values.checkpoints, values['checkpoint-key'], values.origin]
  if (values.audit === undefined) {
    if (mode !== undefined) throw new UsageError('--audit-mode applies to --audit FILE')
    const signing = '--checkpoints, --checkpoint-key and --origin'
    if (cp.some((v) => v !== undefined)) throw new UsageError(`${signing} apply to --audit FILE`)
    return undefined
  }
  if (mode !== undefined && mode !== 'buffered' && mode !== 'durable')
    throw new UsageError(`--audit-mode must be buffered or durable, not ${mode}`)
  const choice: AuditChoice = { file: values.audit, mode: mode ?? 'buffered' }
  if (cp.every((v) => v === undefined)) return choice
  if (cp.some((v) => v === undefined)) throw new UsageError('--checkpoints, --checkpoint-key and --origin go together')
  let key: string
  try {
    key = await readFile(values['checkpoint-key']!, 'utf8')
  } catch (err) {
    throw cannotRead(values['checkpoint-key']!, err)
  }
  return { ...choice, checkpoints: { file: values.checkpoints!, key, origin: values.origin! } }
}

async function openAuditLog(audit: AuditChoice | undefined): Promise<AuditLog | undefined> {
  if (audit === undefined) return undefined
  const { createAuditLog } = await import('../../audit/audit.js')
  // a failure is reported once, by auditLost, in the command's own words
  return createAuditLog(audit.file, {
    mode: audit.mode,
    onError: () => undefined,
    ...(audit.checkpoints ? { checkpoints: audit.checkpoints } : {}),
  })
}

/** A buffered log that lost entries: said on stderr; the caller exits 1. */
function auditLost(io: Io, log: AuditLog): boolean {
  const health = log.health()
  if (health.failed === 0 && health.healthy) return false
  const why = health.reason === undefined ? '' : ` (${health.reason})`
  // a buffered stream may take an entry and fail after: then nothing was refused, yet nothing is on disk
  const refused = `refused ${health.failed.toLocaleString('en-US')} entr${health.failed === 1 ? 'y' : 'ies'}`
  const lost = health.failed > 0 ? refused : 'failed'
  io.stderr(`collabgate: the decision log ${lost}${why}: not every decision printed is logged\n`)
  return true
}

function parseWorkers(text: string | undefined, defaultWorkers: () => number): number {
  if (text === undefined) return defaultWorkers()
  if (!/^\d{1,3}$/.test(text) || Number(text) > 256)
    throw new UsageError(`--workers must be a whole number from 0 to 256, not ${text}`)
  return Number(text)
}

/** `--policy ID` or `--policy ID@VERSION`. */
function policyOption(arg: string | undefined): { policy?: string; version?: string } {
  if (arg === undefined) return {}
  const at = arg.indexOf('@')
  if (at < 0) return { policy: arg }
  const [policy, version] = [arg.slice(0, at), arg.slice(at + 1)]
  if (!policy || !version || version.includes('@')) throw new UsageError(`--policy takes ID or ID@VERSION, not ${arg}`)
  return { policy, version }
}

function policySet(values: {
  policies?: string | undefined
  'no-lock'?: boolean | undefined
  trust?: string | undefined
  'follow-symlinks'?: boolean | undefined
}): Promise<PolicySet> {
  if (!values.policies) {
    if (values['no-lock'])
      throw new UsageError('--no-lock applies to --policies DIR; the shipped policies are always released')
    if (values.trust !== undefined)
      throw new UsageError('--trust applies to --policies DIR; the shipped policies come with the package')
    if (values['follow-symlinks']) throw new UsageError('--follow-symlinks applies to --policies DIR')
    return defaultPolicies()
  }
  const dir = values.policies
  // a folder that is not there is a usage error, as for every command, not a problem in a policy
  if (values.trust !== undefined && values['no-lock'])
    throw new UsageError('--trust checks the lock; it cannot go with --no-lock')
  const trust = values.trust
  return Promise.all([statArg(dir), trust === undefined ? undefined : statArg(trust)]).then(() =>
    loadPolicies(dir, {
      lock: !values['no-lock'],
      requireLock: true,
      followSymlinks: values['follow-symlinks'] === true,
      ...(trust === undefined ? {} : { trust }),
    }),
  )
}

async function decideBatch(
  io: Io,
  file: string,
  values: {
    policies?: string | undefined
    workers?: string | undefined
    'no-lock'?: boolean | undefined
    'follow-symlinks'?: boolean | undefined
  },
  options: DecideSyncOptions,
  audit: AuditChoice | undefined,
  shard: Shard | undefined,
): Promise<number> {
  const [{ decideNdjsonToStream, defaultWorkers }, { fileChunks }, { formatProgress, wantsProgress }] =
    await Promise.all([
      import('../../batch/batch.js'),
      import('../../read/lines.js'),
      import('../../batch/progress.js'),
    ])
  const workers = parseWorkers(values.workers, defaultWorkers)
  let totalBytes: number | undefined
  if (file !== '-') {
    const info = await statArg(file)
    if (!info.isFile()) throw new UsageError(`cannot read ${file}: not a file`)
    totalBytes = info.size
  }
  const set = await policySet(values)
  // opened before anything is decided: a log that cannot continue its chain (a torn last line) stops the batch first
  const log = await openAuditLog(audit)
  // streamed, never read whole: Io.stdin() would buffer all of standard input
  // 64 KiB at a time into one reused buffer (no garbage chunks), never the whole file
  const input = file === '-' ? process.stdin : fileChunks(file)
  const showProgress = wantsProgress(io.isTTY, io.env)
  let drawn = false
  // SIGTERM or SIGINT stops the batch between two blocks: standard output is written synchronously
  // (a file or a pipe), so the handler runs between writes and the output never ends inside a line
  const stop = new AbortController()
  let received: 'SIGTERM' | 'SIGINT' | undefined
  const handlers = (['SIGTERM', 'SIGINT'] as const).map((name) => {
    const handler = (): void => {
      received ??= name
      stop.abort()
    }
    process.on(name, handler)
    return [name, handler] as const
  })
  // straight to stdout as bytes, each block written before the next (backpressure on a slow pipe)
  const batch = decideNdjsonToStream(set, input, process.stdout, {
    ...options,
    workers,
    signal: stop.signal,
    ...(shard ? { shard } : {}),
    ...(log ? { audit: log } : {}),
    ...(showProgress
      ? {
          onProgress: (p) => {
            if (p.done) {
              if (drawn) io.stderr('\r\u001b[K')
            } else if (p.elapsedMs >= 1000) {
              // long batches only: a progress line that flashes for a short one is noise
              io.stderr(`\r${formatProgress(p, totalBytes)}\u001b[K`)
              drawn = true
            }
          },
        }
      : {}),
  })
  let summary: Awaited<typeof batch>
  try {
    summary = await batch
  } catch (err) {
    // the reader closed the pipe (`collabgate decide big.ndjson | head`): it wants no more, which is no error
    if ((err as NodeJS.ErrnoException).code === 'EPIPE') return EXIT.OK
    throw err
  } finally {
    for (const [name, handler] of handlers) process.off(name, handler)
    await log?.close()
  }
  const lost = log !== undefined && auditLost(io, log)
  if (summary.interrupted) {
    if (file === '-') process.stdin.destroy() // a read may still be waiting for a quiet pipe
    if (drawn) io.stderr('\r\u001b[K')
    io.stderr(
      `collabgate: stopped by ${received ?? 'a signal'} after ${summary.lines.toLocaleString('en-US')} line(s); the ` +
        `output answers input lines 1 to ${summary.lines} and ends with a whole line\n`,
    )
    return 128 + (received === 'SIGINT' ? 2 : 15)
  }
  if (summary.failed > 0) {
    io.stderr(
      `collabgate: ${summary.failed.toLocaleString('en-US')} of ${summary.lines.toLocaleString('en-US')} line(s) ` +
        `could not be decided; see their error lines\n`,
    )
    return EXIT.FAILED
  }
  return lost ? EXIT.FAILED : EXIT.OK
}
