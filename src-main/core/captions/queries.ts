import type { ReadableDB } from '../db/types'
import {
  CAPTION_FIELDS,
  type CaptionFields,
  type CaptionRow,
  type Lang,
  type TagRow
} from '../../shared/api'
import { prepared } from '../db/statements'

export interface RawCaption {
  lang: Lang
  text: string
  fields: string | null
  source: string
  updated_at: number
  updated_by: string | null
}

export function captionRowFrom(r: RawCaption): CaptionRow {
  return {
    lang: r.lang,
    text: r.text,
    fields: r.fields === null ? null : (JSON.parse(r.fields) as CaptionFields),
    source: r.source,
    updatedAt: r.updated_at,
    updatedBy: r.updated_by
  }
}

export function readCaption(db: ReadableDB, imageId: number, lang: Lang): RawCaption | undefined {
  return prepared(
    db,
    'SELECT lang, text, fields, source, updated_at, updated_by FROM captions WHERE image_id = ? AND lang = ?'
  ).get(imageId, lang) as RawCaption | undefined
}

export function readCaptions(db: ReadableDB, imageId: number): RawCaption[] {
  return prepared(
    db,
    'SELECT lang, text, fields, source, updated_at, updated_by FROM captions WHERE image_id = ? ORDER BY lang'
  ).all(imageId) as RawCaption[]
}

export function readTags(db: ReadableDB, imageId: number): TagRow[] {
  return prepared(
    db,
    'SELECT tag, score, source FROM tags WHERE image_id = ? ORDER BY position'
  ).all(imageId) as TagRow[]
}

export function imageExists(db: ReadableDB, imageId: number): boolean {
  return prepared(db, 'SELECT 1 FROM images WHERE id = ?').get(imageId) !== undefined
}

/** An image's file name (for journal labels that name the image), null if it is gone. */
export function imageFileName(db: ReadableDB, imageId: number): string | null {
  return (
    (prepared(db, 'SELECT file_name FROM images WHERE id = ?').pluck().get(imageId) as
      string | undefined) ?? null
  )
}

/** Fields as stored: only set keys, in CAPTION_FIELDS order, so equal fields compare equal. */
export function fieldsJson(fields: CaptionFields): string {
  const out: Record<string, string> = {}
  for (const f of CAPTION_FIELDS) if (fields[f] !== undefined) out[f] = fields[f]
  return JSON.stringify(out)
}

/** The dataset an image belongs to, or null when the image does not exist. */
export function imageDataset(db: ReadableDB, imageId: number): number | null {
  const row = prepared(db, 'SELECT dataset_id FROM images WHERE id = ?').get(imageId) as
    { dataset_id: number } | undefined
  return row ? row.dataset_id : null
}

export function datasetName(db: ReadableDB, id: number): string | undefined {
  return prepared(db, 'SELECT name FROM datasets WHERE id = ?').pluck().get(id) as
    string | undefined
}
