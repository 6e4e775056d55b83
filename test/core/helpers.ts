/** Shared helpers for the policy-core tests: fixture paths, example records, expectation markers. */
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect } from 'vitest'
import { CollabgateError } from '../../src/index.js'

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
export const FIXTURES = join(ROOT, 'test', 'fixtures', 'core')
export const fixture = (...parts: string[]): string => join(FIXTURES, ...parts)

export type Json = Record<string, unknown>

export const readJson = (...parts: string[]): Json => JSON.parse(readFileSync(join(ROOT, ...parts), 'utf8')) as Json
export const example = (kind: 'applications' | 'behaviour', name: string): Json => readJson('examples', kind, `${name}.json`)
export const clone = <T>(value: T): T => structuredClone(value)

export const ONBOARDING = 'creator-collaboration.us.onboarding'
export const API_ACCESS = 'creator-collaboration.us.api-access'
export const TERMINATION = 'creator-collaboration.us.termination'

/** Lines of a fixture marked `# expect: CODE [CODE...]`, as sorted "line CODE" strings. */
export function expectedMarkers(file: string): string[] {
  const out: string[] = []
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((text, i) => {
      const m = /# expect: ([A-Z_ ]+)$/.exec(text)
      if (m) for (const code of m[1]!.trim().split(/\s+/)) out.push(`${i + 1} ${code}`)
    })
  return out.sort()
}

/** The text of line `line` (1-based) of a file below the repository root. */
export const lineOf = (file: string, line: number): string => readFileSync(join(ROOT, file), 'utf8').split('\n')[line - 1] ?? ''

/** Runs `fn` and returns the CollabgateError it throws, failing the test if it throws nothing or something else. */
export async function caught<E extends CollabgateError = CollabgateError>(fn: () => unknown): Promise<E> {
  try {
    await fn()
  } catch (err) {
    expect(err).toBeInstanceOf(CollabgateError)
    return err as E
  }
  throw new Error('expected a CollabgateError, but nothing was thrown')
}
