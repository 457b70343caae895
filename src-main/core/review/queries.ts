/**
 * SQL of the review domain's jobs and handlers that is not a filter or selection (those are built
 * in selection.ts and bulk.ts), prepared once per connection.
 */
import type { Statement } from 'better-sqlite3'
import type { ReadableDB, WritableDB } from '../db/types'
import { prepared } from '../db/statements'

export function datasetExists(db: ReadableDB, id: number): boolean {
  return prepared(db, 'SELECT 1 FROM datasets WHERE id = ?').get(id) !== undefined
}

/** The good images of one dataset (or all) to perceptually hash, in id order. */
export function phashCandidates(db: ReadableDB, datasetId: number | null, redo: boolean): number[] {
  const where = [
    'error IS NULL',
    redo ? '' : 'phash IS NULL',
    datasetId === null ? '' : 'dataset_id = ?'
  ].filter(Boolean)
  return prepared(db, `SELECT id FROM images WHERE ${where.join(' AND ')} ORDER BY id`)
    .pluck()
    .all(...(datasetId === null ? [] : [datasetId])) as number[]
}

export function imagePath(db: ReadableDB, id: number): string | undefined {
  return prepared(db, 'SELECT path FROM images WHERE id = ?').pluck().get(id) as string | undefined
}

/** '' marks an image that could not be hashed */
export function storePhash(db: WritableDB, id: number, hash: string): void {
  prepared(db, 'UPDATE images SET phash = ? WHERE id = ?').run(hash, id)
}

/** An FTS5 control command on a search index ('automerge' or 'merge', the value bound at run). */
export function ftsCommand(
  db: WritableDB,
  table: string,
  command: 'automerge' | 'merge'
): Statement {
  return prepared(db, `INSERT INTO ${table} (${table}, rank) VALUES ('${command}', ?)`)
}

/** Good images still lacking a perceptual hash (all of them with `redo`), of a dataset or all. */
export function phashMissing(db: ReadableDB, datasetId: number | undefined, redo: boolean): number {
  return prepared(
    db,
    `SELECT count(*) FROM images WHERE error IS NULL ${redo ? '' : 'AND phash IS NULL'} ${datasetId === undefined ? '' : 'AND dataset_id = ?'}`
  )
    .pluck()
    .get(...(datasetId === undefined ? [] : [datasetId])) as number
}

export interface HashRow {
  id: number
  sha256: string | null
  phash: string | null
}

export function datasetHashes(db: ReadableDB, datasetId: number): HashRow[] {
  return prepared(
    db,
    'SELECT id, sha256, phash FROM images WHERE dataset_id = ? AND error IS NULL ORDER BY id'
  ).all(datasetId) as HashRow[]
}

/** The rows a duplicate group shows (file, size, status, hashes, both captions), by id. */
export function dupeDetailRows<T>(db: ReadableDB, ids: readonly number[]): T[] {
  return prepared(
    db,
    `SELECT i.id, i.file_name, i.rel_path, i.width, i.height, i.bytes, i.format, i.status, i.sha256,
            i.phash, COALESCE(z.text, '') AS zh, COALESCE(e.text, '') AS en
       FROM images i
       LEFT JOIN captions z ON z.image_id = i.id AND z.lang = 'zh'
       LEFT JOIN captions e ON e.image_id = i.id AND e.lang = 'en'
      WHERE i.id IN (SELECT value FROM json_each(?)) ORDER BY i.id`
  ).all(JSON.stringify(ids)) as T[]
}
