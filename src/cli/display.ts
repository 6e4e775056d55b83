export { displayPath } from '../folder/load.js'

/** Pads cells into aligned columns (for side-by-side tables). */
export function columns(rows: readonly (readonly string[])[], gap = 3): string[] {
  const widths: number[] = []
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)))
  return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd((widths[i] ?? 0) + gap))).join(''))
}
