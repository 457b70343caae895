/**
 * The contract of images.* (the grid: keyed pages, one image, review status).
 * Environment-free (zod only); merged into ../api.ts. Import building blocks from ../schemas or
 * sibling contract files, never from ../api.
 */
import { z } from 'zod'
import { Id, IdList, ImageFilter, Lang, ReviewStatus, Sort } from '../schemas'
import { CaptionRow, TagRow } from './captions'

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
  /** the search (with searchRaw) matched only the raw imported caption, not the captions now */
  rawOnly?: boolean
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

// ---------------------------------------------------------------------------------------------
// Methods
export const imagesArgs = {
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
  'images.setStatus': z.object({ ids: IdList(100_000, 1), status: ReviewStatus }).strict()
} satisfies Record<string, z.ZodType>

// ---------------------------------------------------------------------------------------------
// Results
export interface ImagesResults {
  'images.page': Page
  'images.get': ImageDetail
  'images.setStatus': { changed: number; batchId: number | null }
}
