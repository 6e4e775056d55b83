/**
 * Record schemas as validators. The shipped folder's record schemas are precompiled at build time
 * (scripts/build-validators.mjs) and found by digest; any other schema a folder declares is compiled
 * with ajv here, once per digest, with the same options (draft 2020-12, all errors, strict).
 */
import { createRequire } from 'node:module'
import type { ValidateFunction } from 'ajv'
import type { JsonSchema, RecordSchema } from '../model.js'
import { validators } from './ajv.js'

/** The id a record schema is compiled under (as in the build script): two versions may share one `$id`. */
const recordSchemaId = (digest: string): string => `urn:collabgate:record-schema:${digest}`

const compiled = new Map<string, ValidateFunction>()

type AjvClass = new (options: Record<string, unknown>) => { compile(schema: JsonSchema): ValidateFunction }

// ajv is loaded only for a schema that was not precompiled: the shipped folder never needs it
let ajvModules: { Ajv: AjvClass; addFormats: (ajv: unknown) => void } | undefined
const ajv = (): { Ajv: AjvClass; addFormats: (ajv: unknown) => void } => (ajvModules ??= loadAjv())
function loadAjv(): { Ajv: AjvClass; addFormats: (ajv: unknown) => void } {
  // require (CommonJS) gives ajv-formats' plugin function itself, and ajv/dist/2020 its Ajv2020 class
  const require = createRequire(import.meta.url)
  return {
    Ajv: (require('ajv/dist/2020') as { Ajv2020: AjvClass }).Ajv2020,
    addFormats: require('ajv-formats') as (ajv: unknown) => void,
  }
}

/**
 * The validator of a record schema, or the sentence saying why the schema is not usable JSON Schema
 * (an unknown keyword, a bad `$ref`, an unknown format...).
 */
export function compileRecordSchema(
  schema: Pick<RecordSchema, 'digest' | 'schema'>,
): { validate: ValidateFunction } | { error: string } {
  const known =
    compiled.get(schema.digest) ??
    (Object.hasOwn(validators.recordValidators, schema.digest) ? validators.recordValidators[schema.digest] : undefined)
  if (known) return { validate: known }
  try {
    const { Ajv, addFormats } = ajv()
    const instance = new Ajv({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true })
    addFormats(instance)
    const validate = instance.compile({ ...schema.schema, $id: recordSchemaId(schema.digest) })
    // Stryker disable next-line ConditionalExpression,EqualityOperator: test/mutation/equivalent.md#validator-bound
    if (compiled.size >= 1000) compiled.clear()
    compiled.set(schema.digest, validate)
    return { validate }
  } catch (err) {
    // ajv throws Error objects (unknown keyword, bad $ref, unknown format)
    return { error: (err as Error).message }
  }
}

/** The validator of a record schema that loading already accepted. */
export function recordValidator(schema: RecordSchema): ValidateFunction {
  const result = compileRecordSchema(schema)
  if ('error' in result)
    throw new Error(`record schema ${schema.subject}@${schema.version} does not compile: ${result.error}`)
  return result.validate
}
