/**
 * (d) The practical limit: the same checks as the shipped onboarding and termination policies,
 * written by hand as plain JavaScript, returning the outcome and the reasons (rule, outcome,
 * message). No schema validation, no evidence, no policy versions: what a team would hard-code.
 */
import { usWorkingDays } from '../dist/index.js'
import { BOTTOM_LINES } from './records.mjs'

const present = (v) => v !== undefined && v !== null && (typeof v === 'string' ? v.trim() !== '' : Array.isArray(v) ? v.length > 0 : true)
const FUNCTIONS = ['create', 'manage', 'matchmake', 'track', 'monetize', 'collaborate']
const USERS = ['seller', 'creator_affiliate', 'partner']
const SCOPES = ['affiliate_seller', 'affiliate_creator', 'affiliate_partner']
const ONBOARDING = ['reject', 'needs_information', 'manual_review', 'approve']
const TERMINATION = ['terminate', 'investigate', 'no_action']

function onboarding(r) {
  const reasons = []
  const a = r.applicant ?? {}
  const reg = a.registration ?? {}
  const acc = r.account ?? {}
  const p = r.product ?? {}
  const s = r.security ?? {}
  if (reg.country !== 'US')
    reasons.push({
      rule: 'ONB-SCOPE-US',
      outcome: 'reject',
      message: `Business registration country is ${reg.country}; the category is open to developers registered in the US only.`,
    })
  if (r.category !== 'creator_collaboration')
    reasons.push({ rule: 'ONB-CATEGORY', outcome: 'reject', message: `Applied category is ${r.category}, not creator_collaboration.` })
  if (acc.type !== 'app_developer')
    reasons.push({ rule: 'ONB-DEVELOPER-ACCOUNT', outcome: 'reject', message: `Partner Center account type is ${acc.type}.` })
  if (acc.businessVerified !== true)
    reasons.push({ rule: 'ONB-BUSINESS-VERIFIED', outcome: 'needs_information', message: 'Business verification is not complete.' })
  if (present(r.history?.terminations))
    reasons.push({ rule: 'ONB-NO-PRIOR-TERMINATION', outcome: 'reject', message: 'The developer was terminated before.' })
  const missing = []
  if (!present(a.legalName)) missing.push('applicant.legalName')
  if (!present(reg.number)) missing.push('applicant.registration.number')
  if (!present(reg.licenceDocument)) missing.push('applicant.registration.licenceDocument')
  if (!present(a.contactEmail)) missing.push('applicant.contactEmail')
  if (!present(p.name)) missing.push('product.name')
  if (!present(p.description)) missing.push('product.description')
  if (!present(p.functions)) missing.push('product.functions')
  if (!present(p.targetUsers)) missing.push('product.targetUsers')
  if (!present(p.requestedScopes)) missing.push('product.requestedScopes')
  if (!present(s.statement)) missing.push('security.statement')
  if (missing.length > 0)
    reasons.push({ rule: 'ONB-REQUIRED-INFO', outcome: 'needs_information', message: `Missing required details: ${missing.join(', ')}.` })
  if (!(
    Array.isArray(p.functions) &&
    p.functions.some((f) => FUNCTIONS.includes(f)) &&
    Array.isArray(p.targetUsers) &&
    p.targetUsers.some((u) => USERS.includes(u))
  )) {
    reasons.push({
      rule: 'ONB-PRODUCT-FIT',
      outcome: 'reject',
      message: `The product does not fit the category: functions ${p.functions}, target users ${p.targetUsers}.`,
    })
  }
  if (!(Array.isArray(p.requestedScopes) && p.requestedScopes.every((x) => SCOPES.includes(x))))
    reasons.push({
      rule: 'ONB-API-SCOPES',
      outcome: 'manual_review',
      message: `Requested scopes ${p.requestedScopes} go beyond the affiliate scopes.`,
    })
  const c = a.clientsServed ?? {}
  if (!(a.yearsInOperation >= 1 && (c.sellers >= 50 || c.creators >= 50 || a.affiliateExperienceYears >= 1))) {
    reasons.push({
      rule: 'ONB-STRENGTH',
      outcome: 'manual_review',
      message: `Strength below the bar: ${a.yearsInOperation} year(s) in operation.`,
    })
  }
  if (!(s.encryptionInTransit === true && s.encryptionAtRest === true && s.roleBasedAccess === true && s.incidentResponsePlan === true)) {
    reasons.push({ rule: 'ONB-TECH-SECURITY', outcome: 'manual_review', message: 'Security controls missing or not confirmed.' })
  }
  return decision(reasons, ONBOARDING)
}

function termination(r, asOf) {
  const reasons = []
  const incidents = r.incidents
  for (const [rule, type] of BOTTOM_LINES) {
    const confirmed = incidents.filter((i) => i.type === type && i.status === 'confirmed')
    const suspected = confirmed.length === 0 ? incidents.filter((i) => i.type === type && i.status === 'suspected') : []
    if (confirmed.length > 0)
      reasons.push({
        rule,
        outcome: 'terminate',
        message: `Confirmed ${type} in incident(s) ${confirmed.map((i) => i.id).join(', ')}: a bottom line.`,
      })
    else if (suspected.length > 0)
      reasons.push({
        rule,
        outcome: 'investigate',
        message: `Suspected ${type} in incident(s) ${suspected.map((i) => i.id).join(', ')}: investigate before deciding.`,
      })
  }
  const late = (i) => {
    if (i.type !== 'security_incident') return false
    const due = usWorkingDays.addWorkingDays(i.occurredAt.slice(0, 10), 3)
    return i.reportedAt ? i.reportedAt.slice(0, 10) > due : asOf > due
  }
  const lateConfirmed = incidents.filter((i) => i.status === 'confirmed' && late(i))
  const lateSuspected = lateConfirmed.length === 0 ? incidents.filter((i) => i.status === 'suspected' && late(i)) : []
  if (lateConfirmed.length > 0)
    reasons.push({
      rule: 'TRM-INCIDENT-UNREPORTED',
      outcome: 'terminate',
      message: `Security incident(s) ${lateConfirmed.map((i) => i.id).join(', ')} not reported within 3 US working days.`,
    })
  else if (lateSuspected.length > 0)
    reasons.push({
      rule: 'TRM-INCIDENT-UNREPORTED',
      outcome: 'investigate',
      message: `Suspected security incident(s) ${lateSuspected.map((i) => i.id).join(', ')} not reported within 3 US working days.`,
    })
  return decision(reasons, TERMINATION)
}

function decision(reasons, outcomes) {
  let outcome = outcomes[outcomes.length - 1]
  for (const r of reasons) if (outcomes.indexOf(r.outcome) < outcomes.indexOf(outcome)) outcome = r.outcome
  return { outcome, reasons }
}

export const handwritten = (record, asOf) => ('applicationId' in record ? onboarding(record) : termination(record, asOf))

/** (d1) The onboarding checks alone: the hand-written side of the onboarding-only ratio. */
export const handwrittenOnboarding = (record) => onboarding(record)
