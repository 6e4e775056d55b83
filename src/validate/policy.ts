/**
 * Validation of one policy document: the JSON Schema first, then the semantic checks a schema
 * cannot express. Every problem is collected; nothing stops at the first.
 */
import { isDeepStrictEqual } from 'node:util'
import {
  capProblems,
  MAX_PROBLEMS_PER_FILE,
  policyProblem,
  type PolicyProblem,
  type ProblemCode,
  type ProblemDetails,
} from '../errors.js'
import { invisibleCharacter, type ParsedSource } from '../read/yaml-source.js'
import type {
  Check,
  Condition,
  HintSettings,
  JsonSchema,
  LeafCondition,
  Policy,
  ReviewSpec,
  Rule,
  SourceLocation,
  SubjectDefinition,
} from '../model.js'
import { AS_OF_FACT, isOperator, OPERATORS, strictCalendarDate } from '../language/operators.js'
import { parsePath } from '../language/paths.js'
import { DEFAULT_CALENDAR, unknownCalendar } from '../calendar/calendars.js'
import { closest, knownNamesHint } from '../suggest.js'
import { compareText } from '../order.js'
import { POLICY_SCHEMA, schemaAt, schemaTypes } from '../schemas.js'
import { describeAjvErrors, validators } from './ajv.js'
import { TEMPLATE_PATTERN, TEMPLATE_SPECIALS } from '../language/template.js'
import { checkDerived } from './derived.js'
import { canonicalJson, digestOf } from './canonical-json.js'

