/**
 * Validation of a policy folder's declaration (`collabgate.yaml`): its subjects, each with its
 * record schemas (valid JSON Schema, versioned), its id field (a required string field of every
 * version) and its recognition condition, and the review clock's defaults. Every problem is
 * collected with file:line:col, as for policies.
 */
import type { PolicyProblem, ProblemCode } from '../errors.js'
import type { ParsedSource } from '../read/yaml-source.js'
import { escapePointerToken, unescapePointerToken } from '../language/paths.js'
import type { Condition, JsonSchema, MaskRule, RecordSchema, SubjectDefinition } from '../model.js'
import { FOLDER_SCHEMA, schemaAt, schemaTypes } from '../schemas.js'
import { describeAjvErrors, validators } from './ajv.js'
import {
  checkCondition,
  checkDateOperand,
  canonicalJson,
  compareVersions,
  digestOf,
  isSemver,
  problemsAt,
} from './policy.js'
import { compileRecordSchema } from './record-schema.js'

/** A record schema file as read: its display name and text, or why it could not be read (E_IO unless another code). */
export type SchemaFile = { file: string; text: string } | { file: string; error: string; code?: 'E_PATH_OUTSIDE' }

type Raw = Record<string, unknown>

/** Checks a parsed `collabgate.yaml`; `files` holds the schema files it names, by the name written. */
export function checkFolderDocument(
  source: ParsedSource,
  files: ReadonlyMap<string, SchemaFile>,
): { subjects: SubjectDefinition[]; problems: PolicyProblem[] } {
  // a string holding an invisible character would match nothing, or something other than it shows
  const problems: PolicyProblem[] = [...source.problems, ...(source.invisible ?? [])]
  const subjects: SubjectDefinition[] = []
  if (problems.length > 0) return { subjects, problems }
  const add = problemsAt(source, problems)
  const doc = source.value
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) {
    add('E_SCHEMA', '', 'collabgate.yaml must hold one YAML mapping with a `subjects` field')
    return { subjects, problems }
  }
  if (!validators.folder(doc)) {
    for (const e of describeAjvErrors(validators.folder.errors, FOLDER_SCHEMA))
      add('E_SCHEMA', e.pointer, e.message, { hint: e.hint })
    return { subjects, problems }
  }

  const declared = Object.entries((doc as Raw).subjects as Record<string, Raw>)
  for (const [name, raw] of declared) {
    const base = `/subjects/${name}`
    const schemas: RecordSchema[] = []
    for (const [version, rel] of Object.entries(raw.schemas as Record<string, string>)) {
      const pointer = `${base}/schemas/${escapePointerToken(version)}`
      if (!isSemver(version)) {
        add('E_INVALID_VERSION', pointer, `record schema version '${version}' is not a semantic version such as 1.0.0`)
        continue
      }
      const schema = readSchema(files.get(rel), rel, pointer, add)
      if (!schema) continue
      const digest = digestOf(schema)
      const compiled = compileRecordSchema({ digest, schema })
      if ('error' in compiled) {
        add('E_RECORD_SCHEMA', pointer, `${rel} is not a usable JSON Schema (draft 2020-12): ${compiled.error}`)
        continue
      }
      if (schema.type !== 'object')
        add('E_RECORD_SCHEMA', pointer, `${rel} must describe an object (type: object): a record is a JSON object`)
      schemas.push({ subject: name, version, digest, schema, location: source.locate(pointer) })
    }
    schemas.sort((a, b) => compareVersions(a.version, b.version))

    const idField = raw.id as string
    for (const s of schemas) {
      const field = schemaAt(s.schema, s.schema, [idField])
      const required = Array.isArray(s.schema.required) && s.schema.required.includes(idField)
      if (!field || !required || !schemaTypes(field).has('string') || schemaTypes(field).size !== 1) {
        add(
          'E_RECORD_SCHEMA',
          `${base}/id`,
          `the id field '${idField}' must be a required string field of every ${name} record schema; ` +
            `${name}@${s.version} ` +
            `${!field ? 'has no such field' : !required ? 'does not require it' : 'does not make it a string'}`,
        )
      }
    }
    // conditions read the oldest schema; every later version must keep the fields they name (checked per policy)
    const oldest = schemas[0]
    if (oldest) {
      checkCondition(raw.recognise as Raw, `${base}/recognise`, {}, oldest.schema, add)
      const review = raw.review as { from?: { fact: string; path?: string }; decided?: Condition } | undefined
      if (review?.from) checkDateOperand(review.from, `${base}/review/from`, {}, oldest.schema, add, 0)
      if (review?.decided)
        checkCondition(review.decided as unknown as Raw, `${base}/review/decided`, {}, oldest.schema, add)
    }
    const mask = (raw.audit as { mask: MaskRule[] } | undefined)?.mask
    if (mask) checkMask(mask, `${base}/audit/mask`, name, schemas, add)
    // (a subject with a problem, or with no usable schema, which is always a problem, is dropped below)
    const subject: SubjectDefinition = {
      name,
      idField,
      recognise: raw.recognise as Condition,
      schemas,
      location: source.locate(base),
    }
    if (raw.review) subject.review = raw.review as NonNullable<SubjectDefinition['review']>
    if (mask) subject.audit = { mask: mask.map((m) => ({ pointer: m.pointer, action: m.action })) }
    subjects.push(subject)
  }

  // two subjects with the same recognition condition would claim every record together (checked as written)
  declared.forEach(([a, rawA], i) => {
    for (const [b, rawB] of declared.slice(i + 1)) {
      if (canonicalJson(rawA.recognise) === canonicalJson(rawB.recognise)) {
        add(
          'E_SUBJECT_OVERLAP',
          `/subjects/${b}/recognise`,
          `subjects ${a} and ${b} recognise records by the same condition; no record may be of two kinds`,
        )
      }
    }
  })
  // any problem of the declaration: no subjects at all
  return { subjects: problems.length > 0 ? [] : subjects, problems }
}

