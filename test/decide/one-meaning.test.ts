/**
 * One meaning for every record (issue #24, item 4): on a folder's own record schema that allows extra
 * keys (no `additionalProperties: false`, the JSON Schema default), no record key or declared field
 * replaces or shadows a name an evaluator keeps for itself (`$addWorkingDays`, `$matches`, `$item`, `""`,
 * `__proto__`); both evaluators and the explain trace give one decision, and only typed errors escape.
 * A validated policy cannot be edited afterwards into a second meaning on one evaluator.
 */
import { describe, expect, it } from 'vitest'
import { compileClosures } from '../../src/compile/closures.js'
import { compileEngine } from '../../src/compile/engine.js'
import { PolicySet } from '../../src/decide/policy-set.js'
import { CollabgateError } from '../../src/errors.js'
import { isPresent } from '../../src/language/values.js'
import type { Decision, Policy, SubjectDefinition } from '../../src/model.js'
import { probePolicy, probeSubject, unvalidatedPolicy } from '../core/probe.js'

const any = {}
/** A probe kind whose schema allows any other key and (`declared`) declares some internal names as fields. */
const subject = (declared = true): SubjectDefinition =>
  probeSubject(
    JSON.parse(
      JSON.stringify({
        type: 'object',
        required: ['id'],
        properties: {
          id: { type: 'string' },
          submittedAt: { type: 'string' },
          note: any,
          items: { type: 'array', items: { type: 'object', properties: { id: any, bad: any, k: any } } },
          ...(declared ? { $matches: { type: 'string' }, $item: { type: 'string' }, proto: any } : {}),
        },
      }).replace('"proto"', '"__proto__"'),
    ) as Record<string, unknown>,
  )

function policyOf(require: unknown, s = subject()): Policy {
  const policy = probePolicy(s, { outcomes: ['reject', 'approve'], default: 'approve', rules: [{ id: 'R-1', outcome: 'reject', require }] })
  if (!policy) throw new Error('probe policy refused')
  return policy
}

/** The decision on both evaluators (and the explain trace), which must agree; the record is JSON text. */
async function decideBoth(policy: Policy, json: string, asOf = '2026-11-30'): Promise<Decision> {
  const set = new PolicySet([policy])
  const record = JSON.parse(json) as unknown
  const compiled = await set.decide(record, { asOf, evaluator: 'compiled', explain: true })
  const engine = await set.decide(JSON.parse(json) as unknown, { asOf, evaluator: 'engine', explain: true })
  expect(engine).toEqual(compiled)
  // the explain trace of the failing rule says what the reasons say
  const failed = compiled.explanation!.filter((r) => !r.passed).map((r) => r.rule)
  expect(failed).toEqual(compiled.reasons.map((r) => r.rule))
  return compiled
}

describe('a record key named as an evaluator-internal fact', () => {
  it('$addWorkingDays does not replace the working-day date', async () => {
    const policy = policyOf({ fact: 'submittedAt', operator: 'dateOnOrAfter', value: { addWorkingDays: 2, to: '2026-01-05' } })
    // 2026-01-05 + 2 working days is 2026-01-07; the record's own `$addWorkingDays` is only its data
    const decision = await decideBoth(policy, '{"id":"r","submittedAt":"2026-01-06","$addWorkingDays":"2000-01-01"}')
    expect(decision.outcome).toBe('reject')
    expect(decision.reasons[0]!.evidence[0]!.expected).toBe('2026-01-07')
    expect((await decideBoth(policy, '{"id":"r","submittedAt":"2026-01-07","$addWorkingDays":"2999-01-01"}')).outcome).toBe('approve')
  })

  it('"" is a field like any other, not a plain Error', async () => {
    const policy = policyOf({ fact: 'id', operator: 'present', value: true })
    expect((await decideBoth(policy, '{"id":"r","":1}')).outcome).toBe('approve')
  })

  it('$matches does not invert someMatch or noneMatch', async () => {
    const loose = subject(false)
    const none = policyOf({ fact: 'items', operator: 'noneMatch', value: { path: '$.bad', operator: 'equal', value: true } }, loose)
    const some = policyOf({ fact: 'items', operator: 'someMatch', value: { path: '$.bad', operator: 'equal', value: true } }, loose)
    expect((await decideBoth(none, '{"id":"r","items":[{"bad":true}],"$matches":[]}')).outcome).toBe('reject')
    expect((await decideBoth(none, '{"id":"r","items":[{"bad":false}],"$matches":[{"bad":true}]}')).outcome).toBe('approve')
    expect((await decideBoth(some, '{"id":"r","items":[{"bad":false}],"$matches":[{"bad":true}]}')).outcome).toBe('reject')
    expect((await decideBoth(some, '{"id":"r","items":[{"bad":true}],"$matches":[]}')).outcome).toBe('approve')
  })
})

