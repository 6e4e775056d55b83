/** `npm run test:unit` runs the unit project only: no suite there needs the build or a browser. */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { mocksModules, projectOf, testFilesByProject } from '../projects.js'
import { NOT_UNIT, SAMPLES } from './project-samples.js'

const ROOT = join(import.meta.dirname, '..', '..')

describe('the vitest projects', () => {
  it.each(SAMPLES)('places %s holding %j in %s', (file, text, project) => {
    expect(projectOf(file, text)).toBe(project)
  })

  it('hold every test file once, and unit holds no browser or built-CLI suite', () => {
    const byProject = testFilesByProject(ROOT)
    const all = [...byProject.unit, ...byProject.cli, ...byProject.browser]
    expect(new Set(all).size).toBe(all.length)
    expect(byProject.browser).toContain('test/html/report.browser.test.ts')
    expect(byProject.cli).toContain('test/cli/decide.test.ts')
    expect(byProject.unit).toContain('test/house/projects.test.ts')
    for (const file of byProject.unit) {
      const text = readFileSync(join(ROOT, file), 'utf8')
      expect(text, file).not.toMatch(NOT_UNIT)
    }
  })

  it('runs isolated only the unit suites that mock a module', () => {
    expect(mocksModules(`vi.${'mock'}('node:fs/promises', f)`)).toBe(true)
    expect(mocksModules('vi.spyOn(Map.prototype, "clear")')).toBe(false)
    const mocking = testFilesByProject(ROOT).unit.filter((f) => mocksModules(readFileSync(join(ROOT, f), 'utf8')))
    expect(mocking).toContain('test/audit/torn.test.ts')
  })

  it('npm run test:unit runs the unit projects, npm test all of them', () => {
    const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts
    expect(scripts['test:unit']).toMatch(/vitest run --project unit --project unit-mocks\b/)
    expect(scripts.test).toMatch(/vitest run &&/)
  })
})
