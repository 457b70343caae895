/**
 * Glossary storage (tables of migration 0004): entries as validated JSON, names folded for
 * uniqueness within a scope (a dataset, or global), manual assignments, and the compiled glossary
 * that applies to a dataset, cached per connection until `glossary_state.generation` moves.
 */
import type { ReadableDB, WritableDB } from '../db/types'
import type { GlossaryEntryData, GlossaryRecord } from '../../shared/api'
import { GlossaError } from '../../shared/errors'
import { compileGlossary, type CompiledGlossary } from './matcher'
import { GlossaryEntry, entryLabel } from './schema'
import { fold } from './script'
import { prepared } from '../db/statements'

// The wire form must stay the core form minus id and manual assignments.
type Exact<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never
type CoreData = Omit<GlossaryEntry, 'id' | 'triggers'> & {
  triggers: Omit<GlossaryEntry['triggers'], 'images'>
}
const _wireMatchesCore: Exact<GlossaryEntryData, CoreData> = true
void _wireMatchesCore

export interface EntryRow {
  id: number
  dataset_id: number | null
  data: string
  zh_key: string | null
  en_key: string | null
  created_at: number
  updated_at: number
  assigned: number
}

const SELECT_ROW = `SELECT g.id, g.dataset_id, g.data, g.zh_key, g.en_key, g.created_at, g.updated_at,
  (SELECT count(*) FROM glossary_assignments a WHERE a.entry_id = g.id) AS assigned
  FROM glossary_entries g`

export interface NameKeys {
  zh: string | null
  en: string | null
}

export function nameKeys(e: Pick<GlossaryEntry, 'name'>): NameKeys {
  const k = (s: string | undefined): string | null => (s?.trim() ? fold(s.trim()) : null)
  return { zh: k(e.name.zh), en: k(e.name.en) }
}

/** Validates an entry (wire or file form) with the core schema; INVALID_ARGS with details. */
export function validateEntry(input: unknown, id = 'new'): GlossaryEntry {
  const obj = (input && typeof input === 'object' ? input : {}) as Record<string, unknown>
  const trig = (obj.triggers && typeof obj.triggers === 'object' ? obj.triggers : {}) as object
  const r = GlossaryEntry.safeParse({ ...obj, id, triggers: { ...trig, images: [] } })
  if (r.success) return r.data
  throw new GlossaError(
    'INVALID_ARGS',
    `invalid glossary entry: ${r.error.issues.map((i) => `${i.path.join('.') || 'entry'}: ${i.message}`).join('; ')}`,
    r.error.issues.map((i) => ({ path: i.path.map(String), message: i.message }))
  )
}

/** The stored form: no id, no assignments. */
export function toData(e: GlossaryEntry): GlossaryEntryData {
  const { id: _id, triggers, ...rest } = e
  const { images: _images, ...t } = triggers
  return { ...rest, triggers: t }
}

function parseData(row: Pick<EntryRow, 'id' | 'data'>, images: string[] = []): GlossaryEntry {
  const raw = JSON.parse(row.data) as Record<string, unknown>
  const r = GlossaryEntry.safeParse({
    ...raw,
    id: String(row.id),
    triggers: { ...(raw.triggers as object), images }
  })
  if (!r.success) {
    throw new GlossaError('INTERNAL', `glossary entry ${row.id} is damaged: ${r.error.message}`)
  }
  return r.data
}

export function recordFrom(row: EntryRow): GlossaryRecord {
  return {
    id: row.id,
    datasetId: row.dataset_id,
    entry: toData(parseData(row)),
    assigned: row.assigned,
    createdAt: row.created_at,
    updatedAt: row.updated_at
  }
}

export function getEntryRow(db: ReadableDB, id: number): EntryRow {
  const r = prepared(db, `${SELECT_ROW} WHERE g.id = ?`).get(id) as EntryRow | undefined
  if (!r) throw new GlossaError('NOT_FOUND', `glossary entry ${id} does not exist`)
  return r
}

export function listEntryRows(
  db: ReadableDB,
  datasetId: number | null,
  includeGlobal: boolean
): EntryRow[] {
  if (datasetId === null) {
    return prepared(
      db,
      `${SELECT_ROW} WHERE g.dataset_id IS NULL ORDER BY g.id`
    ).all() as EntryRow[]
  }
  const sql = includeGlobal
    ? `${SELECT_ROW} WHERE g.dataset_id = ? OR g.dataset_id IS NULL ORDER BY g.dataset_id IS NULL, g.id`
    : `${SELECT_ROW} WHERE g.dataset_id = ? ORDER BY g.id`
  return prepared(db, sql).all(datasetId) as EntryRow[]
}

export function assertDataset(db: ReadableDB, datasetId: number): void {
  if (!prepared(db, 'SELECT 1 FROM datasets WHERE id = ?').get(datasetId))
    throw new GlossaError('NOT_FOUND', `dataset ${datasetId} does not exist`)
}

/** The entry of a scope that uses one of these names, if any. */
export function findByName(
  db: ReadableDB,
  datasetId: number | null,
  keys: NameKeys,
  exceptId = 0
): EntryRow | undefined {
  return prepared(
    db,
    `${SELECT_ROW} WHERE IFNULL(g.dataset_id, 0) = ? AND g.id <> ?
       AND ((g.zh_key IS NOT NULL AND g.zh_key = ?) OR (g.en_key IS NOT NULL AND g.en_key = ?))
     ORDER BY g.id LIMIT 1`
  ).get(datasetId ?? 0, exceptId, keys.zh, keys.en) as EntryRow | undefined
}

