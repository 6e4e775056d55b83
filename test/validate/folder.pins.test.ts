/**
 * The checks of a folder declaration (collabgate.yaml), one at a time, on in-memory text: each problem's exact
 * code, message, pointer and line:column, and what the subjects a valid declaration yields hold.
 * Everything runs inside the tests (mutation testing counts code run while a file is collected as static).
 */
import { describe, expect, it } from 'vitest'
import { parseYamlSource } from '../../src/read/yaml-source.js'
import { checkFolderDocument, type SchemaFile } from '../../src/validate/folder.js'

const RECORD = {
  type: 'object',
  required: ['appId', 'country'],
  properties: {
    appId: { type: 'string' },
    country: { enum: ['US', 'GB'] },
    submittedAt: { type: 'string' },
    size: { type: 'number' },
    review: { type: 'object', properties: { result: { type: 'string' } } },
  },
}

/** Checks `yaml` (collabgate.yaml) with the schema files given by name: text, or `{ error }` for a file that could not be read. */
function check(yaml: string, files: Record<string, unknown> = { 'r1.json': RECORD }) {
  const map = new Map<string, SchemaFile>()
  for (const [name, f] of Object.entries(files)) {
    if (typeof f === 'string') map.set(name, { file: `records/${name}`, text: f })
    else if (f && typeof f === 'object' && 'error' in f) map.set(name, { file: `records/${name}`, error: String(f.error) })
    else map.set(name, { file: `records/${name}`, text: JSON.stringify(f) })
  }
  return checkFolderDocument(parseYamlSource('collabgate.yaml', yaml), map)
}

/** A declaration of one subject `app` with the given schema versions (version → file) and extra lines. */
const declaration = (schemas: Record<string, string> = { '1.0.0': 'r1.json' }, id = 'appId', extra = '') =>
  `subjects:
  app:
    id: ${id}
    recognise: { fact: appId, operator: present, value: true }
    schemas:
${Object.entries(schemas)
  .map(([v, f]) => `      "${v}": ${f}`)
  .join('\n')}
${extra}`

const brief = (problems: readonly { code: string; pointer: string; message: string; line: number; column: number }[]) =>
  problems.map((p) => ({ code: p.code, pointer: p.pointer, message: p.message, line: p.line, column: p.column }))

describe('folder declaration: the document itself', () => {
  it('passes a YAML syntax error through as the only problem, with no subjects', () => {
    const { subjects, problems } = check('subjects:\n  app: [1\n')
    expect(subjects).toEqual([])
    expect(problems.map((p) => p.code)).toEqual(['E_YAML_SYNTAX'])
    expect(problems[0]!.file).toBe('collabgate.yaml')
  })

  it('refuses a document that is not a mapping at 1:1 with the sentence saying what it must hold', () => {
    for (const text of ['- a\n- b\n', 'just text\n', '']) {
      const { subjects, problems } = check(text)
      expect(subjects).toEqual([])
      expect(brief(problems)).toEqual([
        {
          code: 'E_SCHEMA',
          pointer: '',
          message: 'collabgate.yaml must hold one YAML mapping with a `subjects` field',
          line: 1,
          column: 1,
        },
      ])
    }
  })

  it('reports schema violations at their key and stops there', () => {
    const { subjects, problems } = check('subjects:\n  app:\n    id: appId\n    colour: red\n')
    expect(subjects).toEqual([])
    expect(brief(problems)).toEqual([
      { code: 'E_SCHEMA', pointer: '/subjects/app', message: "missing required field 'recognise'", line: 2, column: 3 },
      { code: 'E_SCHEMA', pointer: '/subjects/app', message: "missing required field 'schemas'", line: 2, column: 3 },
      { code: 'E_SCHEMA', pointer: '/subjects/app/colour', message: "unknown field 'colour'", line: 4, column: 5 },
    ])
    expect(problems[2]!.hint).toContain('the fields here')
  })
})

