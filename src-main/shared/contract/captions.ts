/**
 * The contract of captions.*, history.* and text.*: caption edits, lint, 简/繁 conversion,
 * undo/redo, per-image history and the editor's text helpers.
 * Environment-free (zod only); merged into ../api.ts. Import building blocks from ../schemas or
 * sibling contract files, never from ../api.
 */
import { z } from 'zod'
import { LINT_RULES, SCRIPTS } from '../constants'
import {
  CaptionFields,
  DatasetTarget,
  FilePath,
  Id,
  IdList,
  Lang,
  TagInput,
  Text
} from '../schemas'

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

export interface CaptionResult {
  imageId: number
  caption: CaptionRow | null
  tags: TagRow[]
  batchId: number | null
}

export interface HistoryBatch {
  id: number
  label: string
  actor: string | null
  createdAt: number
  items: number
  undone: boolean
  /** the images the batch touched, when they are few (at most 20); absent for bigger batches */
  imageIds?: number[]
}

/**
 * An undo or redo: the batch, and for a large one the job doing it. Entries whose value was
 * changed since the batch are left as they are: `skipped` counts them and `note` says so ("3
 * captions changed since; left as they are"); for a job, its JobInfo.note says it at the end.
 */
export type HistoryStepResult = HistoryBatch & { jobId?: number; skipped?: number; note?: string }

export type LintRule = (typeof LINT_RULES)[number]

export type ScriptName = (typeof SCRIPTS)[number]

/** tokenizer.json files for real counts; without one a count is an estimate (`exact: false`) */
const Tokenizers = z.object({ clip: FilePath.optional(), mt5: FilePath.optional() }).strict()

export interface LintIssue {
  rule: LintRule
  lang: Lang
  message: string
  entryId?: number
  /** the offending span (UTF-16 offsets) in the caption text */
  start?: number
  end?: number
}

export interface TokenBudget {
  encoder: 'clip' | 'mt5'
  tokens: number
  /** 77 for CLIP, 256 for mT5 (special tokens included) */
  budget: number
  over: boolean
  /** UTF-16 offset where the encoder truncates, or null when it all fits */
  cut: number | null
  /** false: a heuristic estimate (no tokenizer given) — the UI must say so */
  exact: boolean
  label: string
}

export interface HistoryEntry {
  entryId: number
  batchId: number
  label: string
  actor: string | null
  createdAt: number
  undone: boolean
  /** 'ocr': the OCR model's marks on the image (read; watermark found) */
  kind: 'caption' | 'tags' | 'status' | 'concept' | 'dataset' | 'image' | 'ocr'
  lang: Lang | null
  /** the text to diff (caption text, ', '-joined tags, status, concept (repeats), dataset, file) */
  beforeText: string | null
  afterText: string | null
  /** the stored snapshots */
  before: unknown
  after: unknown
}

// ---------------------------------------------------------------------------------------------
// Methods
export const captionsArgs = {
  'captions.setText': z.object({ imageId: Id, lang: Lang, text: Text }).strict(),
  'captions.setFields': z.object({ imageId: Id, lang: Lang, fields: CaptionFields }).strict(),
  'captions.setTags': z.object({ imageId: Id, tags: z.array(TagInput).max(2000) }).strict(),
  /**
   * `batchId`: undo only that batch — the one the studio showed as "Undo: …" — and refuse with
   * CONFLICT when something else became the newest batch meanwhile (another window, a job)
   */
  'history.undo': z.object({ batchId: Id.optional() }).strict(),
  'history.redo': z.object({ batchId: Id.optional() }).strict(),
  'history.list': z.object({ limit: z.number().int().min(1).max(500).default(50) }).strict(),
  'captions.lint': z.union([
    z.object({ imageId: Id, tokenizers: Tokenizers.optional() }).strict(),
    z
      .object({
        target: DatasetTarget,
        rules: z.array(z.enum(LINT_RULES)).min(1).max(LINT_RULES.length).optional(),
        limit: z.number().int().min(1).max(5000).default(500),
        tokenizers: Tokenizers.optional()
      })
      .strict()
  ]),
  'captions.convertScript': z
    .object({
      target: DatasetTarget,
      to: z.enum(SCRIPTS),
      lang: Lang.default('zh'),
      excludeImageIds: IdList(100_000).default([])
    })
    .strict(),
  'text.render': z.object({ fields: CaptionFields, lang: Lang }).strict(),
  'text.parse': z
    .object({
      text: Text,
      lang: Lang,
      /**
       * read for the fields form: a caption that is one first sentence is split into the fields
       * its clauses name (subject, action, lighting …) rather than kept whole in subject
       */
      forFields: z.boolean().optional()
    })
    .strict(),
  'text.tokens': z
    .object({ text: z.string().max(200_000), tokenizers: Tokenizers.optional() })
    .strict(),
  'history.image': z
    .object({ imageId: Id, limit: z.number().int().min(1).max(1000).default(100) })
    .strict(),
  /** reverts one journal entry (restores its `before`) as a new undoable batch */
  'history.revert': z.object({ entryId: Id }).strict()
} satisfies Record<string, z.ZodType>

// ---------------------------------------------------------------------------------------------
// Results
export interface CaptionsResults {
  'captions.setText': CaptionResult
  'captions.setFields': CaptionResult
  'captions.setTags': CaptionResult
  'history.undo': HistoryStepResult | null
  'history.redo': HistoryStepResult | null
  'history.list': HistoryBatch[]
  'captions.lint': {
    /** images with issues (the one image, issues possibly empty, for the imageId form) */
    images: { imageId: number; fileName: string; issues: LintIssue[] }[]
    /** images with issues in the target */
    total: number
    scanned: number
    truncated: boolean
  }
  'captions.convertScript': { changed: number; batchId: number | null }
  'text.render': { text: string }
  'text.parse': {
    fields: CaptionFields
    /** render(fields): equals the input when it was in the canonical form */
    text: string
    canonical: boolean
  }
  'text.tokens': { chars: number; budgets: TokenBudget[] }
  'history.image': HistoryEntry[]
  'history.revert': { batchId: number | null; items: number }
}
