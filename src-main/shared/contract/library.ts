/**
 * The contract of library.*, datasets.* and settings.*.
 * Environment-free (zod only); merged into ../api.ts. Import building blocks from ../schemas or
 * sibling contract files, never from ../api.
 *
 * Settings keys the UI uses (settings.get/set): 'reviewer' (string: the name recorded on every
 * journal entry) and 'shortcuts' (object: action id → key binding, e.g. { "approve": "a" }; the
 * core stores it verbatim).
 */
import { z } from 'zod'
import { BoundedJson, Id, Lang, Name, ReviewStatus, SETTINGS_VALUE_MAX_BYTES } from '../schemas'

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
  /** the newest import into the dataset, when it did not finish (resume it with jobs.resume) */
  incompleteImport?: IncompleteImport
}

export interface IncompleteImport {
  jobId: number
  status: 'queued' | 'running' | 'interrupted' | 'cancelled' | 'failed'
  /** the folder being imported */
  dir: string | null
  /** files examined so far, of total (0 while the folder is still being scanned) */
  done: number
  failed: number
  total: number
  error: string | null
}

/** datasets.delete: one undoable batch, or a 'bulk' job for a big dataset */
export interface DatasetDeleteResult {
  id: number
  name: string
  /** images removed with it (their rows only: files are never touched) */
  images: number
  /** the journal batch (undo it with history.undo); null while a job does the work */
  batchId: number | null
  /** the 'bulk' job removing a dataset of more than BULK_SYNC_LIMIT images, else null */
  jobId: number | null
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

// ---------------------------------------------------------------------------------------------
// Methods
export const libraryArgs = {
  'library.info': z.object({}).strict(),
  'library.stats': z.object({ datasetId: Id.optional() }).strict(),
  'library.backup': z.object({}).strict(),
  'datasets.list': z.object({}).strict(),
  'datasets.create': z.object({ name: Name }).strict(),
  'datasets.get': z.object({ id: Id.optional(), name: Name.optional() }).strict(),
  'datasets.rename': z.object({ id: Id, name: Name }).strict(),
  /** removes a dataset and its image rows as one undoable batch; source files are untouched */
  'datasets.delete': z.object({ id: Id }).strict(),
  'datasets.concepts': z.object({ datasetId: Id }).strict(),
  'settings.get': z.object({ key: z.string().min(1).max(200) }).strict(),
  'settings.set': z
    .object({
      key: z.string().min(1).max(200),
      value: BoundedJson(SETTINGS_VALUE_MAX_BYTES, 'a settings value')
    })
    .strict()
} satisfies Record<string, z.ZodType>

// ---------------------------------------------------------------------------------------------
// Results
export interface LibraryResults {
  'library.info': LibraryInfo
  'library.stats': LibraryStats
  'library.backup': { file: string; kept: number; removed: string[] }
  'datasets.list': DatasetSummary[]
  'datasets.create': DatasetSummary
  'datasets.get': DatasetSummary
  'datasets.rename': DatasetSummary
  'datasets.delete': DatasetDeleteResult
  'datasets.concepts': { concept: string; repeats: number | null; count: number }[]
  'settings.get': { key: string; value: unknown }
  'settings.set': { key: string; value: unknown }
}
