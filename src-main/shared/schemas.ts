/**
 * Building blocks of the contract (enumerations and shared argument schemas). Environment-free:
 * imports nothing but zod. Domain contracts in ./contract/ import from here, never from api.ts.
 */
import { z } from 'zod'
import {
  CAPTION_FIELDS,
  ERROR_CODES,
  JOB_KINDS,
  JOB_STATUSES,
  LANGS,
  MEDIA_VARIANTS,
  REVIEW_STATUSES,
  SORT_KEYS
} from './constants'

export * from './constants'

// ---------------------------------------------------------------------------------------------
// Enumerations
export const Lang = z.enum(LANGS)
export type Lang = z.infer<typeof Lang>

export const ReviewStatus = z.enum(REVIEW_STATUSES)
export type ReviewStatus = z.infer<typeof ReviewStatus>

export const SortKey = z.enum(SORT_KEYS)
export type SortKey = z.infer<typeof SortKey>

export type CaptionFieldName = (typeof CAPTION_FIELDS)[number]
export const CaptionFields = z
  .object(
    Object.fromEntries(CAPTION_FIELDS.map((f) => [f, z.string().max(20_000).optional()])) as {
      [K in CaptionFieldName]: z.ZodOptional<z.ZodString>
    }
  )
  .strict()
export type CaptionFields = z.infer<typeof CaptionFields>

export type JobStatus = (typeof JOB_STATUSES)[number]
export type JobKind = (typeof JOB_KINDS)[number]

export const MediaVariant = z.enum(MEDIA_VARIANTS)
export type MediaVariant = z.infer<typeof MediaVariant>

export type ErrorCode = (typeof ERROR_CODES)[number]

/** The shape every error takes when it crosses a process or network boundary. */
export interface ApiError {
  code: ErrorCode
  message: string
  details?: unknown
}

// ---------------------------------------------------------------------------------------------
// Building blocks
export const Id = z.number().int().positive()

const isId = (v: unknown): boolean => typeof v === 'number' && Number.isSafeInteger(v) && v > 0

/**
 * A list of ids (`number[]`), checked in one pass: a list with bad elements gets ONE issue that
 * counts them and points at the first, not one issue per element (a million bad elements made a
 * million issues and froze the server).
 */
export function IdList(max: number, min = 0) {
  return z
    .custom<number[]>((v) => Array.isArray(v), { message: 'expected a list of ids' })
    .superRefine((list, ctx) => {
      if (!Array.isArray(list)) return
      if (list.length > max) {
        ctx.addIssue({
          code: 'custom',
          message: `at most ${max.toLocaleString('en')} ids (got ${list.length.toLocaleString('en')})`
        })
        return
      }
      if (list.length < min)
        ctx.addIssue({ code: 'custom', message: `at least ${min} id${min === 1 ? '' : 's'}` })
      let bad = 0
      let first = -1
      for (let i = 0; i < list.length; i++)
        if (!isId(list[i])) {
          bad++
          if (first < 0) first = i
        }
      if (bad)
        ctx.addIssue({
          code: 'custom',
          path: [first],
          message: `ids are positive whole numbers; ${bad.toLocaleString('en')} item${bad === 1 ? ' is' : 's are'} not (the first at index ${first})`
        })
    })
}

/** Largest settings value, as JSON. */
export const SETTINGS_VALUE_MAX_BYTES = 64 * 1024

/** Any JSON value whose serialised form is at most `maxBytes` (UTF-16 units, a close bound). */
export function BoundedJson(maxBytes: number, what = 'the value') {
  return z.json().superRefine((v, ctx) => {
    let n = 0
    try {
      n = JSON.stringify(v)?.length ?? 0
    } catch {
      n = Infinity
    }
    if (n > maxBytes)
      ctx.addIssue({
        code: 'custom',
        message: `${what} is ${Number.isFinite(n) ? n.toLocaleString('en') : 'too many'} characters as JSON; the limit is ${maxBytes.toLocaleString('en')}`
      })
  })
}
export const Name = z.string().trim().min(1).max(200)
export const Text = z.string().max(1_000_000, 'at most 1,000,000 characters')
export const TagInput = z
  .object({
    tag: z.string().trim().min(1).max(500),
    score: z.number().min(0).max(1).nullable().optional(),
    source: z.string().max(200).optional()
  })
  .strict()

