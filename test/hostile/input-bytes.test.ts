/**
 * Record bytes that are not UTF-8 are refused, never read as U+FFFD (issue #21): parseRecordJson's bytes,
 * and each NDJSON line, in this thread and in the workers, naming the line and the byte.
 */
import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import { decideNdjson, defaultPolicies, parseRecordJson, RecordValidationError, type PolicySet } from '../../src/index.js'
import { byteBlocks, splitBlock } from '../../src/batch/byte-blocks.js'
import { type InputLine } from '../../src/read/lines.js'
import { example } from '../store/helpers.js'
import { assertBuilt } from '../cli/run-cli.js'

const thrown = (f: () => unknown): unknown => {
  try {
    f()
  } catch (err) {
    return err
  }
  throw new Error('expected a throw')
}

const RECORD = Buffer.from(JSON.stringify(example('applications', 'complete-us-developer')), 'utf8')
/** The record with "US" spelled with a lone continuation byte: leniently, "U\uFFFDS". */
const BAD = Buffer.from(RECORD.toString('latin1').replace('"US"', '"U\x80S"'), 'latin1')
const BAD_AT = BAD.indexOf(0x80)

describe('parseRecordJson(bytes)', () => {
  it('refuses bytes that are not UTF-8 with E_RECORD_NOT_UTF8, naming the byte and its line', () => {
    expect(BAD_AT).toBeGreaterThan(0)
    const err = thrown(() => parseRecordJson(BAD)) as RecordValidationError
    expect(err).toBeInstanceOf(RecordValidationError)
    expect(err.code).toBe('E_RECORD_NOT_UTF8')
    expect(err.problems).toEqual([
      {
        pointer: '',
        message: `the text is not valid UTF-8: byte ${BAD_AT} (line 1) begins 8053${BAD.subarray(BAD_AT + 2, BAD_AT + 4).toString('hex')}, which is no UTF-8 character`,
      },
    ])
    // on a later line, and a character cut off by the end
    const cut = thrown(() => parseRecordJson(Buffer.from([0x7b, 0x0a, 0x0a, 0x22, 0xe2, 0x82]))) as RecordValidationError
    expect(cut.problems[0]!.message).toBe('the text is not valid UTF-8: byte 4 (line 3) begins e282, which is no UTF-8 character')
    // overlong and surrogate encodings are not UTF-8 either
    for (const bytes of [
      [0xc0, 0xaf],
      [0xed, 0xa0, 0x80],
      [0xf4, 0x90, 0x80, 0x80],
    ])
      expect((thrown(() => parseRecordJson(Buffer.from([0x22, ...bytes, 0x22]))) as RecordValidationError).code).toBe('E_RECORD_NOT_UTF8')
  })

  it('still reads UTF-8 bytes, a view into a larger buffer, and a U+FFFD that is written in the text', () => {
    expect(parseRecordJson(RECORD)).toEqual(example('applications', 'complete-us-developer'))
    const inside = Buffer.from('xx{"a":"é\uFFFD"}yy', 'utf8')
    expect(parseRecordJson(inside.subarray(2, inside.length - 2))).toEqual({ a: 'é\uFFFD' })
  })
})

/** What a line is, from the whole input at once: its text, null past maxLineChars, or its first bad byte. */
function oracle(bytes: Buffer, maxLineChars: number): InputLine[] {
  let b = bytes
  if (b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) b = b.subarray(3)
  if (b.length === 0) return []
  const parts: Buffer[] = []
  for (let start = 0; start <= b.length;) {
    const nl = b.indexOf(0x0a, start)
    parts.push(b.subarray(start, nl === -1 ? b.length : nl))
    if (nl === -1) break
    start = nl + 1
  }
  if (parts.at(-1)!.length === 0) parts.pop()
  const fatal = new TextDecoder('utf-8', { fatal: true })
  return parts.map((line) => {
    const text = line.toString('utf8')
    if (text.length > maxLineChars) return null
    // the first bad byte ends the longest prefix a strict decoder accepts
    let k = line.length
    for (; ; k--) {
      try {
        fatal.decode(line.subarray(0, k))
        break
      } catch {
        continue
      }
    }
    if (k < line.length) return { notUtf8: k }
    return text.endsWith('\r') ? text.slice(0, -1) : text
  })
}

async function* chunked(bytes: Buffer, cuts: number[]) {
  let at = 0
  for (const cut of [...cuts].sort((x, y) => x - y)) {
    if (cut > at && cut < bytes.length) {
      yield bytes.subarray(at, cut)
      at = cut
    }
  }
  yield bytes.subarray(at)
}

