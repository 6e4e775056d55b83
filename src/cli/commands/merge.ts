import { readFile } from 'node:fs/promises'
import { parseArgs } from 'node:util'
import { mergeShards } from '../../merge/merge.js'
import { cannotRead, EXIT, tooBig, UsageError, type Io } from '../io.js'

export const mergeHelp = `Usage: collabgate merge [FILE...|-]

Joins the outputs of shards 1..N of one run (decide --ndjson --shard K/N,
impact --format json --shard K/N) into exactly the output the run gives
without --shard, byte for byte: results back in input line order, counts and
summaries recomputed. Files are read whole; without FILE (or with -), the
shards' outputs are read one after another from standard input.

Refused (exit 2, nothing printed on standard output): a shard missing
(E_SHARD_MISSING), given twice or overlapping (E_SHARD_DUPLICATE), of another
input, N, policy versions or settings (E_SHARD_MISMATCH), cut short
(E_SHARD_INCOMPLETE), of another kind (E_MERGE_KIND), or text that is not a
shard's output (E_MERGE_INVALID, with file:line).

Options:
  -h, --help   show this help

Examples:
  collabgate merge out/shard-*.ndjson > decisions.ndjson
  cat impact-*.json | collabgate merge > impact.json
`

/** Standard input is read up to this (a V8 string holds a little over 512 MiB). */
const MAX_STDIN_BYTES = 512 * 1024 * 1024

export async function mergeCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { help: { type: 'boolean', short: 'h' } },
  })
  if (values.help) {
    io.stdout(mergeHelp)
    return EXIT.OK
  }
  const files = positionals.length === 0 ? ['-'] : positionals
  if (files.filter((f) => f === '-').length > 1) throw new UsageError('merge reads standard input (-) once')
  const sources: { name: string; text: string }[] = []
  for (const file of files) {
    if (file === '-') {
      const input = await io.stdin(MAX_STDIN_BYTES)
      const limit = MAX_STDIN_BYTES
      if (input === null) throw tooBig('standard input', `over ${limit}`, limit, 'give the shard files by name')
      const text = typeof input === 'string' ? input : Buffer.from(input).toString('utf8')
      sources.push({ name: 'standard input', text })
      continue
    }
    try {
      sources.push({ name: file, text: await readFile(file, 'utf8') })
    } catch (err) {
      throw cannotRead(file, err)
    }
  }
  io.stdout(mergeShards(sources))
  return EXIT.OK
}
