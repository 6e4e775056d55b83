// Types of the generated shipped checks (src/generated/shipped-checks.js, written by test/load/shipped-checks.test.ts).
export declare const format: string
export declare const entries: unknown
export declare const folder: unknown
