// Preloaded into the CLI child (`node --import`) to report the process's peak RSS (kB) at exit.
import { writeFileSync } from 'node:fs'
import { isMainThread } from 'node:worker_threads'

const file = process.env.COLLABGATE_RSS_FILE
if (isMainThread && file) process.on('exit', () => writeFileSync(file, String(process.resourceUsage().maxRSS)))
