import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js'
import type { JsonSchema } from '../schemas.js'

const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true })
const compiled = new Map<JsonSchema, ValidateFunction>()

/** An ajv validator for a schema, compiled once per process. */
export function validatorFor(schema: JsonSchema): ValidateFunction {
  let fn = compiled.get(schema)
  if (!fn) {
    fn = ajv.compile(schema)
    compiled.set(schema, fn)
  }
  return fn
}

/** Turns ajv's errors into one sentence each, dropping the noise of if/then/else wrappers. */
export function describeAjvErrors(errors: readonly ErrorObject[] | null | undefined): { pointer: string; message: string }[] {
  const out: { pointer: string; message: string }[] = []
  const seen = new Set<string>()
  for (const e of errors ?? []) {
    if (e.keyword === 'if') continue
    let pointer = e.instancePath
    let message: string
    switch (e.keyword) {
      case 'additionalProperties': {
        const prop = String((e.params as { additionalProperty: string }).additionalProperty)
        pointer = `${pointer}/${prop.replace(/~/g, '~0').replace(/\//g, '~1')}`
        message = `unknown field '${prop}'`
        break
      }
      case 'required':
        message = `missing required field '${String((e.params as { missingProperty: string }).missingProperty)}'`
        break
      case 'enum':
        message = `must be one of ${JSON.stringify((e.params as { allowedValues: unknown[] }).allowedValues)}`
        break
      case 'not':
        message = 'a rule has either checks, or outcome/require/message, not both'
        break
      default:
        message = e.message ?? e.keyword
    }
    const key = `${pointer} ${message}`
    if (seen.has(key)) continue
    seen.add(key)
    out.push({ pointer, message })
  }
  return out
}
