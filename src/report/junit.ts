/**
 * JUnit XML, the format CI dashboards (GitHub, GitLab, Jenkins) read test results from.
 * Everything a policy author wrote goes through `escapeXml`, so no name or message can break the file.
 */

import type { PolicyTestResult } from '../policy-test/run.js'
import { visibleKeeping } from './reporter.js'

export interface JunitCase {
  name: string
  classname: string
  /** Seconds; omitted when unknown. */
  time?: number
  /** The test ran and an expectation did not hold. */
  failure?: { message: string; details?: string }
  /** The test could not run (bad input, refused record). */
  error?: { message: string; type?: string; details?: string }
  /** Where the case is written, shown by some dashboards. */
  file?: string
  line?: number
}

export interface JunitSuite {
  name: string
  cases: JunitCase[]
}

// XML 1.0 allows only these characters; anything else (e.g. a lone surrogate) must go, not be escaped.
const INVALID_XML_CHARS = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu

/**
 * Escapes text for an XML attribute or element body. Control, bidi and invisible characters (NUL, ESC,
 * U+202E, ...) become visible escapes (`\x1b`) and what XML 1.0 still cannot carry becomes U+FFFD;
 * line breaks and tabs stay.
 */
export function escapeXml(text: string): string {
  return visibleKeeping(text, '\t\n\r')
    .replace(INVALID_XML_CHARS, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\r/g, '&#13;')
    .replace(/\n/g, '&#10;')
}

// Element bodies keep their line breaks readable; only attributes need \n as a character reference.
const escapeBody = (text: string) => escapeXml(text).replace(/&#10;/g, '\n')

/** A complete JUnit XML document for the given suites. */
export function formatJunit(suites: readonly JunitSuite[], name = 'collabgate'): string {
  const count = (s: readonly JunitCase[], k: 'failure' | 'error') => s.filter((c) => c[k] !== undefined).length
  const all = suites.flatMap((s) => s.cases)
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>']
  out.push(
    `<testsuites name="${escapeXml(name)}" tests="${all.length}" failures="${count(all, 'failure')}" ` +
      `errors="${count(all, 'error')}">`,
  )
  for (const s of suites) {
    out.push(
      `  <testsuite name="${escapeXml(s.name)}" tests="${s.cases.length}" failures="${count(s.cases, 'failure')}" ` +
        `errors="${count(s.cases, 'error')}" skipped="0">`,
    )
    for (const c of s.cases) {
      const attrs = [`name="${escapeXml(c.name)}"`, `classname="${escapeXml(c.classname)}"`]
      if (c.time !== undefined) attrs.push(`time="${c.time.toFixed(3)}"`)
      if (c.file !== undefined) attrs.push(`file="${escapeXml(c.file)}"`)
      if (c.line !== undefined) attrs.push(`line="${c.line}"`)
      if (!c.failure && !c.error) {
        out.push(`    <testcase ${attrs.join(' ')}/>`)
        continue
      }
      out.push(`    <testcase ${attrs.join(' ')}>`)
      if (c.failure)
        out.push(
          `      <failure message="${escapeXml(c.failure.message)}">` +
            `${escapeBody(c.failure.details ?? c.failure.message)}</failure>`,
        )
      if (c.error) {
        const type = c.error.type ? ` type="${escapeXml(c.error.type)}"` : ''
        out.push(
          `      <error message="${escapeXml(c.error.message)}"${type}>` +
            `${escapeBody(c.error.details ?? c.error.message)}</error>`,
        )
      }
      out.push('    </testcase>')
    }
    out.push('  </testsuite>')
  }
  out.push('</testsuites>')
  return out.join('\n') + '\n'
}

/** Policy test results as JUnit: one suite per test file, one case per test case. */
export function policyTestsToJunit(result: PolicyTestResult): string {
  return formatJunit(policyTestSuites(result), 'collabgate policy tests')
}

/** The JUnit suites of a test run (a mutation run adds its own beside them). */
export function policyTestSuites(result: PolicyTestResult): JunitSuite[] {
  const suites = new Map<string, JunitSuite>()
  for (const c of result.cases) {
    let suite = suites.get(c.file)
    if (!suite) suites.set(c.file, (suite = { name: c.file, cases: [] }))
    const base = { name: c.name, classname: c.policy, file: c.file, line: c.line }
    if (c.passed) suite.cases.push(base)
    else if (c.decision === undefined && c.mismatches.every((m) => m.what !== 'error')) {
      suite.cases.push({
        ...base,
        error: {
          message: c.failures[0] ?? 'the case could not run',
          type: c.error ?? 'E_INTERNAL',
          details: c.failures.join('\n'),
        },
      })
    } else {
      const details = c.mismatches
        .map((m) => `${m.what}\n  expected: ${m.expected}\n  actual:   ${m.actual}`)
        .join('\n')
      suite.cases.push({ ...base, failure: { message: c.failures.join('; '), details } })
    }
  }
  const out = [...suites.values()]
  if (result.problems.length > 0) {
    out.push({
      name: 'policy and test files',
      cases: result.problems.map((p) => ({
        name: `${p.file}:${p.line}:${p.column}`,
        classname: p.code,
        file: p.file,
        line: p.line,
        error: { message: `${p.code} ${p.message}`, type: p.code },
      })),
    })
  }
  return out
}
