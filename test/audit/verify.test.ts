import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { lineHash } from '../../src/audit/chain.js'
import { verifyAuditLog, type AuditVerification } from '../../src/index.js'
import { body, chainLines, checkpointLine, keyPair, ndjson } from './chained-log.js'

let dir: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'collabgate-verify-'))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

const key = keyPair()
const ten = () => chainLines(Array.from({ length: 10 }, (_, i) => body(i + 1)))

function write(name: string, lines: readonly string[]): string {
  const file = join(dir, name)
  writeFileSync(file, ndjson(lines))
  return file
}

async function verify(lines: readonly string[], checkpoints?: readonly string[]): Promise<AuditVerification> {
  const log = write('decisions.ndjson', lines)
  if (!checkpoints) return verifyAuditLog([log])
  return verifyAuditLog([log], { checkpoints: write('checkpoints.ndjson', checkpoints), key: key.publicPem })
}

const only = (r: AuditVerification) => r.findings.map((f) => `${f.kind} ${f.file.slice(dir.length + 1)}:${f.line}`)

describe('audit verify: an untouched log', () => {
  it('verifies, with its checkpoints, and says what lies after the last one', async () => {
    const lines = ten()
    const r = await verify(lines, [checkpointLine(lines, 5, key.privateKey), checkpointLine(lines, 8, key.privateKey)])
    expect(r.findings).toEqual([])
    expect(r).toMatchObject({ ok: true, lines: 10, firstSeq: 1, lastSeq: 10, brokenLinks: 0 })
    expect(r.checkpoints).toMatchObject({ read: 2, verified: 2, largest: 8 })
    expect(r.notes.join(' ')).toMatch(/entries 9\.\.10 \(from .*decisions\.ndjson:9\) come after the last checkpoint/)
  })

  it('verifies without checkpoints, and says a cut cannot be seen without them', async () => {
    const r = await verify(ten())
    expect(r.ok).toBe(true)
    expect(r.notes.join(' ')).toMatch(/no checkpoints given: a log cut short/)
  })

  it("verifies across rotated files: the second file continues the first one's chain", async () => {
    const lines = ten()
    const a = write('decisions.ndjson.1', lines.slice(0, 4))
    const b = write('decisions.ndjson', lines.slice(4))
    const cps = write('checkpoints.ndjson', [checkpointLine(lines, 10, key.privateKey)])
    const r = await verifyAuditLog([a, b], { checkpoints: cps, key: key.publicPem })
    expect(r.findings).toEqual([])
    expect(r.lastSeq).toBe(10)
    // given in the wrong order, the files are no chain
    const wrong = await verifyAuditLog([b, a])
    expect(only(wrong)[0]).toBe('deleted decisions.ndjson:1')
  })
})

