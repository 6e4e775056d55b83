/**
 * The operator registry's helpers, pinned: which values fit each kind of operand, the refusals both
 * compilers share (word for word), which operators are list matches, the group a lone leaf is wrapped
 * in, what counts as missing, and each operator's own description for messages and the validator.
 */
import { describe, expect, it } from 'vitest'
import {
  AS_OF_FACT,
  asGroup,
  comparer,
  comparison,
  guardMissing,
  isListMatch,
  isMissing,
  isOperator,
  isPresent,
  ITEM_FACT,
  OPERATORS,
  operatorOf,
  operatorTable,
  valueFits,
  type ValueKind,
} from '../../src/language/operators.js'
import { CollabgateError } from '../../src/errors.js'

describe('valueFits', () => {
  // [value, fits] per kind: every shape an operand can have in YAML or JSON, and the non-finite numbers
  const shapes: [string, unknown][] = [
    ['"a"', 'a'],
    ['""', ''],
    ['true', true],
    ['false', false],
    ['1', 1],
    ['0', 0],
    ['NaN', NaN],
    ['Infinity', Infinity],
    ['null', null],
    ['undefined', undefined],
    ['[]', []],
    ['["a",1,true]', ['a', 1, true]],
    ['["a",null]', ['a', null]],
    ['["a",{}]', ['a', {}]],
    ['[NaN]', [NaN]],
    ['[["a"]]', [['a']]],
    ['{}', {}],
    ['{fact}', { fact: 'x' }],
  ]
  const fits: Record<ValueKind, string[]> = {
    scalar: ['"a"', '""', 'true', 'false', '1', '0'],
    list: ['[]', '["a",1,true]'],
    number: ['1', '0'],
    boolean: ['true', 'false'],
    date: ['"a"', '""', '{}', '{fact}'],
    condition: ['{}', '{fact}'],
  }

  it.each(Object.entries(fits))('takes exactly these values for a %s operand', (kind, expected) => {
    const taken = shapes.filter(([, value]) => valueFits(kind as ValueKind, value)).map(([name]) => name)
    expect(taken).toEqual(expected)
  })
})

describe('operatorOf', () => {
  const codeAndMessage = (leaf: { operator: string; value?: unknown }): string => {
    try {
      operatorOf(leaf)
    } catch (err) {
      expect(err).toBeInstanceOf(CollabgateError)
      return `${(err as CollabgateError).code}: ${(err as Error).message}`
    }
    return 'accepted'
  }

  it('gives the definition of a known operator whose value fits', () => {
    expect(operatorOf({ operator: 'equal', value: 'US' })).toBe(OPERATORS.equal)
    expect(operatorOf({ operator: 'someMatch', value: { path: '$.a', operator: 'present', value: true } })).toBe(OPERATORS.someMatch)
  })

  it('refuses an unknown operator, a prototype member included, in one sentence', () => {
    expect(codeAndMessage({ operator: 'contains', value: 'x' })).toBe(
      "E_INVALID_ARGUMENT: unknown operator 'contains': policies are validated before they are compiled",
    )
    expect(codeAndMessage({ operator: 'toString', value: 'x' })).toBe(
      "E_INVALID_ARGUMENT: unknown operator 'toString': policies are validated before they are compiled",
    )
  })

  it('refuses a value of the wrong shape, quoting it, or saying there is none', () => {
    expect(codeAndMessage({ operator: 'lessThan', value: '50' })).toBe(
      `E_INVALID_ARGUMENT: operator 'lessThan' cannot compare with "50": policies are validated before they are compiled`,
    )
    expect(codeAndMessage({ operator: 'in', value: ['a', { fact: 'b' }] })).toBe(
      `E_INVALID_ARGUMENT: operator 'in' cannot compare with ["a",{"fact":"b"}]: policies are validated before they are compiled`,
    )
    expect(codeAndMessage({ operator: 'equal' })).toBe(
      "E_INVALID_ARGUMENT: operator 'equal' cannot compare with nothing: policies are validated before they are compiled",
    )
  })
})

