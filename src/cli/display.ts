export { displayPath } from '../folder/load.js'
export { columns } from '../report/reporter.js'
