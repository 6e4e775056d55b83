/** `__proto__`, `constructor` and `prototype` keys in records and policies never reach Object.prototype. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { defaultPolicies, parseRecordJson, RecordValidationError, type PolicySet } from '../../src/index.js'
import { compileClosures } from '../../src/compile/closures.js'
import { compileEngine } from '../../src/compile/engine.js'
import { parseYamlSource } from '../../src/read/yaml-source.js'
import { checkPolicyDocument } from '../../src/validate/policy.js'
import { shippedFolder } from '../shipped-folder.js'
import { example, ONBOARDING, ROOT, shippedPolicyTexts, TERMINATION, type Json } from '../store/helpers.js'
import { join } from 'node:path'

const PROTOTYPE_NAMES = Object.getOwnPropertyNames(Object.prototype).sort()
const untouched = () => {
  expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(PROTOTYPE_NAMES)
  const probe = {} as Record<string, unknown>
  for (const key of ['polluted', 'isAdmin', 'outcome', 'asOf', 'applicationId']) expect(probe[key]).toBeUndefined()
}
afterEach(untouched)

let shipped: PolicySet
// loaded by the first test, then the same memoised set: mutation testing credits the load to a test, not to a hook
beforeEach(async () => {
  shipped = await defaultPolicies()
})

/** The example application as JSON text with hostile keys spliced in at the top and in nested objects. */
function hostileApplicationText(): string {
  const text = JSON.stringify(example('applications', 'complete-us-developer'))
  const evil = '"__proto__":{"polluted":true,"isAdmin":true},"constructor":{"prototype":{"polluted":true}},"prototype":{"polluted":true},'
  return text
    .replace('{', '{' + evil)
    .replace('"applicant":{', '"applicant":{' + evil)
    .replace('"registration":{', '"registration":{' + evil)
}

