/**
 * Issue #23 item 2: a labelled backtest's counts, on a log built by hand (labelled-set.ts), equal the numbers worked
 * out by hand below; every entry is counted once; unhappy inputs are coded errors naming the place.
 */
import { rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { backtestOf, CollabgateError, parseLabels, type BacktestReport, type Labels } from '../../src/index.js'
import { checkThresholds, formatBacktestText, parseThreshold } from '../../src/report/backtest.js'
import { wilson, type RuleScore } from '../../src/backtest/backtest.js'
import { readLines } from '../../src/impact/impact.js'
import { labelledSet, NOW, POLICY, type LabelledSet } from './labelled-set.js'
import { ndjson } from '../audit/chained-log.js'

let s: LabelledSet
beforeAll(async () => {
  s = await labelledSet()
}, 60_000)
afterAll(() => rmSync(s.dir, { recursive: true, force: true }))

const labelsOf = async (file: string, format: 'csv' | 'ndjson' = 'csv'): Promise<Labels> => parseLabels(readLines(file), file, format)
const run = async (labels?: Labels, options: Partial<Parameters<typeof backtestOf>[3]> = {}): Promise<BacktestReport> =>
  backtestOf(s.set, { log: [s.log] }, labels ?? (await labelsOf(s.labelsCsv)), {
    policy: POLICY,
    baseline: '1.0.0',
    candidate: '1.1.0',
    now: NOW,
    maturityDays: 14,
    ...options,
  })

/** A rule's raw counts: [fired, fired on an objecting label, only objecting rule]. */
const counts = (rules: RuleScore[]) => Object.fromEntries(rules.map((r) => [r.rule, [r.fired, r.firedObjecting, r.only]]))

async function expectCode(promise: Promise<unknown>, code: string, message: RegExp): Promise<void> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(CollabgateError)
  expect((err as CollabgateError).code).toBe(code)
  expect((err as CollabgateError).message).toMatch(message)
}

