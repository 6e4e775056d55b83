/** A one-kind folder ('probe') and policies of it written in a test, for pinning what the language means. */
import type { Policy, SubjectDefinition } from '../../src/model.js'
import { parseYamlSource } from '../../src/load/yaml-source.js'
import { checkPolicyDocument, digestOf } from '../../src/validate/policy.js'

const HERE = { file: 'probe', line: 1, column: 1 }

/** The record kind 'probe': id field `id`, recognised by its presence, judged by `schema`. */
export function probeSubject(schema: Record<string, unknown>, extra: Partial<SubjectDefinition> = {}): SubjectDefinition {
  return {
    name: 'probe',
    idField: 'id',
    recognise: { fact: 'id', operator: 'present', value: true },
    schemas: [{ subject: 'probe', version: '1.0.0', digest: digestOf(schema), schema, location: HERE }],
    location: HERE,
    ...extra,
  }
}

/**
 * A policy of the probe kind from the parts a test cares about (outcomes, default, rules); each rule
 * gets a title, a source and a message unless it names its own. Undefined when the validator refuses it.
 */
export function probePolicy(
  subject: SubjectDefinition,
  doc: { rules: ({ id: string } & Record<string, unknown>)[] } & Record<string, unknown>,
): Policy | undefined {
  const full = {
    id: 'probe.policy',
    version: '1.0.0',
    title: 'probe',
    subject: subject.name,
    effective: { from: '2000-01-01' },
    ...doc,
    rules: doc.rules.map((r) => ({ title: r.id, source: { status: 'modelled', from: 'test' }, message: 'm', ...r })),
  }
  return checkPolicyDocument(parseYamlSource('probe.yaml', JSON.stringify(full)), { subjects: new Map([[subject.name, subject]]) }).policy
}