describe('audit verify: each kind of tampering names its line', () => {
  it('an edited field: the line whose hash the next line no longer names', async () => {
    const lines = ten()
    lines[3] = lines[3]!.replace('"outcome":"no_action"', '"outcome":"terminate"')
    const r = await verify(lines)
    expect(only(r)).toEqual(['edited decisions.ndjson:4'])
    expect(r.findings[0]!.message).toMatch(/ndjson:4 was edited: its hash no longer matches the prev of .*:5$/)
  })

  it('an edited seq: the line itself', async () => {
    const lines = ten()
    lines[6] = lines[6]!.replace('"seq":7', '"seq":70')
    expect(only(await verify(lines))).toEqual(['edited decisions.ndjson:7'])
  })

  it('an edited last line: only a checkpoint at its size catches it', async () => {
    const lines = ten()
    const cps = [checkpointLine(lines, 10, key.privateKey)]
    lines[9] = lines[9]!.replace('DEV-10', 'DEV-99')
    expect((await verify(lines)).ok).toBe(true)
    const r = await verify(lines, cps)
    expect(only(r)).toEqual(['checkpoint-head decisions.ndjson:10'])
    expect(r.findings[0]!.checkpoint).toMatchObject({ line: 1, size: 10 })
  })

  it('a deleted line: the line after the gap', async () => {
    const lines = ten()
    lines.splice(4, 1)
    const r = await verify(lines)
    expect(only(r)).toEqual(['deleted decisions.ndjson:5'])
    expect(r.findings[0]!.message).toMatch(/seq jumps from 4 to 6 \(1 deleted\)/)
  })

  it('a deleted first line: the chain does not start at seq 1', async () => {
    const r = await verify(ten().slice(1))
    expect(only(r)).toEqual(['deleted decisions.ndjson:1'])
    expect(r.findings[0]!.message).toMatch(/starts at seq 2/)
  })

  it('an inserted forged line that links to the one before it', async () => {
    const lines = ten()
    const forged = JSON.stringify({ v: 2, seq: 4, ...body(99), prev: lineHash(lines[2]!) })
    lines.splice(3, 0, forged)
    const r = await verify(lines)
    expect(only(r)).toEqual(['inserted decisions.ndjson:4'])
  })

  it('an inserted forged line with a made-up link', async () => {
    const lines = ten()
    lines.splice(6, 0, JSON.stringify({ v: 2, seq: 7, ...body(99), prev: 'sha256:' + '1'.repeat(64) }))
    expect(only(await verify(lines))).toEqual(['inserted decisions.ndjson:7'])
  })

  it('two lines swapped: the first of them', async () => {
    const lines = ten()
    ;[lines[5], lines[6]] = [lines[6]!, lines[5]!]
    const r = await verify(lines)
    expect(only(r)).toEqual(['reordered decisions.ndjson:6'])
    expect(r.findings[0]!.message).toMatch(/:6 and .*:7 are swapped/)
  })

  it('a log cut short after its last checkpoint cannot be told from an untouched one, and says so', async () => {
    const lines = ten()
    const r = await verify(lines.slice(0, 8), [checkpointLine(lines, 6, key.privateKey)])
    expect(r.ok).toBe(true)
    expect(r.notes.join(' ')).toMatch(/entries 7\.\.8 .* only detectable against a later checkpoint kept elsewhere/)
  })

  it('a log cut short before its last checkpoint: the last line left, and the checkpoint', async () => {
    const lines = ten()
    const cps = [checkpointLine(lines, 4, key.privateKey), checkpointLine(lines, 9, key.privateKey)]
    const r = await verify(lines.slice(0, 6), cps)
    expect(only(r)).toEqual(['truncated decisions.ndjson:6'])
    expect(r.findings[0]!.message).toMatch(/ends at seq 6 .* signed at size 9: entries 7\.\.9 were cut off/)
    expect(r.findings[0]!.checkpoint).toMatchObject({ line: 2, size: 9 })
  })

  it('a checkpoint signed by another key: the checkpoints file line', async () => {
    const lines = ten()
    const other = keyPair()
    const cps = [checkpointLine(lines, 5, key.privateKey), checkpointLine(lines, 10, other.privateKey)]
    const r = await verify(lines, cps)
    expect(only(r)).toEqual(['checkpoint-signature checkpoints.ndjson:2'])
    expect(r.findings[0]!.message).toMatch(/not signed by the given key: its keyid is /)
    expect(r.checkpoints).toMatchObject({ read: 2, verified: 1 })
  })

  it('a checkpoint whose head is not the line at its size', async () => {
    const lines = ten()
    const wrongHead = checkpointLine([...lines.slice(0, 4), lines[6]!], 5, key.privateKey)
    expect(only(await verify(lines, [wrongHead]))).toEqual(['checkpoint-head decisions.ndjson:5'])
  })

  it('an altered checkpoint and a line that is no checkpoint', async () => {
    const lines = ten()
    const cp = JSON.parse(checkpointLine(lines, 5, key.privateKey)) as Record<string, unknown>
    const r = await verify(lines, [JSON.stringify({ ...cp, size: 4 }), '{"origin":'])
    expect(only(r)).toEqual(['checkpoint-signature checkpoints.ndjson:1', 'checkpoint-invalid checkpoints.ndjson:2'])
    expect(r.findings[0]!.message).toMatch(/does not verify/)
  })

  it("a rotated file whose first line was removed: the second file's first line", async () => {
    const lines = ten()
    const a = write('decisions.ndjson.1', lines.slice(0, 4))
    const b = write('decisions.ndjson', lines.slice(5))
    const r = await verifyAuditLog([a, b])
    expect(only(r)).toEqual(['deleted decisions.ndjson:1'])
  })

  it('entries of format 1 carry no chain; a torn last line is unreadable', async () => {
    const v1 = JSON.stringify(body(1))
    expect(only(await verify([v1, v1]))).toEqual(['unchained decisions.ndjson:1'])
    const lines = ten()
    const log = join(dir, 'torn.ndjson')
    writeFileSync(log, ndjson(lines) + lines[0]!.slice(0, 20))
    const r = await verifyAuditLog([log])
    expect(only(r)).toEqual(['unreadable torn.ndjson:11'])
    expect(r.findings[0]!.message).toMatch(/torn/)
  })

  it('counts the broken links after the first', async () => {
    const lines = ten()
    lines[1] = lines[1]!.replace('DEV-2', 'DEV-X')
    lines[6] = lines[6]!.replace('DEV-7', 'DEV-X')
    const r = await verify(lines)
    expect(r.findings).toMatchObject([{ kind: 'edited', line: 2, more: 0 }])
    expect(r.brokenLinks).toBe(2)
    expect(r.notes[0]).toMatch(/^2 links of the chain are broken in all/)
  })
})

describe('audit verify: wrong arguments', () => {
  it('refuses a key without checkpoints, a key that is not Ed25519 and a file it cannot read', async () => {
    const log = write('decisions.ndjson', ten())
    await expect(verifyAuditLog([log], { key: key.publicPem })).rejects.toMatchObject({ code: 'E_INVALID_ARGUMENT' })
    await expect(verifyAuditLog([log], { checkpoints: log, key: 'not a key' })).rejects.toMatchObject({
      code: 'E_INVALID_ARGUMENT',
    })
    await expect(verifyAuditLog([join(dir, 'missing.ndjson')])).rejects.toMatchObject({ code: 'E_IO' })
    await expect(verifyAuditLog([])).rejects.toMatchObject({ code: 'E_INVALID_ARGUMENT' })
  })
})
