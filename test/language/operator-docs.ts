/** docs/authoring.md's operator table against the one the operator files make: what to paste when they differ. */
const HEADER = "| operator | true when the record's value… |"

/** Undefined when `doc` holds `table`; otherwise a message that says where the doc's table is and gives the new one. */
export function docTableFix(doc: string, table: string): string | undefined {
  if (doc.includes(table)) return undefined
  const lines = doc.split('\n')
  const start = lines.findIndex((l) => l.startsWith(HEADER))
  const length = lines.slice(start).findIndex((l) => !l.startsWith('|'))
  const end = length < 0 ? lines.length : start + length
  const where =
    start < 0
      ? 'docs/authoring.md has no operator table (it starts with the line below); add it to its operators section'
      : `docs/authoring.md lines ${start + 1}-${end}`
  return `docs/authoring.md's operator table differs from the operator files (src/language/operators/). Replace ${where} with:\n\n${table}`
}
