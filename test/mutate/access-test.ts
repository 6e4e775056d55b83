/** A deliberately weak test file of the shipped API-access policy: two cases, so some mutants survive it. */
export const ACCESS_TEST = `policy: creator-collaboration.us.api-access
asOf: "2026-12-02"
base: test-records/complete-us-application.json
cases:
  - name: approved
    patch: { review: { result: approved, decidedAt: "2026-11-20" } }
    expect: { outcome: allow, rules: [] }
  - name: pending
    patch: { review: { result: pending } }
    expect: { outcome: deny, rules: [API-CATEGORY-APPROVED] }
`
