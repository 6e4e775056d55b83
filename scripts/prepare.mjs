#!/usr/bin/env node
// `prepare` (run by npm install / npm ci in a checkout): builds dist/ with tsup. Under `npm ci --omit=dev` tsup is not
// installed and there is nothing to build with, so it says so and succeeds: the install itself is what was asked for.
import { spawnSync } from 'node:child_process'
import { rmSync } from 'node:fs'
import { createRequire } from 'node:module'

let tsup
try {
  tsup = createRequire(import.meta.url).resolve('tsup/dist/cli-default.js')
} catch {
  process.stderr.write('collabgate: tsup is not installed (npm ci --omit=dev?): dist/ is not built; `npm ci` builds it\n')
  process.exit(0)
}
// a fresh dist/: chunks of an earlier build (their names are content hashes) would otherwise ship in the package
rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true })
const run = spawnSync(process.execPath, [tsup], { stdio: 'inherit' })
process.exit(run.status ?? 1)
