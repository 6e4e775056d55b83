/** A real shadow report for the page tests: a store shadowing a stricter onboarding 1.1.0 on a few records. */
import { watchPolicies, type ShadowReport } from '../../src/index.js'
import { example, newOnboardingVersion, OLD_FILE, NEW_FILE, ONBOARDING, scratchPolicies } from '../store/helpers.js'

export async function shadowReportOf(names: readonly string[]): Promise<ShadowReport> {
  const scratch = scratchPolicies()
  try {
    // 1.1.0 from 2027-01-01 asks 4 years in operation: not in effect on the asOf below, so 1.0.0 serves
    scratch.write(NEW_FILE, newOnboardingVersion(scratch.read(OLD_FILE), '2027-01-01', 4).next)
    const store = await watchPolicies(scratch.dir, {
      ...{ watch: false, worker: false, lock: false },
      shadow: { candidates: [{ policy: ONBOARDING, version: '1.1.0' }] },
    })
    try {
      for (const name of names) await store.decide(example('applications', name), { asOf: '2026-11-24' })
      // the shadow works on later turns of the event loop (bounded)
      for (let i = 0; i < 1000 && store.shadowReport()!.queued > 0; i++) await new Promise((r) => setImmediate(r))
      return store.shadowReport()!
    } finally {
      store.close()
    }
  } finally {
    scratch.remove()
  }
}
