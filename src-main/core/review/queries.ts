/**
 * SQL of the review domain's jobs and handlers that is not a filter or selection (those are built
 * in selection.ts and bulk.ts), prepared once per connection.
 */
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
