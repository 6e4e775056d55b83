/**
 * The operator registry, imported inside the test rather than at the file's top. A change that breaks the
 * registry while its modules load (a definition helper that returns nothing, a `.map` that builds no entries)
 * then fails this test, where with static imports it would fail every file to load: Stryker's vitest runner
 * counts a run in which no test completed as one in which no test failed, and reports the mutant survived.
 */
import { expect, it } from 'vitest'

it('registers every operator the policy schema names, under its own name, frozen', async () => {
  const { OPERATORS } = await import('../../src/language/operators.js')
  const { POLICY_SCHEMA } = await import('../../src/schemas.js')
  const schema = POLICY_SCHEMA as { $defs: { condition: { properties: { operator: { enum: string[] } } } } }
  const names = schema.$defs.condition.properties.operator.enum
  expect(Object.keys(OPERATORS).sort()).toEqual([...names].sort())
  for (const [name, def] of Object.entries(OPERATORS)) {
    expect(def.name).toBe(name)
    expect(Object.isFrozen(def)).toBe(true)
  }
})
