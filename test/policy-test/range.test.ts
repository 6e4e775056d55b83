import { describe, expect, it } from 'vitest'
import { versionRange } from '../../src/policy-test/range.js'

const VERSIONS = ['0.9.0', '1.0.0', '1.0.1', '1.1.0', '1.2.0-beta.1', '1.2.0', '2.0.0']
const matching = (range: string) => VERSIONS.filter(versionRange(range)!)

describe('versionRange', () => {
  it.each([
    ['>=1.0.0', ['1.0.0', '1.0.1', '1.1.0', '1.2.0-beta.1', '1.2.0', '2.0.0']],
    ['>1.0.0 <1.2.0', ['1.0.1', '1.1.0', '1.2.0-beta.1']],
    ['1.1.0', ['1.1.0']],
    ['=1.1.0', ['1.1.0']],
    ['^1.1.0', ['1.1.0', '1.2.0-beta.1', '1.2.0']],
    ['~1.0.0', ['1.0.0', '1.0.1']],
    ['^0.9.0', ['0.9.0']],
    ['1.x', ['1.0.0', '1.0.1', '1.1.0', '1.2.0-beta.1', '1.2.0']],
    ['1.0.*', ['1.0.0', '1.0.1']],
    ['*', VERSIONS],
    ['1.0.0 - 1.1.0', ['1.0.0', '1.0.1', '1.1.0']],
    ['<1.0.0 || >=2.0.0', ['0.9.0', '2.0.0']],
    ['>= 1.1.0', ['1.1.0', '1.2.0-beta.1', '1.2.0', '2.0.0']],
    ['<=1.x', ['0.9.0', '1.0.0', '1.0.1', '1.1.0', '1.2.0-beta.1', '1.2.0']],
  ])('%s', (range, expected) => {
    expect(matching(range)).toEqual(expected)
  })

  it('cannot read what is no range', () => {
    for (const bad of ['latest', '>=1.0.0.0', '1.0.0 -', '=>1.0.0', '^one']) expect(versionRange(bad), bad).toBeUndefined()
  })
})