describe('folder declaration: record schema files', () => {
  it('accepts a valid declaration: the subject with its id, recognition, schemas (sorted by version) and locations', () => {
    const { subjects, problems } = check(declaration({ '1.10.0': 'r1.json', '1.2.0': 'r1.json', '1.0.0-rc.1': 'r1.json' }))
    expect(problems).toEqual([])
    expect(subjects).toHaveLength(1)
    const [s] = subjects
    expect(s!.name).toBe('app')
    expect(s!.idField).toBe('appId')
    expect(s!.recognise).toEqual({ fact: 'appId', operator: 'present', value: true })
    expect(s!.location).toEqual({ file: 'collabgate.yaml', line: 2, column: 3 })
    expect(s!.review).toBeUndefined()
    expect(s!.schemas.map((x) => x.version)).toEqual(['1.0.0-rc.1', '1.2.0', '1.10.0'])
    expect(s!.schemas.map((x) => x.location.line)).toEqual([8, 7, 6])
    expect(s!.schemas[0]).toMatchObject({ subject: 'app', schema: RECORD, location: { file: 'collabgate.yaml', line: 8, column: 7 } })
    expect(s!.schemas[0]!.digest).toMatch(/^sha256:[0-9a-f]{64}$/)
  })

  it('keeps the review defaults of a subject', () => {
    const review =
      '    review:\n      from: { fact: submittedAt }\n      decided: { fact: review, path: $.result, operator: present, value: true }\n'
    const { subjects, problems } = check(declaration(undefined, undefined, review))
    expect(problems).toEqual([])
    expect(subjects[0]!.review).toEqual({
      from: { fact: 'submittedAt' },
      decided: { fact: 'review', path: '$.result', operator: 'present', value: true },
    })
  })

  it('refuses a version that is not semantic, at its escaped pointer', () => {
    const { subjects, problems } = check(declaration({ '1.0': 'r1.json', 'a/b~c': 'r1.json', '1.0.0': 'r1.json' }))
    expect(subjects).toEqual([])
    expect(brief(problems)).toEqual([
      {
        code: 'E_INVALID_VERSION',
        pointer: '/subjects/app/schemas/1.0',
        message: "record schema version '1.0' is not a semantic version such as 1.0.0",
        line: 6,
        column: 7,
      },
      {
        code: 'E_INVALID_VERSION',
        pointer: '/subjects/app/schemas/a~1b~0c',
        message: "record schema version 'a/b~c' is not a semantic version such as 1.0.0",
        line: 7,
        column: 7,
      },
    ])
  })

  it('refuses a file it was not given, and one that could not be read, saying why', () => {
    const { subjects, problems } = check(declaration({ '1.0.0': 'gone.json', '1.1.0': 'locked.json' }), {
      'locked.json': { error: 'EACCES: permission denied' },
    })
    expect(subjects).toEqual([])
    expect(brief(problems)).toEqual([
      { code: 'E_IO', pointer: '/subjects/app/schemas/1.0.0', message: 'cannot read the record schema gone.json', line: 6, column: 7 },
      {
        code: 'E_IO',
        pointer: '/subjects/app/schemas/1.1.0',
        message: 'cannot read the record schema records/locked.json: EACCES: permission denied',
        line: 7,
        column: 7,
      },
    ])
  })

  it('refuses a file that is not JSON, or JSON that is not an object', () => {
    const { subjects, problems } = check(
      declaration({ '1.0.0': 'bad.json', '1.1.0': 'list.json', '1.2.0': 'null.json', '1.3.0': 'str.json' }),
      {
        'bad.json': '{ nope',
        'list.json': '[]',
        'null.json': 'null',
        'str.json': '"object"',
      },
    )
    expect(subjects).toEqual([])
    const notJson = (() => {
      try {
        JSON.parse('{ nope')
      } catch (err) {
        return (err as Error).message
      }
    })()
    expect(brief(problems)).toEqual([
      {
        code: 'E_RECORD_SCHEMA',
        pointer: '/subjects/app/schemas/1.0.0',
        message: `records/bad.json is not JSON: ${notJson}`,
        line: 6,
        column: 7,
      },
      {
        code: 'E_RECORD_SCHEMA',
        pointer: '/subjects/app/schemas/1.1.0',
        message: 'records/list.json must hold a JSON Schema object',
        line: 7,
        column: 7,
      },
      {
        code: 'E_RECORD_SCHEMA',
        pointer: '/subjects/app/schemas/1.2.0',
        message: 'records/null.json must hold a JSON Schema object',
        line: 8,
        column: 7,
      },
      {
        code: 'E_RECORD_SCHEMA',
        pointer: '/subjects/app/schemas/1.3.0',
        message: 'records/str.json must hold a JSON Schema object',
        line: 9,
        column: 7,
      },
    ])
  })

  it("refuses a schema ajv cannot compile, with ajv's reason, and one that does not describe an object", () => {
    const { subjects, problems } = check(declaration({ '1.0.0': 'odd.json', '1.1.0': 'arr.json' }), {
      'odd.json': { ...RECORD, colour: 'red' },
      'arr.json': { type: 'array', items: { type: 'string' } },
    })
    expect(subjects).toEqual([])
    expect(brief(problems)).toEqual([
      {
        code: 'E_RECORD_SCHEMA',
        pointer: '/subjects/app/schemas/1.0.0',
        message: 'odd.json is not a usable JSON Schema (draft 2020-12): strict mode: unknown keyword: "colour"',
        line: 6,
        column: 7,
      },
      {
        code: 'E_RECORD_SCHEMA',
        pointer: '/subjects/app/schemas/1.1.0',
        message: 'arr.json must describe an object (type: object): a record is a JSON object',
        line: 7,
        column: 7,
      },
      {
        code: 'E_RECORD_SCHEMA',
        pointer: '/subjects/app/id',
        message: "the id field 'appId' must be a required string field of every app record schema; app@1.1.0 has no such field",
        line: 3,
        column: 5,
      },
      // the schema that is not an object is still the oldest usable one, so recognition is checked against it
      { code: 'E_UNKNOWN_FACT', pointer: '/subjects/app/recognise/fact', message: "unknown fact 'appId'", line: 4, column: 18 },
    ])
  })
})