describe('the registry helpers', () => {
  it('knows its operators by own name only', () => {
    expect(isOperator('equal')).toBe(true)
    for (const name of ['toString', 'constructor', '__proto__', 'contains', '']) expect(isOperator(name), name).toBe(false)
  })

  it('names the list matches: someMatch and noneMatch, nothing else, unknown names included', () => {
    expect(Object.keys(OPERATORS).filter(isListMatch)).toEqual(['someMatch', 'noneMatch'])
    for (const name of ['toString', 'nope', 'valueOf']) expect(isListMatch(name), name).toBe(false)
  })

  it('wraps a lone leaf in an `all` of one and leaves a group as it is', () => {
    const leaf = { fact: 'a', operator: 'present', value: true }
    expect(asGroup(leaf)).toEqual({ all: [leaf] })
    expect((asGroup(leaf) as { all: unknown[] }).all[0]).toBe(leaf)
    const group = { any: [leaf] }
    expect(asGroup(group)).toBe(group)
    const negated = { not: leaf }
    expect(asGroup(negated)).toBe(negated)
  })

  it('names the decision-date fact and the list-element fact', () => {
    expect(AS_OF_FACT).toBe('asOf')
    expect(ITEM_FACT).toBe('$item')
  })

  it('counts undefined and null, nothing else, as missing', () => {
    expect(isMissing(undefined)).toBe(true)
    expect(isMissing(null)).toBe(true)
    for (const v of [0, '', false, [], {}, NaN]) expect(isMissing(v), JSON.stringify(v)).toBe(false)
  })

  it('hands out an operator that judges missing values as it is, and guards every other one', () => {
    expect(comparer('present')).toBe(OPERATORS.present!.holds)
    for (const op of Object.values(OPERATORS).filter((o) => !o.judgesMissing)) {
      const guarded = comparer(op.name)
      expect(guarded, op.name).not.toBe(op.holds)
      expect(guarded(undefined, undefined), op.name).toBe(false)
      expect(guarded(null, null), op.name).toBe(false)
    }
  })

  it('keeps a missing value from an operator that does not judge missing values, even one that would say yes', () => {
    const seen: unknown[] = []
    const yes = (actual: unknown) => {
      seen.push(actual)
      return true
    }
    const guarded = guardMissing(yes)
    expect(guarded(undefined, 1)).toBe(false)
    expect(guarded(null, 1)).toBe(false)
    expect(seen).toEqual([])
    expect(guarded(0, 1)).toBe(true)
    expect(guarded('', 1)).toBe(true)
    expect(seen).toEqual([0, ''])
    expect(guardMissing(() => false)('x', 1)).toBe(false)
  })

  it("uses an operator's fast form itself when it has one", () => {
    expect(comparison('present', true)).toBe(isPresent)
    // no fast form for a value that does not fit: the comparison answers as compare does (anything but true means false)
    expect(comparison('present', 'yes')('x')).toBe(false)
    expect(comparison('present', 'yes')(undefined)).toBe(true)
  })
})

describe('each operator says what it does and what it needs', () => {
  it('in messages (describe), to the validator (actual) and to the evaluators (valueKind, judgesMissing)', () => {
    const table = Object.values(OPERATORS).map((op) => [op.name, op.valueKind, op.describe, op.actual ?? null, op.judgesMissing ?? false])
    const lists = { type: 'array', says: 'works on lists' }
    const numbers = { type: 'number', says: 'compares numbers' }
    const dates = { type: 'string', says: 'compares dates' }
    expect(table).toEqual([
      ['equal', 'scalar', 'equals', null, false],
      ['notEqual', 'scalar', 'differs from', null, false],
      ['in', 'list', 'is one of', null, false],
      ['notIn', 'list', 'is none of', null, false],
      ['lessThan', 'number', 'is less than', numbers, false],
      ['lessThanInclusive', 'number', 'is at most', numbers, false],
      ['greaterThan', 'number', 'is greater than', numbers, false],
      ['greaterThanInclusive', 'number', 'is at least', numbers, false],
      ['present', 'boolean', 'is present (non-empty)', null, true],
      ['containsAny', 'list', 'contains at least one of', lists, false],
      ['containsOnly', 'list', 'contains only items from', lists, false],
      ['someMatch', 'condition', 'has an element matching', lists, false],
      ['noneMatch', 'condition', 'has no element matching', lists, false],
      ['dateBefore', 'date', 'is before', dates, false],
      ['dateOnOrBefore', 'date', 'is on or before', dates, false],
      ['dateAfter', 'date', 'is after', dates, false],
      ['dateOnOrAfter', 'date', 'is on or after', dates, false],
    ])
  })
})

