import type { WritableDB } from '../db/types'
import { GlossaError } from '../../shared/errors'

/**
 * The dataset an import goes into: by id (must exist), or by name (created when missing; names
 * are case-insensitive, as the schema's COLLATE NOCASE says).
 */
export function resolveImportDataset(
  db: WritableDB,
  opts: { datasetId?: number; name: string }
): number {
  if (opts.datasetId !== undefined) {
    const row = db.prepare('SELECT id FROM datasets WHERE id = ?').get(opts.datasetId)
    if (!row) throw new GlossaError('NOT_FOUND', `dataset ${opts.datasetId} does not exist`)
    return opts.datasetId
  }
  const name = opts.name.trim()
  if (!name) throw new GlossaError('INVALID_ARGS', 'the dataset name is empty')
  // an existing dataset is found without taking the write lock (another process may hold it)
  const existing = db.prepare('SELECT id FROM datasets WHERE name = ?').get(name) as
    { id: number } | undefined
  if (existing) return existing.id
  return db
    .transaction(() => {
      const found = db.prepare('SELECT id FROM datasets WHERE name = ?').get(name) as
        { id: number } | undefined
      if (found) return found.id
      const info = db
        .prepare('INSERT INTO datasets (name, created_at) VALUES (?, ?)')
        .run(name, Date.now())
      return Number(info.lastInsertRowid)
    })
    .immediate()
}