describe('a declared field named as an evaluator-internal fact', () => {
  it('$matches, absent, is a missing fact (no TypeError); present, it is the record field', async () => {
    const policy = policyOf({ fact: '$matches', operator: 'present', value: true })
    const missing = await decideBoth(policy, '{"id":"r"}')
    expect(missing.outcome).toBe('reject')
    expect(missing.reasons[0]!.evidence[0]).toMatchObject({ fact: '$matches', missing: true })
    expect((await decideBoth(policy, '{"id":"r","$matches":"yes"}')).outcome).toBe('approve')
  })

  it('$item is the record field, at the top level and inside a list match', async () => {
    const top = policyOf({ fact: '$item', operator: 'equal', value: 'x' })
    expect((await decideBoth(top, '{"id":"r","$item":"x"}')).outcome).toBe('approve')
    expect((await decideBoth(top, '{"id":"r","$item":"y"}')).outcome).toBe('reject')
    const inList = policyOf({ fact: 'items', operator: 'someMatch', value: { fact: '$item', operator: 'equal', value: 'x' } })
    // the element is an object, never 'x': only the record's own $item can make the match hold
    expect((await decideBoth(inList, '{"id":"r","$item":"x","items":[{"k":"y"}]}')).outcome).toBe('approve')
    expect((await decideBoth(inList, '{"id":"r","$item":"y","items":[{"k":"x"}]}')).outcome).toBe('reject')
  })

  it('__proto__ is read inside a list match as at the top level', async () => {
    const inList = policyOf({
      fact: 'items',
      operator: 'someMatch',
      value: {
        all: [
          { path: '$.id', operator: 'equal', value: 'a' },
          { fact: '__proto__', operator: 'equal', value: 'p' },
        ],
      },
    })
    expect((await decideBoth(inList, '{"id":"r","__proto__":"p","items":[{"id":"a"}]}')).outcome).toBe('approve')
    expect((await decideBoth(inList, '{"id":"r","__proto__":"q","items":[{"id":"a"}]}')).outcome).toBe('reject')
    const top = policyOf({ fact: '__proto__', operator: 'equal', value: 'p' })
    expect((await decideBoth(top, '{"id":"r","__proto__":"p"}')).outcome).toBe('approve')
  })
})

describe('a validated policy', () => {
  it('cannot be edited in place into another meaning on one evaluator', async () => {
    const policy = policyOf({ fact: 'submittedAt', operator: 'equal', value: 'a' })
    const set = new PolicySet([policy])
    const edits: (() => void)[] = [
      () => ((policy.rules[0]!.checks[0]!.require as { value: unknown }).value = 'b'),
      () => (policy.rules[0]!.checks[0]!.outcome = 'approve'),
      () => ((policy as { calendar: string }).calendar = 'GB'),
      () => policy.rules.push(policy.rules[0]!),
      () => ((policy as { defaultOutcome: string }).defaultOutcome = 'reject'),
    ]
    for (const edit of edits) {
      try {
        edit()
      } catch (err) {
        // a frozen policy refuses the edit (strict mode)
        expect(err).toBeInstanceOf(TypeError)
      }
    }
    for (const [submittedAt, outcome] of [
      ['a', 'approve'],
      ['b', 'reject'],
    ] as const) {
      for (const evaluator of ['engine', 'compiled'] as const) {
        const decision = await set.decide({ id: 'r', submittedAt }, { asOf: '2026-11-30', evaluator })
        expect(decision.outcome, `${evaluator} ${submittedAt}`).toBe(outcome)
      }
    }
    expect(policy.rules[0]!.checks[0]!.require).toEqual({ fact: 'submittedAt', operator: 'equal', value: 'a' })
  })

  it('is frozen all the way down, its document too', () => {
    const policy = policyOf({ any: [{ fact: 'submittedAt', operator: 'in', value: ['a', 'b'] }] })
    const seen = new Set<unknown>()
    const walk = (v: unknown, at: string): void => {
      if (v === null || typeof v !== 'object' || seen.has(v)) return
      seen.add(v)
      expect(Object.isFrozen(v), at).toBe(true)
      for (const [k, x] of Object.entries(v)) walk(x, `${at}.${k}`)
    }
    walk(policy, 'policy')
    expect(seen.size).toBeGreaterThan(10)
  })
})

