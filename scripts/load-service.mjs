/**
 * What the load runs share (scripts/load.mjs and its fault harness, scripts/load-faults.mjs): a scratch copy of
 * the shipped policies, the example service started as a child process on 127.0.0.1, and the mix of example
 * records sent to it.
 */
import { spawn } from 'node:child_process'
import { cpSync, readFileSync, realpathSync } from 'node:fs'
import { join } from 'node:path'
import { createInterface } from 'node:readline'

/** The shipped policies without their tests: what a deployment would hold (links followed: no link out). */
export function copyPolicies(from, to, drop = () => false) {
  cpSync(realpathSync(from), to, {
    recursive: true,
    dereference: true,
    filter: (src) => !/\.test\.ya?ml$|test-records|policies\.parsed\.json$/.test(src) && !drop(src),
  })
}

/** The traffic of a load: each example record, and the policy asked for when it is not the default. */
export const EXAMPLE_CASES = [
  ['', 'applications/complete-us-developer.json'],
  ['', 'applications/missing-details.json'],
  ['', 'applications/rejected-multiple-reasons.json'],
  ['creator-collaboration.us.api-access', 'applications/approved-for-api-access.json'],
  ['', 'behaviour/confirmed-data-leak.json'],
  ['', 'behaviour/suspected-fraud.json'],
]

/** A request of the mix: its path for `asOf` (and `policy`) and the example record's text as its body. */
export const decisionCase = (root, asOf, policy, file) => ({
  asOf,
  policy,
  file,
  path: `/v1/decisions?asOf=${asOf}${policy ? `&policy=${policy}` : ''}`,
  body: readFileSync(join(root, 'examples', file), 'utf8'),
})

/**
 * Starts examples/service/server.mjs on a free port of 127.0.0.1 over `policies`, with `args` after the common
 * ones. Its stdout is read as JSON events; `waitFor` resolves to the first event that matches (seen or to come),
 * `listening()` to the service's URL, or rejects saying why it did not start (its exit, its stderr, the time).
 */
export function startService({ root, policies, connections, args = [], env = {}, echoStderr = true }) {
  const child = spawn(
    process.execPath,
    [
      join(root, 'examples/service/server.mjs'),
      '--policies',
      policies,
      '--port',
      '0',
      '--max-connections-per-ip',
      String(connections + 16),
      ...args,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } },
  )
  let stderr = ''
  child.stderr.on('data', (d) => {
    stderr = (stderr + d).slice(-4000)
    if (echoStderr) process.stderr.write(d)
  })
  const exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)))
  const events = []
  const waiters = []
  createInterface({ input: child.stdout }).on('line', (line) => {
    if (!line.startsWith('{')) return
    if (process.env.FAULTS_DEBUG) process.stderr.write(line.slice(0, 300) + '\n')
    let event
    try {
      event = JSON.parse(line)
    } catch {
      return
    }
    events.push(event)
    for (const w of [...waiters]) {
      if (!w.match(event)) continue
      waiters.splice(waiters.indexOf(w), 1)
      w.resolve(event)
    }
  })
  const waitFor = (match, what, ms = 10_000) =>
    new Promise((resolve, reject) => {
      const hit = events.find(match)
      if (hit) return resolve(hit)
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms).unref()
      waiters.push({ match, resolve: (e) => (clearTimeout(timer), resolve(e)) })
    })
  const listening = async (ms = 15_000) => {
    const started = waitFor((e) => e.event === 'listening', 'the service to listen', ms).then((e) => e.url)
    const ended = exited.then((code) => {
      throw new Error(stderr.trim().split('\n')[0] || `it exited (${code}) before listening`)
    })
    const url = await Promise.race([started, ended]).catch((err) => {
      throw new Error(stderr.trim().split('\n')[0] || err.message)
    })
    const host = new URL(url).hostname
    if (host !== '127.0.0.1') throw new Error(`refusing to load ${host}: loopback only`)
    return url
  }
  return { child, exited, events, waitFor, listening }
}
