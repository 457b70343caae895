/**
 * The one contract between the renderer (via preload or HTTP), the CLI and the core.
 * Environment-free: imports nothing but zod. Every method has a zod argument schema here and a
 * result type in `Results`; core validates every call against `argSchemas` and rejects unknown
 * methods. Push events are listed in `Events`.
 */
import { z } from 'zod'
import {
  CaptionFields,
  Id,
  ImageFilter,
  JOB_STATUSES,
  Lang,
  Name,
  ReviewStatus,
  Sort,
  TagInput,
  Text,
  type JobKind,
  type JobStatus
} from './schemas'

import { captioningArgs, type CaptioningResults } from './contract/captioning'
import { glossaryArgs, type GlossaryResults } from './contract/glossary'
import {
  datatoolsArgs,
  ImportFormat,
  ImportFormatOptions,
  type DatatoolsResults
} from './contract/datatools'
import { reviewArgs, type ReviewResults } from './contract/review'

export * from './schemas'
export * from './contract/captioning'
export * from './contract/glossary'
export * from './contract/datatools'
export * from './contract/review'

// ---------------------------------------------------------------------------------------------
// Methods: argument schemas
export const argSchemas = {
  'library.info': z.object({}).strict(),
  'library.stats': z.object({ datasetId: Id.optional() }).strict(),
  'library.backup': z.object({}).strict(),

  'datasets.list': z.object({}).strict(),
  'datasets.create': z.object({ name: Name }).strict(),
  'datasets.get': z.object({ id: Id.optional(), name: Name.optional() }).strict(),
  'datasets.rename': z.object({ id: Id, name: Name }).strict(),
  'datasets.concepts': z.object({ datasetId: Id }).strict(),

  'import.start': z
    .object({
      dir: z.string().min(1).max(4096),
      datasetId: Id.optional(),
      /** name of the dataset to import into; created if missing; defaults to the folder name */
      datasetName: Name.optional(),
      /** caption source: sidecars (folder, kohya) or a metadata file; 'auto' detects (default) */
      format: ImportFormat.default('auto'),
      formatOptions: ImportFormatOptions.default({})
    })
    .strict(),

  'images.page': z
    .object({
      filter: ImageFilter.default({}),
      sort: Sort.default({ key: 'name', dir: 'asc' }),
      /** opaque cursor from the previous page's `nextCursor` */
      cursor: z.string().max(10_000).nullable().optional(),
      limit: z.number().int().min(1).max(1000).default(100),
      /** include the total count of the filter (a separate COUNT query) */
      withTotal: z.boolean().default(true)
    })
    .strict(),
  'images.get': z.object({ id: Id }).strict(),
  'images.setStatus': z
    .object({ ids: z.array(Id).min(1).max(100_000), status: ReviewStatus })
    .strict(),

  'captions.setText': z.object({ imageId: Id, lang: Lang, text: Text }).strict(),
  'captions.setFields': z.object({ imageId: Id, lang: Lang, fields: CaptionFields }).strict(),
  'captions.setTags': z.object({ imageId: Id, tags: z.array(TagInput).max(2000) }).strict(),

  'history.undo': z.object({}).strict(),
  'history.redo': z.object({}).strict(),
  'history.list': z.object({ limit: z.number().int().min(1).max(500).default(50) }).strict(),

  'jobs.list': z
    .object({
      status: z.array(z.enum(JOB_STATUSES)).optional(),
      limit: z.number().int().min(1).max(500).default(50)
    })
    .strict(),
  'jobs.get': z.object({ id: Id }).strict(),
  'jobs.cancel': z.object({ id: Id }).strict(),
  'jobs.resume': z.object({ id: Id }).strict(),
  'jobs.errors': z
    .object({
      id: Id,
      afterSeq: z.number().int().min(0).default(0),
      limit: z.number().int().min(1).max(1000).default(200)
    })
    .strict(),

  'settings.get': z.object({ key: z.string().min(1).max(200) }).strict(),
  'settings.set': z.object({ key: z.string().min(1).max(200), value: z.json() }).strict(),

  // Domain contracts (src-main/shared/contract/*.ts)
  ...captioningArgs,
  ...glossaryArgs,
  ...datatoolsArgs,
  ...reviewArgs
} as const

export type MethodName = keyof typeof argSchemas
export const METHOD_NAMES = Object.keys(argSchemas) as MethodName[]
/** What a caller passes (defaults may be omitted). */
export type Args<M extends MethodName> = z.input<(typeof argSchemas)[M]>
/** What a handler receives after validation (defaults filled in). */
export type ParsedArgs<M extends MethodName> = z.output<(typeof argSchemas)[M]>

// ---------------------------------------------------------------------------------------------
// Result types
export interface DatasetSummary {
  id: number
  name: string
  createdAt: number
  images: number
  errors: number
  byStatus: Record<ReviewStatus, number>
  /** images with a non-empty caption in each language */
  captioned: Record<Lang, number>
}

