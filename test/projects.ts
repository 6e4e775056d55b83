/**
 * Which vitest project each test file belongs to, read from the file itself so a new suite is placed without a list.
 * browser: drives Chromium. cli: needs the build (runs dist/cli.js, dist/ entries or workers, tsup, npm pack).
 * unit: the rest, run by `npm run test:unit` without a build or a browser.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

export type Project = 'unit' | 'cli' | 'browser'

const BROWSER = /\blaunchChromium\b/
const CLI = [
  /import\s*\{[^}]*\b(?:cli|assertBuilt)\b[^}]*\}\s*from\s*'[^']*run-cli\.js'/, // runs dist/cli.js
  /'dist'|\bdist\/(?:cli|index|[\w-]+-worker)\b/, // loads a built entry or worker
  /\bstoreWorkerFile\b/, // the store's worker is the built one
  /\btsup\b|\bnpm pack\b|\['pack'/, // builds or packs
]
// library tests that start the batch workers, which are built files (dist/batch-worker.js)
const BUILT_WORKERS = new Set(['test/batch/audit.test.ts'])

/** The project of a test file, from its path and text. */
export function projectOf(file: string, text: string): Project {
  if (file.endsWith('.browser.test.ts') || BROWSER.test(text)) return 'browser'
  if (BUILT_WORKERS.has(file)) return 'cli'
  return CLI.some((mark) => mark.test(text)) ? 'cli' : 'unit'
}

/** Whether a unit suite replaces a module (vi.mock): it then runs isolated, the other unit suites share their modules. */
export const mocksModules = (text: string): boolean => /\bvi\.(?:do)?mock\(/.test(text)

/** Every test file under `root`'s test/ folder (posix paths relative to root), by project. */
export function testFilesByProject(root: string): Record<Project, string[]> {
  const byProject: Record<Project, string[]> = { unit: [], cli: [], browser: [] }
  const files = readdirSync(join(root, 'test'), { recursive: true, encoding: 'utf8' })
  for (const rel of files.map((f) => f.split('\\').join('/')).sort()) {
    if (!rel.endsWith('.test.ts')) continue
    byProject[projectOf(`test/${rel}`, readFileSync(join(root, 'test', rel), 'utf8'))].push(`test/${rel}`)
  }
  return byProject
}
