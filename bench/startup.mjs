/**
 * Start-up of the CLI, and an earlier commit's CLI beside this one, for `npm run bench`.
 *  - startup(cli): a one-record `decide` and `--version`, each against `node -e 0`, run in turn (A B A B …), the ratio
 *    taken pair by pair and its median reported, so a drift of the shared machine's speed moves both sides alike.
 *  - baselineCli(rev): builds `rev` in a temporary git worktree (its own `tsup`, this checkout's node_modules) and
 *    gives the path of its dist/cli.js, so its batch and start-up can be timed in the same run as today's.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

function wallMs(args, cwd) {
  const t = performance.now()
  const out = spawnSync(process.execPath, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' })
  const ms = performance.now() - t
  if (out.status !== 0) throw new Error(`${args.join(' ')} exited with ${out.status}: ${out.stderr.slice(0, 500)}`)
  return ms
}

/** Median wall times and pairwise ratios of a one-record decide and --version against `node -e 0`. */
export function startup(cli, root, { rounds = 11, asOf = '2026-11-24' } = {}) {
  const record = join(root, 'examples', 'applications', 'complete-us-developer.json')
  const decideArgs = [cli, 'decide', record, '--as-of', asOf]
  const versionArgs = [cli, '--version']
  const empty = ['-e', '0']
  for (const a of [decideArgs, versionArgs, empty]) wallMs(a, root) // warm the file cache
  const rows = { decide: [], version: [], node: [], decideRatio: [], versionRatio: [] }
  for (let i = 0; i < rounds; i++) {
    const d = wallMs(decideArgs, root)
    const n1 = wallMs(empty, root)
    const v = wallMs(versionArgs, root)
    const n2 = wallMs(empty, root)
    rows.decide.push(d)
    rows.version.push(v)
    rows.node.push(n1, n2)
    rows.decideRatio.push(d / n1)
    rows.versionRatio.push(v / n2)
  }
  return {
    decide_ms: median(rows.decide),
    version_ms: median(rows.version),
    node_ms: median(rows.node),
    decide_vs_node: median(rows.decideRatio),
    version_vs_node: median(rows.versionRatio),
  }
}

/** Builds `rev` in a temporary worktree; returns its CLI's path and a function that removes the worktree. */
export function baselineCli(rev, root) {
  const dir = mkdtempSync(join(tmpdir(), 'collabgate-baseline-'))
  const tree = join(dir, 'tree')
  execFileSync('git', ['worktree', 'add', '--detach', tree, rev], { cwd: root, stdio: 'ignore' })
  const remove = () => {
    spawnSync('git', ['worktree', 'remove', '--force', tree], { cwd: root, stdio: 'ignore' })
    rmSync(dir, { recursive: true, force: true })
  }
  try {
    symlinkSync(join(root, 'node_modules'), join(tree, 'node_modules'), 'dir')
    execFileSync(process.execPath, [join(root, 'node_modules', 'tsup', 'dist', 'cli-default.js')], {
      cwd: tree,
      stdio: 'ignore',
    })
    const cli = join(tree, 'dist', 'cli.js')
    if (!existsSync(cli)) throw new Error(`building ${rev} gave no dist/cli.js`)
    return { cli, root: tree, remove }
  } catch (err) {
    remove()
    throw err
  }
}

/**
 * Cold and warm load of each build's own shipped folder, in new processes taken in turn (A B A B …), for
 * `--baseline`: `cold` is the first loadPolicies(defaultPoliciesDir()) after importing the library, `warm` the median
 * of the next ten in the same process. Medians over `rounds` processes each.
 */
export function loadBeside(root, baselineRoot, { rounds = 5 } = {}) {
  const once = (dir) => {
    const url = pathToFileURL(join(dir, 'dist', 'index.js')).href
    const code = `const m = await import(${JSON.stringify(url)})
      let t = performance.now(); await m.loadPolicies(m.defaultPoliciesDir()); const cold = performance.now() - t
      const warm = []
      for (let i = 0; i < 10; i++) { t = performance.now(); await m.loadPolicies(m.defaultPoliciesDir()); warm.push(performance.now() - t) }
      console.log(JSON.stringify({ cold, warm: warm.sort((a, b) => a - b)[5] }))`
    const out = spawnSync(process.execPath, ['--input-type=module', '-e', code], { cwd: dir, encoding: 'utf8' })
    if (out.status !== 0) throw new Error(`load in ${dir} failed: ${out.stderr.slice(0, 500)}`)
    return JSON.parse(out.stdout.trim())
  }
  const rows = { this: [], baseline: [] }
  for (let i = 0; i < rounds; i++) {
    rows.this.push(once(root))
    rows.baseline.push(once(baselineRoot))
  }
  const of = (list, k) => median(list.map((r) => r[k]))
  return {
    this: { cold_ms: of(rows.this, 'cold'), warm_ms: of(rows.this, 'warm') },
    baseline: { cold_ms: of(rows.baseline, 'cold'), warm_ms: of(rows.baseline, 'warm') },
  }
}
