/**
 * `collabgate audit verify`: checks a decision log's chain (each entry names the hash of the line
 * before it and its 1-based `seq`) and, given them, its signed checkpoints, and names the first line
 * of each kind of tampering. Several files are one chain in the order given (rotated files, oldest first).
 */
import { createPublicKey, type KeyObject } from 'node:crypto'
import { CollabgateError } from '../errors.js'
import { keyIdOf } from '../release/envelope.js'
import { AUDIT_ENTRY_VERSION, GENESIS, lineHash, parseCheckpoint, verifyCheckpoint, type Checkpoint } from './chain.js'
import { readLogLines } from './read.js'

/** What a finding says happened. */
export type AuditFindingKind =
  /** A line changed: its hash is not the next line's `prev` or a checkpoint's head, or its own seq is wrong. */
  | 'edited'
  /** Entries are missing: a seq gap, or a chain that does not start at seq 1. */
  | 'deleted'
  /** A line that is not part of the chain sits in it (the lines around it link to each other). */
  | 'inserted'
  /** Lines are out of order (e.g. two swapped). */
  | 'reordered'
  /** A line that is not a whole format-2 entry (not JSON, torn, no seq or prev). */
  | 'unreadable'
  /** Entries of format 1 (no `v`): they carry no chain, so nothing proves them untouched. */
  | 'unchained'
  /** The log ends before a checkpoint's size: it was cut short. */
  | 'truncated'
  /** A checkpoint the given key did not sign (another key, or altered). */
  | 'checkpoint-signature'
  /** A checkpoint signed by the key whose head is not the hash of the log's line at its size. */
  | 'checkpoint-head'
  /** A checkpoints-file line that is not a checkpoint. */
  | 'checkpoint-invalid'

/** One problem: the first line of its kind, and how many more of the kind there are. */
export interface AuditFinding {
  kind: AuditFindingKind
  /** The log file and 1-based line (for checkpoint-signature and checkpoint-invalid: the checkpoints file's). */
  file: string
  line: number
  message: string
  /** The checkpoint involved (checkpoints file and line, its size). */
  checkpoint?: { file: string; line: number; size: number }
  /** Further findings of this kind after the first. */
  more: number
}

export interface AuditVerification {
  /** True when nothing was found. */
  ok: boolean
  files: string[]
  /** Lines read (every line, whatever its format). */
  lines: number
  /** The seq of the first and last format-2 entries (absent when there are none). */
  firstSeq?: number
  lastSeq?: number
  /** Checkpoints read, and how many the key verified; `size` of the largest verified one. */
  checkpoints?: { file: string; read: number; verified: number; largest?: number }
  /** Entries whose seq or prev does not follow the line before them; only the first is classified. */
  brokenLinks: number
  findings: AuditFinding[]
  /** What the check cannot prove, in sentences (e.g. the entries after the last checkpoint). */
  notes: string[]
}

export interface VerifyAuditOptions {
  /** The checkpoints file (one formatCheckpoint line each), ideally a copy kept where the writer cannot write. */
  checkpoints?: string
  /** The Ed25519 public key (PEM text or a key object) the checkpoints must be signed with. */
  key?: string | KeyObject
}

interface ChainLine {
  at: number
  hash: string
  /** Present for a well-formed format-2 entry. */
  seq: number | undefined
  prev: string | undefined
  /** 2 for a chained entry, 1 for format 1, 0 for a line that is not an entry. */
  format: 0 | 1 | 2
  whole: boolean
}

/** Where each line came from, kept compactly: file index per line and line numbers. */
interface Places {
  files: string[]
  fileOf: number[]
  lineOf: number[]
}

/** Checks a log's chain and checkpoints; throws E_IO when a file cannot be read, E_INVALID_ARGUMENT for a bad key. */
export function verifyAuditLog(files: readonly string[], options: VerifyAuditOptions = {}): Promise<AuditVerification> {
  return verifyChain(files, options)
}

