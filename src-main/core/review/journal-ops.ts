/**
 * Journaled writes for the review operations (concept/repeats, move, delete, restore) and the
 * revert of one journal entry. Like the helpers in db/journal.ts, each compares with the current
 * state, writes only a real change, records it in the open batch and returns true if it changed.
 */
import type { Lang, ReviewStatus } from '../../shared/api'
import { GlossaError } from '../../shared/errors'
import {
  applyCaption,
  setCaption,
  setOcrFlags,
  setStatus,
  type OcrSnap,
  setTags,
  type Batch,
  type CaptionSnap,
  type EntryKind,
  type TagsSnap
} from '../db/journal'
import { prepared } from '../db/statements'
import { readCaption } from '../captions/queries'
import {
  applyConcept,
  applyDataset,
  applyDatasetRow,
  applyImage,
  datasetRowSnap,
  imageSnap,
  type ConceptSnap,
  type DatasetSnap,
  type ImageSnap
} from './snapshots'

export function setConcept(
  b: Batch,
  imageId: number,
  w: { concept?: string; repeats?: number | null }
): boolean {
  const cur = prepared(b.db, 'SELECT concept, repeats, updated_at FROM images WHERE id = ?').get(
    imageId
  ) as ConceptSnap | undefined
  if (!cur) return false
  const after: ConceptSnap = {
    concept: w.concept ?? cur.concept,
    repeats: w.repeats === undefined ? cur.repeats : w.repeats,
    updated_at: b.now
  }
  if (after.concept === cur.concept && after.repeats === cur.repeats) return false
  applyConcept(b.db, imageId, after)
  b.record(imageId, 'concept', null, cur, after)
  return true
}

/** Moves an image to another dataset; false when it is there already or its file is (conflict). */
export function moveImage(b: Batch, imageId: number, datasetId: number): boolean {
  const cur = prepared(b.db, 'SELECT dataset_id, path, updated_at FROM images WHERE id = ?').get(
    imageId
  ) as (DatasetSnap & { path: string }) | undefined
  if (!cur || cur.dataset_id === datasetId) return false
  if (
    prepared(b.db, 'SELECT 1 FROM images WHERE dataset_id = ? AND path = ?').get(
      datasetId,
      cur.path
    )
  )
    return false
  const after: DatasetSnap = { dataset_id: datasetId, updated_at: b.now }
  applyDataset(b.db, imageId, after)
  b.record(
    imageId,
    'dataset',
    null,
    { dataset_id: cur.dataset_id, updated_at: cur.updated_at },
    after
  )
  return true
}

/** Removes an image from the library (rows only; the source file is never touched). */
export function deleteImage(b: Batch, imageId: number): boolean {
  const snap = imageSnap(b.db, imageId)
  if (!snap) return false
  applyImage(b.db, imageId, null)
  b.record(imageId, 'image', null, snap, null)
  return true
}

/**
 * Removes a dataset's own row (with its glossary entries and cleanup rules) as the last entry of
 * a batch whose earlier entries deleted its images; images added to it meanwhile (a late import
 * batch) are deleted here first, journaled like the others.
 */
export function dropDatasetRow(b: Batch, datasetId: number): boolean {
  const snap = datasetRowSnap(b.db, datasetId)
  if (!snap) return false
  const left = prepared(b.db, 'SELECT id FROM images WHERE dataset_id = ? ORDER BY id')
    .pluck()
    .all(datasetId) as number[]
  for (const id of left) deleteImage(b, id)
  const after = { id: datasetId, removed: true as const }
  applyDatasetRow(b.db, after)
  b.record(0, 'datasetRow', null, snap, after)
  return true
}

export function restoreImage(b: Batch, imageId: number, snap: ImageSnap): boolean {
  if (prepared(b.db, 'SELECT 1 FROM images WHERE id = ?').get(imageId)) return false
  applyImage(b.db, imageId, snap)
  b.record(imageId, 'image', null, null, snap)
  return true
}

function deleteCaption(b: Batch, imageId: number, lang: Lang): boolean {
  const cur = readCaption(b.db, imageId, lang)
  if (!cur) return false
  const before: CaptionSnap = {
    text: cur.text,
    fields: cur.fields,
    source: cur.source,
    updated_at: cur.updated_at,
    updated_by: cur.updated_by
  }
  applyCaption(b.db, imageId, lang, null)
  b.record(imageId, 'caption', lang, before, null)
  return true
}

export interface EntryRecord {
  id: number
  image_id: number
  kind: EntryKind
  lang: Lang | null
  before: string | null
  after: string | null
}

/** Restores an entry's `before` state as a new edit in `b`; true if anything changed. */
export function revertEntry(b: Batch, e: EntryRecord): boolean {
  const before = e.before === null ? null : (JSON.parse(e.before) as unknown)
  if (e.kind === 'image') {
    if (before === null) return deleteImage(b, e.image_id)
    return restoreImage(b, e.image_id, before as ImageSnap)
  }
  if (e.kind === 'datasetRow')
    throw new GlossaError(
      'CONFLICT',
      'a dataset removal is reverted as a whole: undo its batch (history.undo) instead'
    )
  if (!prepared(b.db, 'SELECT 1 FROM images WHERE id = ?').get(e.image_id))
    throw new GlossaError(
      'CONFLICT',
      `image ${e.image_id} is no longer in the library; restore it before reverting this change`
    )
  switch (e.kind) {
    case 'caption': {
      const lang = e.lang as Lang
      if (before === null) return deleteCaption(b, e.image_id, lang)
      const s = before as CaptionSnap
      return setCaption(b, e.image_id, lang, { text: s.text, fields: s.fields, source: s.source })
    }
    case 'tags': {
      const s = before as TagsSnap
      return setTags(
        b,
        e.image_id,
        s.tags.map(([tag, score, source]) => ({ tag, score, source }))
      )
    }
    case 'status':
      return setStatus(b, e.image_id, (before as { status: ReviewStatus }).status)
    case 'concept': {
      const s = before as ConceptSnap
      return setConcept(b, e.image_id, { concept: s.concept, repeats: s.repeats })
    }
    case 'dataset': {
      const target = (before as DatasetSnap).dataset_id
      if (!prepared(b.db, 'SELECT 1 FROM datasets WHERE id = ?').get(target))
        throw new GlossaError('CONFLICT', `dataset ${target} no longer exists`)
      const moved = moveImage(b, e.image_id, target)
      const now = prepared(b.db, 'SELECT dataset_id FROM images WHERE id = ?').get(e.image_id) as {
        dataset_id: number
      }
      if (!moved && now.dataset_id !== target)
        throw new GlossaError(
          'CONFLICT',
          `image ${e.image_id} cannot move back: dataset ${target} already has its file`
        )
      return moved
    }
    case 'ocr':
      return setOcrFlags(b, e.image_id, (before as OcrSnap | null)?.bits ?? 0)
  }
}
