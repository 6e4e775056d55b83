/** Wraps the generated validators' character counts in a UTF-16 length test that decides most strings alone. */
export function lengthsByUnitsFirst(code: string): string
