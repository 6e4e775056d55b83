import { lstat, readFile, stat } from 'node:fs/promises'
import { realpathSync } from 'node:fs'
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path'
import {
  CollabgateError,
  PolicyValidationError,
  policyProblem,
  type PolicyProblem,
  type PolicyWarning,
} from '../errors.js'
import type { Policy, RecordSchema, SourceLocation, SubjectDefinition } from '../model.js'
import { PolicySet } from '../decide/policy-set.js'
import {
  checkLock,
  LOCK_FILE_NAME,
  lockKey,
  lockOf,
  parseLockFile,
  type LockFile,
  type PolicyLock,
} from '../lock/lock.js'
import { ownOptions } from '../own.js'
import { ENVELOPE_FILE_NAME, parseEnvelope, type ReleaseEnvelope } from '../release/envelope.js'
import { parseTrust, type Trust } from '../release/trust.js'
import { checkRelease } from '../release/verify.js'
import { effectiveEnds } from '../succession.js'
import { checkPolicyDocument } from '../validate/policy.js'
import { checkAcrossVersions, primaryFindings } from '../validate/versions.js'
import { eventDateWarnings } from '../validate/as-of.js'
import { FOLDER_FILE, loadFolder, shippedDisplayName, type PolicyFolder } from './declaration.js'
import { defaultPoliciesDir } from '../read/package-root.js'
import { walkFolder } from './walk.js'
import {
  decodeUtf8,
  DEFAULT_PARSE_LIMITS,
  fileTooLarge,
  parseYamlSource,
  problem,
  type ParseLimits,
} from '../read/yaml-source.js'
import { regionsOfCountry } from '../calendar/calendars.js'
import { cachedCheck, checkKey, rememberCheck, subjectsDigest } from './check-cache.js'
import { shippedChecks } from './shipped-checks.js'
import { readPolicyFile, readWholeFile } from '../read/small-file.js'

export interface LoadOptions {
  /** Parse limits (file size, alias expansion, nesting depth). */
  limits?: Partial<ParseLimits>
  /**
   * How file names appear in problems and decisions' `source.file`: (absolute path) → display name.
   * Default: relative to the policy folder's root (the first path, or its folder), whatever the working directory.
   */
  displayName?: (absolutePath: string) => string
  /**
   * The release manifest: `true` (default) enforces the folder's policies.lock.json when it has one,
   * a path enforces that file (which must exist), `false` turns the lock off (authors' scratch work).
   */
  lock?: boolean | string
  /**
   * Refuse a folder without a lock, or with one that releases nothing (E_LOCK_REQUIRED), instead of
   * loading it unchecked with a warning. Default false; `defaultPolicies`, `decide --policies` and the
   * example service require a lock. Ignored when `lock` is false.
   */
  requireLock?: boolean
  /**
   * A trust file (TRUST.json: public keys, roles, approvals needed): the folder's lock must then be
   * signed as it requires (policies.lock.sig.json beside the lock), or nothing of the folder loads
   * (E_RELEASE_*). Implies `requireLock`. Keep it where those who can write the folder cannot.
   */
  trust?: string
  /** With `trust`: the lowest release accepted (E_RELEASE_ROLLBACK below it), e.g. the last one deployed. */
  minRelease?: number
  /**
   * Follow symbolic links that lead outside the policy folder (default false: such a file is
   * E_SYMLINK, so the folder's content is what lies inside it). Links inside the folder always work.
   */
  followSymlinks?: boolean
}

export interface CheckResult {
  policies: Policy[]
  problems: PolicyProblem[]
  /** Findings that do not fail a load: versions not released yet, a folder without a lock. */
  warnings: PolicyWarning[]
  files: string[]
  /** The record kinds the folder declares (collabgate.yaml, or the shipped declaration). */
  subjects: SubjectDefinition[]
  /** The folder's own declaration (collabgate.yaml) as displayed; undefined when it judges the shipped record kinds. */
  declaration: string | undefined
  /** The digest of that declaration, as the lock releases it (`folder:collabgate.yaml`). */
  declarationDigest?: string
  /** The folder's root (absolute): display names and the lock are relative to it. */
  root: string
  /**
   * The lock that was checked: its display name, whether it exists, its release and entries, unreleased and stale
   * keys.
   */
  lock: FolderLock | undefined
}

/** The lock a load checked the folder against. */
export interface FolderLock {
  /** Its display name. */
  file: string
  found: boolean
  /** Its release sequence (0 when not found or in the first, unnumbered format). */
  release: number
  /** Its entries ({} when not found). */
  entries: PolicyLock
  /** Keys of the folder's content that the lock does not list (each an E_UNRELEASED problem). */
  unlocked: string[]
  /** Lock entries nothing in the folder matches. */
  stale: string[]
}

