/** Colour for people at a terminal; never in pipes, files or CI logs, and never when NO_COLOR is set (no-color.org). */
import type { Io } from './io.js'

export interface Paint {
  red: (s: string) => string
  green: (s: string) => string
  yellow: (s: string) => string
  dim: (s: string) => string
  bold: (s: string) => string
}

const plain = (s: string) => s
const sgr = (open: number, close: number) => (s: string) => `\u001b[${open}m${s}\u001b[${close}m`

export function paintFor(io: Io, stream: { isTTY?: boolean } = process.stdout): Paint {
  const noColor = io.env.NO_COLOR !== undefined && io.env.NO_COLOR !== ''
  if (noColor || stream.isTTY !== true) return { red: plain, green: plain, yellow: plain, dim: plain, bold: plain }
  return { red: sgr(31, 39), green: sgr(32, 39), yellow: sgr(33, 39), dim: sgr(2, 22), bold: sgr(1, 22) }
}
