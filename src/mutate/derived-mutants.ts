/**
 * Mutants of a policy's derived facts: an operand dropped, two operands swapped, the computation
 * swapped for a near one (sum → max, subtract → add, workingDays → days), a count's `where` or an
 * operand's `default` removed, round's places moved. A derived fact can feed any rule, so each such
 * mutant is judged on the whole policy (`derivedChanged`).
 */
import type { DerivedFact, DerivedOperand, DerivedOperation, Policy, SourceLocation } from '../model.js'

export type DerivedMutationOperator =
  'derived-operand-removed' | 'derived-operands-swapped' | 'derived-operation' | 'derived-default-removed'

export interface DerivedMutant {
  description: string
  operator: DerivedMutationOperator
  pointer: string
  location: SourceLocation
  policy: Policy
}

/** The computation each one is swapped for: the nearest wrong one (same operands, other meaning). */
const SWAPS: Readonly<Record<DerivedOperation, DerivedOperation | undefined>> = {
  sum: 'max',
  add: 'subtract',
  subtract: 'add',
  multiply: 'add',
  divide: 'multiply',
  ratio: 'multiply',
  min: 'max',
  max: 'min',
  workingDays: 'days',
  days: 'workingDays',
  count: undefined,
  round: undefined,
}

/** Least operands each computation takes (the validator's arity). */
const MIN_OPERANDS: Readonly<Record<DerivedOperation, number>> = {
  sum: 1,
  min: 1,
  max: 1,
  add: 2,
  multiply: 2,
  subtract: 2,
  divide: 2,
  ratio: 2,
  round: 1,
  count: 1,
  workingDays: 2,
  days: 2,
}

function operandText(o: DerivedOperand): string {
  if (typeof o === 'number') return String(o)
  const path = (o.path ?? '').replace(/^\$\.?/, '')
  const base = path ? `${o.fact}.${path}` : o.fact
  const each = o.each === undefined ? '' : `[]${o.each.replace(/^\$\.?/, '') ? '.' + o.each.replace(/^\$\.?/, '') : ''}`
  return `${base}${each}${o.default !== undefined ? ` (default ${o.default})` : ''}`
}

export function derivedText(f: Pick<DerivedFact, 'operation' | 'operands' | 'where' | 'places'>): string {
  const where = f.where ? ' where …' : ''
  const places = f.places !== undefined ? ` to ${f.places} places` : ''
  return `${f.operation}(${f.operands.map(operandText).join(', ')}${where})${places}`
}

/** Every mutant of every derived fact of a policy, in the order they are declared. */
export function derivedMutants(policy: Policy, locate: (pointer: string) => SourceLocation): DerivedMutant[] {
  const out: DerivedMutant[] = []
  for (const f of policy.derived ?? []) {
    const emit = (operator: DerivedMutationOperator, changed: DerivedFact, pointer: string) => {
      const derived = policy.derived!.map((x) => (x === f ? changed : x))
      out.push({
        description: `derived ${f.name}: ${derivedText(f)} → ${derivedText(changed)}`,
        operator,
        pointer,
        location: locate(pointer),
        policy: { ...policy, derived },
      })
    }
    const at = `${f.pointer}/${f.operation}`
    if (f.operands.length > MIN_OPERANDS[f.operation]) {
      f.operands.forEach((_, i) => {
        emit('derived-operand-removed', { ...f, operands: f.operands.filter((_o, k) => k !== i) }, `${at}/${i}`)
      })
    } else if (f.operands.length === 2) {
      emit('derived-operands-swapped', { ...f, operands: [f.operands[1]!, f.operands[0]!] }, at)
    }
    const swap = SWAPS[f.operation]
    if (swap && f.operands.length >= MIN_OPERANDS[swap]) {
      const changed: DerivedFact = { ...f, operation: swap }
      // places belong to division and round only
      if (swap !== 'divide' && swap !== 'ratio') delete changed.places
      emit('derived-operation', changed, at)
    }
    if (f.operation === 'round') emit('derived-operation', { ...f, places: (f.places ?? 0) + 1 }, `${f.pointer}/places`)
    if (f.where) {
      const changed: DerivedFact = { ...f }
      delete changed.where
      emit('derived-operation', changed, `${f.pointer}/where`)
    }
    f.operands.forEach((o, i) => {
      if (typeof o === 'number' || o.default === undefined) return
      const bare = { ...o }
      delete bare.default
      const operands = f.operands.map((x, k) => (k === i ? bare : x))
      const single = f.operation === 'count' || f.operation === 'round'
      emit('derived-default-removed', { ...f, operands }, single ? at : `${at}/${i}`)
    })
  }
  return out
}
