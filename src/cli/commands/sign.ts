import { folderOrShipped } from '../discover.js'
import { parseArgs } from 'node:util'
import {
  formatEnvelope,
  keyIdOf,
  privateKeyOf,
  RELEASE_ROLES,
  signRelease,
  type ReleaseEnvelope,
  type ReleaseRole,
} from '../../release/envelope.js'
import { MAX_RELEASE_FILE_BYTES } from '../../release/json.js'
import { displayPath } from '../display.js'
import { EXIT, readInput, UsageError, type Io } from '../io.js'
import { envelopeFrom, folderArg, readEnvelopeText, readLockContent, writeWhole } from './release-files.js'

export const signHelp = `Usage: collabgate sign --key KEY.pem [options] [DIR]

Signs the release in DIR/policies.lock.json (DIR default: the shipped
policies/) with an Ed25519 private key, and writes the signature to
DIR/policies.lock.sig.json. The author of a release signs first; each
approver then signs the same file. A signature file for other lock content
(or, with --expires, another expiry) is started afresh: a signature never
outlives what it signed. The lock is signed as written: validate first.

Options:
  --key FILE         the signer's Ed25519 private key, PEM (collabgate keygen)
  --role ROLE        author (default) or approver
  --expires DATE     YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ from which the
                     release's signatures no longer hold (default: the
                     signature file's, if any)
  -h, --help         show this help

Exit: 0 signed; 2 usage or I/O errors (no lock, a key that is not Ed25519).

Examples:
  collabgate sign --key ~/keys/ann.pem policies/
  collabgate sign --key ~/keys/ben.pem --role approver policies/
`

export async function signCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      key: { type: 'string' },
      role: { type: 'string', default: 'author' },
      expires: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  })
  if (values.help) {
    io.stdout(signHelp)
    return EXIT.OK
  }
  if (values.key === undefined)
    throw new UsageError('sign needs --key KEY.pem: the signer’s private key (collabgate keygen makes one)')
  const role = values.role as ReleaseRole
  if (!RELEASE_ROLES.includes(role)) throw new UsageError(`--role must be author or approver, not ${values.role}`)
  const dir = await folderArg(positionals, () => folderOrShipped(io, 'sign'), 'sign')
  const pem = await readInput(io, values.key, MAX_RELEASE_FILE_BYTES)
  const keyid = keyIdOf(privateKeyOf(pem))
  const { file: lockFile, lock } = await readLockContent(io, dir)
  const { file, text } = await readEnvelopeText(dir)
  let before: ReleaseEnvelope | undefined
  if (text !== undefined) {
    try {
      before = envelopeFrom(file, text)
    } catch (err) {
      io.stderr(
        `collabgate: ${err instanceof Error ? err.message : String(err)}; starting ${displayPath(file)} afresh\n`,
      )
    }
  }
  const after = signRelease({ lock, envelope: before, privateKey: pem, role, expires: values.expires })
  await writeWhole(file, formatEnvelope(after))
  // another payload: signRelease started afresh, so every earlier signature is gone
  const dropped = before !== undefined && before.payload !== after.payload ? before.signatures.length : 0
  io.stdout(`signed release ${lock.release} of ${displayPath(lockFile)} as ${role}\n  keyid ${keyid}\n`)
  io.stdout(`wrote ${displayPath(file)}: ${after.signatures.length} signature(s)\n`)
  if (dropped > 0)
    io.stdout(`  dropped ${dropped} earlier signature(s): they were for other lock content or another expiry\n`)
  return EXIT.OK
}
