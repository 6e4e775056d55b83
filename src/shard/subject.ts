/** The subject id a record is sharded by, read the way the set tells record kinds apart. */
import { createHash } from 'node:crypto'
import type { PolicySet } from '../decide/policy-set.js'

/** The record's id (its kind's id field) when the set can tell its kind and the id is a string; else undefined. */
export function subjectIdOf(set: PolicySet, record: unknown): string | undefined {
  let kind: string
  try {
    kind = set.detectSubject(record)
  } catch {
    return undefined // unrecognised or ambiguous: the caller shards the line by its number
  }
  const field = set.subjectKinds.find((k) => k.name === kind)?.idField
  if (field === undefined || typeof record !== 'object' || record === null) return undefined
  const fields = record as Record<string, unknown>
  const id = Object.prototype.hasOwnProperty.call(fields, field) ? fields[field] : undefined
  return typeof id === 'string' ? id : undefined
}

/** One name for every policy version of a set (sha256 of ids, versions, digests): shards must agree on it. */
export function policiesDigest(set: PolicySet): string {
  const refs = set.policies.map((p) => `${p.id}@${p.version} ${p.digest}`).sort()
  return `sha256:${createHash('sha256').update(refs.join('\n'), 'utf8').digest('hex')}`
}
