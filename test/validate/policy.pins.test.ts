/**
 * The checks of one policy document (src/validate/policy.ts), on in-memory text against a folder declared in the
 * test: each problem's exact code, message, pointer, line:column, hint and params, and what a valid policy holds.
 * Everything runs inside the tests (mutation testing counts code run while a file is collected as static).
 */
import { describe, expect, it } from 'vitest'
import type { PolicyProblem } from '../../src/errors.js'
import { parseYamlSource } from '../../src/read/yaml-source.js'
import { POLICY_SCHEMA } from '../../src/schemas.js'
import { checkFolderDocument, type SchemaFile } from '../../src/validate/folder.js'
import { unknownCalendar } from '../../src/calendar/calendars.js'
import {
  canonicalJson,
  checkPolicyDocument,
  compareVersions,
  digestOf,
  isSemver,
  isValidatedPolicy,
  type FolderContext,
} from '../../src/validate/policy.js'

const RECORD = {
  type: 'object',
  required: ['appId'],
  properties: {
    $schema: { type: 'string' },
    appId: { type: 'string' },
    country: { type: 'string', enum: ['US', 'GB'] },
    size: { type: 'number' },
    verified: { type: 'boolean' },
    submittedAt: { type: 'string' },
    tags: { type: 'array', items: { type: 'string' } },
    incidents: {
      type: 'array',
      items: {
        type: 'object',
        properties: { kind: { type: 'string', enum: ['spam', 'fraud'] }, at: { type: 'string' }, n: { type: 'number' } },
      },
    },
    address: {
      type: 'object',
      properties: {
        city: { type: 'string' },
        zip: { type: 'string' },
        geo: { type: 'object', properties: { lat: { type: 'number' }, lng: { type: 'number' } } },
      },
    },
    review: { type: 'object', properties: { result: { type: 'string' } } },
    anything: {},
  },
}
/** Version 2.0.0 drops submittedAt and review, and adds extra. */
const RECORD_V2 = (() => {
  const { submittedAt: _s, review: _r, ...kept } = RECORD.properties
  return { ...RECORD, properties: { ...kept, extra: { type: 'string' } } }
})()

/** The folder of these tests: subject `app` (schemas 1.0.0 and 2.0.0), optionally with review defaults. */
function folder(review = '', record: object = RECORD): FolderContext {
  const yaml = `subjects:
  app:
    id: appId
    recognise: { fact: appId, operator: present, value: true }
    schemas:
      "1.0.0": r1.json
      "2.0.0": r2.json
${review}`
  const files = new Map<string, SchemaFile>([
    ['r1.json', { file: 'r1.json', text: JSON.stringify(record) }],
    ['r2.json', { file: 'r2.json', text: JSON.stringify(RECORD_V2) }],
  ])
  const { subjects, problems } = checkFolderDocument(parseYamlSource('collabgate.yaml', yaml), files)
  expect(problems).toEqual([])
  return { subjects: new Map(subjects.map((s) => [s.name, s])) }
}

const head = (extra = '', version = '1.0.0') => `id: demo.pins
version: ${version}
title: Pins
subject: app
effective: { from: "2024-01-01" }
outcomes: [reject, approve]
default: approve
${extra}`

const ONE_RULE =
  'rules:\n  - { id: R-OK, title: ok, source: { status: modelled, from: test }, outcome: reject, require: { fact: appId, operator: present, value: true }, message: "no" }\n'

/** A policy whose rules are the given conditions (YAML flow text), one rule each. */
const withRules = (conditions: string[], extra = '') =>
  head(extra) +
  'rules:\n' +
  conditions
    .map(
      (c, i) =>
        `  - id: R-${i}\n    title: rule ${i}\n    source: { status: modelled, from: test }\n    outcome: reject\n    require: ${c}\n    message: "no"\n`,
    )
    .join('')

const check = (text: string, ctx = folder()) => checkPolicyDocument(parseYamlSource('p.yaml', text), ctx)

const line = (p: PolicyProblem) =>
  `${p.line}:${p.column} ${p.code} ${p.pointer} ${p.message}${p.hint === undefined ? '' : ` | ${p.hint}`}${p.params === undefined ? '' : ` ${JSON.stringify(p.params)}`}`
const lines = (text: string, ctx?: FolderContext) => check(text, ctx).problems.map(line)

