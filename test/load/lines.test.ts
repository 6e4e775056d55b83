import { describe, expect, it } from 'vitest'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileChunks, lineBlocks } from '../../src/read/lines.js'

async function* chunks(...parts: (string | Buffer)[]) {
  for (const p of parts) yield p
}

async function collect(input: AsyncIterable<string | Buffer>, options: Parameters<typeof lineBlocks>[1] = {}) {
  const blocks = []
  for await (const b of lineBlocks(input, options)) blocks.push(b)
  return blocks
}

describe('lineBlocks', () => {
  it('splits on newlines across chunks, drops \\r, keeps a last line without newline', async () => {
    const blocks = await collect(chunks('a\r\nb', 'b\n\nc'))
    expect(blocks.flatMap((b) => b.lines)).toEqual(['a', 'bb', '', 'c'])
    expect(blocks.map((b) => b.firstLine)).toEqual([1, 2, 4])
  })

  it('does not invent a line after the final newline, and an empty input has none', async () => {
    expect((await collect(chunks('x\ny\n'))).flatMap((b) => b.lines)).toEqual(['x', 'y'])
    expect(await collect(chunks())).toEqual([])
    expect((await collect(chunks('\n'))).flatMap((b) => b.lines)).toEqual([''])
  })

  it('decodes a UTF-8 character split between two chunks and ignores a byte order mark', async () => {
    const bytes = Buffer.from('\ufeff{"n":"é€"}\n', 'utf8')
    const blocks = await collect(chunks(bytes.subarray(0, 10), bytes.subarray(10)))
    expect(blocks.flatMap((b) => b.lines)).toEqual(['{"n":"é€"}'])
    expect(blocks.at(-1)!.bytesRead).toBe(bytes.length)
  })

  it('turns a line longer than the limit into null, still one line, and carries on', async () => {
    const blocks = await collect(chunks('short\n', 'x'.repeat(40), 'y'.repeat(40), '\nnext\n', 'z'.repeat(100)), { maxLineChars: 50 })
    expect(blocks.flatMap((b) => b.lines)).toEqual(['short', null, 'next', null])
  })

  it('caps a block at maxLines and numbers blocks consecutively', async () => {
    const text = Array.from({ length: 10 }, (_, i) => `l${i + 1}`).join('\n')
    const blocks = await collect(chunks(text), { maxLines: 4 })
    expect(blocks.map((b) => [b.firstLine, b.lines.length])).toEqual([
      [1, 4],
      [5, 4],
      [9, 1],
      [10, 1], // the last line has no newline: it is known to be whole only at the end
    ])
  })

  it('keeps no reference to a chunk: an input that reuses one buffer still reads right', async () => {
    const text = Buffer.from('{"a":"é€"}\n{"b":2}\nlast line without newline')
    const shared = Buffer.alloc(4)
    async function* reusing() {
      for (let at = 0; at < text.length; at += shared.length) yield shared.subarray(0, text.copy(shared, 0, at, at + shared.length))
    }
    expect((await collect(reusing())).flatMap((b) => b.lines)).toEqual(['{"a":"é€"}', '{"b":2}', 'last line without newline'])
  })
})

describe('fileChunks', () => {
  it('reads a whole file through one reused buffer, and an empty file as nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'collabgate-chunks-'))
    try {
      const file = join(dir, 'in.ndjson')
      const text = Array.from({ length: 50 }, (_, i) => `{"n":${i},"s":"é"}`).join('\n')
      writeFileSync(file, text)
      const parts: Buffer[] = []
      const buffers = new Set<ArrayBufferLike>()
      for await (const chunk of fileChunks(file, 64)) {
        parts.push(Buffer.from(chunk))
        buffers.add(chunk.buffer)
      }
      expect(Buffer.concat(parts).toString('utf8')).toBe(text)
      expect(parts.length).toBeGreaterThan(10)
      expect(buffers.size).toBe(1)
      writeFileSync(file, '')
      const none: Buffer[] = []
      for await (const chunk of fileChunks(file)) none.push(chunk)
      expect(none).toEqual([])
      await expect(fileChunks(join(dir, 'missing.ndjson')).next()).rejects.toMatchObject({ code: 'ENOENT' })
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
