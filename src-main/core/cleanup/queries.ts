/**
 * The reads of cleanup.preview over a whole dataset. A preview reads every caption of the dataset
 * and runs the rules on it, so the read must cost little beside the rules (issue 12's benchmark:
 * the preview at ≥ 0.75× the rate of the rules alone). A chunk is read as three range scans of
 * primary keys — the chunk's image ids, then the captions and the tags of that id range — rather
 * than three correlated look-ups per image; file names are read only for the images a preview
 * lists.
 */
import type { ReadableDB } from '../db/types'
import { prepared } from '../db/statements'
import type { CleanupItem } from './types'

/**
 * A range scan over ids lo..hi reads the captions of other datasets' images in that range too.
 * When the chunk's ids are spread thinner than this (datasets imported in turns, or a dataset
 * with one old image and many new ones), the chunk is read by id instead.
 */
const MAX_SPREAD = 4

/**
 * The next `limit` images of a dataset after image id `after`, in id order, each with its zh and
 * en caption ('' when it has none) and its tags in order.
 */
export function previewChunk(
  db: ReadableDB,
  datasetId: number,
  after: number,
  limit: number
): CleanupItem[] {
  const ids = prepared(
    db,
    'SELECT id FROM images WHERE dataset_id = ? AND id > ? ORDER BY id LIMIT ?'
  )
    .pluck(true)
    .all(datasetId, after, limit) as number[]
  if (!ids.length) return []
  const byId = new Map<number, CleanupItem>()
  const items: CleanupItem[] = new Array<CleanupItem>(ids.length)
  for (let i = 0; i < ids.length; i++) {
    const it: CleanupItem = { id: ids[i]!, zh: '', en: '', tags: [] }
    items[i] = it
    byId.set(it.id, it)
  }
  const lo = ids[0]!
  const hi = ids[ids.length - 1]!
  const dense = hi - lo + 1 <= ids.length * MAX_SPREAD
  const caps = (
    dense
      ? prepared(db, 'SELECT image_id, lang, text FROM captions WHERE image_id BETWEEN ? AND ?')
          .raw(true)
          .all(lo, hi)
      : prepared(
          db,
          `SELECT image_id, lang, text FROM captions
            WHERE image_id IN (SELECT value FROM json_each(?))`
        )
          .raw(true)
          .all(JSON.stringify(ids))
  ) as [number, 'zh' | 'en', string][]
  for (const [id, lang, text] of caps) {
    const it = byId.get(id)
    if (it) it[lang] = text
  }
  const tags = (
    dense
      ? prepared(
          db,
          'SELECT image_id, tag FROM tags WHERE image_id BETWEEN ? AND ? ORDER BY image_id, position'
        )
          .raw(true)
          .all(lo, hi)
      : prepared(
          db,
          `SELECT image_id, tag FROM tags WHERE image_id IN (SELECT value FROM json_each(?))
            ORDER BY image_id, position`
        )
          .raw(true)
          .all(JSON.stringify(ids))
  ) as [number, string][]
  for (const [id, tag] of tags) (byId.get(id)?.tags as string[] | undefined)?.push(tag)
  return items
}

/** File names and paths of the images a preview lists. */
export function imageNames(
  db: ReadableDB,
  ids: readonly number[]
): Map<number, { fileName: string; relPath: string }> {
  const out = new Map<number, { fileName: string; relPath: string }>()
  if (!ids.length) return out
  const rows = prepared(
    db,
    `SELECT id, file_name, rel_path FROM images WHERE id IN (SELECT value FROM json_each(?))`
  ).all(JSON.stringify(ids)) as { id: number; file_name: string; rel_path: string }[]
  for (const r of rows) out.set(r.id, { fileName: r.file_name, relPath: r.rel_path })
  return out
}
