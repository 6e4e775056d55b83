/**
 * GitHub Actions workflow commands (`::error file=F,line=L,col=C::message`), which the runner turns
 * into annotations on the pull request's changed lines.
 */

import { visible, visibleKeeping } from './reporter.js'

export type AnnotationLevel = 'error' | 'warning' | 'notice'

export interface Annotation {
  level: AnnotationLevel
  message: string
  file?: string
  line?: number
  column?: number
  /** A short heading shown above the message (e.g. the problem code). */
  title?: string
}

/** Escapes a command's message: GitHub reads %, CR and LF as the end of the data otherwise. */
export function escapeAnnotationData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A')
}

/** Escapes a property value: besides the data escapes, ':' and ',' separate properties. */
export function escapeAnnotationProperty(text: string): string {
  return escapeAnnotationData(text).replace(/:/g, '%3A').replace(/,/g, '%2C')
}

/**
 * One annotation as a workflow command line (no trailing newline). Control and invisible characters in
 * the file, title and message show as visible escapes (see `visible`); the message keeps its line breaks.
 */
export function formatGithubAnnotation(a: Annotation): string {
  const props: string[] = []
  if (a.file !== undefined) props.push(`file=${escapeAnnotationProperty(visible(a.file))}`)
  if (a.line !== undefined) props.push(`line=${a.line}`)
  if (a.column !== undefined) props.push(`col=${a.column}`)
  if (a.title !== undefined) props.push(`title=${escapeAnnotationProperty(visible(a.title))}`)
  const data = escapeAnnotationData(visibleKeeping(a.message, '\r\n'))
  return `::${a.level}${props.length > 0 ? ' ' + props.join(',') : ''}::${data}`
}

/** A policy problem as an `::error` at its file:line:col, titled by its code; `message` defaults to its own. */
export const problemAnnotation = (
  p: { file: string; line: number; column: number; code: string; message: string },
  message: string = p.message,
): string =>
  formatGithubAnnotation({ level: 'error', file: p.file, line: p.line, column: p.column, title: p.code, message })
