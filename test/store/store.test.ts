import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  checkPolicies,
  CollabgateError,
  loadPolicies,
  PolicyValidationError,
  watchPolicies,
  type Decision,
  type DecideOptions,
  type PolicyStore,
  type ProblemsEvent,
  type ReloadEvent,
} from '../../src/index.js'
import {
  API_ACCESS,
  APPLICATIONS,
  BEHAVIOUR,
  brokenVersion,
  example,
  NEW_FILE,
  newOnboardingVersion,
  OLD_FILE,
  ONBOARDING,
  scratchPolicies,
  TERMINATION,
  type Json,
} from './helpers.js'

const SWAP_DAY = '2026-11-20'
let scratch: ReturnType<typeof scratchPolicies>
let store: PolicyStore | undefined

beforeEach(() => {
  scratch = scratchPolicies()
})
afterEach(() => {
  store?.close()
  store = undefined
  scratch.remove()
})

/** Onboarding decisions (both sides of SWAP_DAY) mixed with the other two policies. */
function mixedWork(n: number): { record: Json; options: DecideOptions }[] {
  const out: { record: Json; options: DecideOptions }[] = []
  for (let i = 0; i < n; i++) {
    const asOf = i % 2 === 0 ? '2026-11-19' : '2026-11-24'
    const evaluator = i % 3 === 0 ? 'engine' : 'compiled'
    if (i % 3 === 0) out.push({ record: example('applications', APPLICATIONS[i % APPLICATIONS.length]!), options: { asOf, evaluator } })
    else if (i % 3 === 1)
      out.push({
        record: example('applications', APPLICATIONS[i % APPLICATIONS.length]!),
        options: { asOf, policy: API_ACCESS, evaluator },
      })
    else out.push({ record: example('behaviour', BEHAVIOUR[i % BEHAVIOUR.length]!), options: { asOf, policy: TERMINATION, evaluator } })
  }
  return out
}