describe('backtest on a labelled set built by hand', () => {
  it('counts every entry once: 19 used, one left out per reason', async () => {
    const r = await run()
    // 16 (B, C, D, A × four labels) + E + F + G = 19 used; 10 entries left out, one per reason
    expect(r.entries).toBe(29)
    expect(r.used).toBe(19)
    expect(Object.fromEntries(r.excluded.map((x) => [x.reason, x.count]))).toEqual({
      'not-an-entry': 1,
      'format-1': 0,
      shadow: 1,
      'other-policy': 1,
      immature: 1,
      unlabelled: 1,
      'no-facts': 1,
      'version-missing': 1,
      'fact-not-logged': 1,
      'masked-fact': 1,
      'facts-invalid': 1,
      error: 0,
    })
    expect(r.used + r.excluded.reduce((n, x) => n + x.count, 0)).toBe(r.entries)
    // entries 17.. are E, F, G; 20.. the left-out ones in the order labelled-set.ts writes them
    expect(r.excluded.find((x) => x.reason === 'immature')!.samples).toEqual(['0190a000-0000-7000-8000-000000000022'])
    expect(r.labels).toBe(26) // 16 + 3 + 7 labelled left-out entries
  })

  it('has the transition and confusion matrices worked out by hand', async () => {
    const r = await run()
    expect(r.outcomes).toEqual(['reject', 'needs_information', 'manual_review', 'approve'])
    // 1.0.0 → 1.1.0: B×4 and G stay reject (5); C×4 stay needs_information (4); D×4 manual_review → approve (4);
    // A×4 stay approve (4); E and F approve → manual_review (2). 5 + 4 + 4 + 4 + 2 = 19; changed 4 + 2 = 6
    expect(r.transitions).toEqual([
      [5, 0, 0, 0],
      [0, 4, 0, 0],
      [0, 0, 0, 4],
      [0, 0, 2, 4],
    ])
    expect(r.changed).toEqual(wilson(6, 19))
    // baseline, label row × predicted column: each of B, C, D, A once per label (a 4×4 of ones), plus G (reject,
    // reject), E (manual_review label, approve) and F (approve label, approve). 5 + 4 + 5 + 5 = 19
    expect(r.versions.baseline.confusion).toEqual([
      [2, 1, 1, 1],
      [1, 1, 1, 1],
      [1, 1, 1, 2],
      [1, 1, 1, 2],
    ])
    // candidate: D now approves (its column moves to approve), E is manual_review (label manual_review), F is
    // manual_review (label approve). reject row: B reject, C needs, D approve, A approve, G reject = [2, 1, 0, 2]
    expect(r.versions.candidate.confusion).toEqual([
      [2, 1, 0, 2],
      [1, 1, 0, 2],
      [1, 1, 1, 2],
      [1, 1, 1, 2],
    ])
    expect(r.versions.baseline.confusion.flat().every((n) => n > 0)).toBe(true)
  })

  it('has the binary view (objects = not approve) worked out by hand', async () => {
    const r = await run()
    // labels that object: reject 5 + needs_information 4 + manual_review 5 = 14
    expect(r.labelledObjecting).toBe(14)
    // baseline TP: the first three rows' first three columns, 4 + 3 + 3 = 10; FN: their approve column 1 + 1 + 2 = 4;
    // FP: the approve row's first three columns 1 + 1 + 1 = 3; TN: 2. 10 + 4 + 3 + 2 = 19
    const b = r.versions.baseline.binary
    expect([b.tp, b.fn, b.fp, b.tn]).toEqual([10, 4, 3, 2])
    expect([b.precision, b.recall, b.accuracy]).toEqual([wilson(10, 13), wilson(10, 14), wilson(6, 19)])
    // candidate TP 3 + 2 + 3 = 8; FN 2 + 2 + 2 = 6; FP 1 + 1 + 1 = 3; TN 2; the diagonal 2 + 1 + 1 + 2 = 6
    const c = r.versions.candidate.binary
    expect([c.tp, c.fn, c.fp, c.tn]).toEqual([8, 6, 3, 2])
    expect([c.precision, c.recall, c.accuracy]).toEqual([wilson(8, 11), wilson(8, 14), wilson(6, 19)])
  })

  it('has the per-rule counts and rates worked out by hand', async () => {
    const r = await run()
    // SCOPE-US: B×4 + G = 5 fired; labels objecting: B's reject, needs, manual + G's reject = 4; alone on B×4 = 4.
    // BV the same with C. STRENGTH (≥ 1 year) never fires under 1.0.0; API-SCOPES: D×4, 3 objecting, alone 4.
    expect(counts(r.versions.baseline.rules)).toEqual({
      'ONB-SCOPE-US': [5, 4, 4],
      'ONB-BUSINESS-VERIFIED': [5, 4, 4],
      'ONB-STRENGTH': [0, 0, 0],
      'ONB-API-SCOPES': [4, 3, 4],
    })
    // 1.1.0: STRENGTH (≥ 2 years) fires on F alone (labelled approve); TECH-SECURITY on E alone (manual_review)
    expect(counts(r.versions.candidate.rules)).toEqual({
      'ONB-SCOPE-US': [5, 4, 4],
      'ONB-BUSINESS-VERIFIED': [5, 4, 4],
      'ONB-STRENGTH': [1, 0, 1],
      'ONB-TECH-SECURITY': [1, 1, 1],
    })
    const scope = r.versions.baseline.rules[0]!
    expect([scope.fireRate, scope.precision, scope.recall, scope.onlyRate]).toEqual([
      wilson(5, 19),
      wilson(4, 5),
      wilson(4, 14),
      wilson(4, 5),
    ])
    const strength = r.versions.baseline.rules[2]!
    expect(strength.precision).toEqual({ k: 0, n: 0, rate: null, low: null, high: null, small: true })
  })

  it('joins CSV and NDJSON labels alike', async () => {
    const fromCsv = await run(await labelsOf(s.labelsCsv, 'csv'))
    const fromJson = await run(await labelsOf(s.labelsNdjson, 'ndjson'))
    expect(fromJson).toEqual(fromCsv)
  })

  it('leaves out nothing as immature with no maturity window', async () => {
    const r = await run(undefined, { maturityDays: 0 })
    expect(r.excluded.find((x) => x.reason === 'immature')!.count).toBe(0)
    expect(r.used).toBe(20)
  })
})

