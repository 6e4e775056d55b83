/** Colour for people at a terminal; never in pipes, files or CI logs, and never when NO_COLOR is set (no-color.org). */
import { ANSI_COLOURS, PLAIN, type Paint } from '../report/reporter.js'
import type { Io } from './io.js'

export type { Paint }

export function paintFor(io: Io, stream: { isTTY?: boolean } = process.stdout): Paint {
  const noColor = io.env.NO_COLOR !== undefined && io.env.NO_COLOR !== ''
  return noColor || stream.isTTY !== true ? PLAIN : ANSI_COLOURS
}