describe('policy document: document', () => {
  it('refuses a scalar document at 1:1, saying a policy is one mapping', () => {
    expect(lines('just text\n')).toEqual(['1:1 E_SCHEMA  a policy file must hold one YAML mapping (id, version, rules, ...)'])
  })

  it('hints to quote a version YAML read as a whole number', () => {
    expect(lines(head('', '1') + ONE_RULE)).toEqual([
      '2:1 E_SCHEMA /version must be string | quote it: version: "1.0.0" (YAML reads an unquoted 1 as a number) {"value":1}',
    ])
  })

  it('hints to quote a version YAML read as a decimal number', () => {
    expect(lines(head('', '1.5') + ONE_RULE)).toEqual([
      '2:1 E_SCHEMA /version must be string | quote it: version: "1.5.0" (YAML reads an unquoted 1.5 as a number) {"value":1.5}',
    ])
  })

  it('reports an unknown operator once, with the one meant and the known ones (not as a schema enum error)', () => {
    expect(lines(withRules(['{ fact: appId, operator: equalz, value: x }']))).toEqual([
      '13:29 E_UNKNOWN_OPERATOR /rules/0/require/operator unknown operator \'equalz\' | did you mean \'equal\'? known operators: equal, notEqual, in, notIn, lessThan, lessThanInclusive, greaterThan, greaterThanInclusive, present, containsAny, containsOnly, someMatch, noneMatch, dateBefore, dateOnOrBefore, dateAfter, dateOnOrAfter {"operator":"equalz","known":["equal","notEqual","in","notIn","lessThan","lessThanInclusive","greaterThan","greaterThanInclusive","present","containsAny","containsOnly","someMatch","noneMatch","dateBefore","dateOnOrBefore","dateAfter","dateOnOrAfter"]}',
    ])
  })

  it('refuses a subject the folder does not declare, naming the declared ones', () => {
    expect(lines(head().replace('subject: app', 'subject: apps') + ONE_RULE)).toEqual([
      '4:1 E_UNKNOWN_SUBJECT /subject subject \'apps\' is not declared by the policy folder | did you mean \'app\'? it declares: app (collabgate.yaml) {"subject":"apps","known":["app"]}',
    ])
  })

  it('refuses a record schema version the subject does not have, listing its versions', () => {
    expect(lines(head('recordSchema: 3.0.0\n') + ONE_RULE)).toEqual([
      '8:1 E_UNKNOWN_RECORD_SCHEMA /recordSchema app has no record schema version 3.0.0 | versions: 1.0.0, 2.0.0 {"subject":"app","version":"3.0.0","known":["1.0.0","2.0.0"]}',
    ])
  })

  it('refuses a version that is not semantic and dates that are not real days', () => {
    expect(
      lines(
        head()
          .replace('version: 1.0.0', 'version: v1')
          .replace('effective: { from: "2024-01-01" }', 'effective: { from: "2024-02-30", until: "2024-13-01" }') + ONE_RULE,
      ),
    ).toEqual([
      "2:1 E_INVALID_VERSION /version version 'v1' is not a semantic version such as 1.0.0",
      "5:14 E_INVALID_DATE /effective/from effective.from '2024-02-30' is not a date (YYYY-MM-DD)",
      "5:34 E_INVALID_DATE /effective/until effective.until '2024-13-01' is not a date (YYYY-MM-DD)",
    ])
  })

  it('refuses an until on the day of from (until is exclusive, the window would be empty)', () => {
    expect(
      lines(head().replace('effective: { from: "2024-01-01" }', 'effective: { from: "2024-01-01", until: "2024-01-01" }') + ONE_RULE),
    ).toEqual(['5:34 E_INVALID_DATE /effective/until effective.until 2024-01-01 must come after effective.from 2024-01-01'])
  })

  it('refuses an until before from, and does not compare until with a from that is no date', () => {
    expect(
      lines(head().replace('effective: { from: "2024-01-01" }', 'effective: { from: "2024-01-32", until: "2023-01-01" }') + ONE_RULE),
    ).toEqual(["5:14 E_INVALID_DATE /effective/from effective.from '2024-01-32' is not a date (YYYY-MM-DD)"])
  })

  it('refuses a default outcome that is not declared', () => {
    expect(lines(head().replace('default: approve', 'default: accept') + ONE_RULE)).toEqual([
      "7:1 E_UNKNOWN_OUTCOME /default default outcome 'accept' is not one of the declared outcomes (reject, approve)",
    ])
  })

  it('refuses appliesTo on a policy that is not primary, and checks its condition', () => {
    expect(lines(head('appliesTo: { fact: countri, operator: equal, value: US }\n') + ONE_RULE)).toEqual([
      '8:1 E_SCHEMA /appliesTo appliesTo says which records a primary policy claims; set primary: true or remove it',
      '8:14 E_UNKNOWN_FACT /appliesTo/fact unknown fact \'countri\' | did you mean \'country\'? this policy\'s records have: appId, country, size, verified, submittedAt, tags, incidents, address, review, anything, asOf {"fact":"countri","known":["appId","country","size","verified","submittedAt","tags","incidents","address","review","anything","asOf"]}',
    ])
  })

  it('reports an operator that is not a name as an unknown operator (the schema enum of names is left to the semantic check)', () => {
    expect(lines(withRules(['{ fact: appId, operator: 5, value: x }']))).toEqual([
      '13:29 E_UNKNOWN_OPERATOR /rules/0/require/operator unknown operator \'5\' | known operators: equal, notEqual, in, notIn, lessThan, lessThanInclusive, greaterThan, greaterThanInclusive, present, containsAny, containsOnly, someMatch, noneMatch, dateBefore, dateOnOrBefore, dateAfter, dateOnOrAfter {"operator":5,"known":["equal","notEqual","in","notIn","lessThan","lessThanInclusive","greaterThan","greaterThanInclusive","present","containsAny","containsOnly","someMatch","noneMatch","dateBefore","dateOnOrBefore","dateAfter","dateOnOrAfter"]}',
    ])
  })

  it('reports an enum violation elsewhere as a schema error', () => {
    expect(
      lines(
        head() +
          'rules:\n  - { id: R-OK, title: ok, source: { status: guessed, from: test }, outcome: reject, require: { fact: appId, operator: present, value: true }, message: "no" }\n',
      ),
    ).toEqual(['9:38 E_SCHEMA /rules/0/source/status must be one of ["confirmed","modelled"]'])
  })

  it('hints the field meant for an unknown top-level field', () => {
    expect(lines(head('calender: GB\n') + ONE_RULE)).toEqual([
      "8:1 E_SCHEMA /calender unknown field 'calender' | did you mean 'calendar'? the fields here: id, version, title, description, subject, recordSchema, primary, appliesTo, calendar, effective, outcomes, default, review, derived, rules, hints",
    ])
  })

  it('gives the quoting hint only at /version', () => {
    expect(lines(head('', '2').replace('title: Pins\n', '') + ONE_RULE)).toEqual([
      "1:1 E_SCHEMA  missing required field 'title'",
      '2:1 E_SCHEMA /version must be string | quote it: version: "2.0.0" (YAML reads an unquoted 2 as a number) {"value":2}',
    ])
  })
})

