/**
 * collabgate/util: helpers the reporters and tools are built from, for those who build their own
 * (yaml's `yaml/util`). Not the main API: import them from 'collabgate/util'.
 */
export { escapeXml, formatJunit, type JunitCase, type JunitSuite } from './report/junit.js'
export {
  escapeAnnotationData,
  escapeAnnotationProperty,
  formatGithubAnnotation,
  type Annotation,
  type AnnotationLevel,
} from './report/github.js'
export { columns, visible, ANSI_COLOURS, PLAIN } from './report/reporter.js'
export { describeCondition } from './report/text.js'
export { conditionLines, diffLines, type DiffLine } from './diff/diff.js'
export { readLines } from './impact/impact.js'
export { closest } from './suggest.js'
