/** Canonical JSON (sorted keys) so the digest ignores formatting, comments and key order. */
export declare function canonicalJson(value: unknown): string
/** `sha256:` and the hex sha256 of the value's canonical JSON. */
export declare function digestOf(value: unknown): string
