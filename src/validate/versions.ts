/**
 * The checks across the versions of one folder, after each document was checked on its own: how
 * versions of one id succeed each other, and which primary policies could claim the same records.
 */
import { claimOf } from './overlap.js'
import { policyProblem, type PolicyProblem, type PolicyWarning } from '../errors.js'
import type { Condition, Policy, SourceLocation } from '../model.js'
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

/** What the checks across primaries know besides the policies. */
export interface PrimaryContext {
  /** Whether the folder's lock lists a policy version (released); absent: no lock was read. */
  released?: (policy: Policy) => boolean
}

/**
 * Two primary policies of one subject that can both claim the same records on the same day: neither
 * has `appliesTo`, or a record both claim is found (exactly, or by the bounded witness search). When
 * the search gives up, a W_OVERLAP_UNDECIDED warning names both files instead.
 */
export function primaryFindings(
  policies: readonly Policy[],
  locatePolicy: Locate = (p) => p.location,
  context: PrimaryContext = {},
): { problems: PolicyProblem[]; warnings: PolicyWarning[] } {
  const problems: PolicyProblem[] = []
  const warnings: PolicyWarning[] = []
  const ends = effectiveEnds(policies)
  const primaries = policies.filter((p) => p.primary)
  primaries.forEach((a, i) => {
    for (const b of primaries.slice(i + 1)) {
      // versions of one id never share a day (each ends where the next begins), so only other ids can clash
      if (a.subject !== b.subject) continue
      const [endA, endB] = [ends.get(a), ends.get(b)]
      const overlap = (endA === undefined || b.effective.from < endA) && (endB === undefined || a.effective.from < endB)
      if (!overlap) continue
      // a claimant beside the fallback never clashes: the fallback judges only what no market claims
      if ((a.appliesTo === undefined) !== (b.appliesTo === undefined)) continue
      const day = [a.effective.from, b.effective.from].sort(compareText)[1]! // the later of the two
      const until = [endA, endB].filter((e) => e !== undefined).sort(compareText)[0]
      const schemas = [a.record.schema, ...(b.record.schema.digest === a.record.schema.digest ? [] : [b.record.schema])]
      const claim =
        a.appliesTo && b.appliesTo
          ? claimOf(a.appliesTo, b.appliesTo, { schemas, calendars: [a.calendar, b.calendar], from: day, until })
          : undefined
      if (claim === 'none') continue
      const [nu, old] = newerFirst(a, b, context)
      const both =
        `${nu.id}@${nu.version} (in ${nu.location.file}) and ` + `${old.id}@${old.version} (in ${old.location.file})`
      if (claim !== undefined && 'undecided' in claim) {
        // the same condition twice claims the same records whatever they are
        if (canonicalJson(a.appliesTo) !== canonicalJson(b.appliesTo)) {
          warnings.push(undecided(nu, old, both, day, claim, locatePolicy))
          continue
        }
      }
      const pointer = nu.appliesTo ? '/appliesTo' : '/primary'
      const found = claim !== undefined && 'witness' in claim ? claim : undefined
      const conditions = nu.appliesTo && old.appliesTo ? ` (${describe(nu.appliesTo)}; ${describe(old.appliesTo)})` : ''
      const on = found?.asOf === undefined ? '' : ` on ${found.asOf}`
      const example = found ? `: e.g. a record with ${JSON.stringify(found.shown)}${on}${conditions}` : ''
      problems.push(
        policyProblem(
          'E_AMBIGUOUS_PRIMARY',
          `${both} are both primary for ${nu.subject} records from ${day} and can claim the same records${example}`,
          locatePolicy(nu, pointer),
          pointer,
          {
            hint: 'give each market an appliesTo that tells them apart (one may stay the fallback without it)',
            params: {
              policies: [`${nu.id}@${nu.version}`, `${old.id}@${old.version}`],
              from: day,
              ...(found ? { witness: found.witness, ...(found.asOf === undefined ? {} : { asOf: found.asOf }) } : {}),
            },
          },
        ),
      )
    }
  })
  return { problems, warnings }
}

/** primaryFindings' problems: the overlaps found. */
export function checkPrimaries(
  policies: readonly Policy[],
  locatePolicy: Locate = (p) => p.location,
  context: PrimaryContext = {},
): PolicyProblem[] {
  return primaryFindings(policies, locatePolicy, context).problems
}

/**
 * The new one of two policies first, where the author looks: the one the lock does not list yet; with both
 * or neither listed, the later effective date, then the later file.
 */
function newerFirst(a: Policy, b: Policy, context: PrimaryContext): [Policy, Policy] {
  const released = context.released
  if (released !== undefined && released(a) !== released(b)) return released(a) ? [b, a] : [a, b]
  return compareText(a.effective.from, b.effective.from) > 0 ? [a, b] : [b, a]
}

function undecided(
  nu: Policy,
  old: Policy,
  both: string,
  day: string,
  claim: { undecided: 'cap' | 'schema'; tried: number },
  locatePolicy: Locate,
): PolicyWarning {
  const why =
    claim.undecided === 'cap'
      ? `no record both claim among the first ${claim.tried.toLocaleString('en-US')} built from the record schema`
      : 'records both claim were found, but none the record schema accepts ' +
        `among ${claim.tried.toLocaleString('en-US')} tried`
  return {
    code: 'W_OVERLAP_UNDECIDED',
    severity: 'warning',
    message:
      `${both} are both primary for ${nu.subject} records from ${day}; ` +
      `whether their appliesTo can claim the same record is not decided: ${why}`,
    hint:
      'tell the markets apart by equal, in, notEqual, notIn, present or a comparison, which are decided exactly, ' +
      'or add a policy test that names no policy for a record both could claim',
    ...locatePolicy(nu, '/appliesTo'),
  }
}

/** A condition in one line, as an author wrote it. */
function describe(c: Condition): string {
  if ('all' in c) return `all(${c.all.map(describe).join(', ')})`
  if ('any' in c) return `any(${c.any.map(describe).join(', ')})`
  if ('not' in c) return `not(${describe(c.not)})`
  return `${c.fact ?? ''}${c.path && c.path !== '$' ? ' ' + c.path : ''} ${c.operator} ${JSON.stringify(c.value)}`
}
