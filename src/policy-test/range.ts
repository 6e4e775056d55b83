/**
 * Semver ranges for policy tests (`versions: ">=1.0.0 <2.0.0"`), read by the `semver` package exactly as npm reads
 * them: `^1.2` admits 1.5.0, `>=1.0.0-rc.2` admits `rc.10`, and `*` admits no pre-release.
 */
import Range from 'semver/classes/range.js'

type Test = (version: string) => boolean

/** The range as a test of a version, or undefined when the range cannot be read. */
export function versionRange(range: string): Test | undefined {
  let parsed: Range
  try {
    parsed = new Range(range)
  } catch {
    return undefined
  }
  return (v) => parsed.test(v)
}
