import { defineConfig } from 'vitest/config'

// The tests mutation testing runs: those that run the source in-process. Tests that run dist/ (the CLI,
// the service, the dual package, the example policy repo) or a browser never meet a mutant of src/, and
// the batch suite (8.8 s) was never the first to kill one (issue #15): they would only add run time. The
// generated-validators check spawns the build script, which reads schemas, not the (instrumented) source.
// The store's and the durable audit log's tests wait on file watchers, timers and child processes (16 s of
// the 53 s) for code outside the mutated core (src/store, src/audit). Four more test code outside the core
// and took 7.4 s, run again for every surviving mutant they reach: the policy-mutation mistakes (src/mutate;
// each test copies the folder and runs every policy test), strict policy bytes and strict record text
// (src/read), and the fuzzing of hostile input, whose oracle is only "a decision or a typed error".
//
// isolate: false. Stryker runs each mutant in a new worker thread, so the test files of one mutant run share
// one load of the modules (yaml, ajv, date-holidays, the shipped policies) instead of loading them once per
// file: 19 s instead of 53 s for the whole set here. A mutant that acts while modules load still meets a
// fresh load, since the worker is new. Tests must therefore not depend on a module loaded fresh for their file.
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
      'test/store/**',
      'test/audit/durable.test.ts',
      'test/mutate/mistakes.test.ts',
      'test/hostile/strict-bytes.test.ts',
      'test/hostile/record-text.test.ts',
      'test/hostile/fuzz.test.ts',
    ],
    isolate: false,
    testTimeout: 20_000,
  },
})