// semver.org's regular expression, in three pieces: core, pre-release, build
const SEMVER = new RegExp(
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)/.source +
    /(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?/.source +
    /(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/.source,
)

export const isSemver = (v: string): boolean => SEMVER.test(v)

/** Orders semantic versions by major, minor, patch; a pre-release comes before its release. */
export function compareVersions(a: string, b: string): number {
  const pa = SEMVER.exec(a)
  const pb = SEMVER.exec(b)
  if (!pa || !pb) return a < b ? -1 : a > b ? 1 : 0
  for (let i = 1; i <= 3; i++) {
    const d = Number(pa[i]) - Number(pb[i])
    if (d !== 0) return d
  }
  if (pa[4] === pb[4]) return 0
  if (pa[4] === undefined) return 1
  if (pb[4] === undefined) return -1
  // two different pre-releases, compared as text (not yet by dot-separated identifiers as semver orders them)
  return compareText(pa[4], pb[4])
}

/** Adds a problem at a JSON pointer of a parsed file, placed at that pointer's file:line:col. */
export function problemsAt(source: ParsedSource, problems: PolicyProblem[]): Add {
  return (code, pointer, message, details) =>
    problems.push(policyProblem(code, message, source.locate(pointer), pointer, details))
}

/** Policies this validator built: only these may be compiled into a PolicySet. */
const VALIDATED = new WeakSet<object>()

/** Whether `checkPolicyDocument` built this policy (and nobody made it by hand). */
export const isValidatedPolicy = (policy: Policy): boolean => VALIDATED.has(policy)

/** The policies receivedPolicy built, by digest (bounded): a reload's worker sends the same ones again. */
const rebuilt = new Map<string, Policy>()

/**
 * A policy that crossed a thread (a structured clone loses the mark), built again here: its document is checked
 * again against the record kind it carries, and the policy this builds must equal the one received. Undefined when
 * it does not: only what this validator builds joins a PolicySet, whoever sends it.
 */
export function receivedPolicy(received: Policy): Policy | undefined {
  if (!received || typeof received !== 'object' || !received.document || !received.record) return undefined
  // a reload sends the same policies again: one built before that equals the received one, field for field, is it
  const before = typeof received.digest === 'string' ? rebuilt.get(received.digest) : undefined
  if (before && isDeepStrictEqual(before, received)) return before
  // the sender's parse refused a string no one sees; the document alone must be refused here as well
  if (hidesCharacter(received.document)) return undefined
  const policy = buildAgain(received, received.document)
  if (!policy || !isDeepStrictEqual(policy, received)) return undefined
  if (rebuilt.size >= 1000) rebuilt.clear()
  rebuilt.set(policy.digest, policy)
  return policy
}

/**
 * A document checked in full by this validator against the record kind `like` carries, placed where `like`'s parse
 * found its parts: the policy it builds, or undefined when the validator refuses it.
 */
function buildAgain(like: Policy, document: Record<string, unknown>): Policy | undefined {
  const { record, review } = like
  const subject: SubjectDefinition = {
    name: record.subject,
    idField: record.idField,
    recognise: record.recognise,
    schemas: [record.schema],
    ...(review ? { review: { from: review.from, decided: review.decided } } : {}),
    ...(record.mask ? { audit: { mask: record.mask } } : {}),
    location: like.location,
  }
  // the places the first parse found, by the pointers the validator asks for
  const places = new Map<string, SourceLocation>([['', like.location]])
  like.rules?.forEach((rule, i) => {
    places.set(`/rules/${i}`, rule.location)
    for (const check of rule.checks ?? []) places.set(check.pointer, check.location)
  })
  const source: ParsedSource = {
    file: String(like.location?.file),
    value: structuredClone(document),
    locate: (pointer) => places.get(pointer) ?? like.location,
    problems: [],
  }
  try {
    return checkDocument(source, { subjects: new Map([[subject.name, subject]]) }).policy
  } catch {
    // a record kind without a schema or places, as only a hand-built object has, is refused like any other
    return undefined
  }
}

/** Whether any key or string in a value holds a character no one sees (E_INVISIBLE_CHARACTER at parse time). */
function hidesCharacter(value: unknown): boolean {
  if (typeof value === 'string') return invisibleCharacter(value) !== undefined
  if (!value || typeof value !== 'object') return false
  return Object.entries(value).some(([k, v]) => invisibleCharacter(k) !== undefined || hidesCharacter(v))
}

/**
 * A mutation run's mutant of a validated policy, given as the policy's document with the change: checked in full by
 * this validator against the record kind `original` was validated with (the changed conditions and dates included),
 * so it joins a PolicySet as any policy this validator built. Undefined when `original` was not validated here or
 * the validator refuses the document.
 */
export function checkMutant(original: Policy, document: Record<string, unknown>): Policy | undefined {
  if (!VALIDATED.has(original) || hidesCharacter(document)) return undefined
  return buildAgain(original, document)
}

/**
 * The shipped checks: src/generated/shipped-checks.js, code the project writes from this validator's own output
 * (test/load/shipped-checks.test.ts proves each entry equal to a fresh check, and fails when one is stale). Their
 * policies count as validated; no one hands this module an object to mark. Undefined when none are generated.
 */
export async function shippedCheckModule(): Promise<
  { format: unknown; entries: unknown; folder: unknown } | undefined
> {
  try {
    const m = (await import('../generated/shipped-checks.js')) as { format: unknown; entries: unknown; folder: unknown }
    if (Array.isArray(m.entries))
      for (const entry of m.entries as { policy?: unknown }[])
        if (entry?.policy && typeof entry.policy === 'object') VALIDATED.add(deepFreeze(entry.policy))
    return m
  } catch {
    // none generated: every shipped file is checked as any other
    return undefined
  }
}

/** Freezes a value and everything in it: a validated policy edited in place would mean one thing to each evaluator. */
function deepFreeze<T>(value: T): T {
  // (nothing in a fresh copy is frozen yet, so a frozen object was walked already)
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return value
  Object.freeze(value)
  // own enumerable keys, as Object.values gives them, without its array per object (half a cold shipped load's walk)
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue
    const v = (value as Record<string, unknown>)[key]
    if (typeof v === 'object' && v !== null) deepFreeze(v)
  }
  return value
}

/** What a policy is checked against: the subjects its folder declares. */
export interface FolderContext {
  subjects: ReadonlyMap<string, SubjectDefinition>
}

