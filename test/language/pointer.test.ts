import { describe, expect, it } from 'vitest'
import { escapePointerToken, unescapePointerToken } from '../../src/language/paths.js'

describe('the one JSON pointer token escaper (RFC 6901)', () => {
  it('writes ~ as ~0 and / as ~1, ~ first so ~1 in a key stays itself', () => {
    expect(escapePointerToken('~')).toBe('~0')
    expect(escapePointerToken('/')).toBe('~1')
    expect(escapePointerToken('a/b~c')).toBe('a~1b~0c')
    expect(escapePointerToken('~1')).toBe('~01')
  })

  it('leaves the empty key empty', () => {
    expect(escapePointerToken('')).toBe('')
  })

  it('reads back what it wrote, ~1 before ~0', () => {
    for (const key of ['', '~', '/', '~1', '~01', 'a/b~c', '__proto__']) {
      expect(unescapePointerToken(escapePointerToken(key))).toBe(key)
    }
    expect(unescapePointerToken('~01')).toBe('~1')
  })
})
