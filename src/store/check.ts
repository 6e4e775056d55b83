/**
 * The part of a store reload that reads and parses a policy folder, run off the main thread with a
 * time budget, and the snapshot that tells a folder at rest from one being written.
 */
import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { readFile, realpath, stat } from 'node:fs/promises'
import { relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
import type { PolicyProblem } from '../errors.js'
import type { Policy } from '../model.js'
import { checkPolicies, type CheckResult, type LoadOptions } from '../folder/load.js'
import { walkFolder } from '../folder/walk.js'
import { problem } from '../read/yaml-source.js'
import { receivedPolicy } from '../validate/policy.js'

/** What the store needs of a check: plain data, so it can come from a worker thread. */
export type StoreCheck = Pick<CheckResult, 'policies' | 'problems' | 'files' | 'subjects'> & {
  lock?: CheckResult['lock']
}

/** The options a worker can be given: no functions cross a thread. */
export type WorkerLoadOptions = Pick<
  LoadOptions,
  'limits' | 'lock' | 'followSymlinks' | 'requireLock' | 'trust' | 'minRelease'
>

export interface CheckRequest {
  seq: number
  dir: string
  options: WorkerLoadOptions
}

export type CheckAnswer = { seq: number } & ({ checked: StoreCheck } | { error: string })

/** Default time budget of one check off the main thread. */
export const DEFAULT_PARSE_BUDGET_MS = 2000

/** dist/store-worker.js beside this bundle; from the sources (tests), the built one; undefined when neither exists. */
export function storeWorkerFile(): string | undefined {
  const candidates = [
    new URL('./store-worker.js', import.meta.url),
    new URL('../../dist/store-worker.js', import.meta.url),
  ]
  for (const url of candidates) {
    const file = fileURLToPath(url)
    if (existsSync(file)) return file
  }
  return undefined
}

const refused = (dir: string, code: PolicyProblem['code'], message: string): StoreCheck => ({
  policies: [],
  files: [],
  subjects: [],
  problems: [problem(dir, code, message)],
})

/**
 * A worker thread that checks folders one request at a time. A check that runs over its budget ends
 * the thread (E_TIME_LIMIT), as does one that runs out of its heap (E_YAML_LIMIT); the next check
 * starts a new one. The thread never keeps the process alive.
 */
export class CheckWorker {
  private worker: Worker | undefined
  private seq = 0
  private readonly waiting = new Map<number, { dir: string; worker: Worker; finish: (checked: StoreCheck) => void }>()

  constructor(private readonly file: string) {}

  /** The folder's check; the policies that come back are built again by the validator (the clone lost its mark). */
  check(dir: string, options: WorkerLoadOptions, budgetMs: number): Promise<StoreCheck> {
    const worker = this.started()
    const seq = ++this.seq
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.stop(worker)
        finish(
          refused(
            dir,
            'E_TIME_LIMIT',
            `checking ${dir} took longer than ${budgetMs} ms (parseBudgetMs); keeping the policies already served`,
          ),
        )
      }, budgetMs)
      const finish = (checked: StoreCheck) => {
        if (!this.waiting.delete(seq)) return
        clearTimeout(timer)
        resolve(checked)
      }
      this.waiting.set(seq, { dir, worker, finish })
      worker.postMessage({ seq, dir, options } satisfies CheckRequest)
    })
  }

  /** Ends the thread; checks waiting on it are refused. */
  close(): void {
    if (this.worker) this.stop(this.worker)
  }

  private started(): Worker {
    if (this.worker) return this.worker
    const worker = new Worker(this.file, { resourceLimits: { maxOldGenerationSizeMb: 256 } })
    worker.unref()
    worker.on('message', (answer: CheckAnswer) => {
      const w = this.waiting.get(answer.seq)
      if (!w) return
      if ('error' in answer) return w.finish(refused(w.dir, 'E_IO', `cannot load ${w.dir}: ${answer.error}`))
      // the clone lost the validator's mark: the validator builds each policy again, and refuses one it would not
      const policies = answer.checked.policies.map(receivedPolicy)
      if (policies.some((p) => p === undefined))
        return w.finish(refused(w.dir, 'E_IO', `cannot load ${w.dir}: the worker sent a policy the validator refuses`))
      w.finish({ ...answer.checked, policies: policies as Policy[] })
    })
    worker.on('error', (err: NodeJS.ErrnoException) => {
      const memory = err.code === 'ERR_WORKER_OUT_OF_MEMORY'
      this.fail(worker, memory ? 'E_YAML_LIMIT' : 'E_IO', memory ? 'ran out of memory' : `failed: ${err.message}`)
    })
    worker.on('exit', (code) => this.fail(worker, 'E_IO', `stopped (exit code ${code})`))
    this.worker = worker
    return worker
  }

  private stop(worker: Worker): void {
    if (this.worker === worker) this.worker = undefined
    void worker.terminate()
  }

  private fail(worker: Worker, code: PolicyProblem['code'], what: string): void {
    if (this.worker === worker) this.worker = undefined
    for (const w of [...this.waiting.values()])
      if (w.worker === worker) w.finish(refused(w.dir, code, `checking ${w.dir} ${what}`))
  }
}

/** Checks in the main thread (no worker file, or options a worker cannot take). */
export async function checkHere(dir: string, options: LoadOptions): Promise<StoreCheck> {
  const { policies, problems, files, subjects, lock } = await checkPolicies(dir, options)
  return { policies, problems, files, subjects, lock }
}

/**
 * The files a load reads: policies, tests, the declaration, record schemas, the lock. A log growing beside them must
 * not keep a reload from settling.
 */
const LOADED = /\.(ya?ml|json)$/i

/**
 * What the folder holds now, as one string: where it resolves to (symbolic links followed) and the
 * SHA-256 of every YAML and JSON file below it. Two equal snapshots a quiet period apart: the folder was at rest.
 */
export async function snapshotFolder(dir: string, extra: readonly string[] = []): Promise<string> {
  let root: string
  try {
    root = await realpath(dir)
  } catch (err) {
    return `missing ${(err as NodeJS.ErrnoException).code ?? String(err)}`
  }
  const lines: string[] = [root]
  const visitor = {
    file: async (p: string, depth: number) => {
      if (depth > 0 && !LOADED.test(p)) return
      const info = await stat(p).catch((err: NodeJS.ErrnoException) => err)
      if (info instanceof Error) return void lines.push(`${relative(root, p)} ${info.code ?? 'unreadable'}`)
      // a file too large to load is refused whatever it holds: its size and time tell enough
      if (info.size > 16 * 1024 * 1024) lines.push(`${relative(root, p)} ${info.size} ${info.mtimeMs}`)
      else {
        const bytes = await readFile(p).catch(() => undefined)
        lines.push(`${relative(root, p)} ${bytes ? createHash('sha256').update(bytes).digest('hex') : 'unreadable'}`)
      }
    },
    // a link back to a folder that holds it: noted, not walked
    loop: (p: string) => void lines.push(`${relative(root, p)} loop`),
    unreadable: (p: string, err: NodeJS.ErrnoException) =>
      void lines.push(`${relative(root, p)} ${err.code ?? 'unreadable'}`),
  }
  await walkFolder(root, visitor)
  for (const file of extra) await walkFolder(file, visitor)
  return lines.join('\n')
}
