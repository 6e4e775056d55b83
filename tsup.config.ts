import { defineConfig, type Options } from 'tsup'

// maps name lines of src/ without carrying the sources: with them inlined they were 60% of the tarball
const mapsWithoutSources: Options['esbuildOptions'] = (options) => {
  options.sourcesContent = false
}

export default defineConfig([
  // one ESM build for every entry, so the library, the CLI and the worker threads (src/batch/pool.ts,
  // src/store/check.ts load them beside the bundle) share their chunks: built apart, each carried its own copy
  // of the precompiled validators and the shipped checks
  {
    entry: {
      index: 'src/index.ts',
      report: 'src/report-entry.ts',
      cli: 'src/cli/main.ts',
      'batch-worker': 'src/batch/worker.ts',
      'store-worker': 'src/store/check-worker.ts',
    },
    format: ['esm'],
    dts: { entry: { index: 'src/index.ts', report: 'src/report-entry.ts' } },
    sourcemap: true,
    esbuildOptions: mapsWithoutSources,
    target: 'node20',
    shims: true,
  },
  {
    entry: { index: 'src/index.ts', report: 'src/report-entry.ts' },
    format: ['cjs'],
    dts: true,
    sourcemap: true,
    esbuildOptions: mapsWithoutSources,
    target: 'node20',
    shims: true,
  },
])
