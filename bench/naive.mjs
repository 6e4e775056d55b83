/**
 * (a) The naive json-rules-engine setup a team would write first for the same rules: one Engine per
 * policy with its rules added once, the whole record as one fact, JSONPath paths
 * (`$.applicant.registration.country`, filters such as `$.incidents[?(@.type=='fraud')]`) through
 * the engine's default resolver, custom operators for what the engine lacks, and a new run per record.
 * Working days use collabgate's cached calendar, so this measures the engine, not business-days-js.
 */
import { Engine } from 'json-rules-engine'
import { usWorkingDays } from '../dist/index.js'
import { BOTTOM_LINES } from './records.mjs'

const isPresent = (v) =>
  v !== undefined && v !== null && (typeof v === 'string' ? v.trim().length > 0 : Array.isArray(v) ? v.length > 0 : true)
const asList = (v) => (v === undefined || v === null ? [] : Array.isArray(v) ? v : [v]) // JSONPath (wrap: false) unwraps single matches

function addOperators(engine) {
  engine.addOperator('present', (a, b) => isPresent(a) === b)
  engine.addOperator('containsAny', (a, b) => Array.isArray(a) && a.some((x) => b.includes(x)))
  engine.addOperator('containsOnly', (a, b) => Array.isArray(a) && a.every((x) => b.includes(x)))
  engine.addOperator('noMatches', (a) => asList(a).length === 0)
  engine.addOperator('reportedInTime', (incidents, asOf) =>
    asList(incidents).every((i) => {
      const due = usWorkingDays.addWorkingDays(i.occurredAt.slice(0, 10), 3)
      return i.reportedAt ? i.reportedAt.slice(0, 10) <= due : asOf <= due
    }),
  )
}

const ONBOARDING = [
  ['ONB-SCOPE-US', 'reject', { all: [{ fact: 'application', path: '$.applicant.registration.country', operator: 'equal', value: 'US' }] }],
  ['ONB-CATEGORY', 'reject', { all: [{ fact: 'application', path: '$.category', operator: 'equal', value: 'creator_collaboration' }] }],
  [
    'ONB-DEVELOPER-ACCOUNT',
    'reject',
    { all: [{ fact: 'application', path: '$.account.type', operator: 'equal', value: 'app_developer' }] },
  ],
  [
    'ONB-BUSINESS-VERIFIED',
    'needs_information',
    { all: [{ fact: 'application', path: '$.account.businessVerified', operator: 'equal', value: true }] },
  ],
  [
    'ONB-NO-PRIOR-TERMINATION',
    'reject',
    { all: [{ fact: 'application', path: '$.history.terminations', operator: 'present', value: false }] },
  ],
  [
    'ONB-REQUIRED-INFO',
    'needs_information',
    {
      all: [
        '$.applicant.legalName',
        '$.applicant.registration.number',
        '$.applicant.registration.licenceDocument',
        '$.applicant.contactEmail',
        '$.product.name',
        '$.product.description',
        '$.product.functions',
        '$.product.targetUsers',
        '$.product.requestedScopes',
        '$.security.statement',
      ].map((path) => ({ fact: 'application', path, operator: 'present', value: true })),
    },
  ],
  [
    'ONB-PRODUCT-FIT',
    'reject',
    {
      all: [
        {
          fact: 'application',
          path: '$.product.functions',
          operator: 'containsAny',
          value: ['create', 'manage', 'matchmake', 'track', 'monetize', 'collaborate'],
        },
        { fact: 'application', path: '$.product.targetUsers', operator: 'containsAny', value: ['seller', 'creator_affiliate', 'partner'] },
      ],
    },
  ],
  [
    'ONB-API-SCOPES',
    'manual_review',
    {
      all: [
        {
          fact: 'application',
          path: '$.product.requestedScopes',
          operator: 'containsOnly',
          value: ['affiliate_seller', 'affiliate_creator', 'affiliate_partner'],
        },
      ],
    },
  ],
  [
    'ONB-STRENGTH',
    'manual_review',
    {
      all: [
        { fact: 'application', path: '$.applicant.yearsInOperation', operator: 'greaterThanInclusive', value: 1 },
        {
          any: [
            { fact: 'application', path: '$.applicant.clientsServed.sellers', operator: 'greaterThanInclusive', value: 50 },
            { fact: 'application', path: '$.applicant.clientsServed.creators', operator: 'greaterThanInclusive', value: 50 },
            { fact: 'application', path: '$.applicant.affiliateExperienceYears', operator: 'greaterThanInclusive', value: 1 },
          ],
        },
      ],
    },
  ],
  [
    'ONB-TECH-SECURITY',
    'manual_review',
    {
      all: ['encryptionInTransit', 'encryptionAtRest', 'roleBasedAccess', 'incidentResponsePlan'].map((k) => ({
        fact: 'application',
        path: `$.security.${k}`,
        operator: 'equal',
        value: true,
      })),
    },
  ],
]

const TERMINATION = [
  ...BOTTOM_LINES.flatMap(([id, type]) =>
    ['confirmed', 'suspected'].map((status) => [
      id,
      status === 'confirmed' ? 'terminate' : 'investigate',
      {
        all: [
          { fact: 'developer', path: `$.incidents[?(@.type==='${type}' && @.status==='${status}')]`, operator: 'noMatches', value: true },
        ],
      },
    ]),
  ),
  ...['confirmed', 'suspected'].map((status) => [
    'TRM-INCIDENT-UNREPORTED',
    status === 'confirmed' ? 'terminate' : 'investigate',
    {
      all: [
        {
          fact: 'developer',
          path: `$.incidents[?(@.type==='security_incident' && @.status==='${status}')]`,
          operator: 'reportedInTime',
          value: { fact: 'asOf' },
        },
      ],
    },
  ]),
]

function engineFor(rules) {
  const engine = new Engine([], { allowUndefinedFacts: true })
  addOperators(engine)
  rules.forEach(([id, outcome, conditions], i) =>
    engine.addRule({ name: `${id}#${i}`, conditions, event: { type: 'objection', params: { rule: id, outcome } } }),
  )
  return engine
}

/** Builds both engines once; decide() runs one engine per record and reduces the failures to an outcome. */
export function naiveEngine() {
  const policies = {
    application: {
      engine: engineFor(ONBOARDING),
      fact: 'application',
      outcomes: ['reject', 'needs_information', 'manual_review', 'approve'],
    },
    behaviour: { engine: engineFor(TERMINATION), fact: 'developer', outcomes: ['terminate', 'investigate', 'no_action'] },
  }
  return async function decide(record, asOf) {
    const p = 'applicationId' in record ? policies.application : policies.behaviour
    const { failureEvents } = await p.engine.run({ [p.fact]: record, asOf })
    let outcome = p.outcomes[p.outcomes.length - 1]
    const reasons = []
    for (const e of failureEvents) {
      reasons.push(e.params.rule)
      if (p.outcomes.indexOf(e.params.outcome) < p.outcomes.indexOf(outcome)) outcome = e.params.outcome
    }
    return { outcome, reasons }
  }
}
