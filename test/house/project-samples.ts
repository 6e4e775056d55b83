/** Lines of suites and the project each puts a suite in (kept out of the .test.ts file, which would match them). */
export const SAMPLES: [file: string, text: string, project: 'unit' | 'cli' | 'browser'][] = [
  ['test/x/a.test.ts', "import { ROOT } from '../cli/run-cli.js'", 'unit'],
  ['test/x/a.test.ts', "import { assertBuilt, cli } from '../cli/run-cli.js'", 'cli'],
  ['test/x/a.test.ts', "const entry = join(ROOT, 'dist', 'index.js')", 'cli'],
  ['test/x/a.test.ts', "const worker = 'dist/store-worker.js'", 'cli'],
  ['test/x/a.test.ts', "import { Ajv2020 } from 'ajv/dist/2020.js'", 'unit'],
  ['test/x/a.test.ts', "spawnSync('npx', ['tsup'])", 'cli'],
  ['test/x/a.test.ts', 'const browser = await launchChromium()', 'browser'],
  ['test/html/a.browser.test.ts', '', 'browser'],
  ['test/batch/audit.test.ts', '', 'cli'],
]

/** What no unit suite may hold: a browser, the built CLI, a built entry. */
export const NOT_UNIT = /launchChromium|\bassertBuilt\b|'dist'/
