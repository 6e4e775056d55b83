import { mkdir, stat, writeFile } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { PolicyValidationError } from '../../errors.js'
import { checkPolicies, lockOfFolder } from '../../folder/load.js'
import { formatLock, LOCK_FILE_NAME } from '../../lock/lock.js'
import { displayPath } from '../display.js'
import { EXIT, UsageError, type Io } from '../io.js'

export const initHelp = `Usage: collabgate init [DIR]

Writes a working policy repository into DIR (default: the working directory):
collabgate.yaml (the record kinds it judges; commands run anywhere below DIR
use this folder instead of the shipped policies), a record schema, a policy,
its tests, the lock (release 1) and a GitHub Actions workflow. Files name
their JSON Schemas under node_modules/collabgate/schemas/, so editors check
them once the project depends on collabgate. Nothing is overwritten: when one
of the files exists, nothing is written.

Then: collabgate validate, collabgate test --coverage, collabgate lock.

Options:
  -h, --help         show this help

Exit: 0 written; 2 a file exists already, or DIR cannot be written.
`

const SCHEMAS = 'node_modules/collabgate/schemas'
const BASE_RECORD = { applicationId: 'APP-1', country: 'US', yearsInOperation: 2 }

/** The files of a new policy repository, by path below DIR (the lock is computed from them). */
const FILES: Readonly<Record<string, string>> = {
  'collabgate.yaml': `# yaml-language-server: $schema=${SCHEMAS}/folder.schema.json
# The kinds of record this repository's policies judge. Commands run in this folder (or below it)
# use its policies; once a record schema is in policies.lock.json, its file is immutable.
subjects:
  application:
    id: applicationId
    recognise: { fact: applicationId, operator: present, value: true }
    schemas:
      1.0.0: records/application.v1.0.0.schema.json
`,
  'records/application.v1.0.0.schema.json': `${JSON.stringify(
    {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      title: 'Application record',
      type: 'object',
      additionalProperties: false,
      required: ['applicationId', 'country', 'yearsInOperation'],
      properties: {
        applicationId: { type: 'string', minLength: 1 },
        country: { description: 'Country of registration, e.g. US.', type: 'string', pattern: '^[A-Z]{2}$' },
        yearsInOperation: { type: 'number', minimum: 0 },
      },
    },
    null,
    2,
  )}\n`,
  'acme.onboarding.v1.0.0.yaml': `# yaml-language-server: $schema=${SCHEMAS}/policy.schema.json
# A first policy: rename the id (and the file), change the rules, then validate, test and lock.
id: acme.onboarding
version: 1.0.0
title: Acme onboarding
subject: application
effective:
  from: "2026-01-01"
outcomes: [reject, manual_review, approve]
default: approve

rules:
  - id: ONB-SCOPE-US
    title: The applicant is registered in the United States
    source: { status: modelled, from: "Say where this rule comes from" }
    outcome: reject
    require: { fact: country, operator: equal, value: US }
    message: "Application {{ applicationId }} is registered in {{ country }}, not in the US."

  - id: ONB-EXPERIENCE
    title: The applicant has been in operation for at least a year
    source: { status: modelled, from: "Say where this rule comes from" }
    outcome: manual_review
    require: { fact: yearsInOperation, operator: greaterThanInclusive, value: 1 }
    message: "Application {{ applicationId }} has {{ yearsInOperation }} year(s) in operation; a person reviews it."
`,
  'acme.onboarding.test.yaml': `# yaml-language-server: $schema=${SCHEMAS}/policy-test.schema.json
policy: acme.onboarding
asOf: "2026-06-01"
base: test-records/application.json
cases:
  - name: a US applicant with two years in operation is approved
    expect: { outcome: approve, rules: [] }
  - name: an applicant registered elsewhere is rejected
    patch: { country: CA }
    expect: { outcome: reject, rules: [ONB-SCOPE-US], messages: { ONB-SCOPE-US: "registered in CA, not in the US" } }
  - name: exactly one year in operation is enough
    patch: { yearsInOperation: 1 }
    expect: { outcome: approve, rules: [] }
  - name: less than a year goes to a person
    patch: { yearsInOperation: 0.5 }
    expect: { outcome: manual_review, rules: [ONB-EXPERIENCE] }
`,
  'test-records/application.json': `${JSON.stringify(BASE_RECORD, null, 2)}\n`,
  '.github/workflows/policies.yml': `# Checks the policies on every pull request: problems, tests, lock.
name: policies
on: [pull_request, push]
permissions:
  contents: read
jobs:
  check:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-node@v4
        with:
          node-version: 20
      - run: npm ci
      - run: npx collabgate validate --require-lock --format github
      - run: npx collabgate test --coverage --min-coverage 100
`,
}

export async function initCommand(argv: string[], io: Io): Promise<number> {
  const options = { help: { type: 'boolean', short: 'h' } } as const
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options })
  if (values.help) {
    io.stdout(initHelp)
    return EXIT.OK
  }
  if (positionals.length > 1) throw new UsageError('init takes one DIR: the folder to make a policy repository of')
  const dir = resolve(positionals[0] ?? '.')
  const paths = [...Object.keys(FILES), LOCK_FILE_NAME].map((p) => join(dir, p))
  // all or nothing: an author's file is never replaced, and a half-written repository is never left
  const existing: string[] = []
  for (const p of paths)
    if (
      await stat(p).then(
        () => true,
        () => false,
      )
    )
      existing.push(displayPath(p))
  const refusal = `init writes nothing: ${existing.join(', ')} exist(s) already; choose an empty DIR`
  if (existing.length > 0) throw new UsageError(refusal)
  try {
    for (const [name, text] of Object.entries(FILES)) {
      await mkdir(dirname(join(dir, name)), { recursive: true })
      await writeFile(join(dir, name), text, { encoding: 'utf8', flag: 'wx' })
    }
    const checked = await checkPolicies(dir, { lock: false })
    // the templates are the package's own: a problem here is a bug, reported as such
    if (checked.problems.length > 0) throw new PolicyValidationError(checked.problems)
    await writeFile(join(dir, LOCK_FILE_NAME), formatLock(lockOfFolder(checked), 1), { encoding: 'utf8', flag: 'wx' })
  } catch (err) {
    if (err instanceof PolicyValidationError) throw err
    throw new UsageError(`cannot write in ${displayPath(dir)}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`)
  }
  const list = paths.map((p) => `  ${displayPath(p)}\n`).join('')
  io.stdout(`wrote a policy repository in ${displayPath(dir) || '.'}:\n${list}`)
  io.stdout('next: collabgate validate, collabgate test --coverage, collabgate lock (run there: they use it)\n')
  return EXIT.OK
}