describe('folder declaration: the id field', () => {
  const idProblem = (version: string, why: string) => ({
    code: 'E_RECORD_SCHEMA',
    pointer: '/subjects/app/id',
    message: `the id field 'appId' must be a required string field of every app record schema; app@${version} ${why}`,
    line: 3,
    column: 5,
  })

  it('names, per schema version, whether the id field is missing, not required, or not a string', () => {
    const { subjects, problems } = check(
      declaration({
        '1.0.0': 'ok.json',
        '1.1.0': 'none.json',
        '1.2.0': 'optional.json',
        '1.3.0': 'number.json',
        '1.4.0': 'nullable.json',
        '1.5.0': 'norequired.json',
      }),
      {
        'ok.json': RECORD,
        'none.json': { type: 'object', required: ['country'], properties: { country: { type: 'string' } } },
        'optional.json': { type: 'object', required: ['country'], properties: { appId: { type: 'string' }, country: { type: 'string' } } },
        'number.json': { type: 'object', required: ['appId'], properties: { appId: { type: 'number' } } },
        'nullable.json': { type: 'object', required: ['appId'], properties: { appId: { type: ['string', 'null'] } } },
        'norequired.json': { type: 'object', properties: { appId: { type: 'string' } } },
      },
    )
    expect(subjects).toEqual([])
    expect(brief(problems)).toEqual([
      idProblem('1.1.0', 'has no such field'),
      idProblem('1.2.0', 'does not require it'),
      idProblem('1.3.0', 'does not make it a string'),
      idProblem('1.4.0', 'does not make it a string'),
      idProblem('1.5.0', 'does not require it'),
    ])
  })

  it('accepts an id field whose only type is string, however it is written', () => {
    const { subjects, problems } = check(declaration({ '1.0.0': 'enum.json' }), {
      'enum.json': { type: 'object', required: ['appId'], properties: { appId: { type: 'string', enum: ['a', 'b'] } } },
    })
    expect(problems).toEqual([])
    expect(subjects.map((s) => s.name)).toEqual(['app'])
  })
})

