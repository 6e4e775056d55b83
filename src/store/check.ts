/**
 * The part of a store reload that reads and parses a policy folder, run off the main thread with a
 * time budget, and the snapshot that tells a folder at rest from one being written.
 */
import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { readdir, readFile, realpath, stat } from 'node:fs/promises'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
import type { PolicyProblem } from '../errors.js'
import { checkPolicies, type CheckResult, type LoadOptions } from '../folder/load.js'
import { problem } from '../load/yaml-source.js'
import { markValidated } from '../validate/policy.js'

/** What the store needs of a check: plain data, so it can come from a worker thread. */
export type StoreCheck = Pick<CheckResult, 'policies' | 'problems' | 'files' | 'subjects'>

/** The options a worker can be given: no functions cross a thread. */
export type WorkerLoadOptions = Pick<LoadOptions, 'limits' | 'lock' | 'followSymlinks'>

export interface CheckRequest {
  dir: string
  options: WorkerLoadOptions
}

export type CheckAnswer = { checked: StoreCheck } | { error: string }

/** Default time budget of one check off the main thread. */
export const DEFAULT_PARSE_BUDGET_MS = 2000

/** dist/store-worker.js beside this bundle; from the sources (tests), the built one; undefined when neither exists. */
export function storeWorkerFile(): string | undefined {
  const candidates = [new URL('./store-worker.js', import.meta.url), new URL('../../dist/store-worker.js', import.meta.url)]
  for (const url of candidates) {
    const file = fileURLToPath(url)
    if (existsSync(file)) return file
  }
  return undefined
}

/**
 * Checks the folder in a worker thread that is ended when it runs over `budgetMs` (E_TIME_LIMIT) or
 * out of its heap (E_YAML_LIMIT). The policies that come back are marked validated: the worker
 * validated them, and the structured clone that carried them lost the mark.
 */
export function checkInWorker(file: string, request: CheckRequest, budgetMs: number): Promise<StoreCheck> {
  return new Promise((resolve) => {
    const worker = new Worker(file, { workerData: request, resourceLimits: { maxOldGenerationSizeMb: 256 } })
    let done = false
    const finish = (checked: StoreCheck) => {
      if (done) return
      done = true
      clearTimeout(timer)
      void worker.terminate()
      resolve(checked)
    }
    const refused = (code: PolicyProblem['code'], message: string): StoreCheck => ({
      policies: [],
      files: [],
      subjects: [],
      problems: [problem(request.dir, code, message)],
    })
    const timer = setTimeout(
      () =>
        finish(
          refused(
            'E_TIME_LIMIT',
            `checking ${request.dir} took longer than ${budgetMs} ms (parseBudgetMs); keeping the policies already served`,
          ),
        ),
      budgetMs,
    )
    worker.on('message', (answer: CheckAnswer) => {
      if ('error' in answer) return finish(refused('E_IO', `cannot load ${request.dir}: ${answer.error}`))
      for (const p of answer.checked.policies) markValidated(p)
      finish(answer.checked)
    })
    worker.on('error', (err: NodeJS.ErrnoException) => {
      const memory = err.code === 'ERR_WORKER_OUT_OF_MEMORY'
      finish(
        refused(memory ? 'E_YAML_LIMIT' : 'E_IO', `checking ${request.dir} ${memory ? 'ran out of memory' : `failed: ${err.message}`}`),
      )
    })
    worker.on('exit', (code) => finish(refused('E_IO', `checking ${request.dir} stopped (exit code ${code})`)))
  })
}

/** Checks in the main thread (no worker file, or options a worker cannot take). */
export async function checkHere(dir: string, options: LoadOptions): Promise<StoreCheck> {
  const { policies, problems, files, subjects } = await checkPolicies(dir, options)
  return { policies, problems, files, subjects }
}

/**
 * What the folder holds now, as one string: where it resolves to (symbolic links followed) and the
 * SHA-256 of every file below it. Two equal snapshots a quiet period apart: the folder was at rest.
 */
export async function snapshotFolder(dir: string, extra: readonly string[] = []): Promise<string> {
  let root: string
  try {
    root = await realpath(dir)
  } catch (err) {
    return `missing ${(err as NodeJS.ErrnoException).code ?? String(err)}`
  }
  const lines: string[] = [root]
  const visit = async (p: string, depth: number): Promise<void> => {
    let info
    try {
      info = await stat(p)
    } catch (err) {
      lines.push(`${relative(root, p)} ${(err as NodeJS.ErrnoException).code ?? 'unreadable'}`)
      return
    }
    if (info.isDirectory()) {
      if (depth > 32) return
      const entries = await readdir(p).catch(() => [] as string[])
      for (const e of entries.sort()) if (!e.startsWith('.') && e !== 'node_modules') await visit(join(p, e), depth + 1)
    } else if (info.isFile()) {
      // a file too large to load is refused whatever it holds: its size and time tell enough
      if (info.size > 16 * 1024 * 1024) lines.push(`${relative(root, p)} ${info.size} ${info.mtimeMs}`)
      else {
        const bytes = await readFile(p).catch(() => undefined)
        lines.push(`${relative(root, p)} ${bytes ? createHash('sha256').update(bytes).digest('hex') : 'unreadable'}`)
      }
    }
  }
  await visit(root, 0)
  for (const file of extra) await visit(file, 0)
  return lines.join('\n')
}
