/** Wraps the generated validators' character counts in a UTF-16 length test that decides most strings alone. */
export function lengthsByUnitsFirst(code: string): string
/** Skips a format-only `anyOf` branch of the generated validators once an earlier branch passed. */
export function formatUnionsShortCircuit(code: string): string
