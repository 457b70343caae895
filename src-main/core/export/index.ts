export * from './types'
export { runExport } from './exporter'
export { validateExport, parseKohyaFolderName } from './validate'
export {
  composeCaption,
  escapeWildcard,
  intendedOf,
  primaryLanguage,
  type ComposedCaption,
  type IntendedCaption
} from './caption'
export { captionPlan, portability, bothMeaning } from './summary'
export { checkDestination, cleanStaleStaging, realpathLoose } from './safety'
export { sanitizeStem, unsafeName } from './names'
export { planLayout, ACCEPTED_EXT } from './layout'