// one source with scripts/build-validators.mjs, which keys the precompiled record-schema validators by these digests
export { canonicalJson, digestOf }

type Raw = Record<string, unknown>

interface Scope {
  /** Schema of a list element when inside someMatch/noneMatch. */
  element?: JsonSchema
}

/** Validates one parsed document and, when it is valid, builds the Policy; problems capped per file (capProblems). */
export function checkPolicyDocument(
  source: ParsedSource,
  folder: FolderContext,
): { policy?: Policy; problems: PolicyProblem[] } {
  const checked = checkDocument(source, folder)
  return checked.problems.length > MAX_PROBLEMS_PER_FILE
    ? { ...checked, problems: capProblems(checked.problems) }
    : checked
}

function checkDocument(source: ParsedSource, folder: FolderContext): { policy?: Policy; problems: PolicyProblem[] } {
  // a string holding an invisible character would match nothing, or something other than it shows
  const problems: PolicyProblem[] = [...source.problems, ...(source.invisible ?? [])]
  if (problems.length > 0) return { problems }
  const add = problemsAt(source, problems)

  const doc = source.value
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) {
    add('E_SCHEMA', '', 'a policy file must hold one YAML mapping (id, version, rules, ...)')
    return { problems }
  }
  const validate = validators.policy
  if (!validate(doc)) {
    // the schema lists the operators for editors (an enum is the only keyword on `operator`, so its only error);
    // an unknown one is reported below, with the one meant
    // Stryker disable next-line ArrayDeclaration: test/mutation/equivalent.md#ajv-errors
    const errors = (validate.errors ?? []).filter((e) => !e.instancePath.endsWith('/operator'))
    for (const e of describeAjvErrors(errors, POLICY_SCHEMA))
      add('E_SCHEMA', e.pointer, e.message, e.hint ? { hint: e.hint } : unquotedHint(doc as Raw, e.pointer))
    if (problems.length > 0) return { problems }
  }

  const d = doc as Raw
  const outcomes = d.outcomes as string[]
  const version = d.version as string
  const effective = d.effective as { from: string; until?: string }
  const subject = folder.subjects.get(d.subject as string)
  if (!subject) {
    const known = [...folder.subjects.keys()]
    add('E_UNKNOWN_SUBJECT', '/subject', `subject '${String(d.subject)}' is not declared by the policy folder`, {
      hint: `${knownNamesHint(String(d.subject), known, 'it declares')} (collabgate.yaml)`,
      params: { subject: d.subject, known },
    })
    return { problems }
  }
  const recordSchema =
    d.recordSchema === undefined ? subject.schemas[0]! : subject.schemas.find((s) => s.version === d.recordSchema)
  if (!recordSchema) {
    const versions = subject.schemas.map((s) => s.version)
    add(
      'E_UNKNOWN_RECORD_SCHEMA',
      '/recordSchema',
      `${subject.name} has no record schema version ${String(d.recordSchema)}`,
      {
        hint: `versions: ${versions.join(', ')}`,
        params: { subject: subject.name, version: d.recordSchema, known: versions },
      },
    )
    return { problems }
  }
  const schema = recordSchema.schema
  const calendar = (d.calendar as string | undefined) ?? DEFAULT_CALENDAR
  const unknown = unknownCalendar(calendar)
  if (unknown)
    add('E_UNKNOWN_CALENDAR', '/calendar', unknown.message, {
      hint: unknown.hint,
      params: { calendar, suggestion: unknown.suggestion },
    })

  if (!isSemver(version))
    add('E_INVALID_VERSION', '/version', `version '${version}' is not a semantic version such as 1.0.0`)
  const from = strictCalendarDate(effective.from)
  if (!from) add('E_INVALID_DATE', '/effective/from', `effective.from '${effective.from}' is not a date (YYYY-MM-DD)`)
  if (effective.until !== undefined) {
    const until = strictCalendarDate(effective.until)
    if (!until)
      add('E_INVALID_DATE', '/effective/until', `effective.until '${effective.until}' is not a date (YYYY-MM-DD)`)
    else if (from && until <= from)
      add('E_INVALID_DATE', '/effective/until', `effective.until ${until} must come after effective.from ${from}`)
  }
  if (!outcomes.includes(d.default as string)) {
    add(
      'E_UNKNOWN_OUTCOME',
      '/default',
      `default outcome '${String(d.default)}' is not one of the declared outcomes (${outcomes.join(', ')})`,
      didYouMean(String(d.default), outcomes),
    )
  }
  if (d.appliesTo !== undefined) {
    if (d.primary !== true)
      add(
        'E_SCHEMA',
        '/appliesTo',
        'appliesTo says which records a primary policy claims; set primary: true or remove it',
      )
    checkCondition(d.appliesTo as Raw, '/appliesTo', {}, schema, add)
  }
  let review: ReviewSpec | undefined
  if (d.review !== undefined) {
    const raw = d.review as { workingDays: number; from?: ReviewSpec['from']; decided?: Condition }
    const clockFrom = raw.from ?? subject.review?.from
    const decided = raw.decided ?? subject.review?.decided
    if (!clockFrom || !decided) {
      add(
        'E_SCHEMA',
        '/review',
        `the review clock needs ` +
          (!clockFrom
            ? '`from` (the date it counts from)'
            : '`decided` (the condition that means a result is recorded)') +
          `, here or in ${subject.name}'s review defaults in collabgate.yaml`,
      )
    } else {
      checkDateOperand(clockFrom, raw.from ? '/review/from' : '/review', {}, schema, add, 0)
      checkCondition(decided as unknown as Raw, raw.decided ? '/review/decided' : '/review', {}, schema, add)
      review = { workingDays: raw.workingDays, from: clockFrom, decided }
    }
  }

  // rules read derived facts like record fields; appliesTo, the review clock and messages read the record only
  const derived = checkDerived(d.derived, schema, add, checkCondition)
  const seenRules = new Map<string, number>()
  const rules: Rule[] = []
  ;(d.rules as Raw[]).forEach((r, i) => {
    const base = `/rules/${i}`
    const id = r.id as string
    if (seenRules.has(id)) {
      add('E_DUPLICATE_RULE', `${base}/id`, `rule id ${id} is used twice (first at rules[${seenRules.get(id)}])`)
    } else seenRules.set(id, i)
    const rawChecks: { raw: Raw; pointer: string }[] = Array.isArray(r.checks)
      ? (r.checks as Raw[]).map((c, j) => ({ raw: c, pointer: `${base}/checks/${j}` }))
      : [{ raw: r, pointer: base }]
    const checks: Check[] = rawChecks.map(({ raw, pointer }) => {
      const outcome = raw.outcome as string
      if (!outcomes.includes(outcome)) {
        add(
          'E_UNKNOWN_OUTCOME',
          `${pointer}/outcome`,
          `outcome '${outcome}' of rule ${id} is not one of the declared outcomes (${outcomes.join(', ')})`,
          didYouMean(outcome, outcomes),
        )
      }
      checkCondition(raw.require as Raw, `${pointer}/require`, {}, derived.schema, add)
      checkTemplate(raw.message as string, `${pointer}/message`, schema, add)
      return {
        outcome,
        require: raw.require as Condition,
        message: raw.message as string,
        pointer,
        location: source.locate(pointer),
      }
    })
    const src = r.source as { status: 'confirmed' | 'modelled'; from: string }
    const rule: Rule = {
      id,
      title: r.title as string,
      basis: { status: src.status, from: src.from },
      checks,
      location: source.locate(base),
    }
    const ruleHints = hintSettings(r.hints, `${base}/hints`, schema, add)
    if (ruleHints) rule.hints = ruleHints
    rules.push(rule)
  })

  const hints = hintSettings(d.hints, '/hints', schema, add)
  if (problems.length > 0) return { problems }
  const policy: Policy = {
    id: d.id as string,
    version,
    title: d.title as string,
    subject: subject.name,
    outcomes,
    defaultOutcome: d.default as string,
    primary: d.primary === true,
    effective:
      effective.until === undefined ? { from: effective.from } : { from: effective.from, until: effective.until },
    calendar,
    record: {
      subject: subject.name,
      idField: subject.idField,
      recognise: subject.recognise,
      schema: recordSchema,
      ...(subject.audit ? { mask: subject.audit.mask } : {}),
    },
    rules,
    digest: digestOf(doc),
    // Stryker disable next-line StringLiteral: test/mutation/equivalent.md#root-pointer
    location: source.locate(''),
    document: d,
  }
  if (typeof d.description === 'string') policy.description = d.description
  if (review) policy.review = review
  if (d.appliesTo !== undefined) policy.appliesTo = d.appliesTo as Condition
  if (hints) policy.hints = hints
  if (derived.derived) policy.derived = derived.derived
  // a frozen copy: later edits of the parsed document, the folder's subject or the policy itself change nothing
  const validated = deepFreeze(structuredClone(policy))
  VALIDATED.add(validated)
  return { policy: validated, problems }
}