/** The segments of a JSON pointer (RFC 6901), unescaped. */
export function pointerSegments(pointer: string): string[] {
  return pointer.split('/').slice(1).map(unescapePointerToken)
}

/** The schema a pointer leads to in a record schema: a digit segment is an index where the schema is a list. */
function schemaAtPointer(schema: JsonSchema, pointer: string): JsonSchema | undefined {
  let at: JsonSchema | undefined = schema
  for (const segment of pointerSegments(pointer)) {
    if (!at) return undefined
    const index = /^(0|[1-9][0-9]*)$/.test(segment) && schemaTypes(schemaAt(schema, at, [])).has('array')
    at = schemaAt(schema, at, [index ? Number(segment) : segment])
  }
  return at
}

/** A mask names fields some version of the record schema has (a typo would mask nothing), each once. */
function checkMask(
  mask: readonly MaskRule[],
  base: string,
  subject: string,
  schemas: readonly RecordSchema[],
  add: (code: ProblemCode, pointer: string, message: string) => void,
): void {
  const seen = new Set<string>()
  mask.forEach((rule, i) => {
    const at = `${base}/${i}/pointer`
    if (seen.has(rule.pointer))
      add('E_SCHEMA', at, `the mask names ${rule.pointer} twice; give each pointer one action`)
    seen.add(rule.pointer)
    if (schemas.length > 0 && !schemas.some((s) => schemaAtPointer(s.schema, rule.pointer) !== undefined))
      add('E_UNKNOWN_PATH', at, `the mask's pointer ${rule.pointer} leads to no field of any ${subject} record schema`)
  })
}

function readSchema(
  file: SchemaFile | undefined,
  rel: string,
  pointer: string,
  add: (code: ProblemCode, pointer: string, message: string) => void,
): Record<string, unknown> | undefined {
  if (!file) {
    add('E_IO', pointer, `cannot read the record schema ${rel}`)
    return undefined
  }
  if ('error' in file) {
    if (file.code) add(file.code, pointer, `the record schema ${file.file} is not read: ${file.error}`)
    else add('E_IO', pointer, `cannot read the record schema ${file.file}: ${file.error}`)
    return undefined
  }
  let value: unknown
  try {
    value = JSON.parse(file.text)
  } catch (err) {
    add('E_RECORD_SCHEMA', pointer, `${file.file} is not JSON: ${(err as Error).message}`)
    return undefined
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    add('E_RECORD_SCHEMA', pointer, `${file.file} must hold a JSON Schema object`)
    return undefined
  }
  return value as Record<string, unknown>
}
