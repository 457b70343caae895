/**
 * Journal snapshots added for review at scale (entry kinds 'concept', 'dataset' and 'image'), and
 * how they are applied. journal.ts dispatches undo/redo of these kinds here; the write helpers
 * that record them live in ./journal-ops.ts.
 *
 *  - concept: { concept, repeats, updated_at };
 *  - dataset: { dataset_id, updated_at } (move between datasets);
 *  - image:   the whole image row (every column, as SELECT * returns it), its caption rows, its
 *             tag rows and its glossary assignments; NULL = the image is not in the library.
 *             Deleting records before = snapshot, after = NULL, so undo re-inserts the rows with
 *             the same id (source files are never touched either way).
 *  - datasetRow: a dataset itself (datasets.delete): before = the dataset row with its own
 *             glossary entries and cleanup rules, after = { id, removed: true }. Recorded with
 *             image_id 0 (no image) AFTER the batch's image deletions, so undo (entries in
 *             reverse) puts the dataset back before its images, and redo removes it after them.
 */
import type { ReadableDB, WritableDB } from '../db/types'
import { GlossaError } from '../../shared/errors'
import { prepared } from '../db/statements'

export interface ConceptSnap {
  concept: string
  repeats: number | null
  updated_at: number
}
export interface DatasetSnap {
  dataset_id: number
  updated_at: number
}
export interface DatasetRowSnap {
  row: Record<string, unknown>
  glossary: Record<string, unknown>[]
  cleanupRules: Record<string, unknown>[]
}
/** The after-state of a removed dataset (only its id is needed to remove it again). */
export interface DatasetGone {
  id: number
  removed: true
}

export interface ImageSnap {
  row: Record<string, unknown>
  captions: Record<string, unknown>[]
  tags: Record<string, unknown>[]
  assignments: number[]
}

export function applyConcept(db: WritableDB, imageId: number, s: ConceptSnap): void {
  prepared(db, 'UPDATE images SET concept = ?, repeats = ?, updated_at = ? WHERE id = ?').run(
    s.concept,
    s.repeats,
    s.updated_at,
    imageId
  )
}

export function applyDataset(db: WritableDB, imageId: number, s: DatasetSnap): void {
  const clash = prepared(
    db,
    'SELECT o.id FROM images o JOIN images i ON i.id = ? WHERE o.dataset_id = ? AND o.path = i.path AND o.id <> i.id'
  ).get(imageId, s.dataset_id) as { id: number } | undefined
  if (clash)
    throw new GlossaError(
      'CONFLICT',
      `image ${imageId} cannot move back to dataset ${s.dataset_id}: image ${clash.id} there has the same file`
    )
  prepared(db, 'UPDATE images SET dataset_id = ?, updated_at = ? WHERE id = ?').run(
    s.dataset_id,
    s.updated_at,
    imageId
  )
}

