// StrykerJS mutation testing of the pipeline's core (npm run mutation): which changes to the code no test notices.
// Not part of npm test or .ci/run: see the README's "Mutation testing" section for what it covers and what it costs.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutation.config.ts', related: true },
  // perTest: each mutant runs only the tests that reached it (the vitest runner's only mode)
  coverageAnalysis: 'perTest',
  checkers: [],
  // an operator file's boundary rows are the tests' data: not mutated (scripts/stryker-boundaries.mjs)
  plugins: ['@stryker-mutator/*', './scripts/stryker-boundaries.mjs'],
  ignorers: ['BoundaryRows'],
  mutate: [
    'src/compile/**/*.ts',
    'src/decide/**/*.ts',
    'src/calendar/**/*.ts',
    'src/lock/**/*.ts',
    'src/validate/**/*.ts',
    'src/language/operators.ts',
    'src/language/operators/**/*.ts',
  ],
  // the machine is shared: one test runner unless --concurrency says otherwise
  concurrency: 1,
  timeoutMS: 5_000,
  // a re-run tests only the mutants whose code or covering tests changed; the file stays out of git (see README)
  incremental: true,
  incrementalFile: 'reports/mutation/stryker-incremental.json',
  reporters: ['html', 'clear-text', 'progress'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
}
