/**
 * A Stryker ignore plugin (npm run mutation): an operator file's `boundaries` rows are the tests' data, not code;
 * mutating them would only test the tests (a row changed to another true row survives), so they are not mutated.
 */
import { declareValuePlugin, PluginKind } from '@stryker-mutator/api/plugin'

/** Why a node is not mutated, or undefined: the value of a `boundaries:` property in a source file. */
export function ignoreBoundaries(path) {
  const key = path.isObjectProperty() ? path.node.key : undefined
  return key && key.type === 'Identifier' && key.name === 'boundaries'
    ? "an operator's boundary rows are the tests' data (test/language/boundaries.ts)"
    : undefined
}

export const strykerPlugins = [declareValuePlugin(PluginKind.Ignore, 'BoundaryRows', { shouldIgnore: ignoreBoundaries })]
