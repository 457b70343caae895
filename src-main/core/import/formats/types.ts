/**
 * Caption sources: the folder walk finds the images whatever the format; the format decides
 * where each image's caption (and tags) come from — sidecar files beside the image (folder,
 * kohya) or rows of a metadata file (sd-scripts JSON/JSONL, Hugging Face metadata.jsonl/csv,
 * HunyuanDiT CSV) — and reports per-row mismatches.
 */
import type { ImportFormatOptions, ResolvedImportFormat } from '../../../shared/api'
import type { CaptionKindMode } from '../../../shared/constants'

/** One metadata row as read, before it is matched to an image. */
export interface MetaRow {
  /** where the row is, for error messages: `metadata.jsonl line 4`, `image_text.csv row 7` */
  where: string
  /** the metadata file (absolute) */
  file: string
  /** the image key as written ('' = missing) */
  key: string
  caption: string | null
  tags: string[]
  /** folders a relative key may be relative to, in order */
  bases: string[]
}

/** A caption taken from a metadata file for one image. */
export interface CaptionEntry {
  /** the metadata file (stored as the image's raw_file) */
  file: string
  mtimeMs: number
  where: string
  text: string
  tags: string[]
}

/** A per-row problem: recorded as a failed job item with this key and reason. */
export interface RowProblem {
  key: string
  reason: string
}

export interface CaptionSource {
  format: ResolvedImportFormat
  /**
   * Metadata formats: the caption of each image path (absolute). Undefined for sidecar formats,
   * whose captions are read from `<stem>.txt` / `<stem>.caption` beside each image.
   */
  metadata?: ReadonlyMap<string, CaptionEntry>
  /** why an image the walk found has no caption in the metadata (metadata formats) */
  missing?(file: string): string
  /** true for a kohya regularisation image */
  isReg(file: string): boolean
  /** mismatches found while loading (caption without image, duplicate keys, bad rows) */
  problems: RowProblem[]
  /** how captions are read: tag lists as tags (see ../caption-kind.ts); default 'auto' */
  captionKind?: CaptionKindMode
}

export interface FormatParams {
  format: ResolvedImportFormat
  options: ImportFormatOptions
}