type Add = (code: ProblemCode, pointer: string, message: string, details?: ProblemDetails) => void

/** A `hints:` block (schema-checked already), each fixed field checked against the record schema. */
function hintSettings(raw: unknown, pointer: string, recordSchema: JsonSchema, add: Add): HintSettings | undefined {
  if (raw === undefined) return undefined
  const h = raw as { fixed?: string[]; disclose?: boolean }
  const out: HintSettings = {}
  if (h.fixed !== undefined) {
    h.fixed.forEach((field, i) => {
      const dot = field.indexOf('.')
      const leaf = dot < 0 ? { fact: field } : { fact: field.slice(0, dot), path: `$${field.slice(dot)}` }
      leafTarget(leaf, `${pointer}/fixed/${i}`, {}, recordSchema, add)
    })
    out.fixed = [...h.fixed]
  }
  if (h.disclose !== undefined) out.disclose = h.disclose
  return out
}

/** Checks a condition's shape, operators, facts and paths against a record schema. */
export function checkCondition(c: Raw, pointer: string, scope: Scope, recordSchema: JsonSchema, add: Add): void {
  const kinds = ['all', 'any', 'not', 'operator'].filter((k) => k in c)
  if (kinds.length !== 1) {
    add(
      'E_SCHEMA',
      pointer,
      kinds.length === 0
        ? 'a condition needs one of all, any, not, or a leaf with fact/path and operator'
        : `a condition has exactly one of all, any, not, operator; this one has ${kinds.join(' and ')}`,
    )
    return
  }
  const kind = kinds[0]
  if (kind !== 'operator') {
    const extra = Object.keys(c).filter((k) => k !== kind)
    if (extra.length > 0) add('E_SCHEMA', pointer, `a '${kind}' group cannot also have ${extra.join(', ')}`)
  }
  if (kind === 'all' || kind === 'any') {
    const items = c[kind] as Raw[]
    if (items.length === 0)
      add(
        'E_EMPTY_GROUP',
        `${pointer}/${kind}`,
        `an empty '${kind}' group decides nothing; add conditions or remove it`,
      )
    items.forEach((item, i) => checkCondition(item, `${pointer}/${kind}/${i}`, scope, recordSchema, add))
    return
  }
  if (kind === 'not') {
    checkCondition(c.not as Raw, `${pointer}/not`, scope, recordSchema, add)
    return
  }
  checkLeaf(c as unknown as LeafCondition, pointer, scope, recordSchema, add)
}

