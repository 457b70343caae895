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
  HeldStep,
  PresetId,
  PreviewHeld,
  PreviewItem,
  PreviewOptions,
  PreviewTotal,
  RunOptions
} from './pipeline'
export { GUARD_SHARE, contentUnits, guardStep } from './guard'
export { charMask, mayNeed } from './chars'
export type { Needs } from './chars'
export { UNGATED } from './boilerplate'
export type { GuardVerdict, HoldReason } from './guard'
export { compileUserRule, testUserRule } from './user'
export { kohyaCleanCaption, kohyaCleanTags } from './kohya'
export { toSimplified } from './normalise'
export { DEFAULT_BUDGET } from './budget'
