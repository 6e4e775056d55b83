/** A hint's changes in words, for the text report and the HTML page (each escapes them its own way). */
import { fieldName } from '../language/paths.js'
import type { HintChange } from '../model.js'
import { plainValue } from './text.js'

/**
 * One change for people: `yearsInOperation 0.5 → at least 1`, `add applicant.legalName`, `incidents: remove [INC-1]`.
 */
export function hintChangeText(c: HintChange): string {
  // String(): a decision read from a file may hold anything where a field's name should be
  const field = fieldName(String(c.fact), typeof c.path === 'string' ? c.path : undefined)
  if (c.want === 'present') return `add ${field}`
  if (c.want === 'absent') return `remove ${field}`
  if (c.want === 'without elements') return `${field}: remove the elements ${plainValue(c.value)}`
  if (c.want === 'without items') return `${field}: remove the items ${plainValue(c.value)}`
  return `${field} ${c.missing ? 'missing' : plainValue(c.actual)} → ${c.want} ${plainValue(c.value)}`
}
