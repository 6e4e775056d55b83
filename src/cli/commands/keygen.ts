import { generateKeyPairSync } from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import { basename, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { keyIdOf, RELEASE_ROLES, type ReleaseRole } from '../../release/envelope.js'
import { displayPath } from '../display.js'
import { EXIT, UsageError, type Io } from '../io.js'

export const keygenHelp = `Usage: collabgate keygen --out NAME [options]

Makes an Ed25519 key pair for signing releases: NAME.pem (the private key,
readable by you alone: mode 0600) and NAME.pub.pem (the public key). Prints
the keyid and the entry to add to the trust file's "keys". Existing files
are never overwritten. Keep the private key outside the policy folder.

Options:
  --out NAME         where to write the keys (NAME.pem and NAME.pub.pem)
  --name PERSON      who holds the key, for the trust file (default: NAME's
                     file name)
  --role ROLE        author or approver, for the trust file (repeatable;
                     default: author)
  -h, --help         show this help

Exit: 0 keys written; 2 usage or I/O errors (a file already there).

Examples:
  collabgate keygen --out ~/keys/ann --name "Ann Author"
  collabgate keygen --out ~/keys/ben --name "Ben Checker" --role approver
`

export async function keygenCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      out: { type: 'string' },
      name: { type: 'string' },
      role: { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h' },
    },
  })
  if (values.help) {
    io.stdout(keygenHelp)
    return EXIT.OK
  }
  if (positionals.length > 0) throw new UsageError('keygen takes no DIR: name the key with --out NAME')
  if (values.out === undefined || values.out === '')
    throw new UsageError('keygen needs --out NAME: it writes NAME.pem and NAME.pub.pem')
  const roles = [...new Set(values.role ?? ['author'])] as ReleaseRole[]
  const wrong = roles.filter((r) => !RELEASE_ROLES.includes(r))
  if (wrong.length > 0) throw new UsageError(`--role must be author or approver, not ${wrong.join(', ')}`)
  const { publicKey, privateKey } = generateKeyPairSync('ed25519')
  const privatePem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
  const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString()
  const privateFile = resolve(`${values.out}.pem`)
  const publicFile = resolve(`${values.out}.pub.pem`)
  try {
    // wx: never overwrite a key (a lost private key cannot be made again); 0600: the private key is its holder's alone
    await writeFile(privateFile, privatePem, { encoding: 'utf8', mode: 0o600, flag: 'wx' })
    await writeFile(publicFile, publicPem, { encoding: 'utf8', mode: 0o644, flag: 'wx' })
  } catch (err) {
    throw new UsageError(
      `cannot write the keys: ${(err as NodeJS.ErrnoException).code ?? String(err)} (${(err as Error).message})`,
    )
  }
  const keyid = keyIdOf(publicKey)
  const entry = { keyid, name: values.name ?? basename(values.out), publicKey: publicPem, roles }
  io.stdout(`wrote ${displayPath(privateFile)} (private, mode 0600) and ${displayPath(publicFile)}\nkeyid ${keyid}\n`)
  io.stdout(`trust file entry (add it to "keys"):\n${JSON.stringify(entry, null, 2)}\n`)
  return EXIT.OK
}