describe('Wilson score intervals', () => {
  it('match published values', () => {
    // 8/10, z² = 3.8415: centre (0.8 + 3.8415/20) / (1 + 0.38415) = 0.71668, half-width
    // (1.96 / 1.38415) × √(0.8 × 0.2 / 10 + 3.8415 / 400) = 1.41603 × 0.16 = 0.22656: 0.4901 to 0.9432
    const r = wilson(8, 10)
    expect(r.rate).toBe(0.8)
    expect(r.low).toBeCloseTo(0.4901, 3)
    expect(r.high).toBeCloseTo(0.9432, 3)
    expect(r.small).toBe(true)
    // 0/30: the upper end is z²/n / (1 + z²/n) = 0.12805 / 1.12805 = 0.11352
    expect(wilson(0, 30)).toMatchObject({ rate: 0, low: 0, small: false })
    expect(wilson(0, 30).high).toBeCloseTo(0.1135, 4)
  })
})

describe('backtest unhappy paths', () => {
  const labelsFile = (name: string, text: string): string => {
    const file = join(s.dir, name)
    writeFileSync(file, text)
    return file
  }

  it('names the line of a malformed labels file', async () => {
    const json = labelsFile('bad.ndjson', '{"decision":"a","outcome":"approve"}\n\n{"decision":\n')
    await expectCode(labelsOf(json, 'ndjson'), 'E_LABELS_INVALID', /bad\.ndjson:3: not JSON/)
    const both = labelsFile('both.ndjson', '{"decision":"a","subject":"b","outcome":"approve"}\n')
    await expectCode(labelsOf(both, 'ndjson'), 'E_LABELS_INVALID', /both\.ndjson:1: name exactly one/)
    const csv = labelsFile('bad.csv', 'decision,outcome\na,approve\n"b,approve\n')
    await expectCode(labelsOf(csv), 'E_LABELS_INVALID', /bad\.csv:3: a quoted field does not close/)
    const header = labelsFile('header.csv', 'id,result\na,approve\n')
    await expectCode(labelsOf(header), 'E_LABELS_INVALID', /header\.csv:1: the header must name/)
    const empty = labelsFile('empty.csv', 'decision,outcome\nb,\n')
    await expectCode(labelsOf(empty), 'E_LABELS_INVALID', /empty\.csv:2: no outcome/)
  })

  it('names the line of a labels file that is not UTF-8 or over the line cap, read as the batch reads lines', async () => {
    const bytes = join(s.dir, 'bytes.csv')
    writeFileSync(bytes, Buffer.concat([Buffer.from('decision,outcome\na,appr'), Buffer.from([0xc3]), Buffer.from('\n')]))
    await expectCode(labelsOf(bytes), 'E_LABELS_INVALID', /bytes\.csv:2: the line is not valid UTF-8: its byte 6/)
    const long = labelsFile('long.csv', `decision,outcome\n${'a'.repeat(50)},approve\n`)
    const labels = parseLabels(readLines(long, 20), long, 'csv')
    await expectCode(labels, 'E_LABELS_INVALID', /long\.csv:2: the line is longer than \d+ characters/)
  })

  it('refuses a decision labelled twice, naming both lines', async () => {
    const file = labelsFile('twice.csv', 'decision,outcome\na,approve\nb,reject\na,reject\n')
    await expectCode(labelsOf(file), 'E_LABELS_INVALID', /twice\.csv:4: decision "a" is labelled twice \(first on line 2\)/)
  })

  it('refuses an outcome the policy does not have', async () => {
    const file = labelsFile('outcome.csv', 'subject,outcome\nAPP-E,maybe\n')
    await expectCode(run(await labelsOf(file)), 'E_LABELS_INVALID', /outcome\.csv:2: outcome "maybe" is not one of reject/)
  })

  it('refuses labels of decisions or subjects the log does not hold', async () => {
    const file = labelsFile('unknown.csv', 'decision,subject,outcome\n,APP-E,approve\nno-such-decision,,reject\n,NO-SUCH-APP,approve\n')
    await expectCode(
      run(await labelsOf(file)),
      'E_LABELS_UNKNOWN',
      /2 label\(s\) .*line 3: decision "no-such-decision"; line 4: subject "NO-SUCH-APP"/,
    )
  })

  it('refuses versions the folder does not have', async () => {
    await expectCode(run(undefined, { candidate: '9.9.9' }), 'E_POLICY_NOT_FOUND', /has no version 9\.9\.9/)
    await expectCode(run(undefined, { policy: 'acme.nothing' }), 'E_POLICY_NOT_FOUND', /no policy 'acme\.nothing'/)
  })

  it('refuses a log that fails verification', async () => {
    const edited = [...s.lines]
    edited[2] = edited[2]!.replace('"APP-B-', '"APP-Z-')
    const file = join(s.dir, 'edited.ndjson')
    writeFileSync(file, ndjson(edited))
    const labels = labelsFile('none.csv', 'decision,outcome\n')
    await expectCode(
      backtestOf(s.set, { log: [file] }, await labelsOf(labels), { policy: POLICY, baseline: '1.0.0', candidate: '1.1.0', now: NOW }),
      'E_LOG_UNVERIFIED',
      /edited\.ndjson:\d+: edited/,
    )
  })

  it('refuses a bad --now or maturity', async () => {
    await expectCode(run(undefined, { now: '2025-13-01' }), 'E_INVALID_ARGUMENT', /2025-13-01/)
    await expectCode(run(undefined, { maturityDays: -1 }), 'E_INVALID_ARGUMENT', /maturity/)
  })
})

