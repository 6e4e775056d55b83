/**
 * The policy JSON Schema, bundled into the build so no file lookup is needed at run time, and the
 * helpers that read a record schema (which a policy folder declares) the way the validator needs.
 */
import folderSchema from '../schemas/folder.schema.json' with { type: 'json' }
import policySchema from '../schemas/policy.schema.json' with { type: 'json' }
import policyTestSchema from '../schemas/policy-test.schema.json' with { type: 'json' }
import type { JsonSchema } from './model.js'

export type { JsonSchema }

export const POLICY_SCHEMA: JsonSchema = policySchema
export const FOLDER_SCHEMA: JsonSchema = folderSchema
export const POLICY_TEST_SCHEMA: JsonSchema = policyTestSchema

function deref(root: JsonSchema, schema: JsonSchema | undefined): JsonSchema | undefined {
  let s = schema
  for (let i = 0; s && typeof s.$ref === 'string' && i < 10; i++) {
    const ref = s.$ref
    if (!ref.startsWith('#/')) return undefined
    let target: unknown = root
    for (const token of ref.slice(2).split('/')) {
      target = target && typeof target === 'object' ? (target as Record<string, unknown>)[token] : undefined
    }
    s = target as JsonSchema | undefined
  }
  return s
}

/** The sub-schema a path leads to inside a record schema, or undefined when the schema has no such field. */
export function schemaAt(
  root: JsonSchema,
  start: JsonSchema | undefined,
  segments: readonly (string | number)[],
): JsonSchema | undefined {
  let s = deref(root, start)
  for (const segment of segments) {
    if (!s) return undefined
    if (typeof segment === 'number') {
      s = deref(root, s.items as JsonSchema | undefined)
    } else {
      const props = s.properties as Record<string, JsonSchema> | undefined
      s = props && Object.prototype.hasOwnProperty.call(props, segment) ? deref(root, props[segment]) : undefined
    }
  }
  return s
}

/** The JSON type(s) a schema allows, as a set ('integer' counts as 'number'). */
export function schemaTypes(schema: JsonSchema | undefined): Set<string> {
  const t = schema?.type
  const list = Array.isArray(t) ? t : typeof t === 'string' ? [t] : []
  const out = new Set<string>(list.map((x) => (x === 'integer' ? 'number' : String(x))))
  if (schema && Array.isArray(schema.enum)) for (const v of schema.enum) out.add(typeof v)
  return out
}
