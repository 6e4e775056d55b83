import { folderOrShipped } from '../discover.js'
import { parseArgs } from 'node:util'
import { CollabgateError } from '../../errors.js'
import { ENVELOPE_FILE_NAME, type ReleaseEnvelope } from '../../release/envelope.js'
import { checkRelease, type ReleaseProblem } from '../../release/verify.js'
import { displayPath } from '../display.js'
import { EXIT, formatOption, UsageError, type Io } from '../io.js'
import { envelopeFrom, folderArg, readEnvelopeText, readLockContent, readTrustFile } from './release-files.js'

export const verifyHelp = `Usage: collabgate verify --trust TRUST.json [options] [DIR]

Checks that the release in DIR/policies.lock.json (DIR default: the shipped
policies/) is signed and approved as the trust file requires: the signature
file DIR/policies.lock.sig.json is for this lock content and not expired,
every signature is by a key the trust file lists, in a role it gives that
key, and verifies; there is an author signature, and as many approvals as
the trust file's "approvals" by other people (an author's own keys never
count). Every reason a release is refused is printed.

Options:
  --trust FILE       the trust file (keys, roles, approvals needed); keep it
                     where those who change policies cannot write
  --min-release N    refuse a release numbered below N (the last one you
                     accepted): an old signed release replayed
  --format FMT       text (default) or json
  -h, --help         show this help

Exit: 0 signed and approved; 1 not (each reason printed); 2 usage or I/O
errors (no lock, a trust file that is not one).

Examples:
  collabgate verify --trust ../release-trust/TRUST.json policies/
  collabgate verify --trust TRUST.json --min-release 3 --format json policies/
`

export async function verifyCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      trust: { type: 'string' },
      'min-release': { type: 'string' },
      format: { type: 'string', default: 'text' },
      help: { type: 'boolean', short: 'h' },
    },
  })
  if (values.help) {
    io.stdout(verifyHelp)
    return EXIT.OK
  }
  const format = formatOption(values.format, ['text', 'json'])
  if (values.trust === undefined)
    throw new UsageError('verify needs --trust TRUST.json: who may sign, and how many must approve')
  const min = values['min-release']
  if (min !== undefined && !/^\d{1,15}$/.test(min))
    throw new UsageError(`--min-release must be a whole number ≥ 0, not ${min}`)
  const dir = await folderArg(positionals, () => folderOrShipped(io, 'verify'), 'verify')
  const trust = await readTrustFile(io, values.trust)
  const { file: lockFile, lock } = await readLockContent(io, dir)
  const { file, text } = await readEnvelopeText(dir)
  let envelope: ReleaseEnvelope | undefined
  let problems: ReleaseProblem[]
  let verified: ReturnType<typeof checkRelease>['verified']
  try {
    envelope = text === undefined ? undefined : envelopeFrom(file, text)
    ;({ verified, problems } = checkRelease({
      lock,
      envelope,
      trust,
      minRelease: min === undefined ? undefined : Number(min),
      file: displayPath(file),
    }))
  } catch (err) {
    if (!(err instanceof CollabgateError) || err.code !== 'E_RELEASE_INVALID') throw err
    problems = [{ code: 'E_RELEASE_INVALID', message: err.message }]
  }
  const nameOf = (keyid: string) => trust.keys.get(keyid)?.name ?? '?'
  if (format === 'json') {
    const body = {
      ok: verified !== undefined,
      lock: displayPath(lockFile),
      signatures: displayPath(file),
      release: lock.release,
      ...(verified === undefined
        ? {}
        : {
            author: { keyid: verified.author, name: nameOf(verified.author) },
            approvers: verified.approvers.map((k) => ({ keyid: k, name: nameOf(k) })),
            ...(verified.expires === undefined ? {} : { expires: verified.expires }),
          }),
      problems,
    }
    io.stdout(JSON.stringify(body, null, 2) + '\n')
  } else if (verified !== undefined) {
    io.stdout(
      `release ${verified.release} of ${displayPath(lockFile)} is signed and approved\n` +
        `  author   ${verified.author} (${nameOf(verified.author)})\n` +
        verified.approvers.map((k) => `  approver ${k} (${nameOf(k)})\n`).join('') +
        (verified.expires === undefined ? '' : `  expires  ${verified.expires}\n`),
    )
  } else {
    io.stdout(`release ${lock.release} of ${displayPath(lockFile)} is not accepted (${problems.length} reason(s)):\n`)
    for (const p of problems) io.stdout(`  ${p.code}: ${p.message}\n`)
    if (text === undefined)
      io.stdout(`  (no ${ENVELOPE_FILE_NAME}: the author signs with collabgate sign --key KEY.pem)\n`)
  }
  return verified === undefined ? EXIT.FAILED : EXIT.OK
}
