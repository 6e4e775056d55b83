// Loaded with `node --import` by test/cli/start-up.test.ts: appends `FORMAT URL` of every module Node loads to the
// file named by COLLABGATE_TRACE_MODULES (the hooks run on their own thread, so they write rather than return)
import { appendFileSync } from 'node:fs'
import { register } from 'node:module'

const hooks = `
  import { appendFileSync } from 'node:fs'
  export async function load(url, context, next) {
    const loaded = await next(url, context)
    appendFileSync(process.env.COLLABGATE_TRACE_MODULES, loaded.format + ' ' + url + '\\n')
    return loaded
  }
`
if (process.env.COLLABGATE_TRACE_MODULES) {
  appendFileSync(process.env.COLLABGATE_TRACE_MODULES, '')
  register('data:text/javascript,' + encodeURIComponent(hooks))
}
