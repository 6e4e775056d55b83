import type { ErrorObject } from 'ajv'
import { escapePointerToken, unescapePointerToken } from '../language/paths.js'
import { knownNamesHint } from '../suggest.js'

/**
 * The shipped schemas' validators, precompiled at build time (scripts/build-validators.mjs): no ajv compile at run
 * time.
 */
export * as validators from '../generated/validators.js'

/** The shipped schemas' patterns in words, each with an example, so a shape mistake names its fix. */
const PATTERN_MESSAGES: Readonly<Record<string, string>> = {
  '^\\d{4}-\\d{2}-\\d{2}$': 'must be a date written YEAR-MONTH-DAY in quotes, e.g. "2027-06-01" for 1 June 2027',
  '^[a-z0-9]+(?:[.-][a-z0-9]+)*$': 'must be lower-case words joined by dots or hyphens, e.g. acme.uk.onboarding',
  '^[a-z][a-z0-9_-]*$': 'must be a lower-case name starting with a letter (letters, digits, _ or -), e.g. application',
  '^[a-z][a-z0-9_]*$': 'must be a lower-case name starting with a letter (letters, digits, _), e.g. needs_information',
  '^[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*$': 'must be upper-case words joined by hyphens, e.g. ONB-SCOPE-US',
  '^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,4})?$':
    'must be a calendar code: US (the default), a country code such as GB or DE, or a region such as GB-ENG or US-CA',
  '^(/([^~/]|~[01])*)+$': 'must be a JSON pointer below the top level of the record, e.g. /applicant/contactEmail',
  '^sha256:[0-9a-f]{64}$': 'must be sha256: followed by 64 lower-case hex digits, e.g. sha256:5ef80c4d…',
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null

/** A schema with its local `$ref`s followed (`#/...` only); undefined when one leads elsewhere. */
function resolved(root: Record<string, unknown> | undefined, schema: unknown): unknown {
  let at = schema
  // 20 hops at most: a cycle of $refs names no schema (the last one reached has no fields of its own)
  // Stryker disable next-line EqualityOperator: test/mutation/equivalent.md#ref-hops
  for (let hops = 0; hops < 20 && isObject(at) && typeof at.$ref === 'string'; hops++)
    at = at.$ref.startsWith('#/')
      ? at.$ref
          .slice(2)
          .split('/')
          .reduce<unknown>((o, t) => (isObject(o) ? o[t] : undefined), root)
      : undefined
  return at
}

/**
 * The field names the schema allows at an instance path, or none when it cannot tell. Found by walking the
 * instance path down the schema (properties, items, additionalProperties, local `$ref`s): ajv's schemaPath
 * starts again at `#` inside a `$ref`'d definition it compiles on its own (a rule, a condition), so it
 * cannot say where in the schema the error is.
 */
function fieldsAt(root: Record<string, unknown> | undefined, instancePath: string): string[] {
  let at = resolved(root, root) // no schema: nothing to walk, no fields
  const tokens = instancePath === '' ? [] : instancePath.slice(1).split('/')
  for (const raw of tokens) {
    if (!isObject(at)) return []
    const token = unescapePointerToken(raw)
    const props = at.properties
    at = resolved(
      root,
      isObject(props) && Object.hasOwn(props, token)
        ? props[token]
        : /^\d+$/.test(token) && at.items
          ? at.items
          : at.additionalProperties,
    )
  }
  return isObject(at) && isObject(at.properties) ? Object.keys(at.properties) : []
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
        const fields = fieldsAt(schema, e.instancePath)
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
      case 'pattern':
        message = PATTERN_MESSAGES[String((e.params as { pattern: string }).pattern)] ?? e.message ?? e.keyword
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
