import { readdir, readFile, stat } from 'node:fs/promises'
import { isAbsolute, join, relative, resolve, sep } from 'node:path'
import { PolicyValidationError, type PolicyProblem } from '../errors.js'
import type { Policy, SourceLocation } from '../model.js'
import { PolicySet } from '../decide/policy-set.js'
import { checkPolicyDocument } from '../validate/policy.js'
import { defaultPoliciesDir } from './package-root.js'
import { DEFAULT_PARSE_LIMITS, fileTooLarge, parseYamlSource, problem, type ParseLimits } from './yaml-source.js'
import { compareText } from '../order.js'

export interface LoadOptions {
  /** Parse limits (file size, alias expansion, nesting depth). */
  limits?: Partial<ParseLimits>
  /** How file names appear in problems and reasons: (absolute path) → display name. Default: relative to the working directory. */
  displayName?: (absolutePath: string) => string
}

export interface CheckResult {
  policies: Policy[]
  problems: PolicyProblem[]
  files: string[]
}

/** A policy test file (`*.test.yaml`): never read as a policy. */
export const isPolicyTestFile = (name: string): boolean => /\.test\.ya?ml$/i.test(name)
const isPolicyFile = (name: string) => /\.ya?ml$/i.test(name) && !isPolicyTestFile(name)

/** A file name as people want to read it: relative to the working directory when below it, else absolute. */
export function displayPath(abs: string): string {
  const rel = relative(process.cwd(), abs)
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel.split(sep).join('/') : abs
}

/** Policy files below the given files and folders, sorted, so results never depend on directory order. */
export async function findPolicyFiles(paths: readonly string[], match: (name: string) => boolean = isPolicyFile): Promise<string[]> {
  const out: string[] = []
  // a named file is filtered like a found one, so a *.test.yaml passed by hand is never read as a policy
  const visit = async (p: string): Promise<void> => {
    const info = await stat(p)
    if (info.isDirectory()) {
      const entries = (await readdir(p)).filter((e) => !e.startsWith('.') && e !== 'node_modules').sort()
      for (const e of entries) await visit(join(p, e))
    } else if (info.isFile() && match(p)) out.push(resolve(p))
  }
  for (const p of paths) await visit(p)
  return [...new Set(out)]
}

/** Checks policies without throwing: every problem in every file, plus the checks across files. */
export async function checkPolicies(paths: string | readonly string[], options: LoadOptions = {}): Promise<CheckResult> {
  const list = typeof paths === 'string' ? [paths] : paths
  const limits = { ...DEFAULT_PARSE_LIMITS, ...options.limits }
  const name = options.displayName ?? displayPath
  const problems: PolicyProblem[] = []
  const policies: Policy[] = []
  let files: string[]
  try {
    files = await findPolicyFiles(list)
  } catch (err) {
    const e = err as NodeJS.ErrnoException
    const file = e.path ?? String(list[0] ?? '')
    return { policies, files: [], problems: [problem(file, 'E_IO', `cannot read ${file}: ${e.code ?? e.message}`)] }
  }
  for (const abs of files) {
    const display = name(abs)
    let text: string
    try {
      const info = await stat(abs)
      if (info.size > limits.maxBytes) {
        problems.push(fileTooLarge(display, info.size, limits.maxBytes))
        continue
      }
      text = await readFile(abs, 'utf8')
    } catch (err) {
      problems.push(problem(display, 'E_IO', `cannot read the file: ${(err as NodeJS.ErrnoException).code ?? String(err)}`))
      continue
    }
    const source = parseYamlSource(display, text, limits)
    const checked = checkPolicyDocument(source)
    problems.push(...checked.problems)
    if (checked.policy) {
      locators.set(checked.policy, source.locate)
      policies.push(checked.policy)
    }
  }
  problems.push(...checkAcrossVersions(policies))
  return { policies, problems, files: files.map(name) }
}

const locators = new WeakMap<Policy, (pointer: string) => SourceLocation>()

/** Where a JSON pointer lies in the file a policy was loaded from (e.g. its `version:` line); the policy's own location when unknown. */
export function locatePolicy(p: Policy, pointer: string): SourceLocation {
  return locators.get(p)?.(pointer) ?? p.location
}

/** Versions of one id must be distinct and their effective windows must not overlap. */
export function checkAcrossVersions(policies: readonly Policy[]): PolicyProblem[] {
  const problems: PolicyProblem[] = []
  const byId = new Map<string, Policy[]>()
  for (const p of policies) byId.set(p.id, [...(byId.get(p.id) ?? []), p])
  for (const [id, versions] of byId) {
    const sorted = [...versions].sort((a, b) => compareText(a.effective.from, b.effective.from))
    for (let i = 0; i < sorted.length; i++) {
      const a = sorted[i]!
      for (let j = i + 1; j < sorted.length; j++) {
        const b = sorted[j]!
        if (a.version === b.version) {
          problems.push({ code: 'E_DUPLICATE_VERSION', message: `${id}@${b.version} is defined twice (also in ${a.location.file})`, ...locatePolicy(b, '/version'), pointer: '/version' })
        } else if (a.effective.until === undefined || b.effective.from < a.effective.until) {
          problems.push({
            code: 'E_OVERLAPPING_WINDOWS',
            message: `${id}@${b.version} (from ${b.effective.from}) overlaps ${id}@${a.version} (from ${a.effective.from}${a.effective.until ? ` until ${a.effective.until}` : ', no end'}) in ${a.location.file}; give ${a.version} an effective.until no later than ${b.effective.from}`,
            ...locatePolicy(b, '/effective/from'),
            pointer: '/effective/from',
          })
        }
      }
    }
  }
  return problems
}

/** Loads, validates and compiles policies from files and folders. Throws PolicyValidationError listing every problem. */
export async function loadPolicies(paths: string | readonly string[], options: LoadOptions = {}): Promise<PolicySet> {
  const { policies, problems } = await checkPolicies(paths, options)
  if (problems.length > 0) throw new PolicyValidationError(problems)
  return new PolicySet(policies)
}

export { defaultPoliciesDir }

let shipped: Promise<PolicySet> | undefined

/** The shipped Creator Collaboration policies, loaded once per process. File names read `policies/...`. */
export function defaultPolicies(): Promise<PolicySet> {
  if (shipped) return shipped
  const dir = defaultPoliciesDir()
  shipped = loadPolicies(dir, {
    displayName: (abs) => 'policies/' + relative(dir, abs).split(sep).join('/'),
  }).catch((err: unknown) => {
    shipped = undefined
    throw err
  })
  return shipped
}
