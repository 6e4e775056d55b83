/** The shipped folder's declaration, as checkPolicyDocument takes it: tests that check one document at a time use it. */
import { loadFolder, shippedDisplayName } from '../src/folder/declaration.js'
import { defaultPoliciesDir } from '../src/load/package-root.js'
import type { FolderContext } from '../src/validate/policy.js'

const folder = await loadFolder(defaultPoliciesDir(), shippedDisplayName)
if (folder.problems.length > 0) throw new Error(`the shipped collabgate.yaml has problems: ${JSON.stringify(folder.problems)}`)

export const SHIPPED_SUBJECTS = folder.subjects
export const SHIPPED_FOLDER: FolderContext = { subjects: new Map(folder.subjects.map((s) => [s.name, s])) }
