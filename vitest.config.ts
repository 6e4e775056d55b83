import { defineConfig } from 'vitest/config'
import { testFilesByProject } from './test/projects.js'

// unit runs without a build or a browser (`npm run test:unit`); `npm test` builds first and runs all three
const files = testFilesByProject(import.meta.dirname)

export default defineConfig({
  test: {
    testTimeout: 20_000,
    projects: [
      { extends: true, test: { name: 'unit', include: files.unit } },
      { extends: true, test: { name: 'cli', include: files.cli } },
      { extends: true, test: { name: 'browser', include: files.browser } },
    ],
  },
})
