/**
 * The contract of cleanup.* (the rule pipeline: presets, preview, apply, user rules).
 * Environment-free (zod only); merged into ../api.ts. Import building blocks from ../schemas or
 * sibling contract files, never from ../api.
 */
import { z } from 'zod'
import { CLEANUP_PRESETS, CLEANUP_FIELDS } from '../constants'
import { BoundedJson, DatasetTarget, Id, IdList } from '../schemas'

// ---------------------------------------------------------------------------------------------
// Cleanup
/** mirrors core/cleanup PRESET_IDS (checked by a test) */

export type CleanupPresetId = (typeof CLEANUP_PRESETS)[number]

const CleanupField = z.enum(CLEANUP_FIELDS)

export const CleanupStep = z
  .object({
    rule: z.string().min(1).max(100),
    enabled: z.boolean().optional(),
    fields: z.array(CleanupField).min(1).max(3).optional(),
    options: z.record(z.string().max(100), BoundedJson(16_384, 'a step option')).optional()
  })
  .strict()

export type CleanupStep = z.infer<typeof CleanupStep>

export const UserRuleSchema = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'letters, digits, _ and - only'),
    label: z.string().trim().min(1).max(200).optional(),
    find: z.string().min(1).max(10_000),
    replace: z.string().max(10_000),
    regex: z.boolean().default(false),
    flags: z
      .string()
      .regex(/^[gimsu]*$/, 'flags from "imsu"')
      .max(5)
      .optional(),
    fields: z.array(CleanupField).min(1).max(3).optional(),
    enabled: z.boolean().optional()
  })
  .strict()

export type UserRuleInput = z.input<typeof UserRuleSchema>

export type UserRuleData = z.output<typeof UserRuleSchema>

/** Which images an operation covers (see DatasetTarget in ../schemas). */
export const DataTarget = DatasetTarget

export type DataTarget = DatasetTarget

/** The pipeline: presets (in order) and/or explicit steps (after the presets' steps). */
const pipelineShape = {
  target: DataTarget,
  presets: z.array(z.enum(CLEANUP_PRESETS)).max(CLEANUP_PRESETS.length).optional(),
  steps: z.array(CleanupStep).max(200).optional(),
  /** absent: the dataset's saved user rules run after the steps; [] = none; given = these */
  userRules: z.array(UserRuleSchema).max(200).optional()
}

const needsPipeline = (a: { presets?: unknown[]; steps?: unknown[]; userRules?: unknown[] }) =>
  !!(a.presets?.length || a.steps?.length || a.userRules?.length)

const pipelineMessage = { message: 'give presets, steps or userRules' }

/** Most changed images a preview lists with before/after and diffs (counts cover them all). */
export const CLEANUP_PREVIEW_CAP = 2000

export interface CleanupRuleInfo {
  id: string
  label: string
  fields: ('zh' | 'en' | 'tags')[]
  /** off unless turned on (繁→简) */
  optIn: boolean
}

export interface CleanupPresetInfo {
  id: CleanupPresetId
  steps: { rule: string; enabled: boolean }[]
}

export interface CleanupDiffPart {
  op: '=' | '-' | '+'
  text: string
}

export interface CleanupSnapshot {
  zh: string
  en: string
  tags: string[]
}

export interface CleanupPreviewItem {
  imageId: number
  fileName: string
  relPath: string
  before: CleanupSnapshot
  after: CleanupSnapshot
  /** per rule id: things changed in this image */
  counts: Record<string, number>
  diff: { zh?: CleanupDiffPart[]; en?: CleanupDiffPart[]; tags?: CleanupDiffPart[] }
}

export interface CleanupRuleTotal {
  rule: string
  label: string
  /** things changed over all images ("URLs removed: 312") */
  count: number
  /** images the rule changed */
  items: number
  /** images where the guard held the rule back (it would have emptied a caption or removed most of it) */
  held?: number
}

/** A step the guard held back on one field of one image: not applied, listed for review. */
export interface CleanupHeldStep {
  rule: string
  label: string
  field: 'zh' | 'en' | 'tags'
  /** 'empties': nothing would be left; 'removes-most': more than half of what it says would go */
  reason: 'empties' | 'removes-most'
  /** share of the caption's content the step would remove, 0–1 */
  removed: number
  /** the field as it stays, and what the step would have made of it */
  before: string
  after: string
}

export interface CleanupHeldItem {
  imageId: number
  fileName: string
  relPath: string
  steps: CleanupHeldStep[]
}

export interface CleanupPreviewResult {
  scanned: number
  /** images the pipeline changes */
  changed: number
  totals: CleanupRuleTotal[]
  items: CleanupPreviewItem[]
  /** the cap used for `items` */
  limit: number
  /** more images changed than `items` lists */
  truncated: boolean
  /** images with a step the guard held back (never applied unless released) */
  heldItems: number
  /** the first `limit` of them, for review */
  held: CleanupHeldItem[]
}

export interface UserRuleTestResult {
  ok: boolean
  /** why the rule is invalid (ok false) */
  error?: string
  results: { input: string; output: string; count: number }[]
}

// ---------------------------------------------------------------------------------------------
// Methods
export const cleanupArgs = {
  'cleanup.presets': z.object({}).strict(),
  /** per-rule counts over every image of the target; before/after + diffs for the first `limit` changed */
  'cleanup.preview': z
    .object({
      ...pipelineShape,
      limit: z.number().int().min(1).max(CLEANUP_PREVIEW_CAP).default(200)
    })
    .strict()
    .refine(needsPipeline, pipelineMessage),
  /** one undoable journal batch; raw imported text is never changed */
  'cleanup.apply': z
    .object({
      ...pipelineShape,
      excludeImageIds: IdList(100_000).default([]),
      /** images a reviewer released: the steps the guard held back are applied to them too */
      releaseImageIds: IdList(100_000).default([])
    })
    .strict()
    .refine(needsPipeline, pipelineMessage),
  'cleanup.rules.get': z.object({ datasetId: Id }).strict(),
  /** replaces the dataset's saved user rules (each validated; ids unique) */
  'cleanup.rules.save': z
    .object({ datasetId: Id, rules: z.array(UserRuleSchema).max(200) })
    .strict(),
  /** live test of one rule on sample texts (an invalid rule gives ok: false with the reason) */
  'cleanup.rules.test': z
    .object({
      rule: UserRuleSchema,
      samples: z.array(z.string().max(20_000)).min(1).max(50)
    })
    .strict()
} satisfies Record<string, z.ZodType>

// ---------------------------------------------------------------------------------------------
// Results
export interface CleanupResults {
  'cleanup.presets': { presets: CleanupPresetInfo[]; rules: CleanupRuleInfo[] }
  'cleanup.preview': CleanupPreviewResult
  'cleanup.apply': {
    changed: number
    batchId: number | null
    totals: CleanupRuleTotal[]
    /** images left with a step held back by the guard (released ones not counted) */
    heldItems: number
  }
  'cleanup.rules.get': { datasetId: number; rules: UserRuleData[] }
  'cleanup.rules.save': { datasetId: number; rules: UserRuleData[] }
  'cleanup.rules.test': UserRuleTestResult
}
