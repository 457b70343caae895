/**
 * The history of one image (who changed what, when, before/after, diff-able text) and the revert
 * of a single journal entry as a new undoable batch.
 */
import type { ReadableDB } from '../db/types'
import { FLAG_OCR_READ, FLAG_WATERMARK } from '../images/flags'
import type { HistoryEntry, Lang } from '../../shared/api'
import { GlossaError } from '../../shared/errors'
import type { CoreContext } from '../context'
import { withBatch, type EntryKind } from '../db/journal'
import { revertEntry, type EntryRecord } from '../review/journal-ops'
import { datasetName, imageFileName } from './queries'
import { prepared } from '../db/statements'

interface Row extends EntryRecord {
  batch_id: number
  label: string
  actor: string | null
  created_at: number
  undone: number
}

function snapText(db: ReadableDB, kind: EntryKind, snap: unknown): string | null {
  if (snap === null || snap === undefined) return null
  const s = snap as Record<string, unknown>
  switch (kind) {
    case 'caption':
      return String(s.text ?? '')
    case 'tags':
      return (s.tags as [string][]).map((t) => t[0]).join(', ')
    case 'status':
      return String(s.status)
    case 'concept':
      return `${String(s.concept)}${s.repeats === null ? '' : ` (${String(s.repeats)})`}`
    case 'dataset': {
      const name = datasetName(db, Number(s.dataset_id))
      return name ?? `dataset ${String(s.dataset_id)}`
    }
    case 'image':
      return String((s.row as Record<string, unknown>).rel_path ?? '')
    case 'ocr': {
      const bits = Number(s.bits)
      if (!(bits & FLAG_OCR_READ)) return ''
      return bits & FLAG_WATERMARK ? 'OCR read; watermark' : 'OCR read'
    }
    case 'datasetRow':
      return s.row ? String((s.row as Record<string, unknown>).name ?? '') : null
  }
}

export function imageHistory(db: ReadableDB, imageId: number, limit: number): HistoryEntry[] {
  const rows = prepared(
    db,
    `SELECT e.id, e.image_id, e.kind, e.lang, e.before, e.after, e.batch_id,
            b.label, b.actor, b.created_at, b.undone
       FROM journal_entries e JOIN journal_batches b ON b.id = e.batch_id
      WHERE e.image_id = ? ORDER BY e.id DESC LIMIT ?`
  ).all(imageId, limit) as Row[]
  return rows.map((r) => {
    const before = r.before === null ? null : (JSON.parse(r.before) as unknown)
    const after = r.after === null ? null : (JSON.parse(r.after) as unknown)
    return {
      entryId: r.id,
      batchId: r.batch_id,
      label: r.label,
      actor: r.actor,
      createdAt: r.created_at,
      undone: r.undone === 1,
      // an image's entries are never 'datasetRow' (those are recorded with image_id 0)
      kind: r.kind as HistoryEntry['kind'],
      lang: r.lang as Lang | null,
      beforeText: snapText(db, r.kind, before),
      afterText: snapText(db, r.kind, after),
      before,
      after
    }
  })
}

export function revert(
  ctx: CoreContext,
  entryId: number
): { batchId: number | null; items: number } {
  const e = prepared(
    ctx.db,
    `SELECT e.id, e.image_id, e.kind, e.lang, e.before, e.after, b.undone, b.label
       FROM journal_entries e JOIN journal_batches b ON b.id = e.batch_id WHERE e.id = ?`
  ).get(entryId) as (EntryRecord & { undone: number; label: string }) | undefined
  if (!e) throw new GlossaError('NOT_FOUND', `journal entry ${entryId} does not exist`)
  if (e.undone === 1)
    throw new GlossaError(
      'CONFLICT',
      `entry ${entryId} belongs to an undone batch (${e.label}); redo it first`
    )
  const name = imageFileName(ctx.db, e.image_id) ?? `image ${e.image_id}`
  const out = withBatch(ctx, `Revert ${e.kind} of ${name} (${e.label})`, (b) => revertEntry(b, e))
  return { batchId: out.batchId, items: out.items }
}