describe('policy document: review', () => {
  it('needs a from for the review clock, here or in the folder', () => {
    expect(
      lines(head('review: { workingDays: 7, decided: { fact: review, path: $.result, operator: present, value: true } }\n') + ONE_RULE),
    ).toEqual([
      "8:1 E_SCHEMA /review the review clock needs `from` (the date it counts from), here or in app's review defaults in collabgate.yaml",
    ])
  })

  it('needs a decided condition for the review clock, here or in the folder', () => {
    expect(lines(head('review: { workingDays: 7, from: { fact: submittedAt } }\n') + ONE_RULE)).toEqual([
      "8:1 E_SCHEMA /review the review clock needs `decided` (the condition that means a result is recorded), here or in app's review defaults in collabgate.yaml",
    ])
  })

  it('needs decided when the folder gives only from', () => {
    expect(lines(head('review: { workingDays: 7 }\n') + ONE_RULE, folder('    review:\n      from: { fact: submittedAt }\n'))).toEqual([
      "8:1 E_SCHEMA /review the review clock needs `decided` (the condition that means a result is recorded), here or in app's review defaults in collabgate.yaml",
    ])
  })

  it('checks its own from and decided at their pointers', () => {
    expect(
      lines(head('review: { workingDays: 7, from: { fact: size }, decided: { fact: nope, operator: present, value: true } }\n') + ONE_RULE),
    ).toEqual([
      '8:27 E_BAD_VALUE /review/from size is not a date',
      '8:60 E_UNKNOWN_FACT /review/decided/fact unknown fact \'nope\' | this policy\'s records have: appId, country, size, verified, submittedAt, tags, incidents, address, review, anything, asOf {"fact":"nope","known":["appId","country","size","verified","submittedAt","tags","incidents","address","review","anything","asOf"]}',
    ])
  })

  it('checks the folder defaults against the record schema the policy pins, at /review', () => {
    expect(
      lines(
        head('recordSchema: 2.0.0\nreview: { workingDays: 7 }\n') + ONE_RULE,
        folder('    review:\n      from: { fact: submittedAt }\n      decided: { fact: review, operator: present, value: true }\n'),
      ),
    ).toEqual([
      '9:1 E_UNKNOWN_FACT /review/fact unknown fact \'submittedAt\' | this policy\'s records have: appId, country, size, verified, tags, incidents, address, anything, extra, asOf {"fact":"submittedAt","known":["appId","country","size","verified","tags","incidents","address","anything","extra","asOf"]}',
      '9:1 E_UNKNOWN_FACT /review/fact unknown fact \'review\' | this policy\'s records have: appId, country, size, verified, tags, incidents, address, anything, extra, asOf {"fact":"review","known":["appId","country","size","verified","tags","incidents","address","anything","extra","asOf"]}',
    ])
  })

  it('checks its own clock against the record schema the policy pins, at /review/from and /review/decided', () => {
    expect(
      lines(
        head(
          'recordSchema: 2.0.0\nreview: { workingDays: 7, from: { fact: submittedAt }, decided: { fact: review, operator: present, value: true } }\n',
        ) + ONE_RULE,
      ),
    ).toEqual([
      '9:35 E_UNKNOWN_FACT /review/from/fact unknown fact \'submittedAt\' | this policy\'s records have: appId, country, size, verified, tags, incidents, address, anything, extra, asOf {"fact":"submittedAt","known":["appId","country","size","verified","tags","incidents","address","anything","extra","asOf"]}',
      '9:67 E_UNKNOWN_FACT /review/decided/fact unknown fact \'review\' | this policy\'s records have: appId, country, size, verified, tags, incidents, address, anything, extra, asOf {"fact":"review","known":["appId","country","size","verified","tags","incidents","address","anything","extra","asOf"]}',
    ])
  })
})

describe('policy document: rules', () => {
  it('reports duplicate rule ids, unknown outcomes of graded checks and rules, and message templates', () => {
    expect(
      lines(
        head() +
          `rules:
  - id: R-A
    title: a
    source: { status: modelled, from: test }
    checks:
      - { outcome: reject, require: { fact: appId, operator: present, value: true }, message: "a" }
      - { outcome: maybe, require: { fact: appId, operator: present, value: true }, message: "b {{ nope }}" }
  - id: R-A
    title: b
    source: { status: modelled, from: test }
    outcome: perhaps
    require: { fact: appId, operator: present, value: true }
    message: "{{ appId"
  - id: R-A
    title: c
    source: { status: modelled, from: test }
    outcome: reject
    require: { fact: appId, operator: present, value: true }
    message: "{{ $evidence }} {{ address.city }} {{ address.nope }} {{ 1x }} {{}} {{ $asOf }} {{ $matched }} {{ appId }}"
`,
      ),
    ).toEqual([
      "14:11 E_UNKNOWN_OUTCOME /rules/0/checks/1/outcome outcome 'maybe' of rule R-A is not one of the declared outcomes (reject, approve)",
      "14:85 E_TEMPLATE /rules/0/checks/1/message message quotes '{{ nope }}', which is neither a record field nor one of $evidence, $matched, $asOf, $matchedDetails",
      '15:5 E_DUPLICATE_RULE /rules/1/id rule id R-A is used twice (first at rules[0])',
      "18:5 E_UNKNOWN_OUTCOME /rules/1/outcome outcome 'perhaps' of rule R-A is not one of the declared outcomes (reject, approve)",
      '20:5 E_TEMPLATE /rules/1/message message opens {{ without closing it | write {{ field }} to quote a record field, or remove the braces',
      '21:5 E_DUPLICATE_RULE /rules/2/id rule id R-A is used twice (first at rules[0])',
      "26:5 E_TEMPLATE /rules/2/message message quotes '{{ address.nope }}', which is neither a record field nor one of $evidence, $matched, $asOf, $matchedDetails",
      "26:5 E_TEMPLATE /rules/2/message message quotes '{{ 1x }}', which is neither a record field nor one of $evidence, $matched, $asOf, $matchedDetails",
      "26:5 E_TEMPLATE /rules/2/message message quotes '{{  }}', which is neither a record field nor one of $evidence, $matched, $asOf, $matchedDetails",
    ])
  })
})

