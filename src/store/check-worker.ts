/**
 * Worker thread of the live store (built to dist/store-worker.js): loads and checks a policy
 * folder on request, the part of a reload that parses YAML, and posts the result back. The main
 * thread keeps answering decisions meanwhile, and ends this thread when a check runs over its time
 * budget. One thread serves a store's reloads one after another, so only the first pays its start.
 */
import { parentPort } from 'node:worker_threads'
import { checkPolicies } from '../folder/load.js'
import type { CheckAnswer, CheckRequest } from './check.js'

parentPort?.on('message', (request: CheckRequest) => {
  checkPolicies(request.dir, request.options).then(
    (checked) => {
      const answer: CheckAnswer = {
        seq: request.seq,
        checked: {
          policies: checked.policies,
          problems: checked.problems,
          files: checked.files,
          subjects: checked.subjects,
          lock: checked.lock,
        },
      }
      parentPort?.postMessage(answer)
    },
    (err: unknown) => {
      const answer: CheckAnswer = { seq: request.seq, error: err instanceof Error ? err.message : String(err) }
      parentPort?.postMessage(answer)
    },
  )
})
