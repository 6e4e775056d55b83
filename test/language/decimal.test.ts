/** Exact decimal arithmetic of derived facts: no binary-fraction surprise at a threshold. */
import { describe, expect, it } from 'vitest'
import { add, compare, decimalText, divide, multiply, round, subtract, toDecimal, toNumber } from '../../src/language/decimal.js'

const d = (n: number) => toDecimal(n)!

describe('decimals', () => {
  it('read a number as the decimal its text writes', () => {
    expect(d(0.1)).toEqual({ units: 1n, scale: 1 })
    expect(d(-2.5)).toEqual({ units: -25n, scale: 1 })
    expect(d(1e21)).toEqual({ units: 10n ** 21n, scale: 0 })
    expect(d(1.5e-7)).toEqual({ units: 15n, scale: 8 })
    expect(d(-0)).toEqual({ units: 0n, scale: 0 })
    expect([toDecimal(NaN), toDecimal(Infinity), toDecimal('1'), toDecimal(null)]).toEqual([undefined, undefined, undefined, undefined])
  })

  it('add, subtract and multiply exactly', () => {
    expect(0.1 + 0.2).not.toBe(0.3)
    expect(toNumber(add(d(0.1), d(0.2)))).toBe(0.3)
    expect(toNumber(subtract(d(0.3), d(0.1)))).toBe(0.2)
    expect(toNumber(multiply(d(1.1), d(1.1)))).toBe(1.21)
    expect(compare(add(d(0.1), d(0.2)), d(0.3))).toBe(0)
    expect(compare(d(-1), d(0.5))).toBe(-1)
  })

  it('divide to the places asked, half away from zero, and not by zero', () => {
    expect(decimalText(divide(d(1), d(3), 6)!)).toBe('0.333333')
    expect(decimalText(divide(d(2), d(3), 2)!)).toBe('0.67')
    expect(decimalText(divide(d(-2), d(3), 2)!)).toBe('-0.67')
    expect(decimalText(divide(d(1), d(-8), 2)!)).toBe('-0.13')
    expect(decimalText(divide(d(0.5), d(0.25), 0)!)).toBe('2')
    expect(divide(d(1), d(0), 2)).toBeUndefined()
  })

  it('round half away from zero, and leave fewer places as they are', () => {
    expect(decimalText(round(d(2.5), 0))).toBe('3')
    expect(decimalText(round(d(-2.5), 0))).toBe('-3')
    expect(decimalText(round(d(1.005), 2))).toBe('1.01')
    expect(decimalText(round(d(2.4), 0))).toBe('2')
    expect(decimalText(round(d(1.5), 3))).toBe('1.5')
  })

  it('write themselves shortest', () => {
    expect(decimalText({ units: 6000n, scale: 2 })).toBe('60')
    expect(decimalText({ units: -5n, scale: 3 })).toBe('-0.005')
    expect(decimalText({ units: 0n, scale: 4 })).toBe('0')
  })
})