describe('policy document: conditions', () => {
  it('refuses condition shapes: no kind, two kinds, a group with leaf fields, an empty group', () => {
    expect(
      lines(
        withRules([
          '{ path: $.x }',
          '{ all: [], any: [] }',
          '{ any: [] }',
          '{ all: [{ fact: appId, operator: present, value: true }], fact: appId }',
          '{ not: { fact: appId, operator: present, value: true }, path: $.x, value: 1 }',
          '{ any: [{ fact: appId, operator: present, value: true }, { all: [] }] }',
          '{ not: { not: { fact: nope, operator: present, value: true } } }',
        ]),
      ),
    ).toEqual([
      '13:5 E_SCHEMA /rules/0/require a condition needs one of all, any, not, or a leaf with fact/path and operator',
      '19:5 E_SCHEMA /rules/1/require a condition has exactly one of all, any, not, operator; this one has all and any',
      "25:16 E_EMPTY_GROUP /rules/2/require/any an empty 'any' group decides nothing; add conditions or remove it",
      "31:5 E_SCHEMA /rules/3/require a 'all' group cannot also have fact",
      "37:5 E_SCHEMA /rules/4/require a 'not' group cannot also have path, value",
      "43:73 E_EMPTY_GROUP /rules/5/require/any/1/all an empty 'all' group decides nothing; add conditions or remove it",
      '49:30 E_UNKNOWN_FACT /rules/6/require/not/not/fact unknown fact \'nope\' | this policy\'s records have: appId, country, size, verified, submittedAt, tags, incidents, address, review, anything, asOf {"fact":"nope","known":["appId","country","size","verified","submittedAt","tags","incidents","address","review","anything","asOf"]}',
    ])
  })

  it('refuses values of the wrong kind for each operator', () => {
    expect(
      lines(
        withRules([
          '{ fact: appId, operator: equal }',
          '{ fact: size, operator: dateAfter, value: "2024-01-01" }',
          '{ fact: appId, operator: equal, value: [1] }',
          '{ fact: appId, operator: notEqual, value: { a: 1 } }',
          '{ fact: country, operator: in, value: [US, {a: 1}] }',
          '{ fact: country, operator: notIn, value: US }',
          '{ fact: size, operator: greaterThan, value: "3" }',
          '{ fact: verified, operator: present, value: 1 }',
          '{ fact: tags, operator: greaterThan, value: 1 }',
          '{ fact: appId, operator: containsAny, value: [x] }',
          '{ fact: anything, operator: greaterThan, value: 1 }',
          '{ fact: size, operator: equal, value: 3 }',
          '{ fact: verified, operator: equal, value: true }',
        ]),
      ),
    ).toEqual([
      "13:5 E_BAD_VALUE /rules/0/require operator 'equal' needs a value",
      "19:5 E_BAD_VALUE /rules/1/require operator 'dateAfter' compares dates, but size is number",
      "25:46 E_BAD_VALUE /rules/2/require/value operator 'equal' compares with a single string, number or boolean",
      "31:49 E_BAD_VALUE /rules/3/require/value operator 'notEqual' compares with a single string, number or boolean",
      "37:45 E_BAD_VALUE /rules/4/require/value operator 'in' needs a list of strings, numbers or booleans",
      "43:48 E_BAD_VALUE /rules/5/require/value operator 'notIn' needs a list of strings, numbers or booleans",
      "49:51 E_BAD_VALUE /rules/6/require/value operator 'greaterThan' compares with a number",
      "55:51 E_BAD_VALUE /rules/7/require/value operator 'present' takes true or false",
      "61:5 E_BAD_VALUE /rules/8/require operator 'greaterThan' compares numbers, but tags is array",
      "67:5 E_BAD_VALUE /rules/9/require operator 'containsAny' works on lists, but appId is string",
    ])
  })

  it('refuses values an enum field can never hold, naming the allowed ones', () => {
    expect(
      lines(
        withRules([
          '{ fact: country, operator: equal, value: UK }',
          '{ fact: country, operator: notEqual, value: gb }',
          '{ fact: country, operator: in, value: [US, GB, FR, UK] }',
          '{ fact: country, operator: equal, value: US }',
          '{ fact: country, operator: notIn, value: [GB] }',
        ]),
      ),
    ).toEqual([
      '13:48 E_BAD_VALUE /rules/0/require/value country can never be "UK" | did you mean \'US\'? the record schema allows: US, GB {"value":"UK","allowed":["US","GB"]}',
      '19:51 E_BAD_VALUE /rules/1/require/value country can never be "gb" | did you mean \'GB\'? the record schema allows: US, GB {"value":"gb","allowed":["US","GB"]}',
      '25:45 E_BAD_VALUE /rules/2/require/value country can never be "FR" | the record schema allows: US, GB {"value":"FR","allowed":["US","GB"]}',
      '25:45 E_BAD_VALUE /rules/2/require/value country can never be "UK" | did you mean \'US\'? the record schema allows: US, GB {"value":"UK","allowed":["US","GB"]}',
    ])
  })

  it('checks list matches: element fields, element values, element dates, nesting', () => {
    expect(
      lines(
        withRules([
          '{ fact: incidents, operator: someMatch, value: { operator: noneMatch, path: $.kind, value: { operator: present, value: true } } }',
          '{ fact: incidents, operator: someMatch, value: { path: $.kind, operator: equal, value: scam } }',
          '{ fact: incidents, operator: noneMatch, value: { path: $.kinds, operator: equal, value: spam } }',
          '{ fact: incidents, operator: someMatch, value: { path: $.at, operator: dateAfter, value: { path: $.n } } }',
          '{ fact: incidents, operator: someMatch, value: { operator: dateAfter, value: "2024-01-01" } }',
          '{ fact: incidents, operator: someMatch, value: [1] }',
          '{ fact: incidents, operator: someMatch, value: 5 }',
          '{ fact: tags, operator: someMatch, value: { operator: equal, value: x } }',
          '{ fact: incidents, operator: someMatch, value: { all: [{ path: $.kind, operator: equal, value: spam }, { path: $.at, operator: dateAfter, value: { path: $.at } }] } }',
          '{ fact: nope, operator: someMatch, value: { path: $.x, operator: present, value: true } }',
        ]),
      ),
    ).toEqual([
      "13:54 E_BAD_VALUE /rules/0/require/value operator 'noneMatch' works on lists, but element path $.kind is string",
      "13:63 E_BAD_VALUE /rules/0/require/value/operator 'noneMatch' cannot be used inside another list match",
      '19:94 E_BAD_VALUE /rules/1/require/value/value element path $.kind can never be "scam" | did you mean \'spam\'? the record schema allows: spam, fraud {"value":"scam","allowed":["spam","fraud"]}',
      '25:63 E_UNKNOWN_PATH /rules/2/require/value/path list elements have no field at \'$.kinds\' | did you mean \'kind\'? fields there: kind, at, n {"field":"kinds","known":["kind","at","n"]}',
      '31:96 E_BAD_VALUE /rules/3/require/value/value element path $.n is not a date',
      "37:54 E_BAD_VALUE /rules/4/require/value operator 'dateAfter' compares dates, but the list element is object",
      "43:54 E_BAD_VALUE /rules/5/require/value operator 'someMatch' takes a condition on the list's elements",
      "49:54 E_BAD_VALUE /rules/6/require/value operator 'someMatch' takes a condition on the list's elements",
      '67:16 E_UNKNOWN_FACT /rules/9/require/fact unknown fact \'nope\' | this policy\'s records have: appId, country, size, verified, submittedAt, tags, incidents, address, review, anything, asOf {"fact":"nope","known":["appId","country","size","verified","submittedAt","tags","incidents","address","review","anything","asOf"]}',
      "67:58 E_UNKNOWN_PATH /rules/9/require/value/path list elements have no field at '$.x'",
    ])
  })

  it('checks facts and paths, with the fields meant', () => {
    expect(
      lines(
        withRules([
          '{ operator: present, value: true }',
          '{ fact: asOf, path: $.x, operator: dateAfter, value: "2024-01-01" }',
          '{ fact: asOf, operator: dateAfter, value: "2024-01-01" }',
          '{ fact: adress, operator: present, value: true }',
          '{ fact: $schema, operator: present, value: true }',
          '{ fact: zzzzzz, operator: present, value: true }',
          '{ fact: address, path: $.cty, operator: present, value: true }',
          '{ fact: address, path: $.city.x, operator: present, value: true }',
          '{ fact: address, path: "$.city[*]", operator: present, value: true }',
          '{ fact: anything, path: $.x, operator: greaterThan, value: 1 }',
          '{ fact: address, path: $.geo.lt, operator: present, value: true }',
          '{ fact: address, path: "$.geo[0]", operator: present, value: true }',
          '{ fact: tags, path: "$[0]", operator: equal, value: x }',
          '{ fact: address, path: $.geo.lat, operator: greaterThan, value: 1 }',
        ]),
      ),
    ).toEqual([
      '13:5 E_UNKNOWN_FACT /rules/0/require a condition needs a fact (a top-level field of the record, or asOf)',
      '19:28 E_UNKNOWN_PATH /rules/1/require/path asOf is a date; it has no path',
      '31:16 E_UNKNOWN_FACT /rules/3/require/fact unknown fact \'adress\' | did you mean \'address\'? this policy\'s records have: appId, country, size, verified, submittedAt, tags, incidents, address, review, anything, asOf {"fact":"adress","known":["appId","country","size","verified","submittedAt","tags","incidents","address","review","anything","asOf"]}',
      '37:16 E_UNKNOWN_FACT /rules/4/require/fact unknown fact \'$schema\' | this policy\'s records have: appId, country, size, verified, submittedAt, tags, incidents, address, review, anything, asOf {"fact":"$schema","known":["appId","country","size","verified","submittedAt","tags","incidents","address","review","anything","asOf"]}',
      '43:16 E_UNKNOWN_FACT /rules/5/require/fact unknown fact \'zzzzzz\' | this policy\'s records have: appId, country, size, verified, submittedAt, tags, incidents, address, review, anything, asOf {"fact":"zzzzzz","known":["appId","country","size","verified","submittedAt","tags","incidents","address","review","anything","asOf"]}',
      '49:31 E_UNKNOWN_PATH /rules/6/require/path the record\'s \'address\' has no field at \'$.cty\' | did you mean \'city\'? fields there: city, zip, geo {"field":"cty","known":["city","zip","geo"]}',
      "55:31 E_UNKNOWN_PATH /rules/7/require/path the record's 'address' has no field at '$.city.x'",
      "61:31 E_UNKNOWN_PATH /rules/8/require/path path '$.city[*]' is not supported; write $.field, $.field.sub or $.list[0]",
      "67:32 E_UNKNOWN_PATH /rules/9/require/path the record's 'anything' has no field at '$.x'",
      '73:31 E_UNKNOWN_PATH /rules/10/require/path the record\'s \'address\' has no field at \'$.geo.lt\' | did you mean \'lat\'? fields of geo: lat, lng {"field":"lt","known":["lat","lng"]}',
      "79:31 E_UNKNOWN_PATH /rules/11/require/path the record's 'address' has no field at '$.geo[0]'",
    ])
  })

  it('describes a field with a path in a type mismatch', () => {
    expect(
      lines(
        withRules([
          '{ fact: address, path: $.geo, operator: greaterThan, value: 1 }',
          '{ fact: address, path: $.geo.lat, operator: dateAfter, value: { fact: address, path: $.geo } }',
        ]),
      ),
    ).toEqual([
      "13:5 E_BAD_VALUE /rules/0/require operator 'greaterThan' compares numbers, but address $.geo is object",
      "19:5 E_BAD_VALUE /rules/1/require operator 'dateAfter' compares dates, but address $.geo.lat is number",
      '19:69 E_BAD_VALUE /rules/1/require/value address $.geo is not a date',
    ])
  })
})

