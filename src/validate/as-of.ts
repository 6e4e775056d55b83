/**
 * Facts as of the decision date: a list of dated events (incidents, terminations, reports) judged by a
 * list match sees every element, those dated after `asOf` too. A list match that compares its
 * elements' dates but never bounds one of them by asOf (an element dated on or before asOf) lets a
 * future event count; W_EVENT_AFTER_AS_OF says so, at the list match.
 */
import { AS_OF_FACT, isListMatch, OPERATORS } from '../language/operators.js'
import type { PolicyWarning } from '../errors.js'
import type { Condition, LeafCondition, Policy, SourceLocation } from '../model.js'
import { compareVersions } from './policy.js'

export interface EventDateFinding {
  rule: string
  /** JSON pointer of the list match (or the derived count) in the policy document. */
  pointer: string
  /** The element paths compared as dates. */
  paths: string[]
  /** The one to bound: a date others are measured from (an operand), else the first compared. */
  base: string
  list: string
}

const isAsOf = (v: unknown): boolean => !!v && typeof v === 'object' && (v as { fact?: unknown }).fact === AS_OF_FACT

/** The element's own date reference (`{ path }` without a fact), or undefined. */
function elementPath(v: unknown): string | undefined {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return undefined
  const o = v as { fact?: unknown; path?: unknown }
  return o.fact === undefined && typeof o.path === 'string' ? o.path : undefined
}

/** Element paths a condition compares as dates (left side or any operand, working days included). */
function datesCompared(c: Condition, out: Set<string>, operands: Set<string>): Set<string> {
  if ('all' in c) c.all.forEach((x) => datesCompared(x, out, operands))
  else if ('any' in c) c.any.forEach((x) => datesCompared(x, out, operands))
  else if ('not' in c) datesCompared(c.not, out, operands)
  else if (OPERATORS[c.operator]?.valueKind === 'date') {
    if (c.fact === undefined && c.path !== undefined) out.add(c.path)
    for (let v: unknown = c.value, i = 0; v && typeof v === 'object' && i < 10; v = (v as { to?: unknown }).to, i++) {
      const p = elementPath(v)
      if (p !== undefined) out.add(p)
      if (p !== undefined) operands.add(p)
    }
  }
  return out
}

/** Whether a leaf says the element's date is on or before asOf (or asOf on or after it). */
function bounds(leaf: LeafCondition): boolean {
  if (leaf.fact === undefined && leaf.path !== undefined)
    return (leaf.operator === 'dateOnOrBefore' || leaf.operator === 'dateBefore') && isAsOf(leaf.value)
  // asOf after the element's date, or after working days after it (never before the date itself)
  const after = leaf.operator === 'dateOnOrAfter' || leaf.operator === 'dateAfter'
  if (leaf.fact === AS_OF_FACT && leaf.path === undefined && after) {
    let v: unknown = leaf.value
    for (let i = 0; v && typeof v === 'object' && 'addWorkingDays' in v && i < 10; i++) v = (v as { to?: unknown }).to
    return elementPath(v) !== undefined
  }
  return false
}

/** Whether every element the condition accepts is bounded by asOf: a bounding leaf it requires (alone, in `all`). */
function bounded(c: Condition): boolean {
  if ('all' in c) return c.all.some(bounded)
  if ('any' in c || 'not' in c) return false
  return bounds(c)
}

/** The list matches (and derived counts) of a policy that compare event dates without bounding them by asOf. */
export function unboundedEventDates(policy: Policy): EventDateFinding[] {
  const out: EventDateFinding[] = []
  const judge = (rule: string, pointer: string, list: string, where: Condition) => {
    const operands = new Set<string>()
    const paths = [...datesCompared(where, new Set(), operands)]
    const base = [...operands][0] ?? paths[0]!
    if (paths.length > 0 && !bounded(where)) out.push({ rule, pointer, paths, base, list })
  }
  const walk = (rule: string, c: Condition, pointer: string): void => {
    if ('all' in c) c.all.forEach((x, i) => walk(rule, x, `${pointer}/all/${i}`))
    else if ('any' in c) c.any.forEach((x, i) => walk(rule, x, `${pointer}/any/${i}`))
    else if ('not' in c) walk(rule, c.not, `${pointer}/not`)
    else if (isListMatch(c.operator) && c.value && typeof c.value === 'object')
      judge(rule, pointer, `${c.fact ?? ''}${c.path ? ' ' + c.path : ''}`, c.value as Condition)
  }
  for (const rule of policy.rules) {
    for (const check of rule.checks) walk(rule.id, check.require, `${check.pointer}/require`)
  }
  for (const f of policy.derived ?? []) {
    const o = f.operands[0]
    const list = o && typeof o !== 'number' ? `${o.fact}${o.path ? ' ' + o.path : ''}` : ''
    if (f.where) judge(`derived ${f.name}`, f.pointer, list, f.where)
  }
  return out
}

/**
 * W_EVENT_AFTER_AS_OF for the newest version of each policy: a version with a successor is released
 * and immutable, so its author can only fix the next one (which is then the one warned about).
 */
export function eventDateWarnings(
  policies: readonly Policy[],
  locate: (policy: Policy, pointer: string) => SourceLocation,
): PolicyWarning[] {
  const newest = new Map<string, Policy>()
  for (const p of policies) {
    const seen = newest.get(p.id)
    if (!seen || compareVersions(p.version, seen.version) > 0) newest.set(p.id, p)
  }
  return [...newest.values()].flatMap((policy) => {
    // a rule's graded checks (terminate, investigate) repeat one match: one warning per rule and list
    const seen = new Set<string>()
    const findings = unboundedEventDates(policy).filter((f) => {
      const key = `${f.rule}\u0000${f.list}`
      return seen.has(key) ? false : (seen.add(key), true)
    })
    return findings.map((f): PolicyWarning => {
      const at = locate(policy, f.pointer)
      return {
        code: 'W_EVENT_AFTER_AS_OF',
        severity: 'warning',
        message:
          `${f.rule}: ${f.list} is matched on dates (${f.paths.join(', ')}) but never bounded by asOf, ` +
          'so events dated after the decision date count',
        hint: `add { path: ${f.base}, operator: dateOnOrBefore, value: { fact: asOf } } to the match's all`,
        file: at.file,
        line: at.line,
        column: at.column,
      }
    })
  })
}
