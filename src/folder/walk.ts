/**
 * The one walk of a policy folder, shared by the loader (which policy files there are) and the store's snapshot
 * (whether the folder is at rest), so the two never disagree on which files a folder holds.
 */
import { readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'

/** What a walk does with each thing it meets; files are named in sorted order, depth 0 being the path given. */
export interface FolderVisitor {
  /** A file (a plain one or one behind a symbolic link) below the folder, or the path given when it is a file. */
  file(path: string, depth: number): Promise<void> | void
  /** A symbolic link that leads back to a folder holding it: not walked (two such links branch without end). */
  loop(path: string): Promise<void> | void
  /** A path that cannot be stat'ed or read; without it the error is thrown and the walk stops. */
  unreadable?(path: string, err: NodeJS.ErrnoException): Promise<void> | void
}

/** Names a walk never enters: hidden files and folders, and installed packages. */
export const isWalked = (name: string): boolean => !name.startsWith('.') && name !== 'node_modules'

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

/**
 * Walks `top` (a folder or a file), following symbolic links, in name order so results never depend on directory
 * order. Plain files are told by their directory entry: no stat (a round trip each) for the many that are no policy.
 */
export async function walkFolder(top: string, visitor: FolderVisitor): Promise<void> {
  const failed = async (p: string, err: unknown): Promise<void> => {
    if (!visitor.unreadable) throw err
    await visitor.unreadable(p, err as NodeJS.ErrnoException)
  }
  const visit = async (p: string, depth: number, holding: readonly string[]): Promise<void> => {
    let info
    try {
      info = await stat(p)
    } catch (err) {
      return failed(p, err)
    }
    if (info.isFile()) return visitor.file(p, depth)
    if (!info.isDirectory()) return
    const identity = `${info.dev}:${info.ino}`
    if (holding.includes(identity)) return visitor.loop(p)
    let entries
    try {
      entries = await readdir(p, { withFileTypes: true })
    } catch (err) {
      return failed(p, err)
    }
    const walked = entries.filter((e) => isWalked(e.name)).sort((a, b) => byName(a.name, b.name))
    for (const e of walked) {
      const at = join(p, e.name)
      if (e.isFile()) await visitor.file(at, depth + 1)
      else await visit(at, depth + 1, [...holding, identity])
    }
  }
  await visit(top, 0, [])
}
