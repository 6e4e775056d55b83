import { displayPath, resolvePath } from '../compile/paths.js'
import type { Evidence } from '../model.js'
import { elementRef } from './evidence.js'
import { TEMPLATE_PATTERN } from '../template.js'

function show(value: unknown): string {
  if (value === undefined || value === null) return '(missing)'
  if (typeof value === 'string') return value === '' ? '(empty)' : value
  if (Array.isArray(value)) return value.length === 0 ? '(none)' : value.map((v) => show(elementRef(v))).join(', ')
  if (typeof value === 'object') return JSON.stringify(value)
  return String(value)
}

/** Fills a rule's message: {{ a.b }} quotes the record, {{ $evidence }} names the failing fields, {{ $matched }} the matching elements. */
export function renderMessage(template: string, record: Record<string, unknown>, evidence: readonly Evidence[], asOf: string): string {
  return template.replace(TEMPLATE_PATTERN, (_, raw: string) => {
    const name = raw.trim()
    if (name === '$asOf') return asOf
    if (name === '$evidence') return show(evidence.map((e) => (e.fact === '$item' ? e.path : displayPath(e.fact, e.path))))
    if (name === '$matched') {
      const refs = evidence.flatMap((e) => (Array.isArray(e.actual) && e.operator.endsWith('Match') ? e.actual : []))
      return show(refs)
    }
    return show(resolvePath(record, '$.' + name))
  })
}
