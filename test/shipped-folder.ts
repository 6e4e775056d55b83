/**
 * The shipped folder's declaration, as checkPolicyDocument takes it: tests that check one document at a time use it.
 * Read on first use inside a test, not when the module loads: mutation testing (npm run mutation) counts code run
 * while modules load as reached by every test, and would run the whole suite for each mutant of the folder checks.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { FOLDER_FILE } from '../src/folder/declaration.js'
import { parseYamlSource } from '../src/read/yaml-source.js'
import { defaultPoliciesDir } from '../src/read/package-root.js'
import { checkFolderDocument, type SchemaFile } from '../src/validate/folder.js'
import type { FolderContext } from '../src/validate/policy.js'
import type { SubjectDefinition } from '../src/index.js'

let cached: { subjects: SubjectDefinition[]; folder: FolderContext } | undefined

function read(): { subjects: SubjectDefinition[]; folder: FolderContext } {
  const root = defaultPoliciesDir()
  const source = parseYamlSource(FOLDER_FILE, readFileSync(join(root, FOLDER_FILE), 'utf8'))
  const declared = (source.value as { subjects: Record<string, { schemas: Record<string, string> }> }).subjects
  const files = new Map<string, SchemaFile>()
  for (const subject of Object.values(declared))
    for (const rel of Object.values(subject.schemas)) files.set(rel, { file: rel, text: readFileSync(join(root, rel), 'utf8') })
  const { subjects, problems } = checkFolderDocument(source, files)
  if (problems.length > 0) throw new Error(`the shipped collabgate.yaml has problems: ${JSON.stringify(problems)}`)
  return { subjects, folder: { subjects: new Map(subjects.map((s) => [s.name, s])) } }
}

/** The shipped subjects, read once per module load on first use. */
export const shippedSubjects = (): SubjectDefinition[] => (cached ??= read()).subjects
/** The shipped folder context, read once per module load on first use. */
export const shippedFolder = (): FolderContext => (cached ??= read()).folder
