/**
 * The import graph of src/, read with the TypeScript parser (not a regular expression): static imports and
 * re-exports, `import type`, dynamic `import()`, `require()`, `import x = require()`, and the files a module loads
 * at run time, `new URL('…', import.meta.url)` and any string naming a built `*-worker.js`, which stand for the
 * source the build makes that file from (tsup.config.ts's entries).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { basename, dirname, join, normalize, relative, sep } from 'node:path'
import ts from 'typescript'

export const ROOT = join(import.meta.dirname, '..', '..')
export const SRC = join(ROOT, 'src')

/** One reference of one module to another file: what it wrote, how, and the file of src/ it names. */
export interface Reference {
  file: string
  spec: string
  how: 'import' | 'export' | 'dynamic import' | 'require' | 'run-time load'
  /** The file under src/ it names, or undefined when it names a package or a file outside src/. */
  target: string | undefined
}

/** A reference the checker cannot follow: a dynamic import or require of a computed name. */
export interface Unreadable {
  file: string
  how: string
  text: string
}

/** tsup.config.ts's entries: built file name (without .js) → its source file, absolute. */
export function buildEntries(config = join(ROOT, 'tsup.config.ts')): Map<string, string> {
  const sf = ts.createSourceFile(config, readFileSync(config, 'utf8'), ts.ScriptTarget.Latest, true)
  const entries = new Map<string, string>()
  const visit = (node: ts.Node): void => {
    const isEntry = ts.isPropertyAssignment(node) && ts.isIdentifier(node.name) && node.name.text === 'entry'
    if (isEntry && ts.isObjectLiteralExpression(node.initializer)) {
      for (const p of node.initializer.properties) {
        if (!ts.isPropertyAssignment(p) || !ts.isStringLiteralLike(p.initializer)) continue
        const name = ts.isIdentifier(p.name) || ts.isStringLiteralLike(p.name) ? p.name.text : undefined
        if (name !== undefined) entries.set(name, join(ROOT, p.initializer.text))
      }
    }
    ts.forEachChild(node, visit)
  }
  visit(sf)
  return entries
}

/** Every module of a folder, recursively: TypeScript and JavaScript sources (declaration files are no module). */
export function sources(dir: string = SRC): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return sources(path)
    return /\.(ts|mts|cts|js|mjs|cjs)$/.test(name) && !/\.d\.[cm]?ts$/.test(name) ? [path] : []
  })
}

const literal = (node: ts.Node | undefined): string | undefined =>
  node && (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) ? node.text : undefined

const isImportMetaUrl = (node: ts.Node | undefined): boolean =>
  node !== undefined &&
  ts.isPropertyAccessExpression(node) &&
  node.name.text === 'url' &&
  ts.isMetaProperty(node.expression) &&
  node.expression.keywordToken === ts.SyntaxKind.ImportKeyword

/** The source file a relative specifier names: `./x.js` is written for `./x.ts`. */
function resolveRelative(from: string, spec: string): string | undefined {
  const path = normalize(join(dirname(from), spec))
  if (!path.startsWith(SRC + sep)) return undefined
  for (const candidate of [path, path.replace(/\.([cm]?)js$/, '.$1ts'), `${path}.ts`, join(path, 'index.ts')])
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate
  // a file that is not there still points somewhere: keep the edge so its direction is checked
  return path.replace(/\.([cm]?)js$/, '.$1ts')
}

