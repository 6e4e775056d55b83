/**
 * The operators' boundary rows, read from each operator file's `boundaries`: the table test/language/operators.test.ts
 * runs, derived so that a new operator file brings its own rows (test/language/scratch-operator.test.ts adds one).
 */
import type { OperatorDefinition } from '../../src/language/operators/operator.js'

/** A row: the record's value, the rule's value, and whether the operator holds for them. */
export type BoundaryRow = readonly [actual: unknown, expected: unknown, holds: boolean]

/** Each operator's rows, by name, in the registry's order. */
export const boundaryRows = (operators: Readonly<Record<string, OperatorDefinition>>): Record<string, BoundaryRow[]> =>
  Object.fromEntries(Object.values(operators).map((op) => [op.name, [...(op.boundaries ?? [])]]))

/** The operators whose file pins too little: fewer than three rows, or none with a missing (undefined) value. */
export const withoutBoundaries = (operators: Readonly<Record<string, OperatorDefinition>>): string[] =>
  Object.entries(boundaryRows(operators))
    .filter(([, rows]) => rows.length < 3 || !rows.some(([actual]) => actual === undefined))
    .map(([name]) => name)
