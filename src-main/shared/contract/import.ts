/**
 * The contract of import.* (folder import and format detection).
 * Environment-free (zod only); merged into ../api.ts. Import building blocks from ../schemas or
 * sibling contract files, never from ../api.
 */
import { z } from 'zod'
import { CAPTION_KIND_MODES, IMPORT_FORMATS } from '../constants'
import { FilePath, Id, Name } from '../schemas'

// ---------------------------------------------------------------------------------------------
// Import formats

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
    regFolders: z.array(z.string().trim().min(1).max(500)).max(100).optional(),
    /**
     * tag-list captions ("1girl, solo, long hair"): 'auto' (default) makes a caption that is a tag
     * list the image's tags and keeps a sentence beside them as text; 'tags' takes every
     * comma-separated piece as a tag; 'text' keeps captions as text. The raw text is kept as is.
     */
    captionKind: z.enum(CAPTION_KIND_MODES).optional()
  })
  .strict()

export type ImportFormatOptions = z.infer<typeof ImportFormatOptions>

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
  /** how the caption is read on import (captionKind): all tags, text, or a sentence plus tags */
  captionKind?: 'tags' | 'text' | 'mixed' | 'empty'
  /** the caption's text part and tags as the import will store them */
  captionText?: string
  captionTags?: string[]
}

/** What an import of the folder would find, counted before anything is written. */
export interface ImportTotals {
  /** image files that can be read */
  images: number
  /** of those, with a caption (a sidecar file, or a metadata row with a caption) */
  captioned: number
  uncaptioned: number
  /** caption files (or metadata rows) that belong to no image */
  orphanCaptions: number
  /** files named like images that cannot be read as one (and folders that cannot be read) */
  unreadable: number
  /** exact copies of another image in the folder (each set counts its extra copies) */
  duplicates: number
  /** how the import will read every caption of the folder (tag lists become tags) */
  captionKinds: { tags: number; text: number; mixed: number }
  /** a few paths of each, relative to the folder */
  examples: {
    orphanCaptions: string[]
    unreadable: { path: string; reason: string }[]
    duplicates: string[][]
  }
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
  /** the previewed rows' captions by how the import reads them (captionKind) */
  captionKinds: { tags: number; text: number; mixed: number }
  /** the whole folder counted (when asked for with `totals: true`) */
  totals?: ImportTotals
}

/** fs.list: the sub-folders of a folder inside the browse roots (names only, never contents) */
export interface FsListResult {
  /** the folder listed (its real path); null = the roots themselves */
  path: string | null
  /** the folder above, when it is still inside a root; null at a root */
  parent: string | null
  /** where browsing may start: the home folder and GLOSSA_BROWSE_ROOTS */
  roots: string[]
  dirs: { name: string; path: string }[]
  /** image files directly in this folder (counted by name) */
  images: number
  /** sub-folders not listed (beyond the first 2000) */
  truncated: number
}

// ---------------------------------------------------------------------------------------------
// Methods
export const importArgs = {
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
  /** what a folder looks like: the detected format, the candidates and the first rows */
  'import.detect': z
    .object({
      dir: FilePath,
      /** preview as this format instead of the detected one */
      format: ImportFormat.default('auto'),
      formatOptions: ImportFormatOptions.default({}),
      limit: z.number().int().min(1).max(100).default(10),
      /** also count the whole folder (ImportTotals): reads every listing and image header */
      totals: z.boolean().default(false)
    })
    .strict(),
  /** the import wizard's folder browser (browser mode): folders inside the allowed roots */
  'fs.list': z
    .object({
      /** a folder (`~` = the home folder); absent = the roots */
      path: FilePath.optional(),
      /** list folders whose names start with a dot too */
      hidden: z.boolean().default(false)
    })
    .strict()
} satisfies Record<string, z.ZodType>

// ---------------------------------------------------------------------------------------------
// Results
export interface ImportResults {
  'import.start': { jobId: number; datasetId: number; resumed: boolean }
  'import.detect': ImportDetectResult
  'fs.list': FsListResult
}
