/**
 * The contract of glossary.* (CRUD, import/export, knowledge, preview and apply).
 * Environment-free (zod only); merged into ../api.ts. Import building blocks from ../schemas or
 * sibling contract files, never from ../api.
 *
 * Entry ids are library ids (numbers). An entry's `datasetId` is null for a global entry. The
 * glossary that applies to a dataset is its own entries plus the global ones, minus any global
 * entry whose name a dataset entry also uses (the dataset entry shadows it).
 */
import { z } from 'zod'
import { GLOSSARY_KINDS, INJECTION_MODES } from '../constants'
import { CAPTION_FIELDS, DatasetTarget, FilePath, Id, IdList, Lang } from '../schemas'

// ---------------------------------------------------------------------------------------------
// Entries (the wire form; core validates again with its own schema, which also compiles regexes)

export type GlossaryKind = (typeof GLOSSARY_KINDS)[number]

export type InjectionMode = (typeof INJECTION_MODES)[number]

const Cell = z.string().trim().min(1).max(10_000)

const CellList = z.array(Cell).max(1000).default([])

const Bilingual = z.object({ zh: Cell.optional(), en: Cell.optional() }).strict()

/**
 * An entry as the UI edits it. Manual assignment to images is not part of it: see
 * `glossary.assign`. Without `injection.mode` an entry replaces a matched alias with the
 * canonical name of the same language.
 */
export const GlossaryEntryData = z
  .object({
    name: Bilingual,
    aliases: z.object({ zh: CellList, en: CellList }).strict().default({ zh: [], en: [] }),
    kind: z.enum(GLOSSARY_KINDS).default('term'),
    facts: Bilingual.default({}),
    triggers: z
      .object({ tags: CellList, keywords: CellList, regex: CellList, paths: CellList })
      .strict()
      .default({ tags: [], keywords: [], regex: [], paths: [] }),
    injection: z
      .object({
        target: z.enum(CAPTION_FIELDS).default('subject'),
        mode: z.enum(INJECTION_MODES).default('replace-alias'),
        trigger: Cell.optional()
      })
      .strict()
      .default({ target: 'subject', mode: 'replace-alias' }),
    fixedTraits: CellList
  })
  .strict()
  .refine((e) => !!(e.name.zh || e.name.en), {
    path: ['name'],
    message: 'needs name.zh or name.en'
  })

export type GlossaryEntryData = z.output<typeof GlossaryEntryData>

export type GlossaryEntryDataInput = z.input<typeof GlossaryEntryData>

/** Which images an operation covers (see DatasetTarget in ../schemas). */
export const GlossaryTarget = DatasetTarget

export type GlossaryTarget = DatasetTarget

const GlossaryFormat = z.enum(['csv', 'json'])

// ---------------------------------------------------------------------------------------------
// Results
export interface GlossaryRecord {
  id: number
  /** null = global */
  datasetId: number | null
  entry: GlossaryEntryData
  /** number of images manually assigned */
  assigned: number
  createdAt: number
  updatedAt: number
}

export interface GlossaryRowError {
  /** 1-based: the spreadsheet row for CSV (header = 1), the array position for JSON */
  row: number
  column?: string
  message: string
}

export interface DiffOp {
  op: '=' | '+' | '-'
  text: string
}

export interface GlossaryLangChange {
  before: string
  after: string
  /** word-level (zh: by character) */
  diff: DiffOp[]
}

export type GlossaryTriggerKind = 'tag' | 'keyword' | 'regex' | 'path' | 'image' | 'mention'

export interface GlossaryReason {
  entryId: number
  /** the entry's display name */
  entry: string
  lang: Lang
  action: 'replace' | 'insert' | 'prepend'
  /** 'alias → name', or the text inserted */
  detail: string
  /** why the entry applies to this image */
  triggers: { kind: GlossaryTriggerKind; value: string }[]
}

export interface GlossaryProposal {
  imageId: number
  fileName: string
  relPath: string
  zh?: GlossaryLangChange
  en?: GlossaryLangChange
  reasons: GlossaryReason[]
}

export interface KnowledgeEntry {
  entryId: number
  kind: GlossaryKind
  name: { zh?: string; en?: string }
  facts: { zh?: string; en?: string }
  fixedTraits: string[]
  trigger?: string
  triggers: { kind: GlossaryTriggerKind; value: string }[]
}

// ---------------------------------------------------------------------------------------------
// Methods
export const glossaryArgs = {
  /** no datasetId: the global entries; with one: that dataset's entries (+ global unless false) */
  'glossary.list': z
    .object({ datasetId: Id.optional(), includeGlobal: z.boolean().default(true) })
    .strict(),
  'glossary.get': z.object({ id: Id }).strict(),
  /** without id: create (datasetId null/absent = global); with id: update (and move if datasetId given) */
  'glossary.save': z
    .object({ id: Id.optional(), datasetId: Id.nullable().optional(), entry: GlossaryEntryData })
    .strict(),
  'glossary.delete': z.object({ id: Id }).strict(),
  /** manual assignment: the entry applies to these images whatever its other triggers say */
  'glossary.assign': z
    .object({
      entryId: Id,
      imageIds: IdList(100_000, 1),
      assigned: z.boolean().default(true)
    })
    .strict(),
  /** format defaults to the file extension; an entry whose name exists in the scope is updated */
  'glossary.import': z
    .object({ file: FilePath, format: GlossaryFormat.optional(), datasetId: Id.optional() })
    .strict(),
  /** the dataset's own entries, or the global ones without datasetId */
  'glossary.export': z
    .object({
      file: FilePath,
      format: GlossaryFormat.optional(),
      datasetId: Id.optional(),
      overwrite: z.boolean().default(false)
    })
    .strict(),
  /** proposals for the first `limit` changed images (by image id); `total` counts them all */
  'glossary.preview': z
    .object({ target: GlossaryTarget, limit: z.number().int().min(1).max(5000).default(200) })
    .strict(),
  'glossary.apply': z
    .object({
      target: GlossaryTarget,
      excludeImageIds: IdList(100_000).default([])
    })
    .strict(),
  'glossary.knowledge': z.object({ imageId: Id }).strict()

  /** one image (the badge) or every image of a target with issues (the filter) */
} satisfies Record<string, z.ZodType>

// ---------------------------------------------------------------------------------------------
// Results
export interface GlossaryResults {
  'glossary.list': GlossaryRecord[]
  'glossary.get': GlossaryRecord & { assignedImageIds: number[] }
  'glossary.save': GlossaryRecord
  'glossary.delete': { id: number }
  'glossary.assign': { changed: number; assigned: number }
  'glossary.import': {
    added: number
    updated: number
    unchanged: number
    rowErrors: GlossaryRowError[]
  }
  'glossary.export': { file: string; entries: number }
  'glossary.preview': {
    /** images the apply would change (all of them) */
    total: number
    /** images looked at */
    scanned: number
    /** entries in the glossary that applies */
    entries: number
    /** the first `limit` changed images, by image id */
    proposals: GlossaryProposal[]
    /** true when proposals holds fewer than total */
    truncated: boolean
  }
  'glossary.apply': { changed: number; batchId: number | null }
  'glossary.knowledge': {
    /** names joined with 、 (Hunyuan's insert_content content); '' when nothing applies */
    content: string
    /** 根据提示词“{content}”,描述这张图片 — null when nothing applies */
    prompt: string | null
    /** a structured block for other VLM prompts; '' when nothing applies */
    context: string
    entries: KnowledgeEntry[]
  }
}
