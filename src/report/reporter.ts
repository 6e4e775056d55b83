/**
 * What every reporter is: a function from a result to the text a person, a CI system or a program
 * reads. Commands only pick one (OPA's tester reporters); services and other tools call them too.
 */

/** Colour for people at a terminal; the caller decides when (never in pipes, files or CI logs). */
export interface Paint {
  red: (s: string) => string
  green: (s: string) => string
  yellow: (s: string) => string
  dim: (s: string) => string
  bold: (s: string) => string
}

const plain = (s: string) => s
const sgr = (open: number, close: number) => (s: string) => `\u001b[${open}m${s}\u001b[${close}m`

/** No colour: the default of every reporter. */
export const PLAIN: Paint = Object.freeze({ red: plain, green: plain, yellow: plain, dim: plain, bold: plain })
/** ANSI colours, for a terminal. */
export const ANSI_COLOURS: Paint = Object.freeze({
  red: sgr(31, 39),
  green: sgr(32, 39),
  yellow: sgr(33, 39),
  dim: sgr(2, 22),
  bold: sgr(1, 22),
})

export interface ReportOptions {
  /** Default PLAIN. */
  paint?: Paint
}

/** A reporter of results of type R. */
export type Reporter<R> = (result: R, options?: ReportOptions) => string

/** Pads cells into aligned columns (for side-by-side tables). */
export function columns(rows: readonly (readonly string[])[], gap = 3): string[] {
  const widths: number[] = []
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)))
  return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd((widths[i] ?? 0) + gap))).join(''))
}
