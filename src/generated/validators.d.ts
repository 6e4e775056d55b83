// Types of the generated validators (src/generated/validators.js, built by scripts/build-validators.mjs).
import type { ValidateFunction } from 'ajv'

export declare const policy: ValidateFunction
export declare const applicationRecord: ValidateFunction
export declare const behaviourRecord: ValidateFunction
export declare const policyTest: ValidateFunction
