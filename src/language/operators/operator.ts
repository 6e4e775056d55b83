/**
 * What an operator is: one definition that the validator, both evaluators (the compiled closures and
 * json-rules-engine), the evidence and the documentation all read. Adding an operator is one new file
 * in this folder, plus its test; `npm run build` derives the rest from it (scripts/build-operators.mjs).
 */

import type { HintWant } from '../../model.js'

/** What kind of value an operator expects on its right-hand side (checked by the validator). */
export type ValueKind = 'scalar' | 'list' | 'number' | 'boolean' | 'date' | 'condition'

/** The JSON type a record's value must be able to take for the operator to apply, as the validator says it. */
export interface ActualRule {
  /** A JSON Schema type ('integer' counts as 'number'). */
  type: 'number' | 'string' | 'array'
  /** What the operator does, for the validator's sentence: "operator 'x' <says>, but <field> is <type>". */
  says: string
}

/** A kind of record field, as the property tests' generator makes them (test/compile/generated-fields.ts). */
export type SampleKind = 'string' | 'number' | 'boolean' | 'date' | 'strings' | 'objects' | 'object'

export interface OperatorDefinition {
  name: string
  valueKind: ValueKind
  /** Sentence fragment for messages: "<fact> <describe> <value>". */
  describe: string
  /**
   * The documentation's "true when the record's value…" column: exact on
   * absent values, empty strings and lists, wrong types, dates with times.
   */
  doc: string
  /** How json-rules-engine's operator of the same name differs, or that it has none. */
  jsonRulesEngine: string
  /**
   * Where the documentation and the schema's enum list it, ascending; without it, after those that have one, by name.
   * Read from the file as written (a number literal) by scripts/build-operators.mjs.
   */
  order?: number
  /** How a text report writes it between field and value (`≥`); without it, by name. */
  symbol?: string
  /** How a mutant's description writes it (`>=`); without it, by name. Recorded equivalents name mutants so. */
  asciiSymbol?: string
  /** The operator a `negation` mutant swaps it for: the one that means about the opposite. */
  negation?: string
  /** The operator a `comparison` mutant swaps it for: the one that differs from it only at the boundary. */
  neighbour?: string
  /**
   * How it cuts a field's values, for the exact overlap check of `appliesTo`: by membership among the rules' constants
   * ('set'), by order among them ('interval': numbers or dates), or by absence ('presence'). Without it, that check
   * does not decide a condition that uses it exactly.
   */
  overlap?: 'set' | 'interval' | 'presence'
  /** For the property tests' generator: the record field kinds a random rule uses it on (its value per `valueKind`). */
  sample?: { on: readonly SampleKind[] }
  /**
   * Its meaning pinned at each boundary, as rows [record's value, rule's value, holds], a missing value and a wrong
   * type among them: test/language/operators.test.ts runs every row on `compare`, the fast forms and both evaluators.
   */
  boundaries?: readonly (readonly [actual: unknown, expected: unknown, holds: boolean])[]
  /**
   * What a hint asks of the record for a leaf with it to hold (first) or not to hold (second), e.g. `at least` and
   * `less than`; without it (or with undefined), no hint changes such a leaf. `present` answers by its value instead.
   */
  hint?: readonly [HintWant | undefined, HintWant | undefined]
  /** The type the record's value must have, checked against the record schema; absent: any type. */
  actual?: ActualRule
  /** Whether a missing value (undefined or null) is judged by `holds`; otherwise it never meets the operator. */
  judgesMissing?: true
  /**
   * The meaning, the one function both evaluators call: whether the record's value `actual` meets the
   * rule's `expected`. For someMatch/noneMatch, `actual` is the list of matching elements.
   */
  holds(actual: unknown, expected: unknown): boolean
  /**
   * The whole comparison with `expected` fixed when a policy is compiled, for the compiled evaluator's
   * hot path; undefined when this `expected` has no faster form. It must answer exactly as `compare`
   * does for every actual value, missing ones (undefined, null) included.
   */
  given?(expected: unknown): ((actual: unknown) => boolean) | undefined
  /**
   * When the operator, with this `expected`, holds exactly when the record's value is `===` some
   * value: that value, so the compiled evaluator can compare inline (the commonest leaf of all).
   */
  strictlyEquals?(expected: unknown): { value: unknown } | undefined
  /**
   * The comparison as a JavaScript expression, for the generated evaluator: `actual` is a variable's name,
   * `expected` a literal or variable of a value the validator accepted for this operator; the expression
   * must answer exactly as `compare` does, missing values included. Absent: the generated code calls `given`.
   */
  emit?(actual: string, expected: string): string
}

/** An operator definition, frozen. */
export const defineOperator = (definition: OperatorDefinition): OperatorDefinition => Object.freeze(definition)
