/**
 * Random condition trees over a set of record fields, and the loader's check of a generated policy document: what
 * the property tests of the evaluators (closures.property) and of hints (hints.property) both generate from.
 */
import fc from 'fast-check'
import type { Condition, Policy } from '../../src/model.js'
import type { ParsedSource } from '../../src/read/yaml-source.js'
import { checkPolicyDocument, type FolderContext } from '../../src/validate/policy.js'
import { shippedFolder } from '../shipped-folder.js'
import { DATES, type Field, operatorsByKind, ruleValue } from './generated-fields.js'

/**
 * Condition generators over `fields` per record kind. `plain` leaves out the `derived` fields (a derived fact's own
 * `where` reads no derived fact).
 */
export function conditionsOver<S extends string>(fields: Record<S, readonly Field[]>, derived: readonly Field[] = []) {
  const byKind = operatorsByKind()

  /** A date operand: a literal, asOf, a date field of the record or of the element, or working days after one. */
  function dateOperand(subject: S, element: readonly Field[] | undefined, depth: number): fc.Arbitrary<unknown> {
    const refs: unknown[] = [{ fact: 'asOf' }]
    for (const f of fields[subject])
      if (f.kind === 'date' && f.fact !== 'asOf') refs.push(f.path ? { fact: f.fact, path: f.path } : { fact: f.fact })
    for (const f of element ?? []) if (f.kind === 'date') refs.push({ path: f.path })
    const base = fc.oneof(fc.constantFrom(...DATES), fc.constantFrom(...refs))
    if (depth <= 0) return base
    // mostly a few days; sometimes years of them (nested operands then run past 9999)
    const days = fc.oneof(
      { arbitrary: fc.integer({ min: 0, max: 8 }), weight: 4 },
      { arbitrary: fc.constantFrom(1961, 3055, 3650), weight: 1 },
    )
    return fc.oneof(base, fc.record({ addWorkingDays: days, to: dateOperand(subject, element, depth - 1) }))
  }

  function leaf(subject: S, element: readonly Field[] | undefined, plain: boolean): fc.Arbitrary<Condition> {
    // inside a list match, a leaf reads the element (no fact) or a top-level field
    const top = plain ? fields[subject].filter((f) => !derived.includes(f)) : fields[subject]
    const choices = element ? [...element, ...top.filter((f) => f.kind !== 'objects' && f.kind !== 'strings')] : top
    return fc.constantFrom(...choices).chain((f) =>
      fc
        .constantFrom(...byKind[f.kind].filter((op) => !(element && (op === 'someMatch' || op === 'noneMatch'))))
        .chain((operator): fc.Arbitrary<Condition> => {
          const at: { fact?: string; path?: string } = {}
          if (f.fact !== undefined) at.fact = f.fact
          if (f.path !== undefined) at.path = f.path
          const make = (value: fc.Arbitrary<unknown>) => value.map((v) => ({ ...at, operator, value: v }))
          return make(
            ruleValue(operator, f, {
              date: () => dateOperand(subject, element, 2),
              condition: () => condition(subject, 2, f.element ?? []),
            }),
          )
        }),
    )
  }

  /** A condition tree of at most `depth` groups over a record kind's fields (or a list element's, inside a match). */
  function condition(subject: S, depth: number, element?: readonly Field[], plain = false): fc.Arbitrary<Condition> {
    if (depth <= 0) return leaf(subject, element, plain)
    const sub = condition(subject, depth - 1, element, plain)
    return fc.oneof(
      { arbitrary: leaf(subject, element, plain), weight: 3 },
      { arbitrary: fc.array(sub, { minLength: 1, maxLength: 3 }).map((all) => ({ all })), weight: 2 },
      { arbitrary: fc.array(sub, { minLength: 1, maxLength: 3 }).map((any) => ({ any })), weight: 2 },
      { arbitrary: sub.map((not) => ({ not })), weight: 1 },
    )
  }

  return { condition }
}

/** Validates a generated document exactly as the loader does; a generator bug fails loudly here. */
export function toPolicy(doc: Record<string, unknown>, folder: FolderContext = shippedFolder()): Policy {
  const source: ParsedSource = {
    file: 'generated.yaml',
    value: doc,
    locate: () => ({ file: 'generated.yaml', line: 1, column: 1 }),
    problems: [],
  }
  const { policy, problems } = checkPolicyDocument(source, folder)
  if (!policy) throw new Error(`generated policy is invalid: ${JSON.stringify(problems)}\n${JSON.stringify(doc)}`)
  return policy
}