/** A half-open range `min ≤ x < max`; either end may be left open. */
function range(value: z.ZodNumber) {
  return z
    .object({ min: value.optional(), max: value.optional() })
    .strict()
    .refine((r) => r.min === undefined || r.max === undefined || r.min < r.max, {
      message: 'min must be below max'
    })
}
const PixelRange = range(z.number().int().min(0).max(1_000_000))
export type PixelRange = z.infer<typeof PixelRange>

/** kohya bucket settings, as stats.buckets takes them (every field given). */
export const BucketFilter = z
  .object({
    /** the bucket: images the bucket manager would put in width × height */
    width: z.number().int().min(1).max(65_536),
    height: z.number().int().min(1).max(65_536),
    resolution: z.tuple([z.number().int().min(64).max(8192), z.number().int().min(64).max(8192)]),
    enableBucket: z.boolean(),
    minReso: z.number().int().min(64).max(8192),
    maxReso: z.number().int().min(64).max(8192),
    steps: z.number().int().min(8).max(1024),
    noUpscale: z.boolean()
  })
  .strict()
export type BucketFilter = z.infer<typeof BucketFilter>

export const ImageFilter = z
  .object({
    datasetId: Id.optional(),
    status: z.array(ReviewStatus).max(4).optional(),
    concept: z.string().max(500).optional(),
    folder: z.string().max(4000).optional(),
    /** images lacking a caption in this language ('any' = lacking zh or en) */
    missing: z.enum(['zh', 'en', 'any']).optional(),
    /** true: only files that failed import; false: only good files */
    hasError: z.boolean().optional(),
    /**
     * search over zh, en, tags and the image's folder and file name: every whitespace-separated
     * term must match ("a quoted phrase" is one term); 简/繁 and full/half width fold
     */
    search: z.string().max(500).optional(),
    /** search also matches the raw imported caption (default: only what the captions say now) */
    searchRaw: z.boolean().optional(),
    /** images having every one of these tags */
    tags: z.array(z.string().trim().min(1).max(500)).min(1).max(20).optional(),
    /** pixel width / height ranges (images without a size never match) */
    width: PixelRange.optional(),
    height: PixelRange.optional(),
    /** width / height ratio range */
    aspect: range(z.number().positive().max(1000)).optional(),
    /**
     * caption length in one language: characters (counted live) or estimated CLIP / mT5 tokens
     * (from caption_metrics, kept current by triggers); empty captions never match
     */
    captionLength: z
      .object({
        lang: Lang,
        unit: z.enum(['chars', 'clip', 'mt5']).optional(),
        min: z.number().int().min(0).max(10_000_000).optional(),
        max: z.number().int().min(1).max(10_000_000).optional()
      })
      .strict()
      .refine((r) => r.min === undefined || r.max === undefined || r.min < r.max, {
        message: 'min must be below max'
      })
      .optional(),
    /** images a kohya bucket manager with these settings would put in one bucket */
    bucket: BucketFilter.optional(),
    /**
     * true: images with in-image text (a non-empty structured `text` field in zh or en) or that
     * the OCR model flagged as watermarked; false: neither
     */
    hasText: z.boolean().optional()
  })
  .strict()
export type ImageFilter = z.infer<typeof ImageFilter>

export const Sort = z.object({ key: SortKey, dir: z.enum(['asc', 'desc']) }).strict()
export type Sort = z.infer<typeof Sort>

/** A file or folder path as the contract takes it. */
export const FilePath = z.string().min(1).max(4096)

/**
 * Which images an operation covers: a dataset, narrowed by a grid filter OR an explicit
 * selection (not both). `filter.datasetId`, when given, must equal `datasetId`.
 */
export const DatasetTarget = z
  .object({
    datasetId: Id,
    filter: ImageFilter.optional(),
    imageIds: IdList(100_000, 1).optional()
  })
  .strict()
  .refine((t) => !(t.filter && t.imageIds), { message: 'give filter or imageIds, not both' })
  .refine((t) => t.filter?.datasetId === undefined || t.filter.datasetId === t.datasetId, {
    path: ['filter', 'datasetId'],
    message: 'filter.datasetId must equal datasetId'
  })
export type DatasetTarget = z.output<typeof DatasetTarget>