describe('backtest text and thresholds', () => {
  it('prints ids from the log as visible escapes: a sample id cannot drive the terminal', async () => {
    const r = await run()
    r.excluded[0]!.samples = ['APP-\u001b[2J\u202eEVIL']
    const text = formatBacktestText(r)
    expect(text).toContain('not-an-entry: 1 (e.g. APP-\\x1b[2J\\u{202e}EVIL)')
    expect([text.includes('\u001b'), text.includes('\u202e')]).toEqual([false, false])
  })

  it('reads the --fail-on syntax and refuses what it cannot read', async () => {
    expect(parseThreshold(' baseline.precision[ONB-SCOPE-US] >= 0.5 ')).toEqual({
      text: 'baseline.precision[ONB-SCOPE-US] >= 0.5',
      version: 'baseline',
      metric: 'precision',
      rule: 'ONB-SCOPE-US',
      op: '>=',
      value: 0.5,
    })
    for (const bad of ['precision', 'precision<', 'precision<-1', 'speed<0.5', 'fire-rate<0.5', 'baseline.changed>0.1', 'accuracy[R]<1'])
      expect(() => parseThreshold(bad), bad).toThrow(/--fail-on/)
    const r = await run()
    // 19 used of 29 entries; the candidate's accuracy is 6/19 = 0.315789
    const results = checkThresholds(r, ['coverage<0.7', 'used>=19', 'accuracy<=0.3'].map(parseThreshold))
    expect(results.map((x) => [x.value, x.failed])).toEqual([
      [19 / 29, true],
      [19, true],
      [wilson(6, 19).rate, false],
    ])
  })
})