function conflictIfTaken(
  db: ReadableDB,
  datasetId: number | null,
  e: GlossaryEntry,
  exceptId: number
): NameKeys {
  const keys = nameKeys(e)
  const other = findByName(db, datasetId, keys, exceptId)
  if (other) {
    throw new GlossaError(
      'CONFLICT',
      `${datasetId === null ? 'the global glossary' : `dataset ${datasetId}`} already has an entry named ${entryLabel(parseData(other))} (entry ${other.id})`,
      { entryId: other.id }
    )
  }
  return keys
}

export function insertEntry(
  db: WritableDB,
  datasetId: number | null,
  e: GlossaryEntry,
  now: number
): number {
  const keys = conflictIfTaken(db, datasetId, e, 0)
  return Number(
    prepared(
      db,
      `INSERT INTO glossary_entries (dataset_id, data, zh_key, en_key, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?)`
    ).run(datasetId, JSON.stringify(toData(e)), keys.zh, keys.en, now, now).lastInsertRowid
  )
}

/** Rewrites an entry; returns false when nothing changed (the row is left alone). */
export function updateEntry(
  db: WritableDB,
  id: number,
  datasetId: number | null,
  e: GlossaryEntry,
  now: number
): boolean {
  const cur = getEntryRow(db, id)
  const data = JSON.stringify(toData(e))
  if (cur.data === data && cur.dataset_id === datasetId) return false
  const keys = conflictIfTaken(db, datasetId, e, id)
  prepared(
    db,
    `UPDATE glossary_entries SET dataset_id = ?, data = ?, zh_key = ?, en_key = ?, updated_at = ?
     WHERE id = ?`
  ).run(datasetId, data, keys.zh, keys.en, now, id)
  if (datasetId !== null && cur.dataset_id !== datasetId) {
    // a dataset entry applies only to its own images
    prepared(
      db,
      `DELETE FROM glossary_assignments WHERE entry_id = ?
         AND image_id NOT IN (SELECT id FROM images WHERE dataset_id = ?)`
    ).run(id, datasetId)
  }
  return true
}

export function deleteEntry(db: WritableDB, id: number): void {
  getEntryRow(db, id)
  prepared(db, 'DELETE FROM glossary_entries WHERE id = ?').run(id)
}

/** Assigns (or unassigns) images; images outside a dataset entry's dataset are refused. */
export function assignImages(
  db: WritableDB,
  entryId: number,
  imageIds: readonly number[],
  assigned: boolean
): number {
  const entry = getEntryRow(db, entryId)
  const exists = prepared(db, 'SELECT dataset_id FROM images WHERE id = ?')
  const ins = prepared(
    db,
    'INSERT OR IGNORE INTO glossary_assignments (entry_id, image_id) VALUES (?, ?)'
  )
  const del = prepared(db, 'DELETE FROM glossary_assignments WHERE entry_id = ? AND image_id = ?')
  let changed = 0
  for (const id of new Set(imageIds)) {
    if (assigned) {
      const img = exists.get(id) as { dataset_id: number } | undefined
      if (!img) throw new GlossaError('NOT_FOUND', `image ${id} does not exist`)
      if (entry.dataset_id !== null && img.dataset_id !== entry.dataset_id) {
        throw new GlossaError(
          'INVALID_ARGS',
          `image ${id} is not in dataset ${entry.dataset_id}, the dataset of glossary entry ${entryId}`
        )
      }
      changed += ins.run(entryId, id).changes
    } else changed += del.run(entryId, id).changes
  }
  return changed
}

export function assignedImageIds(db: ReadableDB, entryId: number, limit: number): number[] {
  return (
    prepared(
      db,
      'SELECT image_id FROM glossary_assignments WHERE entry_id = ? ORDER BY image_id LIMIT ?'
    ).all(entryId, limit) as { image_id: number }[]
  ).map((r) => r.image_id)
}

/** Entries as the engine sees them (manual assignments as trigger image ids). */
export function entriesOf(db: ReadableDB, rows: readonly EntryRow[]): GlossaryEntry[] {
  const imgs = prepared(
    db,
    'SELECT image_id FROM glossary_assignments WHERE entry_id = ? ORDER BY image_id'
  )
  return rows.map((r) =>
    parseData(
      r,
      r.assigned ? (imgs.all(r.id) as { image_id: number }[]).map((x) => String(x.image_id)) : []
    )
  )
}

/** The dataset's entries plus the global ones whose names no dataset entry uses. */
export function effectiveRows(db: ReadableDB, datasetId: number): EntryRow[] {
  const rows = listEntryRows(db, datasetId, true)
  const own = rows.filter((r) => r.dataset_id !== null)
  const taken = new Set(own.flatMap((r) => [r.zh_key, r.en_key]).filter((k) => k !== null))
  return [
    ...own,
    ...rows.filter(
      (r) =>
        r.dataset_id === null &&
        !(r.zh_key !== null && taken.has(r.zh_key)) &&
        !(r.en_key !== null && taken.has(r.en_key))
    )
  ]
}

export function glossaryGeneration(db: ReadableDB): number {
  return (
    prepared(db, 'SELECT generation FROM glossary_state WHERE id = 1').get() as {
      generation: number
    }
  ).generation
}

const compiledCache = new WeakMap<ReadableDB, Map<number, { gen: number; cg: CompiledGlossary }>>()

/** The compiled glossary that applies to a dataset (cached until the glossary changes). */
export function compiledFor(db: ReadableDB, datasetId: number): CompiledGlossary {
  const gen = glossaryGeneration(db)
  let perDb = compiledCache.get(db)
  if (!perDb) compiledCache.set(db, (perDb = new Map()))
  const hit = perDb.get(datasetId)
  if (hit && hit.gen === gen) return hit.cg
  const cg = compileGlossary(entriesOf(db, effectiveRows(db, datasetId)))
  perDb.set(datasetId, { gen, cg })
  return cg
}