function checkLeaf(leaf: LeafCondition, pointer: string, scope: Scope, recordSchema: JsonSchema, add: Add): void {
  const op = leaf.operator
  if (!isOperator(op)) {
    add('E_UNKNOWN_OPERATOR', `${pointer}/operator`, `unknown operator '${op}'`, {
      hint: knownNamesHint(String(op), Object.keys(OPERATORS), 'known operators'),
      params: { operator: op, known: Object.keys(OPERATORS) },
    })
    return
  }
  const target = leafTarget(leaf, pointer, scope, recordSchema, add)
  if (!('value' in leaf)) {
    add('E_BAD_VALUE', pointer, `operator '${op}' needs a value`)
    return
  }
  const def = OPERATORS[op]!
  const value = leaf.value
  const vptr = `${pointer}/value`
  const types = schemaTypes(target)
  // the type the operator needs of the record's value, said the operator's way
  if (def.actual && types.size > 0 && !types.has(def.actual.type)) {
    add(
      'E_BAD_VALUE',
      pointer,
      `operator '${op}' ${def.actual.says}, but ${describeTarget(leaf)} is ${[...types].join('/')}`,
    )
  }
  switch (def.valueKind) {
    case 'scalar':
      if (!['string', 'number', 'boolean'].includes(typeof value))
        add('E_BAD_VALUE', vptr, `operator '${op}' compares with a single string, number or boolean`)
      // the scalar operators (equal, notEqual) compare with one value the record's field may hold
      else checkEnum([value], target, vptr, leaf, add)
      break
    case 'list':
      if (!Array.isArray(value) || value.some((v) => !['string', 'number', 'boolean'].includes(typeof v))) {
        add('E_BAD_VALUE', vptr, `operator '${op}' needs a list of strings, numbers or booleans`)
      } else checkEnum(value, target, vptr, leaf, add)
      break
    case 'number':
      // Number.isFinite is false for anything that is not a number (as Number.isInteger is for addWorkingDays)
      if (!Number.isFinite(value)) add('E_BAD_VALUE', vptr, `operator '${op}' compares with a number`)
      break
    case 'boolean':
      if (typeof value !== 'boolean') add('E_BAD_VALUE', vptr, `operator '${op}' takes true or false`)
      break
    case 'date':
      checkDateOperand(value, vptr, scope, recordSchema, add, 0)
      break
    case 'condition': {
      if (scope.element) {
        add('E_BAD_VALUE', `${pointer}/operator`, `'${op}' cannot be used inside another list match`)
        break
      }
      const element = target ? schemaAt(recordSchema, target, [0]) : undefined
      if (!value || typeof value !== 'object' || Array.isArray(value)) {
        add('E_BAD_VALUE', vptr, `operator '${op}' takes a condition on the list's elements`)
      } else checkCondition(value as Raw, vptr, { element: element ?? {} }, recordSchema, add)
      break
    }
  }
}