describe('policy document: dates', () => {
  it('refuses date operands that are no date, with the forms a date may take', () => {
    expect(
      lines(
        withRules([
          '{ fact: submittedAt, operator: dateAfter, value: 5 }',
          '{ fact: submittedAt, operator: dateAfter, value: [a] }',
          '{ fact: submittedAt, operator: dateAfter, value: null }',
          '{ fact: submittedAt, operator: dateAfter, value: "2024-02-30" }',
          '{ fact: submittedAt, operator: dateAfter, value: { fact: submittedAt, colour: red } }',
          '{ fact: submittedAt, operator: dateAfter, value: { } }',
          '{ fact: submittedAt, operator: dateAfter, value: { fact: 5 } }',
          '{ fact: submittedAt, operator: dateAfter, value: { fact: size } }',
          '{ fact: submittedAt, operator: dateAfter, value: { fact: address, path: $.city } }',
          '{ fact: submittedAt, operator: dateAfter, value: { fact: asOf } }',
        ]),
      ),
    ).toEqual([
      '13:56 E_BAD_VALUE /rules/0/require/value a date is a YYYY-MM-DD string, {fact, path}, {path} inside a list match, or {addWorkingDays: N, to: <date>}',
      '19:56 E_BAD_VALUE /rules/1/require/value a date is a YYYY-MM-DD string, {fact, path}, {path} inside a list match, or {addWorkingDays: N, to: <date>}',
      '25:56 E_BAD_VALUE /rules/2/require/value a date is a YYYY-MM-DD string, {fact, path}, {path} inside a list match, or {addWorkingDays: N, to: <date>}',
      "31:56 E_INVALID_DATE /rules/3/require/value '2024-02-30' is not a date (YYYY-MM-DD)",
      '37:56 E_BAD_VALUE /rules/4/require/value a date reference is {fact, path} or, inside a list match, {path}',
      '43:56 E_BAD_VALUE /rules/5/require/value a date reference is {fact, path} or, inside a list match, {path}',
      '49:56 E_BAD_VALUE /rules/6/require/value a date reference is {fact, path} or, inside a list match, {path}',
      '55:56 E_BAD_VALUE /rules/7/require/value size is not a date',
    ])
  })

  it('checks working-day dates: the count, unknown fields, the date counted from, five levels deep at most', () => {
    expect(
      lines(
        withRules([
          '{ fact: submittedAt, operator: dateAfter, value: { addWorkingDays: 3, to: "2024-01-01", colour: red, size: 2 } }',
          '{ fact: submittedAt, operator: dateAfter, value: { addWorkingDays: -1, to: "2024-01-01" } }',
          '{ fact: submittedAt, operator: dateAfter, value: { addWorkingDays: 3651, to: "2024-01-01" } }',
          '{ fact: submittedAt, operator: dateAfter, value: { addWorkingDays: 1.5, to: "2024-01-01" } }',
          '{ fact: submittedAt, operator: dateAfter, value: { addWorkingDays: "3", to: "2024-01-01" } }',
          '{ fact: submittedAt, operator: dateAfter, value: { addWorkingDays: 0, to: { fact: submittedAt } } }',
          '{ fact: submittedAt, operator: dateAfter, value: { addWorkingDays: 3650, to: { fact: size } } }',
          '{ fact: submittedAt, operator: dateAfter, value: { addWorkingDays: 1 } }',
          '{ fact: submittedAt, operator: dateAfter, value: { addWorkingDays: 1, to: { addWorkingDays: 1, to: { addWorkingDays: 1, to: { addWorkingDays: 1, to: "2024-01-01" } } } } }',
          '{ fact: submittedAt, operator: dateAfter, value: { addWorkingDays: 1, to: { addWorkingDays: 1, to: { addWorkingDays: 1, to: { addWorkingDays: 1, to: { addWorkingDays: 1, to: "2024-01-01" } } } } } }',
          '{ fact: submittedAt, operator: dateAfter, value: { addWorkingDays: 1, to: { addWorkingDays: 1, to: { addWorkingDays: 1, to: { addWorkingDays: 1, to: { addWorkingDays: 1, to: { addWorkingDays: 1, to: "2024-01-01" } } } } } } }',
        ]),
      ),
    ).toEqual([
      '13:56 E_BAD_VALUE /rules/0/require/value unknown field(s) colour, size in a working-day date',
      '19:65 E_BAD_VALUE /rules/1/require/value/addWorkingDays addWorkingDays is a whole number of days from 0 to 3650',
      '25:65 E_BAD_VALUE /rules/2/require/value/addWorkingDays addWorkingDays is a whole number of days from 0 to 3650',
      '31:65 E_BAD_VALUE /rules/3/require/value/addWorkingDays addWorkingDays is a whole number of days from 0 to 3650',
      '37:65 E_BAD_VALUE /rules/4/require/value/addWorkingDays addWorkingDays is a whole number of days from 0 to 3650',
      '49:87 E_BAD_VALUE /rules/6/require/value/to size is not a date',
      '55:56 E_BAD_VALUE /rules/7/require/value/to a date is a YYYY-MM-DD string, {fact, path}, {path} inside a list match, or {addWorkingDays: N, to: <date>}',
      '73:184 E_BAD_VALUE /rules/10/require/value/to/to/to/to/to a date is a YYYY-MM-DD string, {fact, path}, {path} inside a list match, or {addWorkingDays: N, to: <date>}',
    ])
  })
})

