/** Shared by the format-2 audit tests: the entry schema (ajv), a folder with masking, and reading a log back. */
import addFormats from 'ajv-formats'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
// Named export: the default import is not constructable under moduleResolution NodeNext (ajv is CJS).
import { Ajv2020 } from 'ajv/dist/2020.js'
import { expect } from 'vitest'
import type { AuditEntry } from '../../src/index.js'
import { lineHash, GENESIS } from '../../src/audit/chain.js'
import { ROOT, scratchPolicies } from '../store/helpers.js'

const ajv = new Ajv2020({ allErrors: true, strict: true })
addFormats.default(ajv, ['date-time'])
ajv.addSchema(JSON.parse(readFileSync(join(ROOT, 'schemas', 'decision.schema.json'), 'utf8')) as object)
const validateEntry = ajv.compile(JSON.parse(readFileSync(join(ROOT, 'schemas', 'audit-entry.v2.schema.json'), 'utf8')) as object)

/** Every line is an entry valid against schemas/audit-entry.v2.schema.json; returns the entries. */
export function validEntries(text: string): AuditEntry[] {
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const entry = JSON.parse(line) as AuditEntry
      if (!validateEntry(entry)) throw new Error(`invalid entry ${line}: ${ajv.errorsText(validateEntry.errors)}`)
      return entry
    })
}

/** The lines link: each entry names the hash of the line before it, seq counts up from `from`. */
export function expectChained(lines: readonly string[], start: { seq: number; prev: string } = { seq: 1, prev: GENESIS }): void {
  let prev = start.prev
  lines.forEach((line, i) => {
    const entry = JSON.parse(line) as AuditEntry
    expect({ seq: entry.seq, prev: entry.prev }).toEqual({ seq: start.seq + i, prev })
    prev = lineHash(line)
  })
}

export const nonEmptyLines = (text: string): string[] => text.split('\n').filter(Boolean)

/** The shipped collabgate.yaml with an audit.mask for applications, in a scratch copy of the shipped policies. */
export function maskedFolder(mask: string): ReturnType<typeof scratchPolicies> {
  const folder = scratchPolicies()
  const declaration = folder.read('collabgate.yaml')
  const at = declaration.indexOf('  behaviour:')
  folder.write('collabgate.yaml', declaration.slice(0, at) + `    audit:\n      mask:\n${mask}` + declaration.slice(at))
  return folder
}

export const APPLICATION_MASK = [
  '        - { pointer: /applicant/legalName, action: redact }',
  '        - { pointer: /applicant/contactEmail, action: hash }',
  '        - { pointer: /security/statement, action: remove }',
  '        - { pointer: /applicant/registration/country, action: hash }',
  '',
].join('\n')