/** What one module references, from its text (so a test can feed it a module that is not on disk). */
export function referencesOf(
  file: string,
  text: string,
  entries: Map<string, string> = buildEntries(),
): { references: Reference[]; unreadable: Unreadable[] } {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true)
  const references: Reference[] = []
  const unreadable: Unreadable[] = []
  const builtFile = (spec: string): string | undefined => {
    const name = basename(spec).replace(/\.[cm]?js$/, '')
    return /\.[cm]?js$/.test(spec) ? entries.get(name) : undefined
  }
  const add = (spec: string, how: Reference['how']): void => {
    // a built file loaded at run time stands for its source; a relative specifier names a file beside this one
    const built = how === 'run-time load' ? builtFile(spec) : undefined
    const target = built ?? (spec.startsWith('.') ? resolveRelative(file, spec) : undefined)
    references.push({ file, spec, how, target })
  }
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) {
      const spec = literal(node.moduleSpecifier)
      if (spec !== undefined) add(spec, ts.isImportDeclaration(node) ? 'import' : 'export')
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      const spec = literal(node.moduleReference.expression)
      if (spec !== undefined) add(spec, 'require')
    } else if (ts.isCallExpression(node)) {
      const dynamic = node.expression.kind === ts.SyntaxKind.ImportKeyword
      const required = ts.isIdentifier(node.expression) && node.expression.text === 'require'
      if (dynamic || required) {
        const spec = literal(node.arguments[0])
        if (spec !== undefined) add(spec, dynamic ? 'dynamic import' : 'require')
        else unreadable.push({ file, how: dynamic ? 'import()' : 'require()', text: node.getText(sf) })
      }
    } else if (ts.isNewExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'URL') {
      const spec = literal(node.arguments?.[0])
      if (spec !== undefined && isImportMetaUrl(node.arguments?.[1])) add(spec, 'run-time load')
    } else {
      // a built worker named anywhere else (an option's default, a path joined at run time)
      const spec = literal(node)
      const url = node.parent && ts.isNewExpression(node.parent)
      if (spec !== undefined && !url && /-worker\.[cm]?js$/.test(spec)) add(spec, 'run-time load')
    }
    ts.forEachChild(node, visit)
  }
  visit(sf)
  return { references, unreadable }
}

/** Left to right. A module may import from its own layer or any layer to its left. */
export const LAYERS: readonly (readonly string[])[] = [
  ['model.ts', 'errors.ts', 'order.ts', 'succession.ts', 'schemas.ts', 'suggest.ts', 'own.ts', 'generated', 'date-format.ts'],
  ['calendar'],
  ['language'],
  ['read'],
  ['validate'],
  ['compile'],
  ['decide'],
  ['shard'],
  ['release'],
  ['lock'],
  ['folder'],
  ['audit'],
  ['policy-test'],
  ['mutate'],
  ['diff'],
  ['impact'],
  ['backtest'],
  ['report'],
  ['html'],
  ['batch'],
  ['store'],
  ['merge'],
  ['cli'],
  ['index.ts', 'report-entry.ts'],
]

/** A module's unit: its folder under src/, or the file itself at the top. */
export const unitOf = (file: string): string => relative(SRC, file).split(sep)[0]!
export const layerOf = (unit: string): number => LAYERS.findIndex((l) => l.includes(unit))

/** Every way the modules break the rule, one sentence each; empty when the graph holds. */
export function violations(modules: readonly { file: string; text: string }[], entries: Map<string, string> = buildEntries()): string[] {
  const entryFiles = new Set(entries.values())
  const entryNames = new Map([...entries].map(([name, file]) => [file, name]))
  const out: string[] = []
  for (const { file, text } of modules) {
    const { references, unreadable } = referencesOf(file, text, entries)
    const at = relative(SRC, file)
    if (layerOf(unitOf(file)) < 0) out.push(`${at} is in no layer`)
    for (const u of unreadable) out.push(`${at}: ${u.how} of a computed name cannot be checked: ${u.text}`)
    for (const r of references) {
      if (r.target === undefined) continue
      const from = unitOf(r.file)
      const to = unitOf(r.target)
      const loads = r.how === 'run-time load'
      // an entry point's module is for the package's users (or the worker thread): src/ never imports one
      if (!loads && entryFiles.has(r.target))
        out.push(`${at} ${r.how}s ${r.spec}: the entry point ${entryNames.get(r.target)} (${relative(SRC, r.target)})`)
      if (layerOf(to) < 0) out.push(`${at} ${r.how}s ${r.spec}: ${to} is in no layer`)
      else if (layerOf(to) > layerOf(from)) out.push(`${at} ${r.how}s ${r.spec} (${from} → ${to})`)
    }
  }
  return out
}