describe('no plain Error from the compilers', () => {
  it('a nested list match handed to a compiler directly is a CollabgateError', () => {
    const nested = unvalidatedPolicy({
      fact: 'items',
      operator: 'someMatch',
      value: { fact: 'items', operator: 'noneMatch', value: { path: '$.bad', operator: 'equal', value: true } },
    })
    for (const compile of [compileClosures, compileEngine]) {
      const err = (() => {
        try {
          compile(nested)
        } catch (e) {
          return e
        }
      })()
      expect(err).toBeInstanceOf(CollabgateError)
      expect((err as CollabgateError).code).toBe('E_INVALID_ARGUMENT')
    }
  })
})

describe('no plain Error from a decision', () => {
  /** What deciding `record` throws, on each evaluator and on decideSync. */
  async function thrown(policy: Policy, record: unknown): Promise<unknown[]> {
    const set = new PolicySet([policy])
    const out: unknown[] = []
    for (const evaluator of ['compiled', 'engine'] as const)
      out.push(
        await set.decide(record, { asOf: '2026-11-30', evaluator }).then(
          () => 'decided',
          (e: unknown) => e,
        ),
      )
    try {
      set.decideSync(record, { asOf: '2026-11-30' })
      out.push('decided')
    } catch (e) {
      out.push(e)
    }
    return out
  }

  it('a record that is not JSON data (a cycle a message quotes, an accessor that throws) is E_DECISION_FAILED', async () => {
    const quotes = probePolicy(subject(false), {
      outcomes: ['reject', 'approve'],
      default: 'approve',
      rules: [
        { id: 'R-1', outcome: 'reject', require: { fact: 'id', operator: 'equal', value: 'never' }, message: 'id {{ id }}: {{ note }}' },
      ],
    })!
    const cyclic: Record<string, unknown> = { id: 'r' }
    cyclic.note = cyclic
    const accessor = Object.defineProperty({ id: 'r' }, 'note', {
      enumerable: true,
      get: () => {
        throw new RangeError('no note')
      },
    })
    for (const record of [cyclic, accessor]) {
      for (const err of await thrown(quotes, record)) {
        expect(err).toBeInstanceOf(CollabgateError)
        expect((err as CollabgateError).code).toBe('E_DECISION_FAILED')
        expect((err as CollabgateError).cause).toBeInstanceOf(Error)
      }
    }
  })

  it('typed errors pass as they are', async () => {
    const policy = policyOf({ fact: 'id', operator: 'present', value: true })
    for (const err of await thrown(policy, { id: 7 })) expect((err as CollabgateError).code).toBe('E_RECORD_INVALID')
  })
})

describe('present: blank is White_Space or Default_Ignorable_Code_Point, nothing else', () => {
  it.each([
    ['line feed', '\n'],
    ['next line U+0085', '\u0085'],
    ['ideographic space U+3000', '\u3000'],
    ['line separator U+2028', '\u2028'],
    ['byte order mark U+FEFF', '\uFEFF'],
    ['zero width space U+200B', '\u200B'],
    ['zero width joiner U+200D', '\u200D'],
    ['word joiner U+2060', '\u2060'],
    ['soft hyphen U+00AD', '\u00AD'],
    ['a mix', ' \t\u200B\u3000\uFEFF\u00A0\r\n'],
  ])('%s alone is blank', (_name, text) => {
    expect(isPresent(text)).toBe(false)
  })

  it.each([
    ['a letter', 'a'],
    ['a letter between blanks', '\u200Bx\u3000'],
    ['a non-ASCII letter', 'é'],
    ['an emoji', '\u{1F600}'],
    ['a visible symbol after a blank', '\u2028-'],
    ['a zero', '0'],
  ])('%s is present', (_name, text) => {
    expect(isPresent(text)).toBe(true)
  })

  it('means the same on both evaluators', async () => {
    const policy = policyOf({ fact: 'submittedAt', operator: 'present', value: true })
    for (const text of ['\u200B', '\u3000', '\uFEFF', '\u0085', 'x\u200B']) {
      const decision = await decideBoth(policy, JSON.stringify({ id: 'r', submittedAt: text }))
      expect(decision.outcome, JSON.stringify(text)).toBe(text.startsWith('x') ? 'approve' : 'reject')
    }
  })
})