async function verifyChain(files: readonly string[], options: VerifyAuditOptions): Promise<AuditVerification> {
  const wrong = (message: string) => new CollabgateError('E_INVALID_ARGUMENT', message)
  if (files.length === 0) throw wrong('verifyAuditLog needs at least one log file')
  if ((options.checkpoints === undefined) !== (options.key === undefined))
    throw wrong('checkpoints and key go together: the key is what makes a checkpoint evidence')
  const key = options.key === undefined ? undefined : publicKeyOf(options.key)
  const places: Places = { files: [...files], fileOf: [], lineOf: [] }
  const lines: ChainLine[] = []
  for await (const l of readLogLines(files)) {
    places.fileOf.push(files.indexOf(l.file))
    places.lineOf.push(l.line)
    lines.push({ at: lines.length, hash: lineHash(l.text), whole: l.whole, ...shapeOf(l.text) })
  }
  const where = (i: number) => ({ file: places.files[places.fileOf[i]!]!, line: places.lineOf[i]! })
  const label = (i: number) => `${where(i).file}:${where(i).line}`
  const findings = new Map<AuditFindingKind, AuditFinding>()
  type Place = { file: string; line: number }
  const find = (kind: AuditFindingKind, at: Place, message: string, extra: Partial<AuditFinding> = {}) => {
    const known = findings.get(kind)
    if (known) known.more++
    else findings.set(kind, { kind, file: at.file, line: at.line, message, ...extra, more: 0 })
  }

  // format-1 lines before the first chained entry are a legacy prefix; the chain starts at the first format-2 entry
  const start = lines.findIndex((l) => l.format === 2)
  const legacy = lines.slice(0, start < 0 ? lines.length : start).filter((l) => l.format === 1)
  if (legacy.length > 0) {
    const count = `${legacy.length} entr${legacy.length === 1 ? 'y' : 'ies'} of format 1 (no "v")`
    find('unchained', where(legacy[0]!.at), `${count} carry no chain: nothing proves them untouched`)
  }
  for (const l of lines.slice(0, start < 0 ? lines.length : start)) {
    const torn = l.whole ? '' : ' (torn: no newline)'
    if (l.format === 0) find('unreadable', where(l.at), `${label(l.at)} is not a decision log entry${torn}`)
  }
  const chain = start < 0 ? [] : lines.slice(start)
  const legacyHash = start > 0 ? lines[start - 1]!.hash : undefined
  const chained = chain.filter((l) => l.format === 2)
  const firstSeq = chained[0]?.seq
  const lastSeq = chained.at(-1)?.seq

  const byHash = new Map<string, number>()
  for (let i = 0; i < chain.length; i++) if (!byHash.has(chain[i]!.hash)) byHash.set(chain[i]!.hash, i)
  // only the first broken link is classified: what follows it may be its consequence (a swap breaks three)
  let brokenLinks = 0
  for (let m = 0; m < chain.length; m++) {
    if (linked(chain, m, legacyHash)) continue
    if (brokenLinks++ > 0) continue
    const problem = classify(chain, m, byHash, legacyHash, (i) => (chain[i] ? label(chain[i].at) : '?'))
    find(problem.kind, where(chain[problem.index]!.at), problem.message)
  }

  let checkpoints: AuditVerification['checkpoints']
  const notes: string[] = []
  const broken = `${brokenLinks} links of the chain are broken in all`
  if (brokenLinks > 1) notes.push(`${broken}; the first is named (the rest may follow from it)`)
  if (options.checkpoints !== undefined && key !== undefined) {
    const file = options.checkpoints
    const bySeq = new Map<number, number>()
    for (const l of chain) if (l.seq !== undefined && !bySeq.has(l.seq)) bySeq.set(l.seq, l.at)
    const lastLine = chain.length > 0 ? chain.at(-1)!.at : lines.length - 1
    checkpoints = { file, read: 0, verified: 0 }
    const keyid = keyIdOf(key)
    for await (const l of readLogLines([file])) {
      if (l.text === '' && l.whole) continue
      checkpoints.read++
      const at = { file, line: l.line }
      let cp: Checkpoint
      try {
        cp = parseCheckpoint(l.text)
      } catch (err) {
        find('checkpoint-invalid', at, `${file}:${l.line} is not a checkpoint: ${(err as Error).message}`)
        continue
      }
      const ref = { checkpoint: { file, line: l.line, size: cp.size } }
      if (!verifyCheckpoint(cp, key)) {
        const by = cp.keyid === keyid ? 'it does not verify (altered?)' : `its keyid is ${cp.keyid}, the key's ${keyid}`
        const what = `the checkpoint at ${file}:${l.line} (size ${cp.size})`
        find('checkpoint-signature', at, `${what} is not signed by the given key: ${by}`, ref)
        continue
      }
      checkpoints.verified++
      checkpoints.largest = Math.max(checkpoints.largest ?? 0, cp.size)
      if (cp.size === 0) continue
      if (lastSeq === undefined || cp.size > lastSeq) {
        const end = lastSeq === undefined ? 'holds no chained entry' : `ends at seq ${lastSeq}`
        const after = lastLine >= 0 ? where(lastLine) : { file: places.files.at(-1)!, line: 0 }
        const signed = `the checkpoint at ${file}:${l.line} was signed at size ${cp.size}`
        const cut = `entries ${(lastSeq ?? 0) + 1}..${cp.size} were cut off`
        find('truncated', after, `the log ${end} (${after.file}:${after.line}) but ${signed}: ${cut}`, ref)
        continue
      }
      const index = bySeq.get(cp.size)
      if (index === undefined) {
        const what = `the checkpoint at ${file}:${l.line} (size ${cp.size})`
        const before = `is before the first entry given (seq ${firstSeq})`
        if (firstSeq !== undefined && cp.size < firstSeq) notes.push(`${what} ${before}`)
        continue
      }
      const why = 'edited, or the log was rewritten up to it'
      const what = `${label(index)} (seq ${cp.size}) is not the line the checkpoint at ${file}:${l.line} signed`
      if (lines[index]!.hash !== cp.head) find('checkpoint-head', where(index), `${what}: ${why}`, ref)
    }
    if (checkpoints.largest !== undefined && lastSeq !== undefined && lastSeq > checkpoints.largest) {
      const from = chained.find((l) => l.seq === checkpoints!.largest! + 1)
      const entries = `entries ${checkpoints.largest + 1}..${lastSeq}${from ? ` (from ${label(from.at)})` : ''}`
      const only = 'a cut or a rewrite among them is only detectable against a later checkpoint kept elsewhere'
      notes.push(`${entries} come after the last checkpoint: ${only}`)
    } else if (checkpoints.verified === 0) {
      notes.push(`no checkpoint verified: ${UNSEEN}`)
    }
  } else {
    const give = 'give --checkpoints (a copy kept where the writer cannot write) and --key'
    notes.push(`no checkpoints given: ${UNSEEN}; ${give}`)
  }
  const list = [...findings.values()]
  return {
    ok: list.length === 0,
    files: [...files],
    lines: lines.length,
    ...(firstSeq === undefined ? {} : { firstSeq }),
    ...(lastSeq === undefined ? {} : { lastSeq }),
    ...(checkpoints ? { checkpoints } : {}),
    brokenLinks,
    findings: list,
    notes,
  }
}