/** A policy test file (`*.test.yaml`): never read as a policy. */
export const isPolicyTestFile = (name: string): boolean => /\.test\.ya?ml$/i.test(name)
const isFolderFile = (name: string) =>
  name === FOLDER_FILE || name.endsWith(sep + FOLDER_FILE) || name.endsWith('/' + FOLDER_FILE)
const isPolicyFile = (name: string) => /\.ya?ml$/i.test(name) && !isPolicyTestFile(name) && !isFolderFile(name)

/** A file name as people want to read it: relative to the working directory when below it, else absolute. */
export function displayPath(abs: string): string {
  const rel = relative(process.cwd(), abs)
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel.split(sep).join('/') : abs
}

/** Display names relative to a folder: the default, so decisions name the same file from any working directory. */
export const relativeTo =
  (root: string) =>
  (abs: string): string =>
    relative(root, abs).split(sep).join('/') || '.'

/**
 * Policy files below the given files and folders, sorted, so results never depend on directory order.
 * Throws PolicyValidationError (E_LINK_CYCLE, naming the link) when a symbolic link leads back to a
 * folder that holds it: two such links (`a -> .`, `b -> ..`) made the walk branch without end.
 */
export async function findPolicyFiles(
  paths: readonly string[],
  match: (name: string) => boolean = isPolicyFile,
): Promise<string[]> {
  const out: string[] = []
  for (const top of paths)
    await walkFolder(top, {
      // a named file is filtered like a found one, so a *.test.yaml passed by hand is never read as a policy
      file: (p) => void (match(p) && out.push(resolve(p))),
      loop: async (p) => {
        const link = relativeTo(top)(await linkOnTheWay(top, p))
        const message = `${link} is a symbolic link to a folder that holds it (a loop); remove it or point it elsewhere`
        throw new PolicyValidationError([problem(link, 'E_LINK_CYCLE', message)])
      },
    })
  return [...new Set(out)]
}

/** The deepest symbolic link on the way from `top` down to `p` (`p` itself when none is found). */
async function linkOnTheWay(top: string, p: string): Promise<string> {
  for (let at = p; at !== top && at.length > top.length; at = dirname(at))
    if ((await lstat(at)).isSymbolicLink()) return at
  return p
}

const leaves = (from: string, to: string): boolean => {
  const rel = relative(from, to)
  return rel === '..' || rel.startsWith('..' + sep) || isAbsolute(rel)
}

/**
 * A test of whether a file below the folder has a real path (symbolic links resolved) that leaves
 * the folder's real root: the sentence saying so, or undefined. Files named outside the folder
 * (further paths of a load) are the caller's choice and not tested.
 */
export async function outsideRoot(root: string): Promise<(abs: string) => Promise<string | undefined>> {
  const realRoot = realpathSync.native(root)
  return async (abs) => {
    if (leaves(root, abs)) return undefined
    // the native call fs/promises makes, without its round trip to the thread pool (one per file of each load)
    const real = realpathSync.native(abs)
    if (leaves(realRoot, real))
      return (
        `a symbolic link leads outside the policy folder (to ${real}); pass followSymlinks: true ` +
        `(--follow-symlinks) to allow it`
      )
    return undefined
  }
}

/** The policy folder's root: the first path when it is a folder, else the folder holding it. */
async function rootOf(first: string): Promise<{ root: string; isFolder: boolean }> {
  const info = await stat(first)
  return info.isDirectory()
    ? { root: resolve(first), isFolder: true }
    : { root: dirname(resolve(first)), isFolder: false }
}

