import { defineConfig } from 'vitest/config'

// The tests mutation testing runs: those that run the source in-process. Tests that run dist/ (the CLI,
// the service, the dual package, the example policy repo) or a browser never meet a mutant of src/, and
// the batch suite (8.8 s) was never the first to kill one (issue #15): they would only add run time. The
// generated-validators check spawns the build script, which reads schemas, not the (instrumented) source.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: [
      'test/cli/**',
      'test/html/**',
      'test/service/**',
      'test/examples/**',
      'test/errors/dual-package.test.ts',
      'test/batch/batch.test.ts',
      'test/batch/abort.test.ts',
      'test/validate/generated.test.ts',
    ],
    testTimeout: 20_000,
  },
})
