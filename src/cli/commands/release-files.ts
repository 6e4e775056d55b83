/** The files of a signed release as the sign and verify commands read and write them. */
import { readFile, rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import {
  lockContentOf,
  parseEnvelope,
  ENVELOPE_FILE_NAME,
  type ReleaseEnvelope,
  type SignedLockContent,
} from '../../release/envelope.js'
import { MAX_RELEASE_FILE_BYTES, parseStrictJson } from '../../release/json.js'
import { parseTrust, type Trust } from '../../release/trust.js'
import { displayPath } from '../display.js'
import { cannotRead, readInput, statArg, UsageError, type Io } from '../io.js'

/** The lock file's name; the loader's LOCK_FILE_NAME, repeated so the release module needs no lock parser. */
export const LOCK_FILE = 'policies.lock.json'

/** The folder named on the command line (or the default), checked to be one. */
export async function folderArg(
  positionals: readonly string[],
  fallback: () => string | Promise<string>,
  command: string,
): Promise<string> {
  if (positionals.length > 1) throw new UsageError(`${command} takes one DIR: the folder that holds policies.lock.json`)
  const dir = positionals[0] ?? (await fallback())
  if (!(await statArg(dir)).isDirectory())
    throw new UsageError(`${dir} is not a folder; ${command} works on a policy folder's lock`)
  return dir
}

/** DIR/policies.lock.json as a release reads it (the new format, or the older flat one as release 0). */
export async function readLockContent(io: Io, dir: string): Promise<{ file: string; lock: SignedLockContent }> {
  const file = join(dir, LOCK_FILE)
  let text: string
  try {
    text = await readInput(io, file, MAX_RELEASE_FILE_BYTES)
  } catch (err) {
    if (err instanceof UsageError && err.message.includes('ENOENT'))
      throw new UsageError(`${displayPath(file)} does not exist: release with 'collabgate lock' first`)
    throw err
  }
  return { file, lock: lockContentOf(parseStrictJson(text, displayPath(file), 'E_LOCK_INVALID'), displayPath(file)) }
}

/** DIR/policies.lock.sig.json's text, or undefined when there is none. */
export async function readEnvelopeText(dir: string): Promise<{ file: string; text: string | undefined }> {
  const file = join(dir, ENVELOPE_FILE_NAME)
  try {
    const text = await readFile(file, 'utf8')
    if (text.length > MAX_RELEASE_FILE_BYTES)
      throw new UsageError(`${displayPath(file)} is over ${MAX_RELEASE_FILE_BYTES} bytes`)
    return { file, text }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { file, text: undefined }
    if (err instanceof UsageError) throw err
    throw cannotRead(file, err)
  }
}

/** The signature file parsed; throws CollabgateError('E_RELEASE_INVALID'). */
export const envelopeFrom = (file: string, text: string): ReleaseEnvelope => parseEnvelope(text, displayPath(file))

/** A trust file named by --trust; throws CollabgateError('E_TRUST_INVALID') (exit 2) when it is not one. */
export async function readTrustFile(io: Io, file: string): Promise<Trust> {
  return parseTrust(await readInput(io, file, MAX_RELEASE_FILE_BYTES), displayPath(file))
}

/** Writes a file whole or not at all: a half-written signature file would read as another release. */
export async function writeWhole(file: string, text: string, mode?: number): Promise<void> {
  const temp = `${file}.${process.pid}.tmp`
  try {
    await writeFile(temp, text, mode === undefined ? 'utf8' : { encoding: 'utf8', mode })
    await rename(temp, file)
  } catch (err) {
    throw new UsageError(`cannot write ${displayPath(file)}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`)
  }
}
