/**
 * Exact decimal arithmetic for derived facts: a number is read from its shortest decimal text (the
 * text JSON and YAML wrote it in), kept as a scaled BigInt, and turned back into a number only at the
 * end, so 0.1 + 0.2 is 0.3 and a sum meets a threshold written 0.3. Division and round give a stated
 * number of decimal places, rounding half away from zero.
 */

/** A decimal: `units` / 10^`scale`. */
export interface Decimal {
  units: bigint
  scale: number
}

/** Places a division (divide, ratio) keeps when the policy states none. */
export const DERIVED_PLACES = 6

/** The most places a policy may ask for (a double holds about 17 significant digits). */
export const MAX_PLACES = 15

const TEN = 10n

function pow10(n: number): bigint {
  return TEN ** BigInt(n)
}

/** A finite number as the decimal its shortest text writes; undefined for anything else. */
export function toDecimal(n: unknown): Decimal | undefined {
  if (typeof n !== 'number' || !Number.isFinite(n)) return undefined
  // String() gives the shortest text that reads back as n: 0.1 is "0.1", 1e21 is "1e+21"
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(String(n))
  // Stryker disable next-line ConditionalExpression: test/mutation/equivalent.md#decimal-shape
  if (!m) return undefined
  const [, sign, int, frac = '', exp = '0'] = m
  let units = BigInt(int! + frac)
  let scale = frac.length - Number(exp)
  if (scale < 0) {
    units *= pow10(-scale)
    scale = 0
  }
  return { units: sign === '-' ? -units : units, scale }
}

function align(a: Decimal, b: Decimal): [bigint, bigint, number] {
  const scale = Math.max(a.scale, b.scale)
  return [a.units * pow10(scale - a.scale), b.units * pow10(scale - b.scale), scale]
}

export function add(a: Decimal, b: Decimal): Decimal {
  const [x, y, scale] = align(a, b)
  return { units: x + y, scale }
}

export function subtract(a: Decimal, b: Decimal): Decimal {
  const [x, y, scale] = align(a, b)
  return { units: x - y, scale }
}

export function multiply(a: Decimal, b: Decimal): Decimal {
  return { units: a.units * b.units, scale: a.scale + b.scale }
}

export function compare(a: Decimal, b: Decimal): number {
  const [x, y] = align(a, b)
  return x < y ? -1 : x > y ? 1 : 0
}

/** units / divisor rounded half away from zero (divisor > 0). */
function divRound(units: bigint, divisor: bigint): bigint {
  const q = units / divisor
  const r = units % divisor
  const twice = (r < 0n ? -r : r) * 2n
  if (twice < divisor) return q
  return units < 0n ? q - 1n : q + 1n
}

/** a ÷ b to `places` decimal places (half away from zero); undefined when b is zero. */
export function divide(a: Decimal, b: Decimal, places: number): Decimal | undefined {
  if (b.units === 0n) return undefined
  // a/b = (a.units * 10^b.scale) / (b.units * 10^a.scale); scaled by 10^places before dividing
  let num = a.units * pow10(b.scale + places)
  let den = b.units * pow10(a.scale)
  if (den < 0n) {
    num = -num
    den = -den
  }
  return { units: divRound(num, den), scale: places }
}

/** a to `places` decimal places, half away from zero. */
export function round(a: Decimal, places: number): Decimal {
  if (a.scale <= places) return a
  return { units: divRound(a.units, pow10(a.scale - places)), scale: places }
}

/** The decimal's text, shortest (no trailing zeros): `60`, `0.3`, `-1.25`. */
export function decimalText(a: Decimal): string {
  const negative = a.units < 0n
  const digits = (negative ? -a.units : a.units).toString().padStart(a.scale + 1, '0')
  const int = digits.slice(0, digits.length - a.scale)
  const frac = digits.slice(digits.length - a.scale).replace(/0+$/, '')
  const text = frac === '' ? int : `${int}.${frac}`
  return negative && text !== '0' ? `-${text}` : text
}

/** The number nearest the decimal (exact whenever the decimal has a double's digits or fewer). */
export function toNumber(a: Decimal): number {
  return Number(decimalText(a))
}
