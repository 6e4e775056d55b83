import { fieldName, parsePath, resolveSegments } from '../language/paths.js'
import type { Evidence } from '../model.js'
import { elementRef } from './evidence.js'
import { TEMPLATE_PATTERN } from '../language/template.js'
import { ITEM_FACT } from '../language/operators.js'

function show(value: unknown): string {
  if (value === undefined || value === null) return '(missing)'
  if (typeof value === 'string') return value === '' ? '(empty)' : value
  if (Array.isArray(value)) return value.length === 0 ? '(none)' : value.map((v) => show(elementRef(v))).join(', ')
  if (typeof value === 'object') return JSON.stringify(value)
  return String(value)
}

type Fill = (record: Record<string, unknown>, evidence: readonly Evidence[], asOf: string) => string

const fillAsOf: Fill = (_r, _e, asOf) => asOf
// field names by fact, then path: a policy has a few hundred at most, and naming one costs a regular expression
const names = new Map<string, Map<string, string>>()
function nameOf(fact: string, path: string): string {
  let byPath = names.get(fact)
  if (byPath === undefined) {
    if (names.size >= 10_000) names.clear()
    names.set(fact, (byPath = new Map()))
  }
  let name = byPath.get(path)
  if (name === undefined) {
    if (byPath.size >= 10_000) byPath.clear()
    byPath.set(path, (name = fieldName(fact, path)))
  }
  return name
}
const fillEvidence: Fill = (_r, evidence) =>
  show(evidence.map((e) => (e.fact === ITEM_FACT ? e.path : nameOf(e.fact, e.path))))
const fillMatched: Fill = (_r, evidence) =>
  show(evidence.flatMap((e) => (Array.isArray(e.actual) && e.operator.endsWith('Match') ? e.actual : [])))

/** A matched element in words: its fields as `name value`, e.g. `date 2027-03-01, rule TRM-FRAUD`. */
function details(item: unknown): string {
  if (item === null || typeof item !== 'object' || Array.isArray(item)) return show(item)
  const said = (v: unknown) => (v !== null && typeof v === 'object' ? JSON.stringify(v) : show(v))
  const fields = Object.entries(item).map(([k, v]) => `${k} ${said(v)}`)
  return fields.length === 0 ? '(empty)' : fields.join(', ')
}

// each matched element in words, elements apart by `; ` (their fields are apart by `, `)
const fillMatchedDetails: Fill = (_r, evidence) => {
  const items = evidence.flatMap((e) => (Array.isArray(e.actual) && e.operator.endsWith('Match') ? e.actual : []))
  return items.length === 0 ? '(none)' : items.map(details).join('; ')
}

function filler(name: string): Fill {
  if (name === '$matchedDetails') return fillMatchedDetails
  if (name === '$asOf') return fillAsOf
  if (name === '$evidence') return fillEvidence
  if (name === '$matched') return fillMatched
  const segments = parsePath('$.' + name)
  return segments === undefined ? () => show(undefined) : (record) => show(resolveSegments(record, segments))
}

/** A template split once into its text and its fillers: the text between them, then a filler, alternately. */
interface CompiledTemplate {
  texts: string[]
  fills: Fill[]
}

function compileTemplate(template: string): CompiledTemplate {
  const texts: string[] = []
  const fills: Fill[] = []
  let last = 0
  for (const m of template.matchAll(TEMPLATE_PATTERN)) {
    texts.push(template.slice(last, m.index))
    fills.push(filler(m[1]!.trim()))
    last = m.index + m[0].length
  }
  texts.push(template.slice(last))
  return { texts, fills }
}

// messages come from policies: a few hundred templates at most, each compiled on first use
const templates = new Map<string, CompiledTemplate>()

/**
 * Fills a rule's message: {{ a.b }} quotes the record, {{ $evidence }} names the failing fields, {{ $matched }} the
 * matching elements.
 */
export function renderMessage(
  template: string,
  record: Record<string, unknown>,
  evidence: readonly Evidence[],
  asOf: string,
): string {
  let compiled = templates.get(template)
  if (compiled === undefined) {
    compiled = compileTemplate(template)
    if (templates.size >= 10_000) templates.clear()
    templates.set(template, compiled)
  }
  const { texts, fills } = compiled
  let out = texts[0]!
  for (let i = 0; i < fills.length; i++) out += fills[i]!(record, evidence, asOf) + texts[i + 1]!
  return out
}
