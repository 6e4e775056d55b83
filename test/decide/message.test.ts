import { describe, expect, it } from 'vitest'
import { renderMessage } from '../../src/decide/message.js'
import type { Evidence } from '../../src/model.js'

const record = {
  applicationId: 'A-1',
  applicant: { legalName: 'Acme $& Sons', registration: { country: 'CA' }, tags: [] as string[] },
  product: { functions: ['create', 'track'], description: '' },
}
const evidence: Evidence[] = [
  { fact: 'applicant', path: '$.registration.country', operator: 'equal', expected: 'US', actual: 'CA' },
  { fact: 'incidents', path: '$', operator: 'noneMatch', expected: {}, actual: ['INC-1', 'INC-2'] },
]

describe('message templates', () => {
  it('fills record values, the decision date, the failing fields and the matched elements', () => {
    expect(renderMessage('{{ applicant.legalName }} is registered in {{applicant.registration.country}}.', record, [], '2026-11-25')).toBe(
      'Acme $& Sons is registered in CA.',
    )
    expect(renderMessage('as of {{ $asOf }}', record, [], '2026-11-25')).toBe('as of 2026-11-25')
    expect(renderMessage('fields: {{ $evidence }}; matched: {{ $matched }}', record, evidence, '2026-11-25')).toBe(
      'fields: applicant.registration.country, incidents; matched: INC-1, INC-2',
    )
  })

  it('says what is missing, empty or none, and quotes lists and objects', () => {
    expect(
      renderMessage(
        '{{ applicant.contactEmail }}|{{ product.description }}|{{ applicant.tags }}|{{ product.functions }}|{{ applicant.registration }}',
        record,
        [],
        'x',
      ),
    ).toBe('(missing)|(empty)|(none)|create, track|{"country":"CA"}')
  })

  it('writes numbers and booleans as JavaScript does, null as missing, and reads list elements by index', () => {
    const values = { n: 3, x: 0.5, inf: Infinity, nan: NaN, t: true, f: false, z: null, list: [{ id: 'E-1' }, 'b'] }
    expect(renderMessage('{{n}} {{ x }} {{ inf }} {{ nan }} {{ t }} {{ f }} {{ z }}', values, [], 'x')).toBe(
      '3 0.5 Infinity NaN true false (missing)',
    )
    expect(renderMessage('{{ list[0].id }}/{{ list[1] }}/{{ list }}/{{ list[2] }}', values, [], 'x')).toBe('E-1/b/E-1, b/(missing)')
    expect(renderMessage('{{$asOf}}{{ $asOf }}', values, [], '2026-11-30')).toBe('2026-11-302026-11-30')
  })

  it('quotes only list-match elements as matched, the evidence of several comparisons in order', () => {
    const several: Evidence[] = [
      { fact: 'a', path: '$', operator: 'equal', expected: 1, actual: 2 },
      { fact: 'items', path: '$', operator: 'not someMatch', expected: {}, actual: ['I-1'], negated: true },
      { fact: 'tags', path: '$', operator: 'containsAny', expected: ['x'], actual: ['y'] },
      { fact: 'rows', path: '$.list', operator: 'noneMatch', expected: {}, actual: [{ id: 4 }, 'raw'] },
      { fact: 'gone', path: '$', operator: 'someMatch', expected: {}, missing: true },
    ]
    expect(renderMessage('{{ $matched }} | {{ $evidence }}', {}, several, 'x')).toBe('I-1, 4, raw | a, items, tags, rows.list, gone')
    expect(renderMessage('[{{ $matched }}] [{{ $evidence }}]', {}, [], 'x')).toBe('[(none)] [(none)]')
  })

  it('leaves text without fillers as it is, and fills a name it cannot read as missing', () => {
    expect(renderMessage('plain text, $1 and {single} braces', record, [], 'x')).toBe('plain text, $1 and {single} braces')
    expect(renderMessage('{{ }}/{{ a..b }}/{{ __proto__ }}/{{ constructor.name }}', record, [], 'x')).toBe(
      '(missing)/(missing)/(missing)/(missing)',
    )
  })

  it('gives the same text the second time, from its compiled form, for another record', () => {
    const template = 'Hello {{ applicant.legalName }}!'
    expect(renderMessage(template, record, [], 'x')).toBe('Hello Acme $& Sons!')
    expect(renderMessage(template, { applicant: { legalName: 'Zed' } }, [], 'x')).toBe('Hello Zed!')
  })
})
