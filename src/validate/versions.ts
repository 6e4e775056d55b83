/**
 * The checks across the versions of one folder, after each document was checked on its own: how
 * versions of one id succeed each other, and which primary policies could claim the same records.
 */
import { overlapOf } from './overlap.js'
import { policyProblem, type PolicyProblem } from '../errors.js'
import type { Condition, LeafCondition, Policy, SourceLocation } from '../model.js'
import { compareText } from '../order.js'
import { effectiveEnds } from '../succession.js'
import { canonicalJson, compareVersions } from './policy.js'

/** Where a JSON pointer lies in the file a policy came from (the loader knows; default: the document). */
export type Locate = (policy: Policy, pointer: string) => SourceLocation

/**
 * Versions of one id must be distinct, take effect on distinct days, and a later `from` needs a
 * higher version. A successor ends its predecessor, so versions never overlap.
 */
export function checkAcrossVersions(
  policies: readonly Policy[],
  locatePolicy: Locate = (p) => p.location,
): PolicyProblem[] {
  const problems: PolicyProblem[] = []
  const byId = new Map<string, Policy[]>()
  for (const p of policies) byId.set(p.id, [...(byId.get(p.id) ?? []), p])
  for (const [id, versions] of byId) {
    const sorted = [...versions].sort((a, b) => compareText(a.effective.from, b.effective.from))
    sorted.forEach((a, i) => {
      // k: how many versions lie between a and b (0: b directly follows a)
      sorted.slice(i + 1).forEach((b, k) => {
        if (a.version === b.version) {
          problems.push(
            policyProblem(
              'E_DUPLICATE_VERSION',
              `${id}@${b.version} is defined twice (also in ${a.location.file})`,
              locatePolicy(b, '/version'),
              '/version',
            ),
          )
        } else if (a.effective.from === b.effective.from) {
          problems.push(
            policyProblem(
              'E_OVERLAPPING_WINDOWS',
              `${id}@${b.version} and ${id}@${a.version} (in ${a.location.file}) both take effect on ` +
                `${b.effective.from}`,
              locatePolicy(b, '/effective/from'),
              '/effective/from',
              {
                hint: 'a successor takes effect on a later day',
              },
            ),
          )
        } else if (k === 0 && compareVersions(b.version, a.version) <= 0) {
          problems.push(
            policyProblem(
              'E_INVALID_VERSION',
              `${id}@${b.version} takes effect after ${id}@${a.version} (${b.effective.from} > ${a.effective.from}) ` +
                `but is not a higher version`,
              locatePolicy(b, '/version'),
              '/version',
            ),
          )
        }
      })
    })
  }
  return problems
}

/**
 * Two primary policies of one subject that can both claim the same records on the same day, where
 * that can be told without a record: neither has `appliesTo`, both have the same one, or both compare
 * the same field with `equal`/`in` and values in common.
 */
export function checkPrimaries(policies: readonly Policy[], locatePolicy: Locate = (p) => p.location): PolicyProblem[] {
  const problems: PolicyProblem[] = []
  const ends = effectiveEnds(policies)
  const primaries = policies.filter((p) => p.primary)
  primaries.forEach((a, i) => {
    for (const b of primaries.slice(i + 1)) {
      // versions of one id never share a day (each ends where the next begins), so only other ids can clash
      if (a.subject !== b.subject) continue
      const [endA, endB] = [ends.get(a), ends.get(b)]
      const overlap = (endA === undefined || b.effective.from < endA) && (endB === undefined || a.effective.from < endB)
      if (!overlap) continue
      const both = a.appliesTo && b.appliesTo ? overlapOf(a.appliesTo, b.appliesTo) : 'unknown'
      if (both === 'none' || (both === 'unknown' && !canClaimTogether(a.appliesTo, b.appliesTo))) continue
      const day = [a.effective.from, b.effective.from].sort(compareText)[1]! // the later of the two
      // the newer one (the later effective date; else the later file) is where the author looks first
      const [nu, old] = compareText(a.effective.from, b.effective.from) > 0 ? [a, b] : [b, a]
      const pointer = nu.appliesTo ? '/appliesTo' : '/primary'
      const witness = typeof both === 'object' ? both.witness : undefined
      const conditions = nu.appliesTo && old.appliesTo ? ` (${describe(nu.appliesTo)}; ${describe(old.appliesTo)})` : ''
      const example = witness ? `: e.g. a record with ${JSON.stringify(witness)}${conditions}` : ''
      problems.push(
        policyProblem(
          'E_AMBIGUOUS_PRIMARY',
          `${nu.id}@${nu.version} (in ${nu.location.file}) and ${old.id}@${old.version} (in ${old.location.file}) ` +
            `are both primary for ${nu.subject} records from ${day} and can claim the same records${example}`,
          locatePolicy(nu, pointer),
          pointer,
          {
            hint: 'give each market an appliesTo that tells them apart (one may stay the fallback without it)',
            params: {
              policies: [`${nu.id}@${nu.version}`, `${old.id}@${old.version}`],
              from: day,
              ...(witness ? { witness } : {}),
            },
          },
        ),
      )
    }
  })
  return problems
}

/** A condition in one line, as an author wrote it. */
function describe(c: Condition): string {
  if ('all' in c) return `all(${c.all.map(describe).join(', ')})`
  if ('any' in c) return `any(${c.any.map(describe).join(', ')})`
  if ('not' in c) return `not(${describe(c.not)})`
  return `${c.fact ?? ''}${c.path && c.path !== '$' ? ' ' + c.path : ''} ${c.operator} ${JSON.stringify(c.value)}`
}

function canClaimTogether(a: Condition | undefined, b: Condition | undefined): boolean {
  if (a === undefined || b === undefined) return a === b
  if (canonicalJson(a) === canonicalJson(b)) return true
  const valuesOf = (c: Condition) => {
    const leaf = c as Partial<LeafCondition> // a group (all, any, not) has no operator
    return leaf.operator === 'equal' || leaf.operator === 'in'
      ? {
          key: `${leaf.fact}\u0000${leaf.path ?? '$'}`,
          values: leaf.operator === 'equal' ? [leaf.value] : (leaf.value as unknown[]),
        }
      : undefined
  }
  const [va, vb] = [valuesOf(a), valuesOf(b)]
  return va !== undefined && vb !== undefined && va.key === vb.key && va.values.some((v) => vb.values.includes(v))
}
