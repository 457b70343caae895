import type { WritableDB } from '../db/types'
import { GlossaError } from '../../shared/errors'
import { datasetExists, datasetIdByName, insertDataset } from './queries'

/**
 * The dataset an import goes into: by id (must exist), or by name (created when missing; names
 * are case-insensitive, as the schema's COLLATE NOCASE says).
 */
export function resolveImportDataset(
  db: WritableDB,
  opts: { datasetId?: number; name: string }
): number {
  if (opts.datasetId !== undefined) {
    if (!datasetExists(db, opts.datasetId))
      throw new GlossaError('NOT_FOUND', `dataset ${opts.datasetId} does not exist`)
    return opts.datasetId
  }
  const name = opts.name.trim()
  if (!name) throw new GlossaError('INVALID_ARGS', 'the dataset name is empty')
  // an existing dataset is found without taking the write lock (another process may hold it)
  const existing = datasetIdByName(db, name)
  if (existing !== undefined) return existing
  return db
    .transaction(() => {
      const found = datasetIdByName(db, name)
      if (found !== undefined) return found
      return insertDataset(db, name, Date.now())
    })
    .immediate()
}
