/**
 * The contract of selection.*, bulk.*, tags.*, dupes.* and stats.* (review at scale).
 * Environment-free (zod only); merged into ../api.ts. Import building blocks from ../schemas or
 * sibling contract files, never from ../api.
 */
import { z } from 'zod'
import { Id, IdList, ImageFilter, Lang, ReviewStatus } from '../schemas'

// ---------------------------------------------------------------------------------------------
// Selections

/**
 * A selection is a QUERY, not a list of loaded rows: "select all" is every image matching the
 * filter (optionally within `datasetId`), minus `exclude`, plus `include` (Ctrl-clicked extras).
 * `{ ids }` is an explicit list (a shift-click range the grid already knows).
 */
export const Selection = z.union([
  z.object({ ids: IdList(200_000, 1) }).strict(),
  z
    .object({
      datasetId: Id.optional(),
      filter: ImageFilter,
      include: IdList(200_000).optional(),
      exclude: IdList(200_000).optional()
    })
    .strict()
    .refine(
      (s) =>
        s.datasetId === undefined ||
        s.filter.datasetId === undefined ||
        s.datasetId === s.filter.datasetId,
      { message: 'datasetId and filter.datasetId disagree' }
    )
])

export type Selection = z.infer<typeof Selection>

const TagName = z.string().trim().min(1).max(500)

const TagList = z.array(TagName).min(1).max(500)

const Langs = z.array(Lang).min(1).max(2)

// ---------------------------------------------------------------------------------------------
// Bulk operations

export const BulkOp = z.discriminatedUnion('kind', [
  /**
   * Find/replace in the zh and/or en caption. `regex`: a regular expression in JavaScript syntax
   * run on a linear-time engine (RE2 semantics: no backreferences or lookahead; the replacement
   * may use $1, $<name>, $&); otherwise both are literal. `caseInsensitive` and
   * `widthInsensitive` (全角 = 半角: Ａ matches A, （ matches ( ) widen what matches; the
   * replacement is inserted as typed. `source: 'raw'` reads the imported raw caption instead (raw
   * is never modified) and writes the result into the chosen languages.
   */
  z
    .object({
      kind: z.literal('replace'),
      find: z.string().min(1).max(2000),
      replace: z.string().max(10_000),
      regex: z.boolean().default(false),
      caseInsensitive: z.boolean().default(false),
      widthInsensitive: z.boolean().default(false),
      langs: Langs.default(['zh', 'en']),
      source: z.enum(['caption', 'raw']).default('caption')
    })
    .strict(),
  /** adds tags missing from each image, at the start or end of the list */
  z
    .object({
      kind: z.literal('tags.add'),
      tags: TagList,
      position: z.enum(['start', 'end']).default('end')
    })
    .strict(),
  z.object({ kind: z.literal('tags.remove'), tags: TagList }).strict(),
  /** renames `from` to `to` in place; an image that already has `to` keeps its first one */
  z.object({ kind: z.literal('tags.rename'), from: TagName, to: TagName }).strict(),
  /** every tag in `tags` becomes `into` (first occurrence wins its place) */
  z.object({ kind: z.literal('tags.merge'), tags: TagList, into: TagName }).strict(),
  /** 'front': move `tags` (in this order) to the front; 'alpha': A→Z; 'score': high → low */
  z
    .object({
      kind: z.literal('tags.reorder'),
      mode: z.enum(['front', 'alpha', 'score']),
      tags: TagList.optional()
    })
    .strict()
    .refine((o) => o.mode !== 'front' || (o.tags?.length ?? 0) > 0, {
      message: "mode 'front' needs tags"
    }),
  z.object({ kind: z.literal('status'), status: ReviewStatus }).strict(),
  /** kohya concept and repeats (at least one of them) */
  z
    .object({
      kind: z.literal('concept'),
      concept: z.string().trim().max(500).optional(),
      repeats: z.number().int().min(1).max(10_000).nullable().optional()
    })
    .strict()
    .refine((o) => o.concept !== undefined || o.repeats !== undefined, {
      message: 'give concept and/or repeats'
    }),
  /**
   * Prepends or appends a trigger word to non-empty captions (not twice), with `separator`
   * (default ', ' for en and '，' for zh); `tags: true` also puts it first/last in the tag list.
   */
  z
    .object({
      kind: z.literal('trigger'),
      word: z.string().trim().min(1).max(200),
      position: z.enum(['prepend', 'append']).default('prepend'),
      langs: Langs.default(['zh', 'en']),
      separator: z.string().max(10).optional(),
      tags: z.boolean().default(false)
    })
    .strict(),
  /** moves images to another dataset (an image whose file is already there is left alone) */
  z.object({ kind: z.literal('move'), datasetId: Id }).strict(),
  /** removes images from the library (journaled: undo restores rows; files are never touched) */
  z.object({ kind: z.literal('delete') }).strict()
])

