import { dirname, join, sep } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The package's root folder (where package.json, policies/ and schemas/ live), from dist/ or src/. */
export function packageRoot(): string {
  const here = typeof __filename === 'string' ? __filename : fileURLToPath(import.meta.url)
  let dir = dirname(here)
  for (let i = 0; i < 5; i++) {
    if (dir.endsWith(`${sep}src`) || dir.endsWith(`${sep}dist`)) return dirname(dir)
    dir = dirname(dir)
  }
  return dirname(dirname(here))
}

/** The folder of the shipped Creator Collaboration policies. */
export const defaultPoliciesDir = (): string => join(packageRoot(), 'policies')
