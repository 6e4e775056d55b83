import { describe, expect, it } from 'vitest'
import { versionRange } from '../../src/policy-test/range.js'

const VERSIONS = ['0.9.0', '1.0.0', '1.0.1', '1.1.0', '1.2.0-beta.1', '1.2.0', '2.0.0']
const matching = (range: string) => VERSIONS.filter(versionRange(range)!)

describe('versionRange', () => {
  it.each([
    // as npm reads ranges: a pre-release matches only a comparator with a pre-release of the same major.minor.patch
    ['>=1.0.0', ['1.0.0', '1.0.1', '1.1.0', '1.2.0', '2.0.0']],
    ['>1.0.0 <1.2.0', ['1.0.1', '1.1.0']],
    ['>=1.2.0-beta.0', ['1.2.0-beta.1', '1.2.0', '2.0.0']],
    ['1.1.0', ['1.1.0']],
    ['=1.1.0', ['1.1.0']],
    ['^1.1.0', ['1.1.0', '1.2.0']],
    ['~1.0.0', ['1.0.0', '1.0.1']],
    ['^0.9.0', ['0.9.0']],
    ['1.x', ['1.0.0', '1.0.1', '1.1.0', '1.2.0']],
    ['1.0.*', ['1.0.0', '1.0.1']],
    ['*', VERSIONS.filter((v) => !v.includes('-'))],
    ['1.0.0 - 1.1.0', ['1.0.0', '1.0.1', '1.1.0']],
    ['<1.0.0 || >=2.0.0', ['0.9.0', '2.0.0']],
    ['>= 1.1.0', ['1.1.0', '1.2.0', '2.0.0']],
    ['<=1.x', ['0.9.0', '1.0.0', '1.0.1', '1.1.0', '1.2.0']],
  ])('%s', (range, expected) => {
    expect(matching(range)).toEqual(expected)
  })

  it('agrees with npm where the hand-written ranges did not', () => {
    const admits = (range: string, version: string) => versionRange(range)!(version)
    for (const v of ['1.3.0', '1.4.0', '1.5.0']) expect(admits('^1.2', v), `^1.2 ${v}`).toBe(true)
    expect(admits('^1.2', '2.0.0')).toBe(false)
    expect(admits('>=1.0.0-rc.2', '1.0.0-rc.10')).toBe(true) // numeric identifiers compare as numbers
    expect(admits('>=1.0.0-rc.2', '1.0.0-rc.1')).toBe(false)
    expect(admits('*', '2.0.0-alpha.1')).toBe(false)
  })

  it('cannot read what is no range', () => {
    for (const bad of ['latest', '>=1.0.0.0', '1.0.0 -', '=>1.0.0', '^one']) expect(versionRange(bad), bad).toBeUndefined()
  })
})
