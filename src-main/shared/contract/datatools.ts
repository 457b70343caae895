/**
 * The datatools part of the contract (issue 6): import formats (detect + options for
 * `import.start`), the cleanup pipeline (presets, preview, apply as one undoable batch, user
 * rules saved per dataset with a live test) and trainer exports (saved profiles, dry-run plan,
 * the export job and its validation report).
 * Import building blocks from ../schemas (never from ../api, which imports this file).
 *
 * The export profile schema is also the export engine's (core/export/types.ts re-exports it).
 */
import { z } from 'zod'
import { DatasetTarget, FilePath, Id, ImageFilter, Name } from '../schemas'

// ---------------------------------------------------------------------------------------------
// Import formats
export const IMPORT_FORMATS = ['auto', 'folder', 'kohya', 'sdscripts', 'hf', 'hunyuan'] as const
export const ImportFormat = z.enum(IMPORT_FORMATS)
export type ImportFormat = z.infer<typeof ImportFormat>
/** a concrete format (what `auto` resolves to) */
export type ResolvedImportFormat = Exclude<ImportFormat, 'auto'>

const Column = z.string().trim().min(1).max(200)

export const ImportFormatOptions = z
  .object({
    /** hf: the column holding the caption (default "text") */
    captionColumn: Column.optional(),
    /** hf: the column holding comma-separated tags (default "tags" when present; "" = none) */
    tagsColumn: z.string().trim().max(200).optional(),
    /** sdscripts / hf / hunyuan: the metadata file(s) to read, instead of the detected ones */
    metadataFiles: z.array(FilePath).min(1).max(100).optional(),
    /**
     * kohya: folders (relative to the import root, '/'-separated) whose `<repeats>_<class>`
     * subfolders hold regularisation images; default ["reg"]
     */
    regFolders: z.array(z.string().trim().min(1).max(500)).max(100).optional()
  })
  .strict()
export type ImportFormatOptions = z.infer<typeof ImportFormatOptions>

// ---------------------------------------------------------------------------------------------
// Cleanup
/** mirrors core/text/cleanup PRESET_IDS (checked by a test) */
export const CLEANUP_PRESETS = ['web-scrape', 'kohya', 'tags', 'normalise'] as const
export type CleanupPresetId = (typeof CLEANUP_PRESETS)[number]
export const CLEANUP_FIELDS = ['zh', 'en', 'tags'] as const
const CleanupField = z.enum(CLEANUP_FIELDS)