export type BulkOp = z.output<typeof BulkOp>

export type BulkOpKind = BulkOp['kind']

/** Preview samples are capped at this many diffs (the `limit` argument's maximum). */
export const BULK_SAMPLE_CAP = 200

/** Selections up to this size are applied synchronously; bigger ones run as a 'bulk' job. */
export const BULK_SYNC_LIMIT = 1000

export const DupeAction = z.enum(['reject', 'delete'])

/** Default Hamming distance for near duplicates (64-bit DCT pHash); see dupes.find. */
export const DUPES_DEFAULT_THRESHOLD = 6

export const DUPES_MAX_THRESHOLD = 12

const Interval = z.enum(['hour', 'day', 'week'])

// ---------------------------------------------------------------------------------------------
// Results

export type DiffField =
  'zh' | 'en' | 'tags' | 'status' | 'concept' | 'repeats' | 'dataset' | 'image'

/** One changed field of one image (tags as ', '-joined text; delete: after = null). */
export interface BulkDiff {
  imageId: number
  fileName: string
  field: DiffField
  before: string | null
  after: string | null
}

export interface BulkPreview {
  /** images in the selection */
  count: number
  /** images the operation would change */
  changed: number
  /** images it cannot change (move: the file is already in the target dataset) */
  conflicts: number
  /** the first `limit` diffs in id order (capped at BULK_SAMPLE_CAP) */
  samples: BulkDiff[]
  sampleCap: number
  truncated: boolean
}

export interface BulkApplyResult {
  count: number
  /** the 'bulk' job when the selection exceeded BULK_SYNC_LIMIT (watch job.progress), else null */
  jobId: number | null
  /** set when applied synchronously (null: nothing changed) */
  batchId: number | null
  /** images changed (synchronous) or null (job: see jobs.get → items.done) */
  changed: number | null
}

export interface TagCount {
  tag: string
  count: number
}

export interface DupeImage {
  id: number
  fileName: string
  relPath: string
  width: number | null
  height: number | null
  bytes: number
  format: string | null
  status: ReviewStatus
  sha256: string | null
  phash: string | null
  zh: string
  en: string
  /** Hamming distance to the group's first image */
  distance: number
}

export interface DupeGroup {
  /** 'sha:<sha256>' or 'near:<smallest image id>' (stable while the group is unchanged) */
  id: string
  kind: 'exact' | 'near'
  images: DupeImage[]
  maxDistance: number
  /** highest resolution, then most bytes, then captioned, then the oldest */
  suggestedKeep: number
}

export interface DupesResult {
  threshold: number
  groups: DupeGroup[]
  totalGroups: number
  /** images compared (good files with a hash) */
  hashed: number
  /** good files whose hash could not be computed (see the phash job's errors) */
  unhashed: number
  /** the phash job this call started or waited for, if any */
  hashJobId: number | null
}

export interface Histogram {
  binWidth: number
  /** counts of bins [k·binWidth, (k+1)·binWidth); the last bin is everything ≥ its start */
  bins: number[]
  /** the encoder budget drawn as a line (null for characters) */
  budget: number | null
  /** captions over the budget */
  over: number
}

export interface CaptionLengthStats {
  /** token counts are the heuristic estimate of text/tokens.ts */
  estimate: true
  langs: Record<
    Lang,
    { captions: number; empty: number; chars: Histogram; clip: Histogram; mt5: Histogram }
  >
}

export interface ResolutionStats {
  images: number
  /** images without a size (import errors) */
  unknown: number
  /** pixel grid of the points (1 = exact sizes) */
  binSize: number
  points: { width: number; height: number; count: number }[]
  /** aspect ratio width/height histogram, log2 bins of 1/8 from 1/4 to 4 (ends are open) */
  aspect: { from: number; to: number; count: number }[]
}

export interface BucketStats {
  images: number
  unknown: number
  /** images × repeats (what an epoch sees) */
  weighted: number
  upscaled: number
  /** the predefined resolutions (empty with noUpscale, which makes arbitrary buckets) */
  predefined: [number, number][]
  buckets: { width: number; height: number; images: number; weighted: number; upscaled: number }[]
}

export interface ReviewStats {
  byStatus: Record<ReviewStatus, number>
  /** status changes per slot (slot = start of the hour/day/week, ms UTC), reviewer and new status */
  timeline: { slot: number; actor: string; status: ReviewStatus; count: number }[]
  reviewers: { actor: string; changes: number; lastAt: number }[]
}

