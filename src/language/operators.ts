/**
 * The operators a policy may use: one module each in ./operators/ (its name, the value it takes, its
 * meaning, its documentation and the type it needs), listed by the index `npm run build` generates from
 * them (operators/index.ts). The validator, both evaluators (json-rules-engine and the compiled closures),
 * the evidence and docs/authoring.md's table all read this registry, so they cannot disagree about what an
 * operator means.
 */
import { CollabgateError } from '../errors.js'
import type { Condition } from '../model.js'
import { DEFINITIONS } from './operators/index.js'
import type { OperatorDefinition } from './operators/operator.js'

export type { ActualRule, OperatorDefinition, SampleKind, ValueKind } from './operators/operator.js'
export { calendarDate, isPresent, isScalar, strictCalendarDate } from './values.js'

/** Every operator, by name, in the order the documentation lists them. */
export const OPERATORS: Readonly<Record<string, OperatorDefinition>> = Object.freeze(
  Object.fromEntries(DEFINITIONS.map((op) => [op.name, op])),
)

export const isOperator = (name: string): boolean => Object.prototype.hasOwnProperty.call(OPERATORS, name)

/** The list matches: their value is a condition on each element, their actual value the matching elements. */
export const isListMatch = (op: string): op is 'someMatch' | 'noneMatch' =>
  isOperator(op) && OPERATORS[op]!.valueKind === 'condition'

// Number.isFinite is false for anything that is not a number
const isScalarValue = (v: unknown): boolean => typeof v === 'string' || typeof v === 'boolean' || Number.isFinite(v)

/** Whether a rule's value has the shape its operator takes (the validator says why when it has not). */
export function valueFits(kind: OperatorDefinition['valueKind'], value: unknown): boolean {
  switch (kind) {
    case 'scalar':
      return isScalarValue(value)
    case 'list':
      return Array.isArray(value) && value.every(isScalarValue)
    case 'number':
      return Number.isFinite(value)
    case 'boolean':
      return typeof value === 'boolean'
    case 'date':
      return typeof value === 'string' || (value !== null && typeof value === 'object' && !Array.isArray(value))
    case 'condition':
      return value !== null && typeof value === 'object' && !Array.isArray(value)
  }
}

/**
 * The operator of a leaf both compilers are about to compile; an unknown operator or a value of the
 * wrong shape is refused, so neither evaluator decides what the validator would refuse (json-rules-engine
 * would otherwise run its own `contains`, or read a `{fact}` value as a fact).
 */
export function operatorOf(leaf: { operator: string; value?: unknown }): OperatorDefinition {
  const def = isOperator(leaf.operator) ? OPERATORS[leaf.operator]! : undefined
  if (def === undefined)
    throw new CollabgateError(
      'E_INVALID_ARGUMENT',
      `unknown operator '${String(leaf.operator)}': policies are validated before they are compiled`,
    )
  if (!valueFits(def.valueKind, leaf.value)) {
    throw new CollabgateError(
      'E_INVALID_ARGUMENT',
      `operator '${def.name}' cannot compare with ${JSON.stringify(leaf.value) ?? 'nothing'}: policies are ` +
        `validated before they are compiled`,
    )
  }
  return def
}

/**
 * A condition as both compilers take it at the top of a check or a list match: a lone leaf is wrapped
 * in `all` (json-rules-engine wants a group there), so both report the same trees.
 */
export const asGroup = (c: Condition): Condition => ('operator' in c ? { all: [c] } : c)

/** The fact every policy can use besides the record's own top-level fields: the decision date. */
export const AS_OF_FACT = 'asOf'

/** Inside a list match, the fact that holds the element (json-rules-engine's name for it). */
export const ITEM_FACT = '$item'

/**
 * Whether the record's value `actual` meets `expected` under `operator`: the operator's own `holds`.
 * A missing value (undefined or null) meets no operator but those that judge missing values (`present`).
 * An unknown operator never holds. For someMatch/noneMatch, `actual` is the list of matching elements.
 */
export function compare(operator: string, actual: unknown, expected: unknown): boolean {
  return comparer(operator)(actual, expected)
}

const never = (): boolean => false

/** A missing value: undefined or null (an absent field, or JSON's null). */
export const isMissing = (v: unknown): v is undefined | null => v === undefined || v === null

/**
 * `compare(operator, ·, ·)` with the operator looked up once: for evaluators that compare the same operator many
 * times.
 */
export function comparer(operator: string): (actual: unknown, expected: unknown) => boolean {
  const def = isOperator(operator) ? OPERATORS[operator]! : undefined
  if (def === undefined) return never
  const holds = def.holds
  if (def.judgesMissing) return holds
  return guardMissing(holds)
}

/** `holds` for an operator that does not judge missing values: a missing value never reaches it, and never meets it. */
export function guardMissing(
  holds: (actual: unknown, expected: unknown) => boolean,
): (actual: unknown, expected: unknown) => boolean {
  return (actual, expected) => !isMissing(actual) && holds(actual, expected)
}

/** `compare(operator, ·, expected)` with `expected` fixed once: the operator's fast form where it has one. */
export function comparison(operator: string, expected: unknown): (actual: unknown) => boolean {
  const def = isOperator(operator) ? OPERATORS[operator]! : undefined
  const fast = def?.given?.(expected)
  if (fast) return fast
  const slow = comparer(operator)
  return (actual) => slow(actual, expected)
}

const VALUE_DOC: Readonly<Record<OperatorDefinition['valueKind'], string>> = {
  scalar: 'a string, number or boolean',
  list: 'a list of strings, numbers or booleans',
  number: 'a number',
  boolean: '`true` / `false`',
  date:
    '`YYYY-MM-DD`, `{fact, path}`, `{path}` (in a list match) or `{addWorkingDays: N, to: <date>}` (working ' +
    "days of the policy's calendar)",
  condition: 'a condition on the element (`path` relative to it)',
}

/** docs/authoring.md's operator table, made from the registry (a test keeps the doc equal to it). */
export function operatorTable(): string {
  const rows = Object.values(OPERATORS).map(
    (op) => `| \`${op.name}\` | ${op.doc} | ${VALUE_DOC[op.valueKind]} | ${op.jsonRulesEngine} |`,
  )
  return (
    [
      "| operator | true when the record's value… | `value` | json-rules-engine's operator of the name |",
      '|---|---|---|---|',
      ...rows,
    ].join('\n') + '\n'
  )
}