function hasTable(db: ReadableDB, name: string): boolean {
  return (
    prepared(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !==
    undefined
  )
}

export function imageSnap(db: ReadableDB, imageId: number): ImageSnap | null {
  const row = prepared(db, 'SELECT * FROM images WHERE id = ?').get(imageId) as
    Record<string, unknown> | undefined
  if (!row) return null
  const captions = prepared(db, 'SELECT * FROM captions WHERE image_id = ? ORDER BY lang').all(
    imageId
  ) as Record<string, unknown>[]
  const tags = prepared(db, 'SELECT * FROM tags WHERE image_id = ? ORDER BY position').all(
    imageId
  ) as Record<string, unknown>[]
  const assignments = hasTable(db, 'glossary_assignments')
    ? (
        prepared(
          db,
          'SELECT entry_id FROM glossary_assignments WHERE image_id = ? ORDER BY entry_id'
        ).all(imageId) as { entry_id: number }[]
      ).map((r) => r.entry_id)
    : []
  return { row, captions, tags, assignments }
}

const columnCache = new WeakMap<ReadableDB, Map<string, Set<string>>>()
function columns(db: ReadableDB, table: string): Set<string> {
  let m = columnCache.get(db)
  if (!m) columnCache.set(db, (m = new Map()))
  let cols = m.get(table)
  if (!cols) {
    cols = new Set(
      (db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((c) => c.name)
    )
    m.set(table, cols)
  }
  return cols
}

function insertRow(db: WritableDB, table: string, row: Record<string, unknown>): void {
  const cols = columns(db, table)
  const keys = Object.keys(row).filter((k) => cols.has(k))
  prepared(
    db,
    `INSERT INTO ${table} (${keys.join(', ')}) VALUES (${keys.map(() => '?').join(', ')})`
  ).run(...keys.map((k) => row[k]))
}

export function datasetRowSnap(db: ReadableDB, datasetId: number): DatasetRowSnap | null {
  const row = prepared(db, 'SELECT * FROM datasets WHERE id = ?').get(datasetId) as
    Record<string, unknown> | undefined
  if (!row) return null
  const glossary = hasTable(db, 'glossary_entries')
    ? (prepared(db, 'SELECT * FROM glossary_entries WHERE dataset_id = ? ORDER BY id').all(
        datasetId
      ) as Record<string, unknown>[])
    : []
  const cleanupRules = hasTable(db, 'cleanup_rules')
    ? (prepared(db, 'SELECT * FROM cleanup_rules WHERE dataset_id = ?').all(datasetId) as Record<
        string,
        unknown
      >[])
    : []
  return { row, glossary, cleanupRules }
}

/**
 * Removes a dataset row (its own glossary entries and cleanup rules go with it, by the schema's
 * cascades: they are in the snapshot) or puts it back from a snapshot. Its images are separate
 * 'image' entries of the same batch; a dataset that still has images is not removed.
 */
export function applyDatasetRow(db: WritableDB, s: DatasetRowSnap | DatasetGone): void {
  if ('removed' in s) {
    const left = prepared(db, 'SELECT count(*) FROM images WHERE dataset_id = ?')
      .pluck()
      .get(s.id) as number
    if (left > 0)
      throw new GlossaError(
        'CONFLICT',
        `dataset ${s.id} cannot be removed: ${left} image(s) were added to it since`
      )
    prepared(db, 'DELETE FROM datasets WHERE id = ?').run(s.id)
    return
  }
  const id = s.row.id as number
  if (prepared(db, 'SELECT 1 FROM datasets WHERE id = ?').get(id)) return
  const clash = prepared(db, 'SELECT id FROM datasets WHERE name = ?').get(s.row.name) as
    { id: number } | undefined
  if (clash)
    throw new GlossaError(
      'CONFLICT',
      `cannot restore dataset "${String(s.row.name)}": another dataset (${clash.id}) has that name now; rename it first`
    )
  insertRow(db, 'datasets', s.row)
  for (const g of s.glossary) insertRow(db, 'glossary_entries', g)
  for (const c of s.cleanupRules) insertRow(db, 'cleanup_rules', c)
}

/** Removes (null) or restores (snapshot) an image with its captions, tags and assignments. */
export function applyImage(db: WritableDB, imageId: number, s: ImageSnap | null): void {
  if (s === null) {
    prepared(db, 'DELETE FROM images WHERE id = ?').run(imageId)
    return
  }
  const cur = prepared(db, 'SELECT dataset_id, path FROM images WHERE id = ?').get(imageId) as
    { dataset_id: number; path: string } | undefined
  if (cur) {
    if (cur.dataset_id === s.row.dataset_id && cur.path === s.row.path) return
    throw new GlossaError(
      'CONFLICT',
      `cannot restore image ${imageId} (${String(s.row.path)}): its id is now used by ${cur.path}`
    )
  }
  const clash = prepared(db, 'SELECT id FROM images WHERE dataset_id = ? AND path = ?').get(
    s.row.dataset_id,
    s.row.path
  ) as { id: number } | undefined
  if (clash)
    throw new GlossaError(
      'CONFLICT',
      `cannot restore image ${imageId}: ${String(s.row.path)} was imported again as image ${clash.id}`
    )
  if (!prepared(db, 'SELECT 1 FROM datasets WHERE id = ?').get(s.row.dataset_id))
    throw new GlossaError(
      'CONFLICT',
      `cannot restore image ${imageId}: its dataset ${String(s.row.dataset_id)} was removed`
    )
  insertRow(db, 'images', s.row)
  for (const c of s.captions) insertRow(db, 'captions', c)
  for (const t of s.tags) insertRow(db, 'tags', t)
  if (s.assignments.length && hasTable(db, 'glossary_assignments')) {
    const live = prepared(db, 'SELECT 1 FROM glossary_entries WHERE id = ?')
    const ins = prepared(
      db,
      'INSERT OR IGNORE INTO glossary_assignments (entry_id, image_id) VALUES (?, ?)'
    )
    for (const e of s.assignments) if (live.get(e)) ins.run(e, imageId)
  }
}
