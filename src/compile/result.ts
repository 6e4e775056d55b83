import type { Check, LeafCondition, Rule } from '../model.js'

/** How one condition came out, with the values compared at each leaf. */
export type ConditionResult =
  | { kind: 'group'; op: 'all' | 'any' | 'not'; passed: boolean; children: ConditionResult[] }
  | {
      kind: 'leaf'
      leaf: LeafCondition
      passed: boolean
      /** The left-hand value (for someMatch/noneMatch: the matching elements). */
      actual: unknown
      /** The right-hand value after resolving references and working-day arithmetic. */
      expected: unknown
    }

export interface CheckEvaluation {
  check: Check
  passed: boolean
  /** Present when the check did not pass: the condition tree with every leaf's values. */
  tree?: ConditionResult
}

export interface RuleResult {
  rule: Rule
  checks: CheckEvaluation[]
}

/** Anything that can judge a record against a compiled policy. */
export interface Evaluator {
  evaluate(record: Record<string, unknown>, asOf: string): Promise<RuleResult[]>
}