export const CleanupStep = z
  .object({
    rule: z.string().min(1).max(100),
    enabled: z.boolean().optional(),
    fields: z.array(CleanupField).min(1).max(3).optional(),
    options: z.record(z.string(), z.json()).optional()
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

// ---------------------------------------------------------------------------------------------
// Export profiles (the export engine's too: core/export/types.ts)
export const EXPORT_FORMATS = ['kohya', 'sdscripts', 'hf', 'hunyuan', 'onetrainer'] as const
export type ExportFormatName = (typeof EXPORT_FORMATS)[number]
const Int = z.number().int()

export const ExportProfileSchema = z
  .object({
    name: z.string().max(200).default(''),
    format: z.enum(EXPORT_FORMATS),
    /** review filter: approved only (default) or every image */
    status: z.enum(['approved', 'any']).default('approved'),
    defaultConcept: z.string().max(200).default('images'),
    caption: z
      .object({
        /** zh, en, or both as separate lines (each line one kohya wildcard / OneTrainer variant) */
        language: z.enum(['zh', 'en', 'both']).default('en'),
        triggerWords: z.array(z.string().max(200)).max(100).default([]),
        includeText: z.boolean().default(true),
        includeTags: z.boolean().default(true),
        separator: z.string().min(1).max(20).default(', '),
        /** 'count': keep_tokens = number of trigger words; 'separator': a `|||` after them */
        keepTokens: z.enum(['none', 'count', 'separator']).default('none'),
        keepTokensSeparator: z.string().min(1).max(20).default('|||')
      })
      .strict()
      .prefault({}),
    kohya: z
      .object({
        resolution: z
          .union([Int.positive(), z.tuple([Int.positive(), Int.positive()])])
          .default(1024),
        batchSize: Int.positive().default(1),
        enableBucket: z.boolean().default(true),
        minBucketReso: Int.positive().default(256),
        maxBucketReso: Int.positive().default(2048),
        bucketResoSteps: Int.positive().default(64),
        shuffleCaption: z.boolean().optional(),
        defaultRepeats: Int.positive().default(1),
        /** concept → class word: folder "<repeats>_<concept> <class>" */
        classTokens: z.record(z.string(), z.string().max(200)).default({})
      })
      .strict()
      .prefault({}),
    image: z
      .object({
        /** copy (reflink where the filesystem can), hard link (copy across devices), or re-encode */
        mode: z.enum(['copy', 'link', 'reencode']).default('copy'),
        bakeOrientation: z.boolean().default(false),
        maxSide: Int.positive().optional(),
        format: z.enum(['keep', 'png', 'jpeg', 'webp']).default('keep'),
        quality: Int.min(1).max(100).default(92)
      })
      .strict()
      .prefault({})
  })
  .strict()
export type ExportProfileData = z.output<typeof ExportProfileSchema>
export type ExportProfileArg = z.input<typeof ExportProfileSchema>

/** What to export: the dataset, a profile (inline or saved), optionally a grid filter. */
const exportShape = {
  datasetId: Id,
  profile: ExportProfileSchema.optional(),
  profileId: Id.optional(),
  /** review filter; overrides the profile's (default: the profile's, i.e. approved only) */
  status: z.enum(['approved', 'any']).optional(),
  filter: ImageFilter.optional()
}
const oneProfile = (a: { profile?: unknown; profileId?: unknown }) =>
  (a.profile === undefined) !== (a.profileId === undefined)
const oneProfileMessage = { message: 'give profile or profileId (exactly one)' }

// ---------------------------------------------------------------------------------------------
// Methods
export const datatoolsArgs = {
  /** what a folder looks like: the detected format, the candidates and the first rows */
  'import.detect': z
    .object({
      dir: FilePath,
      /** preview as this format instead of the detected one */
      format: ImportFormat.default('auto'),
      formatOptions: ImportFormatOptions.default({}),
      limit: z.number().int().min(1).max(100).default(10)
    })
    .strict(),

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
    .object({ ...pipelineShape, excludeImageIds: z.array(Id).max(100_000).default([]) })
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
    .strict(),

  'export.profiles.list': z.object({}).strict(),
  /** without id: create; with id: update. Names are unique (case-insensitive). */
  'export.profiles.save': z
    .object({ id: Id.optional(), name: Name, profile: ExportProfileSchema })
    .strict(),
  'export.profiles.delete': z.object({ id: Id }).strict(),
  /** dry run: nothing is written; `destination` given = its refusal checks run too */
  'export.plan': z
    .object({ ...exportShape, destination: FilePath.optional() })
    .strict()
    .refine(oneProfile, oneProfileMessage),
  /** refusals (bad destination, unsafe names, nothing to export) are thrown here, nothing written */
  'export.start': z
    .object({ ...exportShape, destination: FilePath })
    .strict()
    .refine(oneProfile, oneProfileMessage),
  'export.report': z.object({ jobId: Id }).strict()
} satisfies Record<string, z.ZodType>

// ---------------------------------------------------------------------------------------------
// Results
export interface ImportDetectCandidate {
  format: ResolvedImportFormat
  /** why it matches (or the file that makes it match) */
  reason: string
}

export interface ImportPreviewRow {
  /** the row key as written in the metadata (or the image path relative to the folder) */
  key: string
  /** the image it resolves to, relative to the folder; null = no such image */
  image: string | null
  caption: string | null
  tags: string[]
  concept?: string
  repeats?: number | null
  isReg?: boolean
}

export interface ImportDetectResult {
  dir: string
  /** the detected format (or the requested one) */
  format: ResolvedImportFormat
  candidates: ImportDetectCandidate[]
  /** metadata files the format reads (absolute) */
  metadataFiles: string[]
  /** hf / hunyuan: the columns of the metadata file */
  columns: string[]
  rows: ImportPreviewRow[]
  /** problems seen while previewing (unreadable metadata, missing columns) */
  warnings: string[]
}

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
}

export interface UserRuleTestResult {
  ok: boolean
  /** why the rule is invalid (ok false) */
  error?: string
  results: { input: string; output: string; count: number }[]
}

export interface ExportProfileRecord {
  id: number
  name: string
  profile: ExportProfileData
  createdAt: number
  updatedAt: number
}

export interface ExportPlanSubset {
  /** folder relative to the export root */
  folder: string
  concept: string
  classTokens: string
  repeats: number
  isReg: boolean
  images: number
  bytes: number
}

export interface ExportPlanResult {
  format: ExportFormatName
  /** images in the dataset (filter applied) before the review filter */
  candidates: number
  /** images that would be exported */
  images: number
  /** source bytes of the exported images (copy size; re-encoding changes it) */
  bytes: number
  subsets: ExportPlanSubset[]
  /** renamed for safety or stem collisions */
  renamed: { imageId: number; source: string; exported: string; reason: string }[]
  skipped: { imageId: number; source: string; reason: string }[]
  warnings: string[]
  /** the refusal export.start would give for `destination`, null = fine or not checked */
  destinationProblem: string | null
}

export interface ExportValidationReport {
  format: ExportFormatName
  ok: boolean
  issues: { level: 'error' | 'warning'; message: string; path?: string }[]
  /** what the trainer would see: per concept/subset, images and captions found */
  subsets: {
    name: string
    imageDir: string
    repeats: number
    classTokens: string
    images: number
    captions: number
    isReg: boolean
  }[]
  images: number
}

export interface ExportReport {
  jobId: number
  destination: string
  format: ExportFormatName
  exported: number
  skipped: { imageId: number; source: string; reason: string }[]
  renamed: { imageId: number; source: string; exported: string; reason: string }[]
  warnings: string[]
  linkFallbacks: number
  files: number
  bytes: number
  validation: ExportValidationReport
  finishedAt: number
}

export interface DatatoolsResults {
  'import.detect': ImportDetectResult
  'cleanup.presets': { presets: CleanupPresetInfo[]; rules: CleanupRuleInfo[] }
  'cleanup.preview': CleanupPreviewResult
  'cleanup.apply': { changed: number; batchId: number | null; totals: CleanupRuleTotal[] }
  'cleanup.rules.get': { datasetId: number; rules: UserRuleData[] }
  'cleanup.rules.save': { datasetId: number; rules: UserRuleData[] }
  'cleanup.rules.test': UserRuleTestResult
  'export.profiles.list': ExportProfileRecord[]
  'export.profiles.save': ExportProfileRecord
  'export.profiles.delete': { deleted: boolean }
  'export.plan': ExportPlanResult
  'export.start': { jobId: number; images: number }
  /** report null while the job has not finished (or failed before writing one) */
  'export.report': {
    jobId: number
    status: string
    error: string | null
    report: ExportReport | null
  }
}
