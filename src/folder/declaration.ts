/**
 * Loads a policy folder's declaration, `collabgate.yaml` at the folder's root, and the record schema
 * files it names. A folder without one judges the record kinds the shipped folder declares.
 */
import { isAbsolute, join, relative, resolve, sep } from 'node:path'
import type { PolicyProblem } from '../errors.js'
import type { SubjectDefinition } from '../model.js'
import { checkFolderDocument, type SchemaFile } from '../validate/folder.js'
import { digestOf } from '../validate/policy.js'
import { defaultPoliciesDir } from '../read/package-root.js'
import { decodeUtf8, DEFAULT_PARSE_LIMITS, parseYamlSource, problem, type ParseLimits } from '../read/yaml-source.js'
import { isFileSync, readPolicyFile } from '../read/small-file.js'
import { shippedFolder } from './shipped-checks.js'

/** The file that declares a folder's subjects. */
export const FOLDER_FILE = 'collabgate.yaml'

export interface PolicyFolder {
  /** The folder's root (absolute). */
  root: string
  /** The declaration's display name; undefined when the folder has none and uses the shipped one. */
  file?: string
  subjects: SubjectDefinition[]
  problems: PolicyProblem[]
  /** The declaration's digest (canonical JSON of what it says, as for policies): the lock releases it. */
  digest?: string
}

/** The shipped folder's file names as decisions show them: relative to the folder, as for any other folder. */
export function shippedDisplayName(abs: string): string {
  return relative(defaultPoliciesDir(), abs).split(sep).join('/')
}

let shipped: Promise<PolicyFolder> | undefined

/** The subjects of the folder at `root` (its collabgate.yaml, else the shipped declaration). */
export async function loadFolder(
  root: string,
  name: (abs: string) => string,
  limits: ParseLimits = DEFAULT_PARSE_LIMITS,
  outside?: Outside,
): Promise<PolicyFolder> {
  const abs = resolve(root)
  const file = join(abs, FOLDER_FILE)
  // a stat without the thread pool's round trip: one on every load
  const own = isFileSync(file)
  if (!own || abs === resolve(defaultPoliciesDir())) {
    shipped ??= readShippedFolder()
    const folder = await shipped
    return own ? { ...folder, root: abs, file: name(file) } : { ...folder, root: abs, file: undefined }
  }
  return readFolder(abs, name, limits, outside)
}

/** The shipped declaration as checked when the package was built, when its files are those bytes; else read anew. */
async function readShippedFolder(): Promise<PolicyFolder> {
  const root = resolve(defaultPoliciesDir())
  const checked = await shippedFolder(root)
  if (checked) return { root, file: FOLDER_FILE, subjects: checked.subjects, problems: [], digest: checked.digest }
  return readFolder(root, shippedDisplayName, DEFAULT_PARSE_LIMITS)
}

/** Why a file leaves the policy folder through a symbolic link, or undefined (see outsideRoot). */
type Outside = (abs: string) => Promise<string | undefined>

export async function readFolder(
  root: string,
  name: (abs: string) => string,
  limits: ParseLimits,
  outside?: Outside,
): Promise<PolicyFolder> {
  const abs = join(root, FOLDER_FILE)
  const display = name(abs)
  let text: string
  try {
    const leaves = await outside?.(abs)
    if (leaves) return { root, file: display, subjects: [], problems: [problem(display, 'E_SYMLINK', leaves)] }
    const got = await readPolicyFile(abs, limits.maxBytes)
    if (!('bytes' in got))
      return {
        root,
        file: display,
        subjects: [],
        problems: [problem(display, 'E_YAML_LIMIT', `the file is ${got.size} bytes; the limit is ${limits.maxBytes}`)],
      }
    const decoded = decodeUtf8(display, got.bytes)
    if ('problem' in decoded) return { root, file: display, subjects: [], problems: [decoded.problem] }
    text = decoded.text
  } catch (err) {
    return {
      root,
      file: display,
      subjects: [],
      problems: [
        problem(display, 'E_IO', `cannot read the file: ${(err as NodeJS.ErrnoException).code ?? String(err)}`),
      ],
    }
  }
  const source = parseYamlSource(display, text, limits)
  const files = new Map<string, SchemaFile>()
  // the files to read are named inside the declaration: a peek before it is validated, reading only strings
  const subjects = (source.value as { subjects?: unknown } | null)?.subjects
  if (subjects && typeof subjects === 'object') {
    for (const s of Object.values(subjects as Record<string, unknown>)) {
      const schemas = (s as { schemas?: unknown } | null)?.schemas
      if (!schemas || typeof schemas !== 'object') continue
      for (const rel of Object.values(schemas as Record<string, unknown>)) {
        if (typeof rel === 'string' && !files.has(rel))
          files.set(rel, await readSchemaFile(root, rel, name, limits, outside))
      }
    }
  }
  const checked = checkFolderDocument(source, files)
  return { root, file: display, subjects: checked.subjects, problems: checked.problems, digest: digestOf(source.value) }
}

async function readSchemaFile(
  root: string,
  rel: string,
  name: (abs: string) => string,
  limits: ParseLimits,
  outside?: Outside,
): Promise<SchemaFile> {
  const abs = resolve(root, rel)
  const inside = relative(root, abs)
  // a schema is part of the folder: a path that leaves it would make the folder depend on files outside it
  if (isAbsolute(rel) || inside.startsWith('..') || isAbsolute(inside))
    return {
      file: rel,
      code: 'E_PATH_OUTSIDE',
      error: 'a record schema must be a file inside the policy folder (a relative path)',
    }
  const file = name(abs)
  try {
    const leaves = await outside?.(abs)
    if (leaves) return { file, code: 'E_PATH_OUTSIDE', error: leaves }
    const got = await readPolicyFile(abs, limits.maxBytes)
    if (!('bytes' in got)) return { file, error: `the file is ${got.size} bytes; the limit is ${limits.maxBytes}` }
    const decoded = decodeUtf8(file, got.bytes)
    return 'problem' in decoded ? { file, error: decoded.problem.message } : { file, text: decoded.text }
  } catch (err) {
    return { file, error: (err as NodeJS.ErrnoException).code ?? String(err) }
  }
}