const UNSEEN = 'a log cut short, or rewritten from some line to its end, cannot be told from an untouched one'

function publicKeyOf(key: string | KeyObject): KeyObject {
  try {
    const k = typeof key === 'string' ? createPublicKey(key) : key.type === 'private' ? createPublicKey(key) : key
    if (k.asymmetricKeyType !== 'ed25519') throw new Error(`an ${String(k.asymmetricKeyType)} key`)
    return k
  } catch (err) {
    const why = (err as Error).message
    throw new CollabgateError('E_INVALID_ARGUMENT', `the checkpoint key must be an Ed25519 public key (PEM): ${why}`)
  }
}

/** What a line is: a format-2 entry with its seq and prev, a format-1 entry, or no entry. */
function shapeOf(text: string): Pick<ChainLine, 'seq' | 'prev' | 'format'> {
  let v: unknown
  try {
    v = JSON.parse(text)
  } catch {
    return { seq: undefined, prev: undefined, format: 0 }
  }
  const none = { seq: undefined, prev: undefined }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return { ...none, format: 0 }
  const o = v as Record<string, unknown>
  const own = (k: string) => (Object.hasOwn(o, k) ? o[k] : undefined)
  if (own('v') === undefined) return { ...none, format: typeof own('policy') === 'string' ? 1 : 0 }
  const seq = own('seq')
  const prev = own('prev')
  const chained = typeof seq === 'number' && Number.isSafeInteger(seq) && seq >= 1 && typeof prev === 'string'
  if (own('v') !== AUDIT_ENTRY_VERSION || !chained) return { ...none, format: 0 }
  return { seq, prev, format: 2 }
}