describe('policy document: which names a message may quote', () => {
  it('quotes record fields named like identifiers, dotted into objects, and nothing else, even where the record has such a field', () => {
    const str = { type: 'string' }
    const names = ['ok', 'Ok', 'ZZ', '_', 'z9', 'a_b', 'aZ', 'a_', 'a9Z', 'gz', '1x', 'a-b', '9', '-a', 'a$']
    const inner = ['in', 'A_b', 'Zz', '_9', 'z9', 'aZ9_', 'q9', '9', '-']
    const record = {
      type: 'object',
      required: ['appId'],
      properties: {
        appId: str,
        ...Object.fromEntries(names.map((n) => [n, str])),
        g: {
          type: 'object',
          properties: { ...Object.fromEntries(inner.map((n) => [n, str])), a: { type: 'object', properties: { b: str } } },
        },
      },
    }
    const quoted = [...names, ...inner.map((n) => `g.${n}`), 'g.a.b'].map((n) => `{{ ${n} }}`).join(' ')
    const text =
      head() +
      `rules:\n  - { id: R-OK, title: ok, source: { status: modelled, from: test }, outcome: reject, require: { fact: appId, operator: present, value: true }, message: "${quoted}" }\n`
    const problems = check(text, folder('', record)).problems
    expect(problems.map((p) => [p.code, p.pointer, p.message.replace(/, which is .*$/, '')])).toEqual(
      ['1x', 'a-b', '9', '-a', 'a$', 'g.9', 'g.-'].map((n) => ['E_TEMPLATE', '/rules/0/message', `message quotes '{{ ${n} }}'`]),
    )
  })
})

describe('policy document: values and braces the checks accept', () => {
  it('accepts lists of numbers and of booleans for in, and braces around a quote', () => {
    const rule = (require: string, message = 'no') =>
      `  - { id: R-${Math.abs(require.length)}, title: t, source: { status: modelled, from: test }, outcome: reject, require: ${require}, message: "${message}" }\n`
    const text =
      head() +
      'rules:\n' +
      rule('{ fact: size, operator: in, value: [1, 2.5] }') +
      rule('{ fact: verified, operator: notIn, value: [true, false] }') +
      rule('{ fact: appId, operator: present, value: true }', '{{{ appId }}{ and {{ appId }}}')
    expect(check(text).problems).toEqual([])
    // a real opening {{ is still found beside a quote
    expect(lines(head() + 'rules:\n' + rule('{ fact: appId, operator: present, value: true }', '{{ appId }} {{ appId'))).toEqual([
      '9:144 E_TEMPLATE /rules/0/message message opens {{ without closing it | write {{ field }} to quote a record field, or remove the braces',
    ])
  })
})