/** Checks policies without throwing: every problem in every file, plus the checks across files and the lock. */
export async function checkPolicies(paths: string | readonly string[], given: LoadOptions = {}): Promise<CheckResult> {
  const options = ownOptions(given)
  const list = typeof paths === 'string' ? [paths] : paths
  const limits = { ...DEFAULT_PARSE_LIMITS, ...options.limits }
  const problems: PolicyProblem[] = []
  const warnings: PolicyWarning[] = []
  const policies: Policy[] = []
  let files: string[]
  let root: string
  let isFolder: boolean
  try {
    ;({ root, isFolder } = await rootOf(String(list[0] ?? '.')))
    files = await findPolicyFiles(list)
  } catch (err) {
    const e = err as NodeJS.ErrnoException
    const file = e.path ?? String(list[0] ?? '')
    return {
      policies,
      files: [],
      warnings,
      subjects: [],
      declaration: undefined,
      root: resolve(String(list[0] ?? '.')),
      lock: undefined,
      problems:
        err instanceof PolicyValidationError
          ? [...err.problems]
          : [problem(file, 'E_IO', `cannot read ${file}: ${e.code ?? e.message}`)],
    }
  }
  const name = options.displayName ?? relativeTo(root)
  const outside = options.followSymlinks === true ? undefined : await outsideRoot(root)
  const folder = await loadFolder(root, name, limits, outside)
  problems.push(...folder.problems)
  const subjects = folder.subjects
  const subjectsKey = subjectsDigest(subjects)
  // the shipped folder's files were checked when the package was built (src/folder/shipped-checks.ts)
  const shippedCheck = root === resolve(defaultPoliciesDir()) ? await shippedChecks() : undefined
  const context = { subjects: new Map(subjects.map((s) => [s.name, s])) }
  // the files are read all at once (each read is several round trips to the thread pool), then checked in order
  const read = async (abs: string): Promise<{ text: string; bytes: Uint8Array } | { problem: PolicyProblem }> => {
    const display = name(abs)
    try {
      const leaves = await outside?.(abs)
      if (leaves) return { problem: problem(display, 'E_SYMLINK', leaves) }
      const got = await readPolicyFile(abs, limits.maxBytes)
      if (!('bytes' in got)) return { problem: fileTooLarge(display, got.size, limits.maxBytes) }
      const bytes = got.bytes
      const decoded = decodeUtf8(display, bytes)
      return 'text' in decoded ? { text: decoded.text, bytes } : decoded
    } catch (err) {
      return {
        problem: problem(
          display,
          'E_IO',
          `cannot read the file: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
        ),
      }
    }
  }
  const texts = await Promise.all(files.map(read))
  for (const [i, abs] of files.entries()) {
    const display = name(abs)
    const got = texts[i]!
    if ('problem' in got) {
      problems.push(got.problem)
      continue
    }
    // bytes checked before, with the same name, limits and subjects, give the same frozen policy: no parse, no check
    const key = folder.problems.length > 0 ? undefined : checkKey(got.bytes, { display, limits, subjects: subjectsKey })
    let known = key === undefined ? undefined : cachedCheck(key)
    if (!known && key !== undefined && shippedCheck) {
      known = shippedCheck(key)
      if (known) rememberCheck(key, known)
    }
    if (!known) {
      const source = parseYamlSource(display, got.text, limits)
      // with the folder's declaration broken, every policy would only repeat that its subject is unknown
      if (folder.problems.length > 0) {
        problems.push(...source.problems)
        continue
      }
      const checked = checkPolicyDocument(source, context)
      problems.push(...checked.problems)
      if (!checked.policy) continue
      const value = source.value
      const namesCalendar = typeof value === 'object' && value !== null && Object.hasOwn(value, 'calendar')
      known = { policy: checked.policy, locate: source.locate, namesCalendar }
      if (key !== undefined && checked.problems.length === 0) rememberCheck(key, known)
    }
    const policy = known.policy
    locators.set(policy, known.locate)
    policies.push(policy)
    const naming = fileNameFinding(abs, policy)
    if (naming?.severity === 'error') problems.push(naming)
    else if (naming) warnings.push(naming)
    const regional = known.namesCalendar ? calendarFinding(policy) : undefined
    if (regional) warnings.push(regional)
  }
  problems.push(...checkAcrossVersions(policies, locatePolicy))
  const locked = await lockedVersions(policies, root, options)
  const primaries = primaryFindings(policies, locatePolicy, locked ? { released: (p) => locked.has(lockKey(p)) } : {})
  problems.push(...primaries.problems)
  warnings.push(...primaries.warnings)
  warnings.push(...eventDateWarnings(policies, locatePolicy))
  // record schemas are the folder's to release only when it declares them itself
  const ownSchemas = folder.file === undefined ? [] : folder.subjects.flatMap((s) => s.schemas)
  // with the declaration broken no policy was checked, so every released version would look missing
  const lock =
    options.lock === false || folder.problems.length > 0
      ? undefined
      : await checkFolderLock(
          policies,
          ownSchemas,
          folderDeclaration(folder),
          { root, isFolder, name, options },
          problems,
          warnings,
        )
  const declared = folderDeclaration(folder)
  return {
    policies,
    problems,
    warnings,
    files: files.map(name),
    subjects: folder.subjects,
    declaration: folder.file,
    ...(declared ? { declarationDigest: declared.digest } : {}),
    root,
    lock,
  }
}

/**
 * The lock entries a checked folder's content needs: every policy version, its own record schemas and its
 * declaration.
 */
export function lockOfFolder(
  checked: Pick<CheckResult, 'policies' | 'subjects' | 'declaration' | 'declarationDigest'>,
): PolicyLock {
  const schemas = checked.declaration === undefined ? [] : checked.subjects.flatMap((s) => s.schemas)
  return lockOf(checked.policies, schemas, checked.declarationDigest)
}

/**
 * The folder's own declaration as the lock releases it; undefined for a folder that judges the shipped record kinds.
 */
function folderDeclaration(folder: PolicyFolder): { digest: string; location: SourceLocation } | undefined {
  if (folder.file === undefined || folder.digest === undefined) return undefined
  return { digest: folder.digest, location: { file: folder.file, line: 1, column: 1 } }
}

/**
 * The policy versions the folder's lock lists, read before the lock is checked so that an overlap names the
 * unreleased policy first; undefined with no readable lock (the lock check then says why) or nothing to order.
 */
async function lockedVersions(
  policies: readonly Policy[],
  root: string,
  options: LoadOptions,
): Promise<ReadonlySet<string> | undefined> {
  if (options.lock === false || policies.filter((p) => p.primary).length < 2) return undefined
  const file = typeof options.lock === 'string' ? resolve(options.lock) : join(root, LOCK_FILE_NAME)
  try {
    return new Set(Object.keys(parseLockFile((await readWholeFile(file)).toString('utf8')).entries))
  } catch {
    return undefined
  }
}

/** The lock check of a load: problems and warnings are added to the load's own. */
async function checkFolderLock(
  policies: Policy[],
  schemas: readonly RecordSchema[],
  declaration: { digest: string; location: SourceLocation } | undefined,
  at: { root: string; isFolder: boolean; name: (abs: string) => string; options: LoadOptions },
  problems: PolicyProblem[],
  warnings: PolicyWarning[],
): Promise<FolderLock> {
  const option = at.options.lock
  const file = typeof option === 'string' ? resolve(option) : join(at.root, LOCK_FILE_NAME)
  const shown = at.name(file)
  const none: FolderLock = { file: shown, found: false, release: 0, entries: {}, unlocked: [], stale: [] }
  const required = (why: string) =>
    problem(shown, 'E_LOCK_REQUIRED', `${why}; this folder must be locked, so nothing of it is served`)
  let text: string
  try {
    text = (await readWholeFile(file)).toString('utf8')
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'ENOENT' && typeof option !== 'string') {
      if (at.options.requireLock === true || at.options.trust !== undefined)
        problems.push(required(`no lock file at ${shown}`))
      else if (policies.length > 0)
        warnings.push({
          code: 'W_NO_LOCK',
          severity: 'warning',
          message: `no lock file at ${shown} (not a failure)`,
          hint: "run 'collabgate lock' to record the released versions",
        })
      return none
    }
    problems.push(problem(shown, 'E_IO', `cannot read ${shown}: ${code ?? String(err)}`))
    return none
  }
  let lock: LockFile
  try {
    lock = parseLockFile(text, shown)
  } catch (err) {
    problems.push(problem(shown, 'E_LOCK_INVALID', (err as CollabgateError).message))
    return { ...none, found: true }
  }
  if ((at.options.requireLock === true || at.options.trust !== undefined) && Object.keys(lock.entries).length === 0)
    problems.push(required(`${shown} releases nothing`))
  if (at.options.trust !== undefined) problems.push(...(await releaseProblems(lock, file, at.options, at.name)))
  const ends = effectiveEnds(policies)
  const lines = text.split('\n')
  const check = checkLock(policies, lock.entries, {
    locate: locatePolicy,
    schemas,
    ...(declaration ? { declaration } : {}),
    // a file that failed to load holds some version: only a folder that loaded whole can miss one
    complete: at.isFolder && problems.length === 0,
    endOf: (p) => ends.get(p),
    locateEntry: (key) => {
      const i = lines.findIndex((l) => l.includes(JSON.stringify(key)))
      return { file: shown, line: i + 1 || 1, column: i >= 0 ? lines[i]!.indexOf('"') + 1 : 1 }
    },
  })
  problems.push(...check.problems)
  return {
    file: shown,
    found: true,
    release: lock.release,
    entries: lock.entries,
    unlocked: check.unlocked,
    stale: check.stale,
  }
}

/**
 * With a trust file: why the lock's release is not signed and approved as the trust file requires (none when it is).
 */
async function releaseProblems(
  lock: LockFile,
  lockFile: string,
  options: LoadOptions,
  name: (abs: string) => string,
): Promise<PolicyProblem[]> {
  const trustFile = resolve(String(options.trust))
  const shownTrust = basename(trustFile)
  let trust: Trust
  try {
    trust = parseTrust(await readFile(trustFile, 'utf8'), shownTrust)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    const message =
      err instanceof CollabgateError ? err.message : `cannot read the trust file ${shownTrust}: ${code ?? String(err)}`
    return [problem(shownTrust, 'E_TRUST_INVALID', message)]
  }
  const sigFile = join(dirname(lockFile), ENVELOPE_FILE_NAME)
  const shown = name(sigFile)
  let envelope: ReleaseEnvelope | undefined
  try {
    envelope = parseEnvelope(await readFile(sigFile, 'utf8'), shown)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code !== 'ENOENT') {
      const message = err instanceof CollabgateError ? err.message : `cannot read ${shown}: ${code ?? String(err)}`
      return [problem(shown, 'E_RELEASE_INVALID', message)]
    }
  }
  const { problems } = checkRelease({
    lock,
    envelope,
    trust,
    file: shown,
    ...(options.minRelease === undefined ? {} : { minRelease: options.minRelease }),
  })
  return problems.map((p) => problem(shown, p.code, p.message))
}

const locators = new WeakMap<Policy, (pointer: string) => SourceLocation>()

/**
 * Where a JSON pointer lies in the file a policy was loaded from (e.g. its `version:` line); the policy's own
 * location when unknown.
 */
export function locatePolicy(p: Policy, pointer: string): SourceLocation {
  return locators.get(p)?.(pointer) ?? p.location
}

/**
 * A calendar written as a country (`GB`, `US`, `DE`) whose regions keep holidays of their own: `GB` lacks
 * England's summer bank holiday. Only a calendar the policy names: the unnamed default is the US federal one.
 */
function calendarFinding(policy: Policy): PolicyWarning | undefined {
  const regions = regionsOfCountry(policy.calendar)
  if (regions.length === 0) return undefined
  // the US has 51: the first dozen say enough
  const more = regions.length > 12 ? `, … (${regions.length} in all)` : ''
  const shown = regions.slice(0, 12).join(', ') + more
  return {
    code: 'W_CALENDAR_REGIONS',
    severity: 'warning',
    message: `calendar ${policy.calendar} is the country-level list; its regions keep other holidays: ${shown}`,
    hint: `name the region whose holidays apply, e.g. calendar: ${regions[0]!}`,
    ...locatePolicy(policy, '/calendar'),
  }
}

/**
 * A policy file is named `ID.vVERSION.yaml`. A name in that form that names another id or version is
 * an error (E_FILE_NAME: someone renamed one without the other); a name in another form (`uk.yaml`)
 * is a warning, so that an author sees it and the old fixtures of a folder still load.
 */
function fileNameFinding(abs: string, policy: Policy): PolicyProblem | PolicyWarning | undefined {
  const name = basename(abs)
  const expected = `${policy.id}.v${policy.version}`
  if (name === `${expected}.yaml` || name === `${expected}.yml`) return undefined
  const at = locatePolicy(policy, '/version')
  const m = /^(.+)\.v(\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.-]+)?)\.ya?ml$/.exec(name)
  if (m) {
    return policyProblem(
      'E_FILE_NAME',
      `the file is named ${name} but holds ${policy.id}@${policy.version}`,
      at,
      '/version',
      {
        hint: `rename it ${expected}.yaml, or make its id and version agree with its name`,
        params: { file: name, id: policy.id, version: policy.version },
      },
    )
  }
  return {
    code: 'W_FILE_NAME',
    severity: 'warning',
    message: `${name} holds ${policy.id}@${policy.version}`,
    hint: `name it ${expected}.yaml`,
    ...at,
  }
}

/**
 * Loads, validates and compiles policies from files and folders. Throws PolicyValidationError listing every problem.
 */
export async function loadPolicies(paths: string | readonly string[], options: LoadOptions = {}): Promise<PolicySet> {
  const { policies, problems, subjects, lock } = await checkPolicies(paths, options)
  if (problems.length > 0) throw new PolicyValidationError(problems)
  return new PolicySet(policies, { subjects, ...(lock?.found ? { release: lock.release } : {}) })
}

export { defaultPoliciesDir }

let shipped: Promise<PolicySet> | undefined

/** The shipped Creator Collaboration policies, loaded once per process. File names are relative to the folder. */
export function defaultPolicies(): Promise<PolicySet> {
  if (shipped) return shipped
  shipped = loadPolicies(defaultPoliciesDir(), { displayName: shippedDisplayName, requireLock: true }).catch(
    (err: unknown) => {
      shipped = undefined
      throw err
    },
  )
  return shipped
}
