/**
 * The policy repository a command runs in: the nearest folder, from the working directory upward,
 * that holds a collabgate.yaml (as tsconfig.json or an eslint config is found). Commands given no
 * folder use it, and the shipped policies answer only outside any.
 */
import { dirname, join, resolve } from 'node:path'
import { FOLDER_FILE } from '../folder/declaration.js'
import { defaultPoliciesDir } from '../folder/load.js'
import { displayPath } from './display.js'
import type { Io } from './io.js'
import { isFileSync } from '../read/small-file.js'

/** The folder holding the nearest collabgate.yaml at or above `from`, or undefined. */
export async function discoverPolicyFolder(from: string = process.cwd()): Promise<string | undefined> {
  let dir = resolve(from)
  // bounded: a path has fewer than 256 levels, and the root is its own parent
  for (let level = 0; level < 256; level++) {
    // a stat without a round trip to the thread pool: one per folder up to the root, before every command's work
    if (isFileSync(join(dir, FOLDER_FILE))) return dir
    const parent = dirname(dir)
    if (parent === dir) return undefined
    dir = parent
  }
  return undefined
}

/** The folder a command given none works on: the repository's (said on stderr), else the shipped one. */
export async function folderOrShipped(io: Io, command: string): Promise<string> {
  const found = await discoverPolicyFolder()
  if (found === undefined) return defaultPoliciesDir()
  announce(io, command, found)
  return found
}

/** Says which folder decides, so that a command run in the wrong place is seen to be. */
export function announce(io: Io, command: string, dir: string): void {
  const where = `its ${FOLDER_FILE}, found from the working directory`
  io.stderr(`collabgate ${command}: policy folder ${displayPath(dir) || '.'} (${where})\n`)
}

/** The folder a command was given, else the repository's found upward (said on stderr), else undefined (shipped). */
export async function givenOrFound(io: Io, command: string, given: string | undefined): Promise<string | undefined> {
  if (given !== undefined) return given
  const found = await discoverPolicyFolder()
  if (found !== undefined) announce(io, command, found)
  return found
}
