import type { ErrorObject } from 'ajv'
import { escapePointerToken } from '../load/yaml-source.js'
import { knownNamesHint } from '../suggest.js'

/** The shipped schemas' validators, precompiled at build time (scripts/build-validators.mjs): no ajv compile at run time. */
export * as validators from '../generated/validators.js'

/** The field names a schema object at a local `#/...` schema path allows, or none when it cannot tell. */
function fieldsAt(root: Record<string, unknown> | undefined, schemaPath: string): string[] {
  if (!root || !schemaPath.startsWith('#/')) return []
  let at: unknown = root
  for (const token of schemaPath.slice(2).split('/').slice(0, -1))
    at = at && typeof at === 'object' ? (at as Record<string, unknown>)[token] : undefined
  const props = at && typeof at === 'object' ? (at as { properties?: unknown }).properties : undefined
  return props && typeof props === 'object' ? Object.keys(props) : []
}

/**
 * Turns ajv's errors into one sentence each, dropping the noise of if/then/else wrappers. Given the
 * schema that was checked, an unknown field gets a hint: the fields allowed there, the one meant first.
 */
export function describeAjvErrors(
  errors: readonly ErrorObject[] | null | undefined,
  schema?: Record<string, unknown>,
): { pointer: string; message: string; hint?: string }[] {
  const out: { pointer: string; message: string; hint?: string }[] = []
  const seen = new Set<string>()
  for (const e of errors ?? []) {
    if (e.keyword === 'if') continue
    // a date is `anyOf: [date, date-time]`: one sentence instead of three
    if (e.keyword === 'format' && e.schemaPath.includes('/anyOf/')) continue
    let pointer = e.instancePath
    let message: string
    let hint: string | undefined
    switch (e.keyword) {
      case 'additionalProperties': {
        const prop = String((e.params as { additionalProperty: string }).additionalProperty)
        pointer = `${pointer}/${escapePointerToken(prop)}`
        message = `unknown field '${prop}'`
        const fields = fieldsAt(schema, e.schemaPath)
        if (fields.length > 0) hint = knownNamesHint(prop, fields, 'the fields here')
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
    out.push(hint === undefined ? { pointer, message } : { pointer, message, hint })
  }
  return out
}
