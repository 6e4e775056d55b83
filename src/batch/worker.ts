/**
 * Worker thread of a parallel batch (built to dist/batch-worker.js): compiles the policies it is
 * handed once, then answers blocks of lines with blocks of output lines.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { PolicySet } from '../decide/policy-set.js'
import { decideBlock } from './decide-lines.js'
import type { BlockRequest, WorkerSetup } from './pool.js'

const setup = workerData as WorkerSetup
const set = new PolicySet(setup.policies)

parentPort?.on('message', (request: BlockRequest) => {
  const outcome = decideBlock(set, request.firstLine, request.lines, setup.options, setup.maxLineChars)
  parentPort?.postMessage({ seq: request.seq, ...outcome })
})
