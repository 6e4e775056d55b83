import { defineConfig, type Options } from 'tsup'

// maps name lines of src/ without carrying the sources: with them inlined they were 60% of the tarball
const mapsWithoutSources: Options['esbuildOptions'] = (options) => {
  options.sourcesContent = false
}

// two small CommonJS files the validators and the date check use at load: bundled, Node's ESM loader need not
// start its CommonJS loader and export scanner for them (~9 ms of every start-up)
const CJS_INLINED = [/^ajv-formats\/dist\/formats\.js$/, /^ajv\/dist\/runtime\/ucs2length\.js$/]

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
    noExternal: CJS_INLINED,
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