export interface TagRow {
  tag: string
  score: number | null
  source: string
}

export interface CaptionRow {
  lang: Lang
  text: string
  fields: CaptionFields | null
  /** 'import' | 'manual' | 'model:<id>' … */
  source: string
  updatedAt: number
  updatedBy: string | null
}

/** One row of the grid. */
export interface ImageRow {
  id: number
  datasetId: number
  fileName: string
  relPath: string
  folder: string
  concept: string
  repeats: number | null
  width: number | null
  height: number | null
  format: string | null
  bytes: number
  status: ReviewStatus
  zh: string
  en: string
  tags: string[]
  error: string | null
  addedAt: number
}

export interface ImageDetail extends ImageRow {
  path: string
  sha256: string | null
  orientation: number | null
  mtimeMs: number
  raw: string | null
  rawFile: string | null
  rawEncoding: string | null
  captions: Record<Lang, CaptionRow | null>
  tagRows: TagRow[]
}

export interface Page {
  rows: ImageRow[]
  nextCursor: string | null
  total: number | null
}

export interface CaptionResult {
  imageId: number
  caption: CaptionRow | null
  tags: TagRow[]
  batchId: number | null
}

export interface JobInfo {
  id: number
  kind: JobKind
  status: JobStatus
  datasetId: number | null
  params: Record<string, unknown>
  phase: string
  done: number
  failed: number
  total: number
  createdAt: number
  startedAt: number | null
  finishedAt: number | null
  error: string | null
  /** job items by outcome (skipped = nothing to do, e.g. an unchanged file); filled by jobs.get */
  items?: JobItemCounts
}

export interface JobItemCounts {
  pending: number
  done: number
  skipped: number
  failed: number
}

export interface JobItemError {
  seq: number
  key: string
  error: string
}

export interface HistoryBatch {
  id: number
  label: string
  actor: string | null
  createdAt: number
  items: number
  undone: boolean
}

export interface LibraryInfo {
  file: string
  dataDir: string
  schemaVersion: number
  sqliteVersion: string
}

export interface LibraryStats {
  datasets: number
  images: number
  errors: number
  byStatus: Record<ReviewStatus, number>
  captioned: Record<Lang, number>
  tags: number
  bytes: number
}

export interface Results
  extends CaptioningResults, GlossaryResults, DatatoolsResults, ReviewResults {
  'library.info': LibraryInfo
  'library.stats': LibraryStats
  'library.backup': { file: string; kept: number; removed: string[] }
  'datasets.list': DatasetSummary[]
  'datasets.create': DatasetSummary
  'datasets.get': DatasetSummary
  'datasets.rename': DatasetSummary
  'datasets.concepts': { concept: string; repeats: number | null; count: number }[]
  'import.start': { jobId: number; datasetId: number; resumed: boolean }
  'images.page': Page
  'images.get': ImageDetail
  'images.setStatus': { changed: number; batchId: number | null }
  'captions.setText': CaptionResult
  'captions.setFields': CaptionResult
  'captions.setTags': CaptionResult
  'history.undo': (HistoryBatch & { jobId?: number }) | null
  'history.redo': (HistoryBatch & { jobId?: number }) | null
  'history.list': HistoryBatch[]
  'jobs.list': JobInfo[]
  'jobs.get': JobInfo
  'jobs.cancel': JobInfo
  'jobs.resume': JobInfo
  'jobs.errors': { items: JobItemError[]; nextSeq: number | null }
  'settings.get': { key: string; value: unknown }
  'settings.set': { key: string; value: unknown }
}

// Compile-time check: every method has a result type and vice versa.
type _Exact<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never
const _methodsMatch: _Exact<MethodName, keyof Results> = true
void _methodsMatch

export type Result<M extends MethodName> = Results[M]

// ---------------------------------------------------------------------------------------------
// Push events
export interface JobProgress {
  jobId: number
  kind: JobKind
  status: JobStatus
  phase: string
  done: number
  failed: number
  total: number
  /** items per second over the recent window */
  rate: number
  /** seconds to completion, null while unknown */
  etaSeconds: number | null
}

export interface Events {
  'job.progress': JobProgress
  'job.finished': JobInfo
  /** something in the library changed (edits, undo, import batches) */
  'library.changed': { datasetId: number | null; imageIds: number[] | null; reason: string }
}
export type EventName = keyof Events
export const EVENT_NAMES: EventName[] = ['job.progress', 'job.finished', 'library.changed']

// ---------------------------------------------------------------------------------------------
/** The interface the renderer sees, whichever transport carries it. */
export interface GlossaClient {
  call<M extends MethodName>(method: M, args: Args<M>): Promise<Result<M>>
  on<E extends EventName>(event: E, cb: (payload: Events[E]) => void): () => void
}
