/**
 * ajv's errors as one sentence each (src/validate/ajv.ts) and record schemas as validators
 * (src/validate/record-schema.ts): exact pointers, messages and hints, and which validator a schema gets.
 * Schemas are compiled inside the tests.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { ErrorObject } from 'ajv'
import { describe, expect, it } from 'vitest'
import { defaultPoliciesDir } from '../../src/read/package-root.js'
import { parseYamlSource } from '../../src/read/yaml-source.js'
import type { RecordSchema } from '../../src/model.js'
import { FOLDER_SCHEMA, POLICY_SCHEMA } from '../../src/schemas.js'
import { describeAjvErrors, validators } from '../../src/validate/ajv.js'
import { checkPolicyDocument } from '../../src/validate/policy.js'
import { digestOf } from '../../src/validate/policy.js'
import { compileRecordSchema, recordValidator } from '../../src/validate/record-schema.js'

const SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'kind'],
  properties: {
    id: { type: 'string' },
    kind: { enum: ['a', 'b'] },
    'odd/name~x': { type: 'string' },
    at: { $ref: '#/$defs/date' },
    size: { type: 'number', minimum: 1 },
    detail: { type: 'object', additionalProperties: false, properties: { note: { type: 'string' } } },
    bag: { type: 'object', additionalProperties: false },
  },
  if: { properties: { kind: { const: 'b' } } },
  then: { required: ['size'] },
  $defs: { date: { type: 'string', anyOf: [{ format: 'date' }, { format: 'date-time' }] } },
}

/** The sentences for `record` under SCHEMA (compiled here, once per digest). */
function describe_(record: unknown, schema: Record<string, unknown> | null = SCHEMA) {
  const compiled = compileRecordSchema({ digest: digestOf(SCHEMA), schema: SCHEMA })
  if (!('validate' in compiled)) throw new Error(compiled.error)
  expect(compiled.validate(record)).toBe(false)
  return describeAjvErrors(compiled.validate.errors, schema ?? undefined)
}

