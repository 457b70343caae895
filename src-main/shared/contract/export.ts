/**
 * The contract of export.* (trainer exports: profiles, dry-run plan, the job and its report).
 * Environment-free (zod only); merged into ../api.ts. Import building blocks from ../schemas or
 * sibling contract files, never from ../api.
 */
import { z } from 'zod'
import {
  EXPORT_CAPTION_SOURCES,
  EXPORT_FORMATS,
  EXPORT_LANGUAGES,
  EXPORT_LINE_MODES,
  EXPORT_PATH_MODES
} from '../constants'
import { FilePath, Id, ImageFilter, Name } from '../schemas'

// ---------------------------------------------------------------------------------------------
// Export profiles (the export engine's too: core/export/types.ts)

export type ExportFormatName = (typeof EXPORT_FORMATS)[number]
export type ExportLanguage = (typeof EXPORT_LANGUAGES)[number]
export type ExportLineMode = (typeof EXPORT_LINE_MODES)[number]
export type ExportPathMode = (typeof EXPORT_PATH_MODES)[number]
export type ExportCaptionSource = (typeof EXPORT_CAPTION_SOURCES)[number]

const Int = z.number().int()

export const ExportProfileSchema = z
  .object({
    name: z.string().max(200).default(''),
    format: z.enum(EXPORT_FORMATS),
    /** review filter: approved only (default) or every image */
    status: z.enum(['approved', 'any']).default('approved'),
    defaultConcept: z.string().max(200).default('images'),
    /**
     * relative (default): paths relative to the export, so it can be moved; where the trainer
     * resolves them against its working directory, it runs from inside the export (README.txt).
     * absolute: absolute paths, valid only where the export was written.
     */
    paths: z.enum(EXPORT_PATH_MODES).default('relative'),
    caption: z
      .object({
        /**
         * auto = the format's default (HunyuanDiT: zh first, the others: en first); zh / en fall
         * back per image to the other language when the chosen one is empty; both = both
         * languages (one caption, or one alternative each when lines are alternatives).
         */
        language: z.enum(EXPORT_LANGUAGES).default('auto'),
        /** join (default): a multi-line caption becomes one; alternatives: one picked per step */
        lines: z.enum(EXPORT_LINE_MODES).default('join'),
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

/** Images per caption source (the chosen language, the fallback, tags only, class tokens). */
export type ExportCaptionSources = Record<ExportCaptionSource, number>

/** How captions are composed for this export, and where they come from. */
export interface ExportCaptionPlan {
  /** what the profile asked for */
  language: ExportLanguage
  /** what it means for this format: the language written first, or both */
  primary: 'zh' | 'en' | 'both'
  /** the effective line mode: 'join' when the format has no alternatives */
  lines: ExportLineMode
  /** the format's trainer can pick one line per step (kohya, sd-scripts, OneTrainer) */
  alternativesSupported: boolean
  /** images whose caption has several lines or both languages (joined, or alternatives) */
  multiLine: number
  /** sd-scripts enable_wildcard is written (alternatives): {, } are escaped as {{, }} */
  wildcard: boolean
  sources: ExportCaptionSources
}

/** Where the paths of the export point, and how to run the trainer on it. */
export interface ExportPortability {
  paths: ExportPathMode
  /** the trainer resolves the relative paths against its working directory: run it from the export */
  runFromExport: boolean
  /** how to run the trainer on this export (English; README.txt in the export says the same) */
  howToRun: string
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
  captions: ExportCaptionPlan
  portability: ExportPortability
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
  /**
   * The fidelity check: images read back as the trainer reads them (wildcards, first line or all
   * lines, separators, keep_tokens) and compared with the caption the plan meant to write.
   * checked = images with an intended caption found by the trainer; matched = equal.
   */
  fidelity: { checked: number; matched: number }
  /** relative paths resolved against the trainer's working directory: run it from the export */
  runFromExport: boolean
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
  /** caption composition and per-source counts of the exported images */
  captions: ExportCaptionPlan
  portability: ExportPortability
  /** wall time of the whole export and of its validation pass, in ms */
  timings: { totalMs: number; validateMs: number }
  finishedAt: number
}

// ---------------------------------------------------------------------------------------------
// Methods
export const exportArgs = {
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
export interface ExportResults {
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
