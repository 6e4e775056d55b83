import { parseArgs } from 'node:util'
import type { PolicyWarning } from '../../errors.js'
import { checkPolicies } from '../../folder/load.js'
import { isValid, VALIDATION_REPORTERS } from '../../report/validation.js'
import { paintFor } from '../colour.js'
import { displayPath } from '../display.js'
import { EXIT, formatOption, statArg, UsageError, type Io } from '../io.js'
import { folderOrShipped } from '../discover.js'

export const validateHelp = `Usage: collabgate validate [options] [PATH...]

Checks policy files (YAML) in PATH (files or folders; default: the shipped
policies/) and reports every problem in every file, each with its code,
file:line:column and a sentence saying what to change.

Also checks the folder's declaration (collabgate.yaml: record kinds and
their schemas) and the lock file, the manifest of the folder
(policies.lock.json in the first folder): a released entry whose content
changed (E_LOCK_MISMATCH), a released entry whose file is gone
(E_LOCK_MISSING), and, in a locked folder, any policy version, record
schema or collabgate.yaml the lock does not list (E_UNRELEASED: run
'collabgate lock' to release it) are errors. A folder without a lock is a
warning (W_NO_LOCK), or an error with --require-lock.

Options:
  --format FMT       text (default), json, or github (::error annotations
                     for GitHub Actions)
  --lock FILE        the lock file to check (default: PATH/policies.lock.json)
  --no-lock          do not check the lock (scratch work)
  --require-lock     fail when the folder has no lock (E_LOCK_REQUIRED)
  --trust FILE       the lock must also be signed and approved as the trust
                     file requires (E_RELEASE_*; implies --require-lock)
  --follow-symlinks  read files whose symbolic links lead outside PATH
                     (refused by default: E_SYMLINK)
  -h, --help         show this help

Exit: 0 all policies valid; 1 a policy is invalid or changed without a
version bump; 2 usage or I/O errors.

Examples:
  collabgate validate
  collabgate validate policies/ --format github
  collabgate validate my-policy.v1.2.0.yaml --format json
`

/** @deprecated the library's PolicyWarning */
export type ValidateWarning = PolicyWarning

export async function validateCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      format: { type: 'string', default: 'text' },
      lock: { type: 'string' },
      'no-lock': { type: 'boolean', default: false },
      'require-lock': { type: 'boolean', default: false },
      trust: { type: 'string' },
      'follow-symlinks': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
  })
  if (values.help) {
    io.stdout(validateHelp)
    return EXIT.OK
  }
  const format = formatOption(values.format, ['text', 'json', 'github'])
  const paths = positionals.length > 0 ? positionals : [await folderOrShipped(io, 'validate')]
  for (const p of paths) await statArg(p)

  if (values.lock !== undefined && values['no-lock'])
    throw new UsageError('--lock and --no-lock contradict each other; give one')
  if (values.trust !== undefined && values['no-lock'])
    throw new UsageError('--trust checks the lock; it cannot go with --no-lock')
  if (values.trust !== undefined) await statArg(values.trust)
  if (values.lock !== undefined) await statArg(values.lock)
  const checked = await checkPolicies(paths, {
    displayName: displayPath,
    lock: values['no-lock'] ? false : (values.lock ?? true),
    requireLock: values['require-lock'],
    ...(values.trust === undefined ? {} : { trust: values.trust }),
    followSymlinks: values['follow-symlinks'],
  })
  io.stdout(VALIDATION_REPORTERS[format]({ checked, paths }, { paint: paintFor(io) }))
  if (checked.problems.some((p) => p.code === 'E_IO')) return EXIT.USAGE
  return isValid(checked) ? EXIT.OK : EXIT.FAILED
}
