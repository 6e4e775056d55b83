/**
 * Whether two `appliesTo` conditions can hold for one record, decided exactly for the operators whose
 * truth depends only on where a value lies among the conditions' constants (equal, in, notEqual, notIn,
 * present, numeric and date comparisons): one candidate value per region (each constant, between and
 * beyond them, another value, absent) is tried for every field, so a witness exists iff one is found.
 */
import type { Condition, LeafCondition } from '../model.js'
import { AS_OF_FACT, OPERATORS } from '../language/operators.js'
import { fieldsAt, searchWitness, type WitnessContext } from './witness.js'

/** Records tried at most: past it the answer is "cannot tell" rather than a long validate. */
const MAX_TRIES = 200_000
const DATE = /^\d{4}-\d{2}-\d{2}$/

// the operators whose files say how they cut values (`overlap`): the only ones this search decides exactly
const exact = (operator: string): boolean => OPERATORS[operator]?.overlap !== undefined

export type Overlap = { witness: Record<string, unknown> } | 'none' | 'unknown'

const leavesOf = (c: Condition): LeafCondition[] =>
  'all' in c ? c.all.flatMap(leavesOf) : 'any' in c ? c.any.flatMap(leavesOf) : 'not' in c ? leavesOf(c.not) : [c]

/** The field a leaf reads, as fact and the keys below it; undefined for a path this search does not follow. */
function fieldOf(leaf: LeafCondition): string[] | undefined {
  // asOf is the decision date, not a record field: the witness search (witness.ts) varies it
  if (leaf.fact === undefined || leaf.fact === AS_OF_FACT) return undefined
  const path = leaf.path ?? '$'
  if (path === '$') return [leaf.fact]
  const m = /^\$((?:\.[A-Za-z_][A-Za-z0-9_]*)+)$/.exec(path)
  return m ? [leaf.fact, ...m[1]!.slice(1).split('.')] : undefined
}

const dayShift = (date: string, days: number): string => {
  const t = Date.parse(`${date}T00:00:00Z`) + days * 86_400_000
  return new Date(t).toISOString().slice(0, 10)
}

/** One value in each region the constants cut the line into, the constants themselves, another value and absence. */
function candidatesOf(constants: readonly unknown[]): unknown[] {
  const out: unknown[] = [undefined, 'another value', ...constants]
  const numbers = [...new Set(constants.filter((c): c is number => typeof c === 'number'))].sort((x, y) => x - y)
  numbers.forEach((n, i) => out.push(n - 1, n + 1, ...(i > 0 ? [(numbers[i - 1]! + n) / 2] : [])))
  const dates = [...new Set(constants.filter((c): c is string => typeof c === 'string' && DATE.test(c)))].sort()
  for (const d of dates) out.push(dayShift(d, -1), dayShift(d, 1))
  return [...new Set(out)]
}

function holds(c: Condition, read: (leaf: LeafCondition) => unknown): boolean {
  if ('all' in c) return c.all.every((x) => holds(x, read))
  if ('any' in c) return c.any.some((x) => holds(x, read))
  if ('not' in c) return !holds(c.not, read)
  return OPERATORS[c.operator]!.holds(read(c), c.value)
}

/** A record both conditions hold for, 'none' when there is none, 'unknown' when this search cannot decide. */
export function overlapOf(a: Condition, b: Condition): Overlap {
  const leaves = [...leavesOf(a), ...leavesOf(b)]
  const fields = new Map<string, { keys: string[]; constants: unknown[] }>()
  const keyOf = new Map<LeafCondition, string>()
  for (const leaf of leaves) {
    const keys = fieldOf(leaf)
    const literal = leaf.value === undefined || typeof leaf.value !== 'object' || Array.isArray(leaf.value)
    const special = typeof leaf.value === 'string' && leaf.value.startsWith('$')
    if (!exact(leaf.operator) || keys === undefined || !literal || special) return 'unknown'
    const key = keys.join('\u0000')
    keyOf.set(leaf, key)
    const field = fields.get(key) ?? { keys, constants: [] }
    field.constants.push(...(Array.isArray(leaf.value) ? leaf.value : [leaf.value]))
    fields.set(key, field)
  }
  const names = [...fields.keys()]
  const choices = names.map((k) => candidatesOf(fields.get(k)!.constants))
  if (choices.reduce((n, c) => n * c.length, 1) > MAX_TRIES) return 'unknown'
  const picked = new Map<string, unknown>()
  const read = (leaf: LeafCondition) => picked.get(keyOf.get(leaf)!)
  const search = (i: number): boolean => {
    if (i === names.length) return holds(a, read) && holds(b, read)
    for (const v of choices[i]!) {
      picked.set(names[i]!, v)
      if (search(i + 1)) return true
    }
    return false
  }
  if (!search(0)) return 'none'
  const witness: Record<string, unknown> = {}
  for (const [key, field] of fields) {
    const v = picked.get(key)
    if (v === undefined) continue
    let at = witness
    for (const k of field.keys.slice(0, -1)) {
      const next = (at[k] ??= {})
      // a field read both whole and by a key below it: the witness shows the whole value
      if (typeof next !== 'object' || next === null) break
      at = next as Record<string, unknown>
    }
    if (typeof at === 'object') at[field.keys.at(-1)!] ??= v
  }
  return { witness }
}

/** Two claims compared: a witness (a full record where the schemas accept one), none, or not decided. */
export type Claim =
  | {
      /** A record both conditions claim: full and schema-valid where one was found, else the fields they read. */
      witness: Record<string, unknown>
      /** What the conditions read of it, for a message. */
      shown: Record<string, unknown>
      /** The decision date it is claimed on, when a condition reads asOf. */
      asOf?: string
    }
  | 'none'
  | { undecided: 'cap' | 'schema'; tried: number }

/**
 * Whether two appliesTo conditions can claim one record: decided exactly where overlapOf can, else by the
 * bounded witness search; a witness is then completed into a record the schemas accept when one is found.
 */
export function claimOf(a: Condition, b: Condition, ctx: WitnessContext): Claim {
  const exact = overlapOf(a, b)
  if (exact === 'none') return 'none'
  const found = searchWitness(a, b, typeof exact === 'object' ? { ...ctx, seed: exact.witness } : ctx)
  if ('witness' in found) {
    const shown = typeof exact === 'object' ? exact.witness : fieldsAt(found.witness, found.reads)
    return { witness: found.witness, shown, ...(found.readsAsOf ? { asOf: found.asOf } : {}) }
  }
  // the exact search proved an overlap: the schemas accept no record built here, so its fields are the witness
  if (typeof exact === 'object') return { witness: exact.witness, shown: exact.witness }
  return 'none' in found ? 'none' : found
}