describe('records', () => {
  it('rejects a record with __proto__/constructor/prototype keys as a typed error naming each, without pollution', async () => {
    const record = parseRecordJson(hostileApplicationText())
    expect(Object.getPrototypeOf(record)).toBe(Object.prototype)
    const err = await shipped.decide(record, { asOf: '2026-11-24' }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(RecordValidationError)
    const pointers = (err as RecordValidationError).problems.map((p) => p.pointer)
    for (const at of ['', '/applicant', '/applicant/registration']) {
      for (const key of ['__proto__', 'constructor', 'prototype']) expect(pointers).toContain(`${at}/${key}`)
    }
    // and the next, ordinary record is decided exactly as before
    const plain = example('applications', 'complete-us-developer')
    expect((await shipped.decide(plain, { asOf: '2026-11-24' })).outcome).toBe('approve')
  })

  it('decides records whose values are __proto__, constructor and prototype normally', async () => {
    const record = example('applications', 'complete-us-developer')
    record.applicationId = '__proto__'
    record.category = 'constructor'
    ;(record.product as Json).functions = ['__proto__', 'constructor', 'prototype', 'create']
    ;(record.product as Json).requestedScopes = ['__proto__']
    for (const evaluator of ['compiled', 'engine'] as const) {
      const d = await shipped.decide(record, { asOf: '2026-11-24', evaluator })
      expect(d.subject.id).toBe('__proto__')
      expect(d.outcome).toBe('reject')
      expect(d.reasons.map((r) => r.rule)).toEqual(['ONB-CATEGORY', 'ONB-API-SCOPES'])
      expect(d.reasons[0]!.message).toContain('constructor')
    }
  })

  it('evaluates a __proto__ key below the schema check as an ordinary field, in both evaluators', async () => {
    // the schema refuses unknown keys first; this checks the evaluators would not be fooled either:
    // the incidents hidden under __proto__ must not become the record's incidents
    const policy = shipped.select(TERMINATION, '2026-11-24')
    const hostile = parseRecordJson(
      '{"developerId":"D-1","__proto__":{"incidents":[{"id":"X","type":"fraud","status":"confirmed","occurredAt":"2026-11-01"}]}}',
    ) as Json
    const plain = { developerId: 'D-1' }
    expect(await compileEngine(policy).evaluate(hostile, '2026-11-24')).toEqual(await compileEngine(policy).evaluate(plain, '2026-11-24'))
    expect(compileClosures(policy).evaluateSync(hostile, '2026-11-24')).toEqual(compileClosures(policy).evaluateSync(plain, '2026-11-24'))
    const withFraud = { developerId: 'D-1', incidents: [{ id: 'X', type: 'fraud', status: 'confirmed', occurredAt: '2026-11-01' }] }
    expect(compileClosures(policy).evaluateSync(hostile, '2026-11-24')).not.toEqual(
      compileClosures(policy).evaluateSync(withFraud, '2026-11-24'),
    )
  })
})

describe('policies', () => {
  const onboarding = shippedPolicyTexts().get(`${ONBOARDING}.v1.0.0.yaml`)!

  it.each([
    ['a top-level __proto__ key', onboarding.replace('title: ', '__proto__: {polluted: true}\ntitle: ')],
    ['a constructor.prototype key', onboarding.replace('title: ', 'constructor: {prototype: {polluted: true}}\ntitle: ')],
    ['a __proto__ key in a rule', onboarding.replace('  - id: ONB-SCOPE-US\n', '  - id: ONB-SCOPE-US\n    __proto__: {polluted: true}\n')],
    ['a __proto__ fact', onboarding.replace('fact: category', 'fact: __proto__')],
    ['a constructor fact', onboarding.replace('fact: category', 'fact: constructor')],
    ['a path through __proto__', onboarding.replace('path: $.registration.country', 'path: $.__proto__.polluted')],
    ['a path through constructor.prototype', onboarding.replace('path: $.registration.country', 'path: $.constructor.prototype')],
    ['a template quoting constructor', onboarding.replace('{{ category }}', '{{ constructor.name }}')],
    ['a __proto__ operator', onboarding.replace('operator: equal', 'operator: __proto__')],
    ['a hasOwnProperty operator', onboarding.replace('operator: equal', 'operator: hasOwnProperty')],
  ])('refuses %s with a typed problem, no pollution', (_name, text) => {
    expect(text).not.toBe(onboarding)
    const { problems, policy } = checkPolicyDocument(parseYamlSource('hostile.yaml', text), shippedFolder())
    expect(policy).toBeUndefined()
    expect(problems.length).toBeGreaterThan(0)
    for (const p of problems) expect(p.code).toMatch(/^E_[A-Z_]+$/)
  })
})

describe('a polluted Object.prototype', () => {
  // each test adds one property to Object.prototype and removes it again, whatever happens
  const withPollution = async (key: string, descriptor: PropertyDescriptor, run: () => Promise<void>) => {
    Object.defineProperty(Object.prototype, key, { configurable: true, ...descriptor })
    try {
      await run()
    } finally {
      delete (Object.prototype as Record<string, unknown>)[key]
    }
  }

  it('does not choose the policy: options are read as own properties only', async () => {
    const record = example('applications', 'complete-us-developer')
    const clean = await shipped.decide(record, { asOf: '2026-11-24' })
    await withPollution('policy', { value: 'creator-collaboration.us.api-access' }, async () => {
      const decision = await shipped.decide(record, { asOf: '2026-11-24' })
      expect(decision.policy.id).toBe(ONBOARDING)
      expect(decision).toEqual(clean)
      expect(shipped.decideSync(record, { asOf: '2026-11-24' })).toEqual(clean)
    })
  })

  it('does not turn the lock off for a folder loaded without options', async () => {
    const { checkPolicies } = await import('../../src/index.js')
    await withPollution('lock', { value: false }, async () => {
      expect((await checkPolicies(join(ROOT, 'policies'))).lock?.found).toBe(true)
    })
  })

  it('does not make every record invalid when it has an enumerable property', async () => {
    const record = example('applications', 'complete-us-developer')
    const clean = await shipped.decide(record, { asOf: '2026-11-24' })
    await withPollution('foo', { value: 1, enumerable: true, writable: true }, async () => {
      // compared as JSON: the test's own deep equality would walk the polluted prototype too
      expect(JSON.stringify(await shipped.decide(record, { asOf: '2026-11-24' }))).toBe(JSON.stringify(clean))
    })
  })

  describe('lifts no limit and changes no option (issue #21)', () => {
    const deep = '['.repeat(100) + ']'.repeat(100)
    const many = '[' + '0,'.repeat(100_000) + '0]'
    const code = (f: () => unknown): unknown => {
      try {
        f()
      } catch (err) {
        return (err as { code?: unknown }).code
      }
      return 'no error'
    }

    it('maxDepth and maxValues: parseRecordJson, the CLI reader and a batch line still refuse past the defaults', async () => {
      const { parseRecordText } = await import('../../src/read/json-text.js')
      const { decideLine } = await import('../../src/batch/decide-lines.js')
      for (const [key, text] of [
        ['maxDepth', deep],
        ['maxValues', many],
      ] as const) {
        await withPollution(key, { value: 1e9 }, async () => {
          expect(
            code(() => parseRecordJson(text)),
            key,
          ).toBe('E_RECORD_TOO_LARGE')
          expect(
            code(() => parseRecordJson(text, { maxBytes: 10_000_000 })),
            key,
          ).toBe('E_RECORD_TOO_LARGE')
          expect(
            code(() => parseRecordText(text)),
            key,
          ).toBe('E_RECORD_TOO_LARGE')
          const line = JSON.parse(decideLine(shipped, text, 1, { asOf: '2026-11-24' }, 1e9).json) as { error: { code: string } }
          expect(line.error.code, key).toBe('E_RECORD_TOO_LARGE')
        })
      }
    })

    it('maxBytes: parseRecordJson still refuses a record over 1 MiB', async () => {
      const big = JSON.stringify({ pad: 'x'.repeat(1_100_000) })
      await withPollution('maxBytes', { value: 1e12 }, async () => {
        expect(code(() => parseRecordJson(big))).toBe('E_RECORD_TOO_LARGE')
      })
    })

    it('maxLineChars and maxLines: NDJSON lines are cut as the caller said, not as the prototype says', async () => {
      const { lineBlocks } = await import('../../src/read/lines.js')
      async function* input() {
        yield Buffer.from('abcdef\nghijkl\n')
      }
      await withPollution('maxLineChars', { value: 3 }, async () => {
        await withPollution('maxLines', { value: 1 }, async () => {
          const blocks = []
          for await (const b of lineBlocks(input())) blocks.push(b.lines)
          expect(blocks).toEqual([['abcdef', 'ghijkl']])
        })
      })
    })

    it('complete: checkLock does not call a released version missing unless the caller says the folder is whole', async () => {
      const { checkLock, lockOf } = await import('../../src/lock/lock.js')
      const lock = lockOf(shipped.policies)
      const fewer = shipped.policies.filter((p) => p.id !== ONBOARDING)
      expect(checkLock(fewer, lock).problems).toEqual([])
      await withPollution('complete', { value: true }, async () => {
        expect(checkLock(fewer, lock).problems).toEqual([])
      })
    })

    it('state: the working-day calendar keeps federal holidays', async () => {
      const { createWorkingDayCalendar } = await import('../../src/calendar/working-days.js')
      const federal = createWorkingDayCalendar().holidays(2026)
      expect(createWorkingDayCalendar({ state: 'ca' }).holidays(2026)).not.toEqual(federal)
      // writable, as `Object.prototype.state = 'ca'` makes it (the holiday library assigns its own state)
      await withPollution('state', { value: 'ca', writable: true }, async () => {
        expect(createWorkingDayCalendar().holidays(2026)).toEqual(federal)
      })
    })

    it('code: the CLI reader words an over-long input as it was asked to', async () => {
      const { readInputBytes, UsageError } = await import('../../src/cli/io.js')
      const io = { stdout: () => {}, stderr: () => {}, stdin: async () => null, env: {}, isTTY: false }
      await withPollution('code', { value: 'E_RECORD_TOO_LARGE' }, async () => {
        const err = await readInputBytes(io, '-', 10, { advice: 'x' }).catch((e: unknown) => e)
        expect(err).toBeInstanceOf(UsageError)
      })
    })
  })
})
