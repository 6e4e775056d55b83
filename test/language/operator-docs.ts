/** The README's operator table against the one the operator files make: what to paste when they differ. */
const HEADER = "| operator | true when the record's value… |"

/** Undefined when `readme` holds `table`; otherwise a message that says where the README's table is and gives the new one. */
export function readmeTableFix(readme: string, table: string): string | undefined {
  if (readme.includes(table)) return undefined
  const lines = readme.split('\n')
  const start = lines.findIndex((l) => l.startsWith(HEADER))
  const length = lines.slice(start).findIndex((l) => !l.startsWith('|'))
  const end = length < 0 ? lines.length : start + length
  const where =
    start < 0
      ? 'the README has no operator table (it starts with the line below); add it to the operators section'
      : `README.md lines ${start + 1}-${end}`
  return `The README's operator table differs from the operator files (src/language/operators/). Replace ${where} with:\n\n${table}`
}