/** The fields of a policy before its rules, for the schema tests' policy texts. */
const POLICY_HEAD = `id: demo.x
version: 1.0.0
title: x
subject: application
effective: { from: "2024-01-01" }
outcomes: [reject, approve]
default: approve
rules:
`
describe('ajv errors as sentences', () => {
  it('says each problem once at its pointer: required, enum, unknown fields (escaped, with the fields meant), dates, bounds', () => {
    expect(describe_({ kind: 'c', colr: 1, 'x/y': 2, at: '2024-02-30', size: 0, detail: { nte: 'x' } })).toEqual([
      { pointer: '', message: "missing required field 'id'" },
      { pointer: '/colr', message: "unknown field 'colr'", hint: 'the fields here: id, kind, odd/name~x, at, size, detail, bag' },
      { pointer: '/x~1y', message: "unknown field 'x/y'", hint: 'the fields here: id, kind, odd/name~x, at, size, detail, bag' },
      { pointer: '/kind', message: 'must be one of ["a","b"]' },
      { pointer: '/at', message: 'must be a real date (YYYY-MM-DD) or an RFC 3339 date-time' },
      { pointer: '/size', message: 'must be >= 1' },
      { pointer: '/detail/nte', message: "unknown field 'nte'", hint: "did you mean 'note'? the fields here: note" },
    ])
  })

  it('names the field meant when it is close, and gives no hint without the schema or where no fields are listed', () => {
    expect(describe_({ id: 'x', kind: 'a', sise: 2 })).toEqual([
      {
        pointer: '/sise',
        message: "unknown field 'sise'",
        hint: "did you mean 'size'? the fields here: id, kind, odd/name~x, at, size, detail, bag",
      },
    ])
    expect(describe_({ id: 'x', kind: 'a', sise: 2 }, null)).toEqual([{ pointer: '/sise', message: "unknown field 'sise'" }])
    // `bag` allows no fields at all: nothing to suggest
    expect(describe_({ id: 'x', kind: 'a', bag: { k: 1 } })).toEqual([{ pointer: '/bag/k', message: "unknown field 'k'" }])
  })

  it('drops the if/then wrapper and keeps what the then branch requires', () => {
    expect(describe_({ id: 'x', kind: 'b' })).toEqual([{ pointer: '', message: "missing required field 'size'" }])
  })

  it('returns nothing for no errors', () => {
    expect(describeAjvErrors(null)).toEqual([])
    expect(describeAjvErrors(undefined)).toEqual([])
    expect(describeAjvErrors([])).toEqual([])
  })

  it("uses ajv's message for other keywords and for an anyOf that is not a date, the keyword when there is none", () => {
    const e = (keyword: string, schemaPath: string, message?: string): ErrorObject =>
      ({ keyword, schemaPath, instancePath: '/v', params: {}, ...(message === undefined ? {} : { message }) }) as ErrorObject
    expect(
      describeAjvErrors([
        e('anyOf', '#/properties/v/anyOf', 'must match a schema in anyOf'),
        e('anyOf', '#/properties/w/anyOf'),
        e('type', '#/properties/v/type', 'must be string'),
        e('pattern', '#/properties/v/pattern'),
        e('not', '#/properties/v/not', 'must NOT be valid'),
        e('if', '#/if', 'must match "then" schema'),
        e('format', '#/$defs/date/anyOf/0/format', 'must match format "date"'),
        e('format', '#/properties/v/format', 'must match format "email"'),
        e('type', '#/properties/v/type', 'must be string'),
      ]),
    ).toEqual([
      { pointer: '/v', message: 'must match a schema in anyOf' },
      { pointer: '/v', message: 'anyOf' },
      { pointer: '/v', message: 'must be string' },
      { pointer: '/v', message: 'pattern' },
      { pointer: '/v', message: 'a rule has either checks, or outcome/require/message, not both' },
      { pointer: '/v', message: 'must match format "email"' },
    ])
  })

  it('finds the allowed fields by walking the instance path down the schema, through local $refs only', () => {
    const error = (instancePath: string, schemaPath = '#/additionalProperties'): ErrorObject =>
      ({ keyword: 'additionalProperties', schemaPath, instancePath, params: { additionalProperty: 'nme' } }) as ErrorObject
    const schema = {
      properties: {
        name: {},
        list: { items: { $ref: '#/$defs/x' } },
        'a/b~c': { $ref: '#/$defs/x' },
        map: { additionalProperties: { $ref: '#/$defs/y' } },
        mixed: { properties: { a: {} }, additionalProperties: { $ref: '#/$defs/z' } },
      },
      $defs: {
        x: { properties: { name: {}, size: {} } },
        y: { $ref: '#/$defs/z' },
        z: { properties: { nam: {} } },
        loop: { $ref: '#/$defs/loop' },
        far: { $ref: 'other.json#/$defs/x' },
        near: { $ref: 'x/$defs/x' },
        odd: { properties: 'no' },
        nul: { properties: null },
      },
    }
    const hint = (instancePath: string, root: Record<string, unknown> = schema) => describeAjvErrors([error(instancePath)], root)[0]!.hint
    expect(describeAjvErrors([error('')], schema)).toEqual([
      { pointer: '/nme', message: "unknown field 'nme'", hint: "did you mean 'name'? the fields here: name, list, a/b~c, map, mixed" },
    ])
    expect(hint('/list/3')).toBe("did you mean 'name'? the fields here: name, size")
    expect(hint('/a~1b~0c')).toBe("did you mean 'name'? the fields here: name, size")
    // additionalProperties, then a $ref to a $ref
    expect(hint('/map/k')).toBe('the fields here: nam')
    // a number is a key like any other where the schema lists no items
    expect(hint('/map/5')).toBe('the fields here: nam')
    // a field the schema does not know, an index where there are no items, a path below a leaf: nothing to say
    expect(hint('/mixed/k')).toBe('the fields here: nam')
    expect(hint('/toString')).toBeUndefined()
    expect(hint('/nope')).toBeUndefined()
    expect(hint('/nope/deeper')).toBeUndefined()
    expect(hint('/name/x')).toBeUndefined()
    expect(hint('/list/x')).toBeUndefined()
    expect(hint('/list/x1')).toBeUndefined()
    expect(hint('/list/1x')).toBeUndefined()
    expect(hint('/list/12')).toBe("did you mean 'name'? the fields here: name, size")
    expect(hint('/3')).toBeUndefined()
    expect(hint('/list/3/size/q')).toBeUndefined()
    // a cycle of $refs, a $ref to another file, properties that are not an object
    expect(hint('', { $ref: '#/$defs/loop', $defs: schema.$defs })).toBeUndefined()
    expect(hint('', { $ref: '#/$defs/far', $defs: schema.$defs })).toBeUndefined()
    expect(hint('', { $ref: '#/$defs/near', $defs: schema.$defs })).toBeUndefined()
    expect(hint('', { $ref: '#/$defs/odd', $defs: schema.$defs })).toBeUndefined()
    expect(hint('', { $ref: '#/$defs/nul', $defs: schema.$defs })).toBeUndefined()
    expect(hint('', { $ref: '#/$defs/x', $defs: schema.$defs })).toBe("did you mean 'name'? the fields here: name, size")
    expect(hint('', { $ref: '#/$defs/none/x', $defs: schema.$defs })).toBeUndefined()
  })

  it('hints the fields of a rule and of a condition for an unknown field in a policy, not the top-level fields', () => {
    const text = `${POLICY_HEAD}  - id: R-ONE
    title: one
    colr: 1
    source: { status: modelled, from: test, sttus: 1 }
    outcome: reject
    message: m
    require: { all: [{ fact: applicationId, operator: present, value: true, vlue: 1 }] }
`
    expect(validators.policy(parseYamlSource('p.yaml', text).value)).toBe(false)
    expect(describeAjvErrors(validators.policy.errors, POLICY_SCHEMA)).toEqual([
      {
        pointer: '/rules/0/colr',
        message: "unknown field 'colr'",
        hint: 'the fields here: id, title, source, outcome, require, message, checks, hints',
      },
      { pointer: '/rules/0/source/sttus', message: "unknown field 'sttus'", hint: "did you mean 'status'? the fields here: status, from" },
      {
        pointer: '/rules/0/require/all/0/vlue',
        message: "unknown field 'vlue'",
        hint: "did you mean 'value'? the fields here: all, any, not, fact, path, operator, value",
      },
    ])
  })

  it('says a rule has checks or its own outcome, not both, at the rule', () => {
    const text = `${POLICY_HEAD}  - id: R-BOTH
    title: both
    source: { status: modelled, from: test }
    outcome: reject
    checks:
      - { outcome: reject, require: { fact: applicationId, operator: present, value: true }, message: "a" }
`
    expect(validators.policy(parseYamlSource('p.yaml', text).value)).toBe(false)
    const sentences = describeAjvErrors(validators.policy.errors, POLICY_SCHEMA)
    expect(sentences).toEqual([{ pointer: '/rules/0', message: 'a rule has either checks, or outcome/require/message, not both' }])
    const { problems } = checkPolicyDocument(parseYamlSource('p.yaml', text), { subjects: new Map() })
    expect(problems.map((p) => [p.code, p.pointer, p.line, p.column, p.message])).toEqual([
      ['E_SCHEMA', '/rules/0', 9, 5, 'a rule has either checks, or outcome/require/message, not both'],
    ])
  })

  it('gives no field hint for a condition in collabgate.yaml, whose schema lives in the policy schema', () => {
    const doc = {
      subjects: {
        app: { id: 'appId', recognise: { fact: 'appId', operator: 'present', value: true, colour: 1 }, schemas: { '1.0.0': 'r.json' } },
      },
    }
    expect(validators.folder(doc)).toBe(false)
    expect(describeAjvErrors(validators.folder.errors, FOLDER_SCHEMA)).toEqual([
      { pointer: '/subjects/app/recognise/colour', message: "unknown field 'colour'" },
    ])
  })
})

