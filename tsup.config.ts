import { defineConfig, type Options } from 'tsup'

// maps name lines of src/ without carrying the sources: with them inlined they were 60% of the tarball
const mapsWithoutSources: Options['esbuildOptions'] = (options) => {
  options.sourcesContent = false
}

export default defineConfig([
  {
    entry: { index: 'src/index.ts', report: 'src/report-entry.ts' },
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    esbuildOptions: mapsWithoutSources,
    target: 'node20',
    shims: true,
  },
  {
    entry: { cli: 'src/cli/main.ts' },
    format: ['esm'],
    sourcemap: true,
    esbuildOptions: mapsWithoutSources,
    target: 'node20',
    banner: { js: '#!/usr/bin/env node' },
  },
  // worker threads: parallel NDJSON batches (src/batch/pool.ts) and the live store's loads (src/store/check.ts), loaded beside the bundle
  {
    entry: { 'batch-worker': 'src/batch/worker.ts', 'store-worker': 'src/store/check-worker.ts' },
    format: ['esm'],
    sourcemap: true,
    esbuildOptions: mapsWithoutSources,
    target: 'node20',
  },
])
