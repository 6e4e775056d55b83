/**
 * Options read as own properties only: a polluted `Object.prototype` (say `policy` or `lock` added
 * by some other library) must not choose the policy that decides, or turn the lock off.
 */

/** The caller's options with only their own properties, on a null prototype; undefined gives {}. */
export function ownOptions<T extends object>(options: T | undefined): Partial<T> {
  const out = Object.create(null) as Partial<T>
  if (options === undefined || options === null || typeof options !== 'object') return out
  for (const key of Object.keys(options) as (keyof T)[]) out[key] = options[key]
  return out
}

/** Whether `Object.prototype` carries enumerable properties (which `for…in` over any plain object would see). */
export function prototypeIsPolluted(): boolean {
  for (const key in {}) if (key !== undefined) return true
  return false
}

/** A copy of JSON data whose objects have no prototype: what a validator walking `for…in` sees is only the data. */
export function withoutPrototypes(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutPrototypes)
  if (value === null || typeof value !== 'object') return value
  const out = Object.create(null) as Record<string, unknown>
  for (const key of Object.keys(value)) out[key] = withoutPrototypes((value as Record<string, unknown>)[key])
  return out
}
