/**
 * Worker thread of the live store (built to dist/store-worker.js): loads and checks one policy
 * folder, the part of a reload that parses YAML, and posts the result back. The main thread keeps
 * answering decisions meanwhile, and ends this thread when it runs over its time budget.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { checkPolicies } from '../folder/load.js'
import type { CheckRequest, CheckAnswer } from './check.js'

const request = workerData as CheckRequest
checkPolicies(request.dir, request.options).then(
  (checked) => {
    const answer: CheckAnswer = {
      checked: { policies: checked.policies, problems: checked.problems, files: checked.files, subjects: checked.subjects },
    }
    parentPort?.postMessage(answer)
  },
  (err: unknown) => {
    const answer: CheckAnswer = { error: err instanceof Error ? err.message : String(err) }
    parentPort?.postMessage(answer)
  },
)