describe('record schemas as validators', () => {
  it('gives a shipped record schema its precompiled validator, without compiling it', () => {
    const root = defaultPoliciesDir()
    const schema = JSON.parse(readFileSync(join(root, 'records', 'application.v1.0.0.schema.json'), 'utf8')) as Record<string, unknown>
    const digest = digestOf(schema)
    expect(Object.hasOwn(validators.recordValidators, digest)).toBe(true)
    const compiled = compileRecordSchema({ digest, schema })
    expect('validate' in compiled && compiled.validate).toBe(validators.recordValidators[digest])
  })

  it('compiles any other schema once per digest, strictly, with formats', () => {
    const schema = { type: 'object', properties: { d: { type: 'string', format: 'date' } } }
    const digest = digestOf(schema)
    const first = compileRecordSchema({ digest, schema })
    const again = compileRecordSchema({ digest, schema })
    if (!('validate' in first) || !('validate' in again)) throw new Error('expected validators')
    expect(again.validate).toBe(first.validate)
    expect(first.validate({ d: '2024-01-31' })).toBe(true)
    expect(first.validate({ d: '2024-02-30' })).toBe(false)
    // all errors, not only the first; a required field without a property, and a union type, are accepted
    const loose = { type: 'object', required: ['a', 'b'], properties: { b: { type: ['string', 'number'] } } }
    const many = compileRecordSchema({ digest: digestOf(loose), schema: loose })
    if (!('validate' in many)) throw new Error(many.error)
    expect(many.validate({})).toBe(false)
    expect(many.validate.errors?.map((e) => e.params)).toEqual([{ missingProperty: 'a' }, { missingProperty: 'b' }])
    expect(many.validate({ a: 1, b: 2 })).toBe(true)
    // a digest that is not a shipped one, even one named like an Object.prototype key, is compiled
    const proto = compileRecordSchema({ digest: 'toString', schema })
    expect('validate' in proto && proto.validate({ d: 'x' })).toBe(false)
  })

  it('says why a schema does not compile, and recordValidator throws it with the schema name', () => {
    const bad = { type: 'object', properties: { d: { type: 'string', format: 'no-such-format' } } }
    const digest = digestOf(bad)
    expect(compileRecordSchema({ digest, schema: bad })).toEqual({
      error: 'unknown format "no-such-format" ignored in schema at path "#/properties/d"',
    })
    const record: RecordSchema = {
      subject: 'app',
      version: '1.2.0',
      digest,
      schema: bad,
      location: { file: 'collabgate.yaml', line: 1, column: 1 },
    }
    expect(() => recordValidator(record)).toThrow(
      new Error('record schema app@1.2.0 does not compile: unknown format "no-such-format" ignored in schema at path "#/properties/d"'),
    )
    const good = { type: 'object' }
    const ok: RecordSchema = { ...record, digest: digestOf(good), schema: good }
    expect(recordValidator(ok)({})).toBe(true)
  })

  it('compiles a schema under an id made of its digest, as the build script does, whatever $id it declares', () => {
    // two versions of one record schema may declare the same $id; ajv names the schema it compiles by its id
    const untyped = { $id: 'https://example.com/record.json', properties: { a: { type: 'string' } } }
    const digest = digestOf(untyped)
    expect(compileRecordSchema({ digest, schema: untyped })).toEqual({
      error: `strict mode: missing type "object" for keyword "properties" at "urn:collabgate:record-schema:${digest}#" (strictTypes)`,
    })
  })
})

describe('ajv errors under an anyOf', () => {
  const typeError: ErrorObject = {
    keyword: 'type',
    instancePath: '/d',
    schemaPath: '#/properties/d/anyOf/0/type',
    params: { type: 'string' },
    message: 'must be string',
  }
  it("drops only a branch's format error, keeping its other errors", () => {
    expect(describeAjvErrors([typeError])).toEqual([{ pointer: '/d', message: 'must be string' }])
    const formatError: ErrorObject = {
      ...typeError,
      keyword: 'format',
      schemaPath: '#/properties/d/anyOf/0/format',
      params: { format: 'date' },
    }
    expect(describeAjvErrors([formatError])).toEqual([])
  })

  it('gives a sentence without a hint no hint key', () => {
    const [only] = describeAjvErrors([typeError])
    expect(Object.keys(only!)).toEqual(['pointer', 'message'])
  })
})
