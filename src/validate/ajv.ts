import type { ErrorObject } from 'ajv'
import { escapePointerToken } from '../load/yaml-source.js'

/** The shipped schemas' validators, precompiled at build time (scripts/build-validators.mjs): no ajv compile at run time. */
export * as validators from '../generated/validators.js'

/** Turns ajv's errors into one sentence each, dropping the noise of if/then/else wrappers. */
export function describeAjvErrors(errors: readonly ErrorObject[] | null | undefined): { pointer: string; message: string }[] {
  const out: { pointer: string; message: string }[] = []
  const seen = new Set<string>()
  for (const e of errors ?? []) {
    if (e.keyword === 'if') continue
    // a date is `anyOf: [date, date-time]`: one sentence instead of three
    if (e.keyword === 'format' && e.schemaPath.includes('/anyOf/')) continue
    let pointer = e.instancePath
    let message: string
    switch (e.keyword) {
      case 'additionalProperties': {
        const prop = String((e.params as { additionalProperty: string }).additionalProperty)
        pointer = `${pointer}/${escapePointerToken(prop)}`
        message = `unknown field '${prop}'`
        break
      }
      case 'required':
        message = `missing required field '${String((e.params as { missingProperty: string }).missingProperty)}'`
        break
      case 'enum':
        message = `must be one of ${JSON.stringify((e.params as { allowedValues: unknown[] }).allowedValues)}`
        break
      case 'anyOf':
        message = e.schemaPath.endsWith('/date/anyOf')
          ? 'must be a real date (YYYY-MM-DD) or an RFC 3339 date-time'
          : (e.message ?? e.keyword)
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
