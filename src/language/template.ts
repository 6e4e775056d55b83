/**
 * Message templates: `{{ applicant.legalName }}` quotes a record value; a few `$` names quote the
 * decision itself. One definition, so the validator accepts exactly what the renderer fills.
 */

/** `{{ name }}`; linear-time on any text (no nested quantifiers). */
export const TEMPLATE_PATTERN = /\{\{([^{}]*)\}\}/g

/** The names a message may quote besides record fields. */
export const TEMPLATE_SPECIALS: ReadonlySet<string> = new Set(['$evidence', '$matched', '$asOf', '$matchedDetails'])
