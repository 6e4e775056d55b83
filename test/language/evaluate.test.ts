/**
 * holdsFor (src/language/evaluate.ts), the walk validate's overlap search judges conditions with, answers
 * as the compiled evaluator does on the operators, paths, list matches and date operands.
 */
import { describe, expect, it } from 'vitest'
import { calendarNamed } from '../../src/calendar/calendars.js'
import { compileTest } from '../../src/compile/closures.js'
import { holdsFor } from '../../src/language/evaluate.js'
import type { Condition } from '../../src/model.js'

const RECORDS: Record<string, unknown>[] = [
  {},
  { country: 'GB', years: 3, when: '2027-01-04', tags: ['a', 'b'], items: [{ k: 'x', at: '2027-01-05' }], nested: { n: 1 } },
  { country: 'US', years: 0, when: '2027-01-04T23:00:00Z', tags: [], items: [], nested: 'flat' },
  { country: ' ', years: null, when: 'not a date', tags: 'a', items: [{ k: 'y', at: '2026-12-31' }, { k: 'x' }] },
]

const CONDITIONS: [string, Condition][] = [
  ['equal', { fact: 'country', operator: 'equal', value: 'GB' }],
  ['notEqual on a missing value', { fact: 'country', operator: 'notEqual', value: 'US' }],
  ['present', { fact: 'country', operator: 'present', value: true }],
  ['a path into a non-object', { fact: 'nested', path: '$.n', operator: 'equal', value: 1 }],
  ['a path read from a string', { fact: 'nested', path: '$.n', operator: 'equal', value: 'flat' }],
  ['greaterThan', { fact: 'years', operator: 'greaterThan', value: 1 }],
  ['containsAny', { fact: 'tags', operator: 'containsAny', value: ['b'] }],
  ['containsOnly', { fact: 'tags', operator: 'containsOnly', value: ['a'] }],
  ['someMatch', { fact: 'items', operator: 'someMatch', value: { path: '$.k', operator: 'equal', value: 'x' } }],
  ['noneMatch', { fact: 'items', operator: 'noneMatch', value: { path: '$.k', operator: 'equal', value: 'y' } }],
  [
    'an element date against asOf',
    { fact: 'items', operator: 'someMatch', value: { path: '$.at', operator: 'dateOnOrBefore', value: { fact: 'asOf' } } },
  ],
  ['asOf against a literal', { fact: 'asOf', operator: 'dateOnOrAfter', value: '2027-01-04' }],
  ['a field date against working days', { fact: 'when', operator: 'dateBefore', value: { addWorkingDays: 1, to: { fact: 'asOf' } } }],
  ['a working day past 9999', { fact: 'when', operator: 'dateBefore', value: { addWorkingDays: 5, to: '9999-12-31' } }],
  ['empty all and any', { all: [{ any: [] }, { all: [] }] }],
  [
    'not of any',
    {
      not: {
        any: [
          { fact: 'country', operator: 'in', value: ['US'] },
          { fact: 'years', operator: 'lessThan', value: 1 },
        ],
      },
    },
  ],
]

describe('holdsFor', () => {
  it.each(CONDITIONS)('%s: as the compiled evaluator answers, on every record and two dates', (_name, condition) => {
    const compiled = compileTest(condition, 'US')
    for (const record of RECORDS)
      for (const asOf of ['2027-01-04', '2026-12-31'])
        expect([record, asOf, holdsFor(condition, record, asOf, calendarNamed('US'))]).toEqual([record, asOf, compiled(record, asOf)])
  })
})