/** Checks fact and path; returns the sub-schema the leaf reads, undefined when unknown. */
function leafTarget(
  leaf: Pick<LeafCondition, 'fact' | 'path'>,
  pointer: string,
  scope: Scope,
  recordSchema: JsonSchema,
  add: Add,
): JsonSchema | undefined {
  const segments = leaf.path === undefined ? [] : parsePath(leaf.path)
  if (segments === undefined) {
    add(
      'E_UNKNOWN_PATH',
      `${pointer}/path`,
      `path '${leaf.path}' is not supported; write $.field, $.field.sub or $.list[0]`,
    )
    return undefined
  }
  if (leaf.fact === undefined) {
    if (!scope.element) {
      add('E_UNKNOWN_FACT', pointer, 'a condition needs a fact (a top-level field of the record, or asOf)')
      return undefined
    }
    // no path: the element itself (schemaAt with no segments gives it back)
    const s = schemaAt(recordSchema, scope.element, segments)
    if (!s)
      add(
        'E_UNKNOWN_PATH',
        `${pointer}/path`,
        `list elements have no field at '${leaf.path}'`,
        fieldsHint(recordSchema, scope.element, segments),
      )
    return s
  }
  if (leaf.fact === AS_OF_FACT) {
    if (segments.length > 0) add('E_UNKNOWN_PATH', `${pointer}/path`, 'asOf is a date; it has no path')
    return { type: 'string' }
  }
  const top = schemaAt(recordSchema, recordSchema, [leaf.fact])
  if (!top || leaf.fact === '$schema') {
    const known = Object.keys((recordSchema.properties as object) ?? {}).filter((k) => k !== '$schema')
    const facts = [...known, AS_OF_FACT]
    add('E_UNKNOWN_FACT', `${pointer}/fact`, `unknown fact '${leaf.fact}'`, {
      hint: knownNamesHint(String(leaf.fact), facts, "this policy's records have"),
      params: { fact: leaf.fact, known: facts },
    })
    return undefined
  }
  const s = schemaAt(recordSchema, top, segments)
  if (!s)
    add(
      'E_UNKNOWN_PATH',
      `${pointer}/path`,
      `the record's '${leaf.fact}' has no field at '${leaf.path}'`,
      fieldsHint(recordSchema, top, segments),
    )
  return s
}