/** Whether chain line m follows the line before it (or starts the chain) as the writer would have written it. */
function linked(chain: readonly ChainLine[], m: number, legacyHash: string | undefined): boolean {
  const l = chain[m]!
  if (l.format !== 2 || !l.whole) return false
  if (m === 0) return l.seq === 1 && (l.prev === GENESIS || l.prev === legacyHash)
  const before = chain[m - 1]!
  return before.format === 2 && l.prev === before.hash && l.seq === before.seq! + 1
}

interface Cause {
  kind: AuditFindingKind
  index: number
  message: string
}

const cause = (kind: AuditFindingKind, index: number, message: string): Cause => ({ kind, index, message })

/** Names the first broken link's cause, from what line m claims to follow and what the lines around it say. */
function classify(
  chain: readonly ChainLine[],
  m: number,
  byHash: ReadonlyMap<string, number>,
  legacyHash: string | undefined,
  label: (i: number) => string,
): Cause {
  const l = chain[m]!
  const next = chain[m + 1]
  const before = m > 0 ? chain[m - 1] : undefined
  const [here, after, prior] = [label(m), label(m + 1), label(m - 1)]
  // two neighbours swapped: m links to the line after it, which links to the line before m
  if (before && next && l.format === 2 && l.prev === next.hash && next.prev === before.hash)
    return cause('reordered', m, `${here} and ${after} are swapped: each links to the other's place`)
  // the line after m links to the line before m: m does not belong
  if (before && next && next.format === 2 && next.prev === before.hash)
    return cause('inserted', m, `${here} was inserted: the line after it links to the line before it`)
  if (l.format !== 2 || !l.whole) {
    const what = l.format === 1 ? 'an entry of format 1 (no chain) inside the chain' : 'not a whole format-2 entry'
    return cause('unreadable', m, `${here} is ${what}${l.whole ? '' : ' (torn: no newline)'}`)
  }
  const seq = l.seq!
  if (!before) {
    const missing = `entries 1..${seq - 1} are missing`
    const why = 'deleted, or in earlier files not given: give every file, oldest first'
    if (seq > 1) return cause('deleted', m, `the chain starts at seq ${seq} (${here}): ${missing} (${why})`)
    const expected = legacyHash === undefined ? 'GENESIS' : 'GENESIS or the hash of the line before it'
    return cause('edited', m, `${here} starts the chain but its prev is not ${expected}: edited or forged`)
  }
  if (before.format !== 2) return cause('unreadable', m - 1, `${prior} is not a whole format-2 entry`)
  const was = before.seq!
  const j = byHash.get(l.prev!)
  if (j === m - 1) return cause('edited', m, `${here} has seq ${seq} where ${was + 1} follows: its seq was changed`)
  const linksTo = j === undefined ? '' : `${here} links to ${label(j)}`
  const span = j === undefined ? '' : `${label(j + 1)}..${prior}`
  if (j !== undefined && j < m - 1) return cause('inserted', j + 1, `${span} were inserted: ${linksTo}`)
  if (j !== undefined && j > m)
    return cause('reordered', m, `${here} is out of order: it links to the later ${label(j)}`)
  const gap = `seq jumps from ${was} to ${seq} (${seq - was - 1} deleted)`
  if (seq > was + 1) return cause('deleted', m, `entries are missing before ${here}: ${gap}`)
  const edited = `${prior} was edited: its hash no longer matches the prev of ${here}`
  if (seq === was + 1) return cause('edited', m - 1, edited)
  return cause('edited', m, `${here} has seq ${seq} after ${was} and links to no line: edited or forged`)
}
