/**
 * Semver ranges for policy tests (`versions: ">=1.0.0 <2.0.0"`): the subset npm's ranges most use.
 * A range is alternatives joined by `||`; an alternative is comparators joined by spaces, all of
 * which must hold. A comparator is `1.2.3`/`=1.2.3`, `>`, `>=`, `<`, `<=`, `^1.2.3`, `~1.2.3`, a
 * wildcard (`1.x`, `1.2.*`, `*`) or a hyphen range (`1.0.0 - 1.4.0`).
 */
import { compareVersions, isSemver } from '../validate/policy.js'

type Test = (version: string) => boolean

const cmp = (op: string, bound: string): Test => {
  switch (op) {
    case '>':
      return (v) => compareVersions(v, bound) > 0
    case '>=':
      return (v) => compareVersions(v, bound) >= 0
    case '<':
      return (v) => compareVersions(v, bound) < 0
    case '<=':
      return (v) => compareVersions(v, bound) <= 0
    default:
      return (v) => compareVersions(v, bound) === 0
  }
}

/** A partial version (`1`, `1.2`, `1.x`) as its lower bound and the bound just above it. */
function partial(text: string): { low: string; high: string | undefined } | undefined {
  const parts = text.split('.')
  if (parts.length > 3 || parts.some((p) => !/^(\d+|x|X|\*)$/.test(p))) return undefined
  const nums: number[] = []
  for (const p of parts) {
    if (!/^\d+$/.test(p)) break
    nums.push(Number(p))
  }
  if (nums.length === 3) return { low: nums.join('.'), high: undefined }
  const low = [...nums, 0, 0, 0].slice(0, 3).join('.')
  if (nums.length === 0) return { low, high: undefined }
  const up = [...nums]
  up[up.length - 1]! += 1
  return { low, high: [...up, 0, 0, 0].slice(0, 3).join('.') }
}

function comparator(token: string): Test | undefined {
  if (token === '*' || token === 'x' || token === 'X' || token === '') return () => true
  const m = /^(\^|~|>=|<=|>|<|=)?v?(.+)$/.exec(token)
  if (!m) return undefined
  const op = m[1] ?? ''
  const rest = m[2]!
  if (isSemver(rest)) {
    if (op === '^' || op === '~') {
      const [major, minor, patch] = rest.split(/[.+-]/).map(Number) as [number, number, number]
      const high =
        op === '~' ? `${major}.${minor + 1}.0` : major > 0 ? `${major + 1}.0.0` : minor > 0 ? `0.${minor + 1}.0` : `0.0.${patch + 1}`
      return (v) => compareVersions(v, rest) >= 0 && compareVersions(v, high) < 0
    }
    return cmp(op, rest)
  }
  const p = partial(rest)
  if (!p) return undefined
  if (op === '>') return p.high === undefined ? () => false : cmp('>=', p.high)
  if (op === '<=') return p.high === undefined ? () => true : cmp('<', p.high)
  if (op === '<' || op === '>=') return cmp(op, p.low)
  return (v) => compareVersions(v, p.low) >= 0 && (p.high === undefined || compareVersions(v, p.high) < 0)
}

/** The range as a test of a version, or undefined when the range cannot be read. */
export function versionRange(range: string): Test | undefined {
  const alternatives: Test[] = []
  for (const alt of range.split('||')) {
    const text = alt.trim().replace(/(>=|<=|>|<|=|\^|~)\s+/g, '$1')
    const hyphen = /^(\S+)\s+-\s+(\S+)$/.exec(text)
    const tokens = hyphen ? [`>=${hyphen[1]}`, `<=${hyphen[2]}`] : text.split(/\s+/)
    const tests = tokens.map(comparator)
    if (tests.some((t) => t === undefined)) return undefined
    alternatives.push((v) => tests.every((t) => t!(v)))
  }
  return (v) => alternatives.some((t) => t(v))
}
