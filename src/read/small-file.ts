import { closeSync, constants, fstatSync, openSync, readFileSync, statSync } from 'node:fs'
import { readFile, stat } from 'node:fs/promises'

/**
 * A policy folder's file, read at once: its bytes, or its size alone when that is over `maxBytes` (nothing read).
 * A regular file is read synchronously through one descriptor: read with promises, each small file cost four to six
 * round trips to the thread pool (open, stat, read, close), most of a warm reload of the shipped folder. Anything
 * else (a folder, a pipe, a file that cannot be opened) is read as before, with promises, so it fails with the same
 * code, or waits without blocking the process. Errors are Node's own (ENOENT, EACCES, EISDIR, ...).
 */
export async function readPolicyFile(
  abs: string,
  maxBytes = Number.POSITIVE_INFINITY,
): Promise<{ bytes: Buffer; size: number } | { size: number }> {
  let fd: number | undefined
  try {
    // O_NONBLOCK: opening a pipe must not wait for a writer (it changes nothing for a regular file)
    fd = openSync(abs, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0))
  } catch {
    // (missing, unreadable, ...): the promise reads below fail as they always did, in the same order
  }
  if (fd !== undefined) {
    try {
      const info = fstatSync(fd)
      if (info.isFile())
        return info.size > maxBytes ? { size: info.size } : { bytes: readFileSync(fd), size: info.size }
    } finally {
      closeSync(fd)
    }
  }
  const info = await stat(abs)
  if (info.size > maxBytes) return { size: info.size }
  return { bytes: await readFile(abs), size: info.size }
}

/** A whole file's bytes, read as readPolicyFile reads them, with no size limit. */
export async function readWholeFile(abs: string): Promise<Buffer> {
  const got = await readPolicyFile(abs)
  return 'bytes' in got ? got.bytes : readFile(abs)
}

/** Whether `path` is a file (links followed), by a stat without the thread pool's round trip; false when unreadable. */
export function isFileSync(path: string): boolean {
  try {
    return statSync(path).isFile()
  } catch {
    return false
  }
}
