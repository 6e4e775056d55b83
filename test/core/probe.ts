/** A one-kind folder ('probe') and policies of it written in a test, for pinning what the language means. */
import type { Condition, Policy, SubjectDefinition } from '../../src/model.js'
import { parseYamlSource } from '../../src/read/yaml-source.js'
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

/**
 * A policy of one rule with one check, built as an object and not validated: for tests of what the compilers do
 * with shapes the validator would refuse. The record kind defaults to the probe kind.
 */
export function unvalidatedPolicy(
  require: unknown,
  record: Policy['record'] = { subject: 'probe', idField: 'id', recognise: { fact: 'id', operator: 'present', value: true } } as never,
): Policy {
  return {
    id: 'p',
    version: '1.0.0',
    title: 't',
    subject: record.subject,
    outcomes: ['block', 'pass'],
    defaultOutcome: 'pass',
    primary: false,
    effective: { from: '2020-01-01' },
    rules: [
      {
        id: 'R-1',
        title: 'r',
        basis: { status: 'modelled', from: 'x' },
        location: HERE,
        checks: [{ outcome: 'block', require: require as Condition, message: 'm', pointer: '/rules/0', location: HERE }],
      },
    ],
    digest: 'sha256:0',
    location: HERE,
    document: {},
    calendar: 'US',
    record,
  }
}
