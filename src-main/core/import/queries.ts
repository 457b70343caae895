/** SQL of import.* handlers (the import job's own SQL lives with the job and store.ts). */
import type { ReadableDB, WritableDB } from '../db/types'
import { prepared } from '../db/statements'

/** The newest import of `root` into the dataset that has not finished (to resume it). */
export function unfinishedImport(db: ReadableDB, datasetId: number, root: string): number | null {
  const row = prepared(
    db,
    `SELECT id FROM jobs
      WHERE kind = 'import' AND dataset_id = ? AND status IN ('interrupted','queued','running')
        AND json_extract(params, '$.root') = ?
      ORDER BY id DESC LIMIT 1`
  ).get(datasetId, root) as { id: number } | undefined
  return row?.id ?? null
}

export function datasetExists(db: ReadableDB, id: number): boolean {
  return prepared(db, 'SELECT 1 FROM datasets WHERE id = ?').get(id) !== undefined
}

/** A dataset's id by name (names compare case-insensitively: COLLATE NOCASE). */
export function datasetIdByName(db: ReadableDB, name: string): number | undefined {
  return prepared(db, 'SELECT id FROM datasets WHERE name = ?').pluck().get(name) as
    number | undefined
}

export function insertDataset(db: WritableDB, name: string, createdAt: number): number {
  return Number(
    prepared(db, 'INSERT INTO datasets (name, created_at) VALUES (?, ?)').run(name, createdAt)
      .lastInsertRowid
  )
}