describe('watchPolicies: loading and serving', () => {
  it('serves the folder and tells ids, versions and digests', async () => {
    store = await watchPolicies(scratch.dir, { watch: false })
    const expected = (await loadPolicies(scratch.dir)).list()
    expect(store.serving()).toEqual(expected)
    expect(store.serving().map((p) => `${p.id}@${p.version}`)).toEqual([
      `${API_ACCESS}@1.0.0`,
      `${ONBOARDING}@1.0.0`,
      `${TERMINATION}@1.0.0`,
    ])
    expect(store.serving().every((p) => /^sha256:[0-9a-f]{64}$/.test(p.digest))).toBe(true)
    expect(store.generation).toBe(1)
    expect(store.status()).toMatchObject({ generation: 1, watching: false, lastReload: { status: 'swapped', problems: [] } })
  })

  it('refuses to start on an invalid folder, listing every problem', async () => {
    scratch.write(NEW_FILE, brokenVersion(scratch.read(OLD_FILE)))
    const seen: ProblemsEvent[] = []
    const err = await watchPolicies(scratch.dir, { watch: false, onProblems: (e) => seen.push(e) }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(PolicyValidationError)
    const { problems } = await checkPolicies(scratch.dir)
    expect((err as PolicyValidationError).problems).toEqual(problems)
    expect(seen).toHaveLength(1)
    expect(seen[0]!.generation).toBe(0)
  })

  it('refuses to start on a folder that does not exist, with E_IO', async () => {
    const err = await watchPolicies(scratch.dir + '-missing').catch((e: unknown) => e)
    expect(err).toBeInstanceOf(PolicyValidationError)
    expect((err as PolicyValidationError).problems.map((p) => p.code)).toEqual(['E_IO'])
  })

  it('refuses to replace the set with an emptied folder', async () => {
    store = await watchPolicies(scratch.dir, { watch: false })
    scratch.remove()
    const result = await store.reload()
    expect(result.status).toBe('rejected')
    expect(store.serving()).toHaveLength(3)
    const decision = await store.decide(example('applications', 'complete-us-developer'), { asOf: SWAP_DAY })
    expect(decision.outcome).toBe('approve')
  })
})

describe('hot reload', () => {
  it('keeps serving the old version while an invalid policy is written mid-traffic, and reports the problem', async () => {
    const problems: ProblemsEvent[] = []
    store = await watchPolicies(scratch.dir, { watch: false, onProblems: (e) => problems.push(e) })
    const live = store
    const fromListener: ProblemsEvent[] = []
    live.on('problems', (e) => fromListener.push(e))

    const work = mixedWork(300)
    const decisions = work.map(async ({ record, options }, i) => {
      // interleave: every tenth decision yields first so the reload runs in between
      if (i % 10 === 0) await new Promise((r) => setImmediate(r))
      return live.decide(record, options)
    })
    scratch.write(NEW_FILE, brokenVersion(scratch.read(OLD_FILE)))
    const reload = live.reload()
    const settled = await Promise.allSettled([...decisions, reload])

    expect(settled.filter((s) => s.status === 'rejected')).toEqual([])
    const results = settled.slice(0, -1).map((s) => (s as PromiseFulfilledResult<Decision>).value)
    expect(results).toHaveLength(300)
    expect(new Set(results.map((d) => d.policy.version))).toEqual(new Set(['1.0.0']))

    const outcome = (settled.at(-1) as PromiseFulfilledResult<Awaited<typeof reload>>).value
    expect(outcome.status).toBe('rejected')
    const expected = (await checkPolicies(scratch.dir)).problems
    expect(expected.map((p) => p.code)).toContain('E_UNKNOWN_OPERATOR')
    // the same PolicyProblem objects `validate` prints, through the callback and the listener
    expect(problems).toHaveLength(1)
    expect(problems[0]!.problems).toEqual(expected)
    expect(fromListener[0]!.problems).toEqual(expected)
    expect(outcome.status === 'rejected' && outcome.problems).toEqual(expected)
    expect(live.generation).toBe(1)
    expect(live.status().lastReload).toMatchObject({ status: 'rejected', problems: expected })
    expect(live.serving().map((p) => p.version)).toEqual(['1.0.0', '1.0.0', '1.0.0'])
  })

  it('swaps in a valid new version atomically and decides with it from its effective date', async () => {
    const reloads: ReloadEvent[] = []
    store = await watchPolicies(scratch.dir, { watch: false, onReload: (e) => reloads.push(e) })
    const record = example('applications', 'complete-us-developer')
    expect((await store.decide(record, { asOf: '2026-11-24' })).outcome).toBe('approve')

    const { oldEnded, next } = newOnboardingVersion(scratch.read(OLD_FILE), SWAP_DAY, 5)
    scratch.write(OLD_FILE, oldEnded)
    scratch.write(NEW_FILE, next)
    const result = await store.reload()
    expect(result.status).toBe('swapped')
    expect(store.generation).toBe(2)
    expect(reloads.map((e) => e.generation)).toEqual([1, 2])
    expect(reloads[1]!.previous.map((p) => p.version)).toEqual(['1.0.0', '1.0.0', '1.0.0'])
    expect(
      store
        .serving()
        .filter((p) => p.id === ONBOARDING)
        .map((p) => [p.version, p.effective]),
    ).toEqual([
      ['1.0.0', { from: '2023-09-18', until: SWAP_DAY }],
      ['1.1.0', { from: SWAP_DAY }],
    ])

    const after = await store.decide(record, { asOf: '2026-11-24' })
    expect(after.policy.version).toBe('1.1.0')
    expect(after.outcome).toBe('manual_review') // 3 years < the new 5-year bar
    expect(after.reasons.map((r) => r.rule)).toEqual(['ONB-STRENGTH'])
    const before = await store.decide(record, { asOf: '2026-11-19' })
    expect(before.policy.version).toBe('1.0.0')
    expect(before.outcome).toBe('approve')
  })

  it('reports "unchanged" when nothing changed, and a touch does not bump the generation', async () => {
    store = await watchPolicies(scratch.dir, { watch: false })
    scratch.write(OLD_FILE, scratch.read(OLD_FILE))
    expect(await store.reload()).toEqual({ status: 'unchanged', generation: 1 })
    expect(store.generation).toBe(1)
  })

  it('coalesces concurrent reload calls and ends on the folder as last written', async () => {
    store = await watchPolicies(scratch.dir, { watch: false })
    const { oldEnded, next } = newOnboardingVersion(scratch.read(OLD_FILE), SWAP_DAY)
    const first = store.reload()
    scratch.write(OLD_FILE, oldEnded)
    scratch.write(NEW_FILE, next)
    const second = store.reload()
    const third = store.reload()
    expect(second).toBe(third)
    await Promise.all([first, second, third])
    expect(store.serving().map((p) => p.version)).toContain('1.1.0')
  })

  it('a decision runs on the set current when it started, and a held set stays usable after a swap', async () => {
    store = await watchPolicies(scratch.dir, { watch: false })
    const held = store.current()
    const record = example('applications', 'complete-us-developer')
    const { oldEnded, next } = newOnboardingVersion(scratch.read(OLD_FILE), SWAP_DAY, 5)
    scratch.write(OLD_FILE, oldEnded)
    scratch.write(NEW_FILE, next)
    // engine decisions are asynchronous, so the reload lands while some are mid-way
    const inFlight = Array.from({ length: 50 }, () => store!.decide(record, { asOf: '2026-11-24', evaluator: 'engine' }))
    await store.reload()
    const later = Array.from({ length: 50 }, () => store!.decide(record, { asOf: '2026-11-24', evaluator: 'engine' }))
    const all = await Promise.all([...inFlight, ...later])
    // each decision is wholly one version's: its outcome matches its version, never a mix
    for (const d of all)
      expect([d.policy.version, d.outcome]).toEqual(d.policy.version === '1.0.0' ? ['1.0.0', 'approve'] : ['1.1.0', 'manual_review'])
    expect((await Promise.all(later)).every((d) => d.policy.version === '1.1.0')).toBe(true)
    expect((await held.decide(record, { asOf: '2026-11-24' })).policy.version).toBe('1.0.0')
    expect(store.current()).not.toBe(held)
  })

  it('notices file changes by itself when watching', async () => {
    const swapped = new Promise<ReloadEvent>((resolve) => {
      void watchPolicies(scratch.dir, { debounceMs: 20, onReload: (e) => e.generation === 2 && resolve(e) }).then((s) => {
        store = s
        const { oldEnded, next } = newOnboardingVersion(scratch.read(OLD_FILE), SWAP_DAY)
        scratch.write(OLD_FILE, oldEnded)
        scratch.write(NEW_FILE, next)
      })
    })
    const event = await swapped
    expect(event.serving.map((p) => `${p.id}@${p.version}`)).toContain(`${ONBOARDING}@1.1.0`)
    expect(store!.status().watching).toBe(true)
    store!.close()
    expect(store!.status().watching).toBe(false)
  })
})

describe('concurrency', () => {
  it('gives hundreds of interleaved concurrent decisions across policies the same results as sequential ones', async () => {
    store = await watchPolicies(scratch.dir, { watch: false })
    const work = mixedWork(400)
    const sequential: Decision[] = []
    for (const { record, options } of work) sequential.push(await store.decide(record, options))
    // shuffle deterministically, start them all at once, then put them back in order
    const order = work.map((_, i) => i).sort((a, b) => ((a * 7919) % 401) - ((b * 7919) % 401))
    const concurrent = await Promise.all(order.map((i) => store!.decide(work[i]!.record, work[i]!.options).then((d) => [i, d] as const)))
    const byIndex = new Map(concurrent)
    expect(work.map((_, i) => byIndex.get(i))).toEqual(sequential)
    expect(new Set(sequential.map((d) => d.policy.id))).toEqual(new Set([ONBOARDING, API_ACCESS, TERMINATION]))
  })
})

describe('records', () => {
  it('refuses a record over maxRecordBytes with E_RECORD_TOO_LARGE', async () => {
    store = await watchPolicies(scratch.dir, { watch: false, maxRecordBytes: 4096 })
    const record = example('applications', 'complete-us-developer')
    ;(record.product as Json).description = 'x'.repeat(5000)
    const err = await store.decide(record, { asOf: SWAP_DAY }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(CollabgateError)
    expect((err as CollabgateError).code).toBe('E_RECORD_TOO_LARGE')
  })

  it('passes every decision to the audit sink, and a throwing sink does not fail decisions', async () => {
    const seen: Decision[] = []
    store = await watchPolicies(scratch.dir, { watch: false, audit: { write: (d) => seen.push(d) } })
    const d = await store.decide(example('behaviour', 'confirmed-data-leak'), { asOf: SWAP_DAY })
    expect(seen).toEqual([d])
    store.close()
    store = await watchPolicies(scratch.dir, {
      watch: false,
      audit: {
        write: () => {
          throw new Error('disk full')
        },
      },
    })
    expect((await store.decide(example('behaviour', 'confirmed-data-leak'), { asOf: SWAP_DAY })).outcome).toBe('terminate')
  })
})
