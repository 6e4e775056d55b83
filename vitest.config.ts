import { defineConfig } from 'vitest/config'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { mocksModules, testFilesByProject } from './test/projects.js'

// unit runs without a build or a browser (`npm run test:unit`); `npm test` builds first and runs all three
const files = testFilesByProject(import.meta.dirname)
// unit suites share one module graph per worker (importing src/ once is most of their time); those that mock a module
// run isolated
const mocking = new Set(files.unit.filter((f) => mocksModules(readFileSync(join(import.meta.dirname, f), 'utf8'))))

export default defineConfig({
  test: {
    testTimeout: 20_000,
    projects: [
      { extends: true, test: { name: 'unit', include: files.unit.filter((f) => !mocking.has(f)), isolate: false } },
      { extends: true, test: { name: 'unit-mocks', include: [...mocking] } },
      { extends: true, test: { name: 'cli', include: files.cli } },
      { extends: true, test: { name: 'browser', include: files.browser } },
    ],
  },
})
