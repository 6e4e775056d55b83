import { folderOrShipped } from '../discover.js'
import { stat } from 'node:fs/promises'
import { parseArgs } from 'node:util'
import { displayPath } from '../display.js'
import { CollabgateError, PolicyValidationError } from '../../errors.js'
import { diffPolicies, hasDifferences } from '../../diff/diff.js'
import { formatPolicyDiffText } from '../../report/diff.js'
import { checkPolicies, type CheckResult } from '../../folder/load.js'
import type { Policy } from '../../model.js'
import { EXIT, formatOption, UsageError, type Io } from '../io.js'

export const diffHelp = `Usage: collabgate diff [options] OLD NEW

Shows what changed between two policy versions, rule by rule: rules added,
removed and changed (conditions, outcome, message, title, source), and the
policy's effective window, outcomes and default outcome.

OLD and NEW are policy files, or ID@VERSION looked up in --policies DIR.

Options:
  --policies DIR     where ID@VERSION is looked up (default: the shipped policies/)
  --format FMT       text (default) or json
  --exit-code        exit 1 when the two versions differ (like git diff --exit-code)
  -h, --help         show this help

Exit: 0 diff shown (with --exit-code: no differences); 1 the versions differ
(--exit-code only) or a policy is invalid; 2 usage or I/O errors.

Examples:
  collabgate diff policies/onboarding.v1.0.0.yaml policies/onboarding.v1.1.0.yaml
  collabgate diff creator-collaboration.us.onboarding@1.0.0 creator-collaboration.us.onboarding@1.1.0
  collabgate diff --policies my-policies/ --format json acme.onboarding@1.0.0 acme.onboarding@2.0.0
`

const isFile = async (p: string) => {
  try {
    return (await stat(p)).isFile()
  } catch {
    return false
  }
}

/** Diff reads versions as written, released or not, and names files as the working directory does. */
const AUTHORING = { displayName: displayPath, lock: false } as const

/** The policies folder, checked at most once however many sides name ID@VERSION in it. */
interface Folder {
  dir: string
  check: () => Promise<CheckResult>
}

/** Resolves one side of the diff: a policy file, or ID@VERSION in the policies folder. */
async function resolveSide(arg: string, folder: Folder): Promise<Policy> {
  if (await isFile(arg)) {
    const { policies, problems } = await checkPolicies([arg], AUTHORING)
    if (problems.length > 0) throw new PolicyValidationError(problems)
    if (policies.length !== 1) throw new UsageError(`${arg} holds no policy`)
    return policies[0]!
  }
  const m = /^([^@\s]+)@([^@\s]+)$/.exec(arg)
  if (!m) throw new UsageError(`${arg} is neither a policy file nor ID@VERSION`)
  const [, id, version] = m as unknown as [string, string, string]
  const { dir } = folder
  const { policies, problems } = await folder.check()
  const hit = policies.find((p) => p.id === id && p.version === version)
  if (hit) return hit
  // The version may be missing because its file is broken: show why rather than "not found".
  if (problems.length > 0) throw new PolicyValidationError(problems)
  const versions = policies.filter((p) => p.id === id).map((p) => p.version)
  throw new CollabgateError(
    'E_POLICY_NOT_FOUND',
    versions.length > 0
      ? `policy '${id}' has no version ${version} in ${dir}; versions: ${versions.join(', ')}`
      : `no policy '${id}' in ${dir}`,
  )
}

export async function diffCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      policies: { type: 'string' },
      format: { type: 'string', default: 'text' },
      'exit-code': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  })
  if (values.help) {
    io.stdout(diffHelp)
    return EXIT.OK
  }
  formatOption(values.format, ['text', 'json'])
  if (positionals.length !== 2) throw new UsageError(`diff takes two policies, OLD and NEW\n\n${diffHelp}`)
  const dir = values.policies ?? (await folderOrShipped(io, 'diff'))
  let checked: Promise<CheckResult> | undefined
  const folder: Folder = { dir, check: () => (checked ??= checkPolicies(dir, AUTHORING)) }
  const before = await resolveSide(positionals[0]!, folder)
  const after = await resolveSide(positionals[1]!, folder)
  const diff = diffPolicies(before, after)
  io.stdout(values.format === 'json' ? JSON.stringify(diff, null, 2) + '\n' : formatPolicyDiffText(diff))
  return values['exit-code'] && hasDifferences(diff) ? EXIT.FAILED : EXIT.OK
}
