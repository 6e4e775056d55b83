/**
 * Colour for people at a terminal, decided by Node's own `hasColors()`: never in pipes, files or plain CI logs unless
 * FORCE_COLOR asks (FORCE_COLOR=0 refuses), never when NO_COLOR is set to something (no-color.org), nor for TERM=dumb.
 */
import { WriteStream } from 'node:tty'
import { ANSI_COLOURS, PLAIN, type Paint } from '../report/reporter.js'
import type { Io } from './io.js'

export type { Paint }

export function paintFor(io: Io, stream: { isTTY?: boolean } = process.stdout): Paint {
  const env = { ...io.env }
  // no-color.org: an empty NO_COLOR is none (Node counts it); with FORCE_COLOR set Node lets it win, and warns
  if (env.NO_COLOR === '' || env.FORCE_COLOR !== undefined) delete env.NO_COLOR
  if (stream.isTTY !== true && env.FORCE_COLOR === undefined) return PLAIN
  // hasColors reads only the environment it is given, never the stream (which may be a pipe here)
  return WriteStream.prototype.hasColors.call(stream, 16, env) ? ANSI_COLOURS : PLAIN
}
