/**
 * JUnit XML, the format CI dashboards (GitHub, GitLab, Jenkins) read test results from.
 * Everything a policy author wrote goes through `escapeXml`, so no name or message can break the file.
 */

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
