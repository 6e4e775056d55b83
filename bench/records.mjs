/**
 * Seeded synthetic records for the benchmark: a realistic mix of applications (about half
 * recommended for approval, the rest failing one to a few rules) and behaviour records (most with
 * no or dismissed incidents; some suspected, some confirmed, late security-incident reports).
 */

/** mulberry32: small, fast, good enough for test data, and the same sequence for the same seed. */
export function rng(seed) {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** The termination policy's bottom lines: rule id and incident type (shared by the baselines). */
export const BOTTOM_LINES = [
  ['TRM-FALSE-INFO', 'false_information'],
  ['TRM-DATA-LEAK', 'data_leak'],
  ['TRM-DATA-MISUSE', 'data_misuse'],
  ['TRM-FRAUD', 'fraud'],
  ['TRM-API-ABUSE', 'api_abuse'],
  ['TRM-USER-HARM', 'user_harm'],
  ['TRM-ILLEGAL', 'illegal_activity'],
]

const pad = (n) => String(n).padStart(2, '0')

export function recordGenerator(seed = 42) {
  const random = rng(seed)
  const chance = (p) => random() < p
  const pick = (list) => list[Math.floor(random() * list.length)]
  const int = (lo, hi) => lo + Math.floor(random() * (hi - lo + 1))
  const date = (year) => `${year}-${pad(int(1, 12))}-${pad(int(1, 28))}`
  let n = 0

  function application() {
    n++
    const record = {
      applicationId: `APP-${n}`,
      category: chance(0.02) ? 'shop_management' : 'creator_collaboration',
      submittedAt: `2026-${pad(int(1, 11))}-${pad(int(1, 28))}`,
      applicant: {
        legalName: `Company ${n}, Inc.`,
        registration: {
          country: chance(0.05) ? pick(['CA', 'GB', 'SG']) : 'US',
          state: 'DE',
          number: `DE-${1000000 + n}`,
          licenceDocument: `docs/licence-${n}.pdf`,
        },
        contactEmail: `partners${n}@example.com`,
        yearsInOperation: chance(0.1) ? 0 : int(1, 12),
        affiliateExperienceYears: int(0, 6),
        clientsServed: { sellers: int(0, 400), creators: int(0, 900) },
      },
      account: { type: chance(0.03) ? 'seller' : 'app_developer', businessVerified: !chance(0.08) },
      history: { terminations: chance(0.03) ? [{ date: date(2024), rule: 'TRM-FRAUD' }] : [] },
      product: {
        name: `Product ${n}`,
        description: 'Helps sellers find creator affiliates, send collaboration offers and track affiliate sales from one dashboard.',
        functions: chance(0.03) ? ['analytics'] : ['create', 'track', 'monetize'].slice(0, int(1, 3)),
        targetUsers: ['seller', 'creator_affiliate'].slice(0, int(1, 2)),
        requestedScopes: chance(0.08) ? ['affiliate_seller', 'order_management'] : ['affiliate_seller', 'affiliate_creator'],
      },
      security: {
        statement:
          'Platform data is encrypted in transit and at rest, access is role-based, and an incident-response plan is tested yearly.',
        encryptionInTransit: true,
        encryptionAtRest: !chance(0.04),
        roleBasedAccess: !chance(0.03),
        incidentResponsePlan: !chance(0.04),
      },
    }
    if (chance(0.1)) {
      // missing required details: drop one to three of them
      const drop = [
        () => delete record.applicant.legalName,
        () => delete record.applicant.contactEmail,
        () => (record.applicant.registration.licenceDocument = ''),
        () => delete record.product.description,
        () => delete record.security.statement,
      ]
      for (let k = int(1, 3); k > 0; k--) pick(drop)()
    }
    if (chance(0.3)) record.review = { result: pick(['pending', 'approved', 'approved', 'rejected']) }
    return record
  }

  const TYPES = [
    'false_information',
    'data_leak',
    'data_misuse',
    'fraud',
    'api_abuse',
    'user_harm',
    'illegal_activity',
    'security_incident',
    'spam_complaint',
  ]

  function behaviour() {
    n++
    const count = chance(0.5) ? 0 : chance(0.5) ? 1 : chance(0.6) ? 2 : int(3, 6)
    const incidents = []
    for (let k = 0; k < count; k++) {
      const occurred = `${pick([2025, 2026])}-${pad(int(1, 10))}-${pad(int(1, 28))}`
      const incident = {
        id: `INC-${n}-${k}`,
        type: pick(TYPES),
        status: chance(0.55) ? 'dismissed' : chance(0.6) ? 'suspected' : 'confirmed',
        occurredAt: occurred,
      }
      if (incident.type === 'security_incident' && !chance(0.15)) {
        const [y, m, d] = occurred.split('-').map(Number)
        incident.reportedAt = `${y}-${pad(m)}-${pad(Math.min(28, d + int(0, 6)))}`
      }
      incidents.push(incident)
    }
    return { developerId: `DEV-${n}`, incidents }
  }

  return { application, behaviour, next: () => (n % 2 === 0 ? application() : behaviour()) }
}

/** `count` records, alternating applications and behaviour records. */
export function generateRecords(count, seed = 42) {
  const g = recordGenerator(seed)
  return Array.from({ length: count }, () => g.next())
}