describe('policy document: record schemas with $refs', () => {
  it('follows $refs of the record schema for facts, paths and the fields named in a hint', () => {
    const record = {
      type: 'object',
      required: ['appId'],
      properties: {
        appId: { $ref: '#/$defs/id' },
        addr: { $ref: '#/$defs/addr' },
        list: { type: 'array', items: { $ref: '#/$defs/addr' } },
      },
      $defs: { id: { type: 'string' }, addr: { type: 'object', properties: { city: { $ref: '#/$defs/id' }, zip: { type: 'number' } } } },
    }
    const ctx = folder('', record)
    expect(
      lines(
        withRules([
          '{ fact: addr, path: $.cty, operator: present, value: true }',
          '{ fact: addr, path: $.city, operator: greaterThan, value: 1 }',
          '{ fact: list, operator: someMatch, value: { path: $.zp, operator: present, value: true } }',
          '{ fact: addr, path: $.zip, operator: lessThan, value: 1 }',
        ]),
        ctx,
      ),
    ).toEqual([
      `13:28 E_UNKNOWN_PATH /rules/0/require/path the record's 'addr' has no field at '$.cty' | did you mean 'city'? fields there: city, zip {"field":"cty","known":["city","zip"]}`,
      "19:5 E_BAD_VALUE /rules/1/require operator 'greaterThan' compares numbers, but addr $.city is string",
      `25:58 E_UNKNOWN_PATH /rules/2/require/value/path list elements have no field at '$.zp' | did you mean 'zip'? fields there: city, zip {"field":"zp","known":["city","zip"]}`,
    ])
  })
})

describe('policy schema assumptions of the checks', () => {
  it('gives operator no keyword but its enum of names, so every schema error at an operator is that enum (left to the semantic check)', () => {
    const defs = POLICY_SCHEMA.$defs as { condition: { properties: { operator: Record<string, unknown> } } }
    expect(Object.keys(defs.condition.properties.operator).filter((k) => k !== 'description')).toEqual(['enum'])
  })
})

describe('versions and digests', () => {
  it('tells semantic versions from other text', () => {
    for (const v of [
      ...['0.0.0', '1.2.3', '10.20.30', '1.0.0-rc.1', '1.0.0-alpha-1.x', '1.0.0+build.5', '1.0.0-0.3.7+sha.1'],
      // numeric and alphanumeric pre-release identifiers of one and more characters, build identifiers with and without dots
      ...['1.0.0-1', '1.0.0-123', '1.0.0-1a', '1.0.0-a.12', '1.0.0-a.1a', '1.0.0-a.ab', '1.0.0+build', '1.0.0+a.bc.d'],
    ])
      expect(isSemver(v), v).toBe(true)
    for (const v of ['1.0', '01.0.0', '1.0.0-', '1.0.0-01', 'v1.0.0', '1.0.0 ', ' 1.0.0', '1.0.0+', '1.0.0+a..b', '1.0.0.0'])
      expect(isSemver(v), v).toBe(false)
  })

  it('orders versions by major, minor and patch as numbers, a pre-release before its release', () => {
    expect(compareVersions('1.10.0', '1.9.0')).toBeGreaterThan(0)
    expect(compareVersions('1.9.0', '1.10.0')).toBeLessThan(0)
    expect(compareVersions('2.0.0', '1.99.99')).toBeGreaterThan(0)
    expect(compareVersions('1.0.10', '1.0.9')).toBeGreaterThan(0)
    expect(compareVersions('1.2.3', '1.2.3')).toBe(0)
    expect(compareVersions('1.2.3+a', '1.2.3+b')).toBe(0)
    expect(compareVersions('1.0.0-rc.1', '1.0.0')).toBe(-1)
    expect(compareVersions('1.0.0', '1.0.0-rc.1')).toBe(1)
    expect(compareVersions('1.0.0-alpha', '1.0.0-beta')).toBe(-1)
    expect(compareVersions('1.0.0-beta', '1.0.0-alpha')).toBe(1)
    expect(compareVersions('1.0.0-beta', '1.0.0-beta')).toBe(0)
    expect(compareVersions('0.9.0-rc.1', '1.0.0')).toBeLessThan(0)
  })

  it('orders text that is no semantic version as text, and equal text as equal', () => {
    expect(compareVersions('a', 'b')).toBe(-1)
    expect(compareVersions('b', 'a')).toBe(1)
    expect(compareVersions('x', 'x')).toBe(0)
    expect(compareVersions('1.0', '1.0.0')).toBe(-1)
    expect(compareVersions('1.0.0', '1.0')).toBe(1)
    expect(['b', '1.0.0', 'a', '0.1.0'].sort(compareVersions)).toEqual(['0.1.0', '1.0.0', 'a', 'b'])
  })

  it('writes canonical JSON: sorted keys at every depth, arrays in order, undefined as null', () => {
    expect(canonicalJson({ b: 1, a: [{ d: 'x', c: null }, 2] })).toBe('{"a":[{"c":null,"d":"x"},2],"b":1}')
    expect(canonicalJson(undefined)).toBe('null')
    expect(canonicalJson([undefined, 'a'])).toBe('[null,"a"]')
    expect(canonicalJson({ a: undefined })).toBe('{"a":null}')
    expect(canonicalJson('t"x')).toBe('"t\\"x"')
    expect(canonicalJson({})).toBe('{}')
    expect(canonicalJson([])).toBe('[]')
    expect(digestOf({ b: 1, a: 2 })).toBe(digestOf({ a: 2, b: 1 }))
    expect(digestOf({ a: 1 })).toBe('sha256:015abd7f5cc57a2dd94b7590f04ad8084273905ee33ec5cebeae62276a97f862')
  })
})