describe('folder declaration: conditions read the oldest schema', () => {
  it('checks recognise, review.from and review.decided against the oldest version, at their pointers', () => {
    const older = { type: 'object', required: ['appId'], properties: { appId: { type: 'string' } } }
    const yaml = `subjects:
  app:
    id: appId
    recognise: { fact: country, operator: equal, value: US }
    schemas:
      "2.0.0": r1.json
      "1.0.0": old.json
    review:
      from: { fact: submittedAt }
      decided: { fact: review, operator: present, value: true }
`
    const { subjects, problems } = check(yaml, { 'r1.json': RECORD, 'old.json': older })
    expect(subjects).toEqual([])
    expect(brief(problems)).toEqual([
      { code: 'E_UNKNOWN_FACT', pointer: '/subjects/app/recognise/fact', message: "unknown fact 'country'", line: 4, column: 18 },
      { code: 'E_UNKNOWN_FACT', pointer: '/subjects/app/review/from/fact', message: "unknown fact 'submittedAt'", line: 9, column: 15 },
      { code: 'E_UNKNOWN_FACT', pointer: '/subjects/app/review/decided/fact', message: "unknown fact 'review'", line: 10, column: 18 },
    ])
    // the same declaration with the newer schema alone is fine
    const alone = check(yaml.replace('      "1.0.0": old.json\n', ''), { 'r1.json': RECORD })
    expect(alone.problems).toEqual([])
    expect(alone.subjects[0]!.review).toEqual({
      from: { fact: 'submittedAt' },
      decided: { fact: 'review', operator: 'present', value: true },
    })
  })

  it('yields no subject when every schema version is refused (nothing to check conditions against)', () => {
    const { subjects, problems } = check(declaration({ '1.0.0': 'gone.json' }), {})
    expect(subjects).toEqual([])
    expect(problems.map((p) => p.code)).toEqual(['E_IO'])
  })

  it('keeps the valid subjects out when another subject has a problem', () => {
    const yaml = `subjects:
  app:
    id: appId
    recognise: { fact: appId, operator: present, value: true }
    schemas: { "1.0.0": r1.json }
  other:
    id: appId
    recognise: { fact: country, operator: present, value: true }
    schemas: { "1.0.0": gone.json }
`
    const { subjects, problems } = check(yaml)
    expect(subjects).toEqual([])
    expect(brief(problems)).toEqual([
      { code: 'E_IO', pointer: '/subjects/other/schemas/1.0.0', message: 'cannot read the record schema gone.json', line: 9, column: 16 },
    ])
  })
})

describe('folder declaration: subjects that would claim the same records', () => {
  it('refuses two subjects recognised by the same condition as written (key order aside), at the later one', () => {
    const yaml = `subjects:
  app:
    id: appId
    recognise: { fact: appId, operator: present, value: true }
    schemas: { "1.0.0": r1.json }
  dup:
    id: appId
    recognise: { value: true, operator: present, fact: appId }
    schemas: { "1.0.0": r1.json }
  third:
    id: appId
    recognise: { fact: appId, operator: present, value: true }
    schemas: { "1.0.0": r1.json }
  fine:
    id: appId
    recognise: { fact: country, operator: present, value: true }
    schemas: { "1.0.0": r1.json }
`
    const { subjects, problems } = check(yaml)
    expect(subjects).toEqual([])
    expect(brief(problems)).toEqual([
      {
        code: 'E_SUBJECT_OVERLAP',
        pointer: '/subjects/dup/recognise',
        message: 'subjects app and dup recognise records by the same condition; no record may be of two kinds',
        line: 8,
        column: 5,
      },
      {
        code: 'E_SUBJECT_OVERLAP',
        pointer: '/subjects/third/recognise',
        message: 'subjects app and third recognise records by the same condition; no record may be of two kinds',
        line: 12,
        column: 5,
      },
      {
        code: 'E_SUBJECT_OVERLAP',
        pointer: '/subjects/third/recognise',
        message: 'subjects dup and third recognise records by the same condition; no record may be of two kinds',
        line: 12,
        column: 5,
      },
    ])
  })

  it('accepts subjects told apart by their recognition, in declaration order', () => {
    const yaml = `subjects:
  zeta:
    id: appId
    recognise: { fact: appId, operator: present, value: true }
    schemas: { "1.0.0": r1.json }
  alpha:
    id: appId
    recognise: { fact: country, operator: present, value: true }
    schemas: { "1.0.0": r1.json }
`
    const { subjects, problems } = check(yaml)
    expect(problems).toEqual([])
    expect(subjects.map((s) => s.name)).toEqual(['zeta', 'alpha'])
  })
})

describe('folder declaration: a subject without a review clock', () => {
  it('has no review key at all (not one holding undefined)', () => {
    const { subjects, problems } = check(declaration())
    expect(problems).toEqual([])
    expect(subjects).toHaveLength(1)
    expect(Object.hasOwn(subjects[0]!, 'review')).toBe(false)
  })
})
