import type { DatasetSummary } from '../../shared/api'
import { GlossaError } from '../../shared/errors'
import type { CoreContext } from '../context'
import { prepared } from '../db/statements'
import { datasetSummary, findDataset } from './queries'

export function isUniqueViolation(err: unknown): boolean {
  return (
    typeof err === 'object' &&
    err !== null &&
    (err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE'
  )
}

export function mustExist(ctx: CoreContext, id: number): void {
  if (!findDataset(ctx.db, { id }))
    throw new GlossaError('NOT_FOUND', `dataset ${id} does not exist`)
}

export function summaryOrThrow(ctx: CoreContext, id: number): DatasetSummary {
  const s = datasetSummary(ctx.db, id)
  if (!s) throw new GlossaError('NOT_FOUND', `dataset ${id} does not exist`)
  return s
}

/** Creates a dataset; CONFLICT if the name exists (names compare case-insensitively). */
export function createDataset(ctx: CoreContext, name: string): DatasetSummary {
  let id: number
  try {
    id = Number(
      prepared(ctx.db, 'INSERT INTO datasets (name, created_at) VALUES (?, ?)').run(
        name,
        Date.now()
      ).lastInsertRowid
    )
  } catch (err) {
    if (isUniqueViolation(err))
      throw new GlossaError('CONFLICT', `a dataset named "${name}" already exists`, { name })
    throw err
  }
  ctx.emit('library.changed', { datasetId: id, imageIds: null, reason: 'dataset created' })
  return summaryOrThrow(ctx, id)
}