describe('policy document: what a valid policy holds', () => {
  it('builds the policy with every field, the record kind it pins and the locations of rules and checks', () => {
    const text = `id: demo.full
version: 2.1.0
title: Full
description: Every field
subject: app
primary: true
appliesTo: { fact: country, operator: equal, value: GB }
recordSchema: 2.0.0
calendar: GB
effective: { from: "2024-01-01", until: "2025-01-01" }
outcomes: [reject, review, approve]
default: approve
review: { workingDays: 5, from: { fact: appId }, decided: { fact: extra, operator: present, value: true } }
rules:
  - id: R-ONE
    title: One
    source: { status: confirmed, from: the text }
    outcome: reject
    require: { fact: extra, operator: present, value: true }
    message: "{{ extra }} missing"
  - id: R-TWO
    title: Two
    source: { status: modelled, from: a guess }
    checks:
      - { outcome: reject, require: { fact: size, operator: greaterThan, value: 1 }, message: "small" }
      - { outcome: review, require: { fact: size, operator: greaterThan, value: 10 }, message: "medium" }
`
    const ctx = folder()
    const { policy, problems } = check(text, ctx)
    expect(problems).toEqual([])
    expect(policy).toBeDefined()
    const p = policy!
    expect(isValidatedPolicy(p)).toBe(true)
    expect(p.id).toBe('demo.full')
    expect(p.version).toBe('2.1.0')
    expect(p.title).toBe('Full')
    expect(p.description).toBe('Every field')
    expect(p.subject).toBe('app')
    expect(p.primary).toBe(true)
    expect(p.appliesTo).toEqual({ fact: 'country', operator: 'equal', value: 'GB' })
    expect(p.calendar).toBe('GB')
    expect(p.effective).toEqual({ from: '2024-01-01', until: '2025-01-01' })
    expect(p.outcomes).toEqual(['reject', 'review', 'approve'])
    expect(p.defaultOutcome).toBe('approve')
    expect(p.review).toEqual({ workingDays: 5, from: { fact: 'appId' }, decided: { fact: 'extra', operator: 'present', value: true } })
    const subject = ctx.subjects.get('app')!
    expect(p.record).toEqual({ subject: 'app', idField: 'appId', recognise: subject.recognise, schema: subject.schemas[1] })
    expect(p.record.schema.version).toBe('2.0.0')
    expect(p.digest).toBe(digestOf(p.document))
    expect(p.location).toEqual({ file: 'p.yaml', line: 1, column: 1 })
    expect(p.document.id).toBe('demo.full')
    expect(p.rules.map((r) => [r.id, r.title, r.basis, r.location.line, r.location.column])).toEqual([
      ['R-ONE', 'One', { status: 'confirmed', from: 'the text' }, 15, 5],
      ['R-TWO', 'Two', { status: 'modelled', from: 'a guess' }, 21, 5],
    ])
    expect(p.rules[0]!.checks).toEqual([
      {
        outcome: 'reject',
        require: { fact: 'extra', operator: 'present', value: true },
        message: '{{ extra }} missing',
        pointer: '/rules/0',
        location: { file: 'p.yaml', line: 15, column: 5 },
      },
    ])
    expect(p.rules[1]!.checks.map((c) => [c.outcome, c.message, c.pointer, c.location.line, c.location.column])).toEqual([
      ['reject', 'small', '/rules/1/checks/0', 25, 9],
      ['review', 'medium', '/rules/1/checks/1', 26, 9],
    ])
  })

  it('defaults to the oldest record schema, the US calendar, not primary, no until, no review, no description', () => {
    const { policy, problems } = check(head() + ONE_RULE)
    expect(problems).toEqual([])
    const p = policy!
    expect(p.record.schema.version).toBe('1.0.0')
    expect(p.calendar).toBe('US')
    expect(p.primary).toBe(false)
    expect(p.effective).toEqual({ from: '2024-01-01' })
    expect('until' in p.effective).toBe(false)
    expect('review' in p).toBe(false)
    expect('appliesTo' in p).toBe(false)
    expect('description' in p).toBe(false)
    expect(isValidatedPolicy(p)).toBe(true)
    expect(isValidatedPolicy({ ...p })).toBe(false)
  })

  it('takes the review clock from the folder defaults', () => {
    const { policy, problems } = check(
      head('review: { workingDays: 3 }\n') + ONE_RULE,
      folder('    review:\n      from: { fact: submittedAt }\n      decided: { fact: review, operator: present, value: true }\n'),
    )
    expect(problems).toEqual([])
    expect(policy!.review).toEqual({
      workingDays: 3,
      from: { fact: 'submittedAt' },
      decided: { fact: 'review', operator: 'present', value: true },
    })
  })

  it('refuses an unknown calendar at /calendar with its name as data', () => {
    const problems = check(head('calendar: USS\n') + ONE_RULE).problems
    expect(problems).toHaveLength(1)
    const u = unknownCalendar('USS')!
    expect(problems[0]).toMatchObject({
      code: 'E_UNKNOWN_CALENDAR',
      pointer: '/calendar',
      line: 8,
      column: 1,
      message: u.message,
      hint: u.hint,
    })
    expect(problems[0]!.params).toEqual({ calendar: 'USS', suggestion: u.suggestion })
  })

  it('builds no policy when the source already has problems, and passes them through', () => {
    const { policy, problems } = check('id: [1\n')
    expect(policy).toBeUndefined()
    expect(problems.length).toBeGreaterThan(0)
    expect(problems.every((p) => p.code === 'E_YAML_SYNTAX')).toBe(true)
  })

  it('names the object fields on the way to a missing one, not list indexes, in the hint', () => {
    expect(lines(withRules(['{ fact: incidents, path: "$[0].kindz", operator: present, value: true }']))).toEqual([
      '13:33 E_UNKNOWN_PATH /rules/0/require/path the record\'s \'incidents\' has no field at \'$[0].kindz\' | did you mean \'kind\'? fields there: kind, at, n {"field":"kindz","known":["kind","at","n"]}',
    ])
  })

  it('names every type a field may hold in a type mismatch, and every object field on the way in a hint', () => {
    const record = {
      ...RECORD,
      properties: {
        ...RECORD.properties,
        note: { type: ['string', 'null'] },
        deep: {
          type: 'object',
          properties: { a: { type: 'object', properties: { b: { type: 'object', properties: { colour: { type: 'string' } } } } } },
        },
      },
    }
    const ctx = folder('', record)
    expect(
      lines(
        withRules(['{ fact: note, operator: greaterThan, value: 1 }', '{ fact: deep, path: $.a.b.color, operator: present, value: true }']),
        ctx,
      ),
    ).toEqual([
      "13:5 E_BAD_VALUE /rules/0/require operator 'greaterThan' compares numbers, but note is string/null",
      '19:28 E_UNKNOWN_PATH /rules/1/require/path the record\'s \'deep\' has no field at \'$.a.b.color\' | did you mean \'colour\'? fields of a.b: colour {"field":"color","known":["colour"]}',
    ])
  })

  it('refuses a number that is not finite where a number is compared (a document built without YAML)', () => {
    const doc = parseYamlSource('p.yaml', withRules(['{ fact: size, operator: greaterThan, value: 1 }']))
    const value = structuredClone(doc.value) as { rules: { require: { value: unknown } }[] }
    value.rules[0]!.require.value = Number.POSITIVE_INFINITY
    const { problems } = checkPolicyDocument({ ...doc, value }, folder())
    expect(problems.map(line)).toEqual(["13:51 E_BAD_VALUE /rules/0/require/value operator 'greaterThan' compares with a number"])
  })
})
