import { createRequire } from 'node:module'
import { afterEach, vi } from 'vitest'

/**
 * For a describe block: a loader of a collabgate module afresh while `require(library)` gives a stand-in
 * export, the real one put back after each test. The module registry is reset after each test too, so a
 * test file loaded later in the same worker (isolate: false in mutation runs) never gets a module bound
 * to the stand-in.
 */
export function withStandIn<M>(library: string, load: () => Promise<M>): (exports: unknown) => Promise<M> {
  const requireHere = createRequire(import.meta.url)
  requireHere(library) // (a library load, not collabgate code)
  const entry = requireHere.cache[requireHere.resolve(library)]!
  const real: unknown = entry.exports
  afterEach(() => {
    entry.exports = real
    vi.resetModules()
  })
  return (exports) => {
    entry.exports = exports
    vi.resetModules()
    return load()
  }
}
