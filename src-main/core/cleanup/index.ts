export * from './types'
export {
  PRESETS,
  PRESET_IDS,
  RULES,
  compilePipeline,
  presetSteps,
  previewCleanup,
  runItem
} from './pipeline'
export type {
  CleanedItem,
  CleanupPreview,
  CompiledPipeline,
  DiffPart,
  PresetId,
  PreviewItem,
  PreviewOptions,
  PreviewTotal
} from './pipeline'
export { compileUserRule, testUserRule } from './user'
export { kohyaCleanCaption, kohyaCleanTags } from './kohya'
export { toSimplified } from './normalise'
export { DEFAULT_BUDGET } from './budget'