/**
 * YAML reads `version: 1.0` as the number 1 and `from: 2026-12-01` as a string, but `1.0.0` only quoted is safe: say
 * so.
 */
function unquotedHint(doc: Raw, pointer: string): ProblemDetails {
  const v = pointer === '/version' ? doc.version : undefined
  if (typeof v !== 'number') return {}
  return {
    hint:
      `quote it: version: "${Number.isInteger(v) ? `${v}.0.0` : `${v}.0`}" (YAML reads an unquoted ${String(v)} ` +
      `as a number)`,
    params: { value: v },
  }
}

/** Values compared with a field whose schema lists every value it may hold (an enum) must be among them. */
function checkEnum(
  values: readonly unknown[],
  target: JsonSchema | null | undefined,
  pointer: string,
  leaf: LeafCondition,
  add: Add,
): void {
  const allowed = target && Array.isArray(target.enum) ? (target.enum as unknown[]) : undefined
  if (!allowed) return
  for (const v of values) {
    if (allowed.includes(v)) continue
    const names = allowed.map(String)
    add('E_BAD_VALUE', pointer, `${describeTarget(leaf)} can never be ${JSON.stringify(v)}`, {
      hint: knownNamesHint(String(v), names, 'the record schema allows'),
      params: { value: v, allowed },
    })
  }
}

/** Where a path stops finding fields: the fields there are, with the one meant when it is close. */
function fieldsHint(
  root: JsonSchema,
  start: JsonSchema,
  segments: readonly (string | number)[],
): { hint?: string; params?: Record<string, unknown> } {
  let at = start
  for (const [i, segment] of segments.entries()) {
    const next = schemaAt(root, at, [segment])
    if (next) {
      at = next
      continue
    }
    // `at` is already dereferenced: schemaAt gives every schema it returns with its $refs followed
    const fields = Object.keys((at.properties as object | undefined) ?? {})
    if (typeof segment !== 'string' || fields.length === 0) return {}
    const where = segments
      .slice(0, i)
      .filter((x) => typeof x === 'string')
      .join('.')
    return {
      hint: knownNamesHint(segment, fields, where ? `fields of ${where}` : 'fields there'),
      params: { field: segment, known: fields },
    }
  }
  return {}
}

