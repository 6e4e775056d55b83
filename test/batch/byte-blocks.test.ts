import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { byteBlocks, splitBlock, type ByteBlockOptions, type InputBlock } from '../../src/batch/byte-blocks.js'
import { lineBlocks, type InputLine } from '../../src/read/lines.js'

async function* chunked(bytes: Buffer, cuts: number[]) {
  let at = 0
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    if (cut > at && cut < bytes.length) {
      yield bytes.subarray(at, cut)
      at = cut
    }
  }
  yield bytes.subarray(at)
}

/** Every line byteBlocks + splitBlock give, with the line number each block claims for it. */
async function viaBytes(input: AsyncIterable<Buffer | string>, options: ByteBlockOptions) {
  const lines: InputLine[] = []
  const blocks: InputBlock[] = []
  for await (const b of byteBlocks(input, options)) {
    blocks.push(b)
    expect(b.firstLine).toBe(lines.length + 1)
    lines.push(...(b.kind === 'bytes' ? splitBlock(b.bytes, b.lines, options.maxLineChars) : b.lines))
  }
  return { lines, blocks }
}

async function viaText(input: AsyncIterable<Buffer | string>, maxLineChars: number) {
  const lines: InputLine[] = []
  for await (const b of lineBlocks(input, { maxLineChars })) lines.push(...b.lines)
  return lines
}

// bytes that make trouble: newlines, \r, a byte order mark, multi-byte and broken UTF-8, JSON-ish text
const piece = fc.oneof(
  fc.constantFrom('\n', '\r\n', '\r', '\ufeff', 'é', '€', '😀', '{"a":1}', ' ', 'x'.repeat(30)).map((s) => Buffer.from(s, 'utf8')),
  fc.constantFrom([0xef, 0xbb, 0xbf], [0xe2, 0x82], [0xf0, 0x9f], [0x80], [0xff], [0xc3]).map((b) => Buffer.from(b)),
  fc.string({ maxLength: 12 }).map((s) => Buffer.from(s, 'utf8')),
)

describe('byteBlocks + splitBlock', () => {
  it('give exactly the lines lineBlocks gives, for any bytes, chunking and limits', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(piece, { maxLength: 60 }),
        fc.array(fc.nat({ max: 400 }), { maxLength: 12 }),
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 80 }),
        fc.integer({ min: 1, max: 120 }),
        async (pieces, cuts, maxLines, maxLineChars, longLine) => {
          const bytes = Buffer.concat(pieces)
          const expected = await viaText(chunked(bytes, cuts), maxLineChars)
          const { lines, blocks } = await viaBytes(chunked(bytes, cuts), { maxLines, maxLineChars, longLine })
          expect(lines).toEqual(expected)
          // no line a worker gets is longer than longLine bytes
          for (const b of blocks) {
            if (b.kind !== 'bytes') continue
            expect(b.lines).toBeLessThanOrEqual(maxLines)
            const longest = Math.max(
              ...Buffer.from(b.bytes)
                .toString('latin1')
                .split('\n')
                .map((l) => l.length),
            )
            expect(longest).toBeLessThanOrEqual(longLine)
          }
        },
      ),
      { numRuns: 400, seed: 20261125 },
    )
  })

  it('splits bytes only at newlines, a block owning its whole buffer (so it can be transferred)', async () => {
    const text = Array.from({ length: 10 }, (_, i) => `{"n":${i}}`).join('\n') + '\n'
    const { blocks } = await viaBytes(chunked(Buffer.from(text), [3, 17, 40]), { maxLines: 4, longLine: 1000 })
    for (const b of blocks) {
      if (b.kind !== 'bytes') throw new Error('expected bytes blocks only')
      expect(b.bytes.byteOffset).toBe(0)
      expect(b.bytes.byteLength).toBe(b.bytes.buffer.byteLength)
      expect(b.bytes.at(-1)).toBe(0x0a)
      expect(b.lines).toBeLessThanOrEqual(4)
    }
    expect(blocks.reduce((n, b) => n + (b.kind === 'bytes' ? b.lines : 0), 0)).toBe(10)
  })

  it('decodes a line longer than longLine bytes in this thread, and drops one past maxLineChars', async () => {
    const input = ['short', 'y'.repeat(300), 'z'.repeat(2000), 'after'].join('\n')
    const { lines, blocks } = await viaBytes(chunked(Buffer.from(input), [100, 150, 1000]), { longLine: 256, maxLineChars: 1000 })
    expect(lines).toEqual(['short', 'y'.repeat(300), null, 'after'])
    expect(blocks.map((b) => b.kind)).toEqual(['bytes', 'lines', 'lines', 'bytes'])
  })

  it('keeps no reference to a chunk: an input that reuses one buffer still reads right', async () => {
    const text = Buffer.from('{"a":"é"}\n{"b":2}\nlast line without newline')
    const shared = Buffer.alloc(5)
    async function* reusing() {
      for (let at = 0; at < text.length; at += shared.length) {
        const n = text.copy(shared, 0, at, at + shared.length)
        yield shared.subarray(0, n)
      }
    }
    const { lines } = await viaBytes(reusing(), { longLine: 10 })
    expect(lines).toEqual(['{"a":"é"}', '{"b":2}', 'last line without newline'])
  })

  it('drops a byte order mark split over chunks, and counts every byte read', async () => {
    const bytes = Buffer.from('\ufeff{"x":1}\n', 'utf8')
    const { lines, blocks } = await viaBytes(chunked(bytes, [1, 2]), { longLine: 100 })
    expect(lines).toEqual(['{"x":1}'])
    expect(blocks.at(-1)!.bytesRead).toBe(bytes.length)
    expect((await viaBytes(chunked(Buffer.from([0xef, 0xbb]), []), { longLine: 100 })).lines).toEqual([{ notUtf8: 0 }])
    expect((await viaBytes(chunked(Buffer.alloc(0), []), { longLine: 100 })).lines).toEqual([])
  })
})