describe('valueFits refuses what its kind does not take', () => {
  it('a scalar is a string, a boolean or a finite number: not null, an object, a list or NaN', () => {
    for (const v of ['x', '', true, false, 0, -1.5]) expect(valueFits('scalar', v), JSON.stringify(v)).toBe(true)
    for (const v of [null, undefined, {}, ['x'], Number.NaN, Number.POSITIVE_INFINITY])
      expect(valueFits('scalar', v), String(v)).toBe(false)
    expect(valueFits('list', ['a', 1, true])).toBe(true)
    expect(valueFits('list', ['a', null])).toBe(false)
    expect(valueFits('list', [{}])).toBe(false)
  })

  it('a number is a finite number, not its text', () => {
    expect(valueFits('number', 50)).toBe(true)
    for (const v of ['50', null, Number.NaN, Number.NEGATIVE_INFINITY, true]) expect(valueFits('number', v), String(v)).toBe(false)
  })
})

describe("the README's operator table", () => {
  it('opens with its header row and ends each row, the last included, with a newline', () => {
    const lines = operatorTable().split('\n')
    expect(lines[0]).toBe("| operator | true when the record's value… | `value` | json-rules-engine's operator of the name |")
    expect(lines[1]).toBe('|---|---|---|---|')
    expect(lines.at(-1)).toBe('')
    expect(lines.at(-2)!.endsWith('|')).toBe(true)
  })
})

describe('each operator says what the rest of the project derives from it', () => {
  it('its symbols, its mutants’ swaps, how the overlap check cuts values by it and the fields the generator tries', () => {
    const table = Object.values(OPERATORS).map((op) => [
      op.name,
      op.symbol ?? null,
      op.asciiSymbol ?? null,
      op.negation ?? null,
      op.neighbour ?? null,
      op.overlap ?? null,
      op.sample?.on ?? null,
    ])
    const scalars = ['string', 'number', 'boolean']
    expect(table).toEqual([
      ['equal', '=', null, 'notEqual', null, 'set', [...scalars, 'date']],
      ['notEqual', '≠', null, 'equal', null, 'set', scalars],
      ['in', null, null, 'notIn', null, 'set', ['string', 'number']],
      ['notIn', null, null, 'in', null, 'set', ['string', 'boolean']],
      ['lessThan', '<', '<', null, 'lessThanInclusive', 'interval', ['number']],
      ['lessThanInclusive', '≤', '<=', null, 'lessThan', 'interval', ['number']],
      ['greaterThan', '>', '>', null, 'greaterThanInclusive', 'interval', ['number']],
      ['greaterThanInclusive', '≥', '>=', null, 'greaterThan', 'interval', ['number']],
      ['present', null, null, null, null, 'presence', [...scalars, 'date', 'strings', 'objects', 'object']],
      ['containsAny', null, null, 'containsOnly', null, null, ['strings']],
      ['containsOnly', null, null, 'containsAny', null, null, ['strings']],
      ['someMatch', null, null, 'noneMatch', null, null, ['strings', 'objects']],
      ['noneMatch', null, null, 'someMatch', null, null, ['strings', 'objects']],
      ['dateBefore', null, null, null, 'dateOnOrBefore', 'interval', ['date']],
      ['dateOnOrBefore', null, null, null, 'dateBefore', 'interval', ['date']],
      ['dateAfter', null, null, null, 'dateOnOrAfter', 'interval', ['date']],
      ['dateOnOrAfter', null, null, null, 'dateAfter', 'interval', ['date']],
    ])
  })

  it('swaps only for operators the registry has (a mutant with another would be a policy the validator refuses)', () => {
    for (const op of Object.values(OPERATORS))
      for (const other of [op.negation, op.neighbour])
        if (other !== undefined) expect(isOperator(other), `${op.name} → ${other}`).toBe(true)
  })
})
