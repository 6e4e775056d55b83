// Types of the generated validators (src/generated/validators.js, built by scripts/build-validators.mjs).
import type { ValidateFunction } from 'ajv'

export declare const policy: ValidateFunction
export declare const policyTest: ValidateFunction
export declare const folder: ValidateFunction
/** The shipped record schemas' validators, by the schema's digest (`sha256:…`). */
export declare const recordValidators: Readonly<Record<string, ValidateFunction>>
