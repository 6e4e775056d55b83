/**
 * What an operator is: one definition that the validator, both evaluators (the compiled closures and
 * json-rules-engine), the evidence and the documentation all read. Adding an operator is one new file
 * in this folder, listed in ../operators.ts, plus its test.
 */

/** What kind of value an operator expects on its right-hand side (checked by the validator). */
export type ValueKind = 'scalar' | 'list' | 'number' | 'boolean' | 'date' | 'condition'

/** The JSON type a record's value must be able to take for the operator to apply, as the validator says it. */
export interface ActualRule {
  /** A JSON Schema type ('integer' counts as 'number'). */
  type: 'number' | 'string' | 'array'
  /** What the operator does, for the validator's sentence: "operator 'x' <says>, but <field> is <type>". */
  says: string
}

export interface OperatorDefinition {
  name: string
  valueKind: ValueKind
  /** Sentence fragment for messages: "<fact> <describe> <value>". */
  describe: string
  /** The documentation's "true when the record's value…" column: exact on absent values, empty strings and lists, wrong types, dates with times. */
  doc: string
  /** How json-rules-engine's operator of the same name differs, or that it has none. */
  jsonRulesEngine: string
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
