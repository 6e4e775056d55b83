import { createRequire } from 'node:module'
import { Ajv2020 } from 'ajv/dist/2020.js'
import standaloneCode from 'ajv/dist/standalone/index.js'
import addFormats from 'ajv-formats'

export type Validate = ((data: unknown) => boolean) & { errors?: unknown }
type Standalone = (ajv: Ajv2020, validate: unknown) => string
type AddFormats = (ajv: Ajv2020, formats: string[]) => void
// Node's ESM loader and vitest unwrap these CommonJS modules' default exports differently
const unwrap = <T>(m: unknown): T => ((m as { default?: T }).default ?? m) as T
const standalone = unwrap<Standalone>(standaloneCode)
const formatsPlugin = unwrap<AddFormats>(addFormats)

const require = createRequire(import.meta.url)
const runtime = {
  ucs2length: require('ajv/dist/runtime/ucs2length') as unknown,
  ajvFormats: require('ajv-formats/dist/formats') as unknown,
}

/** A schema's standalone validator code as the build script gets it from ajv (same options, runtime imports named). */
export function standaloneSource(schema: object): string {
  const ajv = new Ajv2020({ allErrors: true, strict: true, code: { source: true } })
  formatsPlugin(ajv, ['date', 'date-time'])
  return standalone(ajv, ajv.compile(schema))
    .replaceAll('require("ajv/dist/runtime/ucs2length")', 'ucs2length')
    .replaceAll('require("ajv-formats/dist/formats")', 'ajvFormats')
}

/** Runs standalone validator code (CommonJS, as standaloneSource gives it). */
export function loadStandalone(code: string): Validate {
  const module = { exports: {} as { default?: Validate } }
  new Function('module', 'exports', 'ucs2length', 'ajvFormats', code)(module, module.exports, runtime.ucs2length, runtime.ajvFormats)
  return module.exports.default ?? (module.exports as unknown as Validate)
}
