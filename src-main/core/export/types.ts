/**
 * Export engine types. An exporter takes plain image records (built by the caller from the
 * database), a profile, a destination, an AbortSignal and a progress callback; it never reads the
 * database itself, so jobs, CLI and tests drive it the same way.
 */
import { z } from 'zod'

export const EXPORT_FORMATS = ['kohya', 'sdscripts', 'hf', 'hunyuan', 'onetrainer'] as const
export type ExportFormat = (typeof EXPORT_FORMATS)[number]

export interface ExportImage {
  id: number
  /** absolute source path (read-only) */
  path: string
  /** '' = the profile's defaultConcept */
  concept: string
  /** kohya repeats; null/undefined = the profile default */
  repeats?: number | null
  isReg?: boolean
  status?: 'unreviewed' | 'approved' | 'rejected' | 'needs-work'
  zh?: string
  en?: string
  tags?: string[]
  /** per-image trigger words (the profile's go first) */
  triggerWords?: string[]
  /** import facts: when size and mtime still match, the sha256 is reused for the manifest */
  sha256?: string | null
  bytes?: number | null
  mtimeMs?: number | null
}

const Int = z.number().int()

export const CaptionProfile = z
  .object({
    /** zh, en, or both as separate lines (each line one kohya wildcard / OneTrainer variant) */
    language: z.enum(['zh', 'en', 'both']).default('en'),
    triggerWords: z.array(z.string()).default([]),
    includeText: z.boolean().default(true),
    includeTags: z.boolean().default(true),
    separator: z.string().min(1).default(', '),
    /** 'count': keep_tokens = number of trigger words; 'separator': a `|||` after them */
    keepTokens: z.enum(['none', 'count', 'separator']).default('none'),
    keepTokensSeparator: z.string().min(1).default('|||')
  })
  .strict()
export type CaptionProfile = z.infer<typeof CaptionProfile>

export const KohyaProfile = z
  .object({
    resolution: z.union([Int.positive(), z.tuple([Int.positive(), Int.positive()])]).default(1024),
    batchSize: Int.positive().default(1),
    enableBucket: z.boolean().default(true),
    minBucketReso: Int.positive().default(256),
    maxBucketReso: Int.positive().default(2048),
    bucketResoSteps: Int.positive().default(64),
    shuffleCaption: z.boolean().optional(),
    defaultRepeats: Int.positive().default(1),
    /** concept → class word: folder "<repeats>_<concept> <class>" */
    classTokens: z.record(z.string(), z.string()).default({})
  })
  .strict()
export type KohyaProfile = z.infer<typeof KohyaProfile>

export const ImageProfile = z
  .object({
    /** copy (reflink where the filesystem can), hard link (copy across devices), or re-encode */
    mode: z.enum(['copy', 'link', 'reencode']).default('copy'),
    bakeOrientation: z.boolean().default(false),
    maxSide: Int.positive().optional(),
    format: z.enum(['keep', 'png', 'jpeg', 'webp']).default('keep'),
    quality: Int.min(1).max(100).default(92)
  })
  .strict()
export type ImageProfile = z.infer<typeof ImageProfile>

export const ExportProfile = z
  .object({
    name: z.string().default(''),
    format: z.enum(EXPORT_FORMATS),
    /** review filter: approved only (default) or every image */
    status: z.enum(['approved', 'any']).default('approved'),
    defaultConcept: z.string().default('images'),
    caption: CaptionProfile.prefault({}),
    kohya: KohyaProfile.prefault({}),
    image: ImageProfile.prefault({})
  })
  .strict()
export type ExportProfile = z.infer<typeof ExportProfile>
export type ExportProfileInput = z.input<typeof ExportProfile>

export interface ExportProgress {
  phase: 'check' | 'images' | 'metadata' | 'manifest' | 'finish' | 'validate'
  done: number
  total: number
}

export interface ExportOptions {
  images: readonly ExportImage[]
  profile: ExportProfileInput
  destination: string
  /** import roots; the destination may not be inside, equal to or around any of them */
  sourceRoots?: readonly string[]
  signal?: AbortSignal
  onProgress?: (p: ExportProgress) => void
  /** images placed at once (default 8) */
  concurrency?: number
}

export interface RenamedFile {
  imageId: number
  source: string
  exported: string
  reason: string
}

export interface ManifestFile {
  path: string
  bytes: number
  sha256: string
}

export interface ValidationIssue {
  level: 'error' | 'warning'
  message: string
  path?: string
}

export interface ValidationReport {
  format: ExportFormat
  ok: boolean
  issues: ValidationIssue[]
  /** what the trainer would see: per concept/subset, images and captions found */
  subsets: Array<{
    name: string
    imageDir: string
    repeats: number
    classTokens: string
    images: number
    captions: number
    isReg: boolean
  }>
  images: number
}

export interface ExportResult {
  destination: string
  format: ExportFormat
  exported: number
  skipped: Array<{ imageId: number; source: string; reason: string }>
  renamed: RenamedFile[]
  warnings: string[]
  linkFallbacks: number
  files: number
  bytes: number
  validation: ValidationReport
}
