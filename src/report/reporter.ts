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

// C0 and C1 controls, DEL, soft hyphen, bidi marks, overrides and
// isolates, zero-width and other invisible format characters,
// line and paragraph separators: what can move the cursor,
// recolour, retitle or reorder a terminal line without being seen
const INVISIBLE =
  // eslint-disable-next-line no-control-regex -- the control characters are what is escaped
  /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]/g
const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' }

/** One invisible character as a visible escape: `\n`, `\x1b`, `\u{202e}`. */
const escapeOne = (c: string): string => {
  const code = c.codePointAt(0)!
  return NAMED[c] ?? (code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`)
}

/**
 * Text from a record, a policy or a test file made safe to print in a report: every control character
 * (line breaks and tabs too), escape sequence introducer, bidirectional control and invisible format
 * character becomes a visible escape (`\x1b`, `\n`, `\u{202e}`), so a value can neither drive the
 * terminal nor break or reorder a report's lines. Apply it to values before a reporter adds its colours.
 */
export function visible(text: string): string {
  return text.replace(INVISIBLE, escapeOne)
}

/** `visible`, but the characters in `keep` (e.g. the line breaks of a format that encodes them itself) stay. */
export function visibleKeeping(text: string, keep: string): string {
  return text.replace(INVISIBLE, (c) => (keep.includes(c) ? c : escapeOne(c)))
}

/** Pads cells into aligned columns (for side-by-side tables). */
export function columns(rows: readonly (readonly string[])[], gap = 3): string[] {
  const widths: number[] = []
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)))
  return rows.map((row) =>
    row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd((widths[i] ?? 0) + gap))).join(''),
  )
}