/** Checks a date operand: a literal date, a {fact, path} of a string field, or working days after one. */
export function checkDateOperand(
  v: unknown,
  pointer: string,
  scope: Scope,
  recordSchema: JsonSchema,
  add: Add,
  depth: number,
): void {
  if (typeof v === 'string') {
    if (!strictCalendarDate(v)) add('E_INVALID_DATE', pointer, `'${v}' is not a date (YYYY-MM-DD)`)
    return
  }
  if (!v || typeof v !== 'object' || Array.isArray(v) || depth > 4) {
    add(
      'E_BAD_VALUE',
      pointer,
      'a date is a YYYY-MM-DD string, {fact, path}, {path} inside a list match, or {addWorkingDays: N, to: <date>}',
    )
    return
  }
  const o = v as Raw
  if ('addWorkingDays' in o) {
    const n = o.addWorkingDays
    if (!Number.isInteger(n) || (n as number) < 0 || (n as number) > 3650)
      add('E_BAD_VALUE', `${pointer}/addWorkingDays`, 'addWorkingDays is a whole number of days from 0 to 3650')
    const extra = Object.keys(o).filter((k) => k !== 'addWorkingDays' && k !== 'to')
    if (extra.length > 0) add('E_BAD_VALUE', pointer, `unknown field(s) ${extra.join(', ')} in a working-day date`)
    checkDateOperand(o.to, `${pointer}/to`, scope, recordSchema, add, depth + 1)
    return
  }
  const extra = Object.keys(o).filter((k) => k !== 'fact' && k !== 'path')
  if (extra.length > 0 || (typeof o.fact !== 'string' && typeof o.path !== 'string')) {
    add('E_BAD_VALUE', pointer, 'a date reference is {fact, path} or, inside a list match, {path}')
    return
  }
  const t = leafTarget(
    { fact: o.fact as string | undefined, path: o.path as string | undefined },
    pointer,
    scope,
    recordSchema,
    add,
  )
  if (t && !schemaTypes(t).has('string'))
    add('E_BAD_VALUE', pointer, `${describeTarget(o as { fact?: string; path?: string })} is not a date`)
}

function describeTarget(leaf: { fact?: string; path?: string }): string {
  // inside a list match a leaf without a path reads the element itself
  if (leaf.fact === undefined) return leaf.path === undefined ? 'the list element' : `element path ${leaf.path}`
  return `${leaf.fact}${leaf.path ? ' ' + leaf.path : ''}`
}

/** A hint naming the outcome meant, when one is close (the message already lists them all). */
function didYouMean(name: string, known: readonly string[]): ProblemDetails {
  const near = closest(name, known)
  return near === undefined ? {} : { hint: `did you mean '${near}'?`, params: { name, suggestion: near } }
}

/** The quote a mistyped one meant: a field beside its deepest known part, compared by its own name, when close. */
function templateMeant(recordSchema: JsonSchema, segments: readonly string[]): string | undefined {
  let depth = segments.length - 1
  while (depth > 0 && !schemaAt(recordSchema, recordSchema, segments.slice(0, depth))) depth--
  const prefix = segments.slice(0, depth)
  const props = schemaAt(recordSchema, recordSchema, prefix)?.properties
  const fields = props && typeof props === 'object' ? Object.keys(props) : []
  const near = closest(segments.slice(depth).join('.'), depth === 0 ? [...fields, ...TEMPLATE_SPECIALS] : fields)
  return near === undefined ? undefined : [...prefix, near].join('.')
}

function checkTemplate(message: string, pointer: string, recordSchema: JsonSchema, add: Add): void {
  // an opening {{ with no closing }} would be printed as it stands in every decision; each quote is replaced by a
  // space, not removed, so the braces around one ("{{{ a }}{") are not taken for an opening {{
  if (message.replace(TEMPLATE_PATTERN, ' ').includes('{{')) {
    add('E_TEMPLATE', pointer, 'message opens {{ without closing it', {
      hint: 'write {{ field }} to quote a record field, or remove the braces',
    })
  }
  for (const m of message.matchAll(TEMPLATE_PATTERN)) {
    // Stryker disable next-line StringLiteral: test/mutation/equivalent.md#template-group
    const name = (m[1] ?? '').trim()
    if (TEMPLATE_SPECIALS.has(name)) continue
    const segments = name.split('.')
    if (
      !/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/.test(name) ||
      !schemaAt(recordSchema, recordSchema, segments)
    ) {
      const near = templateMeant(recordSchema, segments)
      add(
        'E_TEMPLATE',
        pointer,
        `message quotes '{{ ${name} }}', which is neither a record field nor one of ` +
          `${[...TEMPLATE_SPECIALS].join(', ')}`,
        near === undefined ? {} : { hint: `did you mean '{{ ${near} }}'?`, params: { name, suggestion: near } },
      )
    }
  }
}