const piece = fc.oneof(
  fc.constantFrom('\n', '\r\n', '\ufeff', 'é', '€', '😀', '{"a":1}', 'x'.repeat(30)).map((s) => Buffer.from(s, 'utf8')),
  fc
    .constantFrom([0xef, 0xbb, 0xbf], [0xe2, 0x82], [0xf0, 0x9f], [0x80], [0xff], [0xc3], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf4, 0x90])
    .map((b) => Buffer.from(b)),
)

describe('NDJSON lines', () => {
  it('are split into exactly the lines a strict decoder of the whole input finds, for any chunking', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(piece, { maxLength: 40 }),
        fc.array(fc.nat({ max: 300 }), { maxLength: 10 }),
        fc.integer({ min: 1, max: 80 }),
        fc.integer({ min: 1, max: 120 }),
        async (pieces, cuts, maxLineChars, longLine) => {
          const bytes = Buffer.concat(pieces)
          const lines: InputLine[] = []
          for await (const b of byteBlocks(chunked(bytes, cuts), { maxLines: 4, maxLineChars, longLine }))
            lines.push(...(b.kind === 'bytes' ? splitBlock(b.bytes, b.lines, maxLineChars) : b.lines))
          expect(lines).toEqual(oracle(bytes, maxLineChars))
        },
      ),
      { numRuns: 1500 },
    )
  })

  let set: PolicySet
  beforeAll(async () => {
    assertBuilt() // the workers run dist/batch-worker.js
    set = await defaultPolicies()
  })

  it.each([0, 2])('a line that is not UTF-8 is an E_RECORD_NOT_UTF8 error line naming its line and byte (workers: %i)', async (workers) => {
    const good = RECORD.toString('utf8')
    const input = Buffer.concat([Buffer.from(good + '\n'), BAD, Buffer.from('\n' + good + '\n')])
    let out = ''
    const summary = await decideNdjson(set, chunked(input, [BAD_AT + RECORD.length + 1]), (t) => void (out += t), {
      asOf: '2026-11-24',
      workers,
    })
    expect(summary).toMatchObject({ lines: 3, decided: 2, failed: 1 })
    const lines = out
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>)
    const message = `the line is not valid UTF-8: its byte ${BAD_AT} (counted from 0) begins no UTF-8 character`
    expect(lines[1]).toEqual({ line: 2, error: { code: 'E_RECORD_NOT_UTF8', message, problems: [{ pointer: '', message }] } })
    expect(lines[0]).toHaveProperty('outcome')
    expect(lines[2]).toHaveProperty('outcome')
  })

  it('a long line (decided in the main thread) that is not UTF-8 is refused the same way', async () => {
    const pad = ' '.repeat(1_100_000)
    const long = Buffer.concat([Buffer.from(pad), BAD])
    let out = ''
    await decideNdjson(set, chunked(long, [pad.length + BAD_AT]), (t) => void (out += t), { asOf: '2026-11-24', workers: 1 })
    expect(JSON.parse(out)).toMatchObject({ line: 1, error: { code: 'E_RECORD_NOT_UTF8' } })
    expect((JSON.parse(out) as { error: { message: string } }).error.message).toContain(`its byte ${pad.length + BAD_AT} `)
  })

  it.each([0, 2])('a line over the record cap (1 MiB) is E_RECORD_TOO_LARGE, as a record file is (workers: %i)', async (workers) => {
    const good = RECORD.toString('utf8')
    // a whole record, padded with spaces: JSON, and decided before the cap
    const padded = good.slice(0, -1) + ' '.repeat(1_048_577 - RECORD.length) + '}'
    const atCap = good.slice(0, -1) + ' '.repeat(1_048_576 - RECORD.length) + '}'
    let out = ''
    await decideNdjson(set, chunked(Buffer.from([good, padded, atCap].join('\n') + '\n'), []), (t) => void (out += t), {
      asOf: '2026-11-24',
      workers,
    })
    const lines = out
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>)
    expect(lines[1]).toEqual({
      line: 2,
      error: { code: 'E_RECORD_TOO_LARGE', message: 'the line is 1048577 bytes; records may be at most 1048576 bytes', problems: [] },
    })
    expect(lines[0]).toHaveProperty('outcome')
    expect(lines[2]).toHaveProperty('outcome')
  })
})