// ---------------------------------------------------------------------------------------------
// Methods
export const reviewArgs = {
  'selection.count': z.object({ selection: Selection }).strict(),
  'bulk.preview': z
    .object({
      selection: Selection,
      op: BulkOp,
      /** how many sample diffs to return (at most BULK_SAMPLE_CAP) */
      limit: z.number().int().min(1).max(BULK_SAMPLE_CAP).default(50)
    })
    .strict(),
  'bulk.apply': z.object({ selection: Selection, op: BulkOp }).strict(),
  'tags.list': z
    .object({
      filter: ImageFilter.default({}),
      /** substring (case-insensitive) */
      search: z.string().max(500).optional(),
      sort: z
        .object({ key: z.enum(['count', 'tag']), dir: z.enum(['asc', 'desc']) })
        .strict()
        .default({ key: 'count', dir: 'desc' }),
      limit: z.number().int().min(1).max(10_000).default(500)
    })
    .strict(),
  /** renames a tag on every image (of one dataset if given) as one undoable batch */
  'tags.rename': z.object({ from: TagName, to: TagName, datasetId: Id.optional() }).strict(),
  /** merges tags into one on every image (of one dataset if given) as one undoable batch */
  'tags.merge': z.object({ tags: TagList, into: TagName, datasetId: Id.optional() }).strict(),
  'dupes.find': z
    .object({
      datasetId: Id,
      threshold: z.number().int().min(0).max(DUPES_MAX_THRESHOLD).default(DUPES_DEFAULT_THRESHOLD),
      /** most groups returned (biggest first) */
      limit: z.number().int().min(1).max(10_000).default(1000)
    })
    .strict(),
  /** keeps `keep`, and rejects (status) or deletes (journaled) `others` — one undoable batch */
  'dupes.keep': z
    .object({
      keep: z.array(Id).min(1).max(10_000),
      others: IdList(100_000, 1),
      action: DupeAction.default('reject')
    })
    .strict(),
  /** starts the background 'phash' job for images without a perceptual hash */
  'dupes.hash': z.object({ datasetId: Id.optional(), redo: z.boolean().default(false) }).strict(),
  'stats.tags': z
    .object({ filter: ImageFilter.default({}), top: z.number().int().min(1).max(1000).default(30) })
    .strict(),
  'stats.captionLengths': z.object({ filter: ImageFilter.default({}) }).strict(),
  'stats.resolution': z
    .object({
      filter: ImageFilter.default({}),
      /** most scatter points; beyond it sizes are binned on a coarser pixel grid */
      maxPoints: z.number().int().min(10).max(20_000).default(2000)
    })
    .strict(),
  'stats.buckets': z
    .object({
      filter: ImageFilter.default({}),
      /** training resolution [width, height] (sd-scripts `resolution`) */
      resolution: z.tuple([z.number().int().min(64).max(8192), z.number().int().min(64).max(8192)]),
      enableBucket: z.boolean().default(true),
      minReso: z.number().int().min(64).max(8192).default(256),
      maxReso: z.number().int().min(64).max(8192).default(1024),
      steps: z.number().int().min(8).max(1024).default(64),
      noUpscale: z.boolean().default(false)
    })
    .strict(),
  'stats.review': z
    .object({
      filter: ImageFilter.default({}),
      interval: Interval.default('day'),
      /** minutes to add to UTC for the slot boundaries (the renderer's -getTimezoneOffset()) */
      tzOffsetMinutes: z.number().int().min(-840).max(840).default(0)
    })
    .strict()
} satisfies Record<string, z.ZodType>

// ---------------------------------------------------------------------------------------------
// Results
export interface ReviewResults {
  'selection.count': { count: number }
  'bulk.preview': BulkPreview
  'bulk.apply': BulkApplyResult
  'tags.list': { tags: TagCount[]; distinct: number; images: number }
  'tags.rename': BulkApplyResult
  'tags.merge': BulkApplyResult
  'dupes.find': DupesResult
  'dupes.keep': BulkApplyResult
  'dupes.hash': { jobId: number | null; missing: number }
  'stats.tags': {
    images: number
    imagesWithTags: number
    distinct: number
    occurrences: number
    top: TagCount[]
    longTail: { tags: number; occurrences: number; singletons: number }
  }
  'stats.captionLengths': CaptionLengthStats
  'stats.resolution': ResolutionStats
  'stats.buckets': BucketStats
  'stats.review': ReviewStats
}
