import { BULK_SYNC_LIMIT, type DatasetDeleteResult, type DatasetSummary } from '../../shared/api'
import { GlossaError } from '../../shared/errors'
import type { CoreContext } from '../context'
import { withBatch } from '../db/journal'
import { prepared } from '../db/statements'
import { deleteImage, dropDatasetRow } from '../review/journal-ops'
import { activeJobs, datasetSummary, findDataset, imageIdsOf } from './queries'

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
  ctx.emit('library.changed', {
    datasetId: id,
    datasetIds: [id],
    imageIds: null,
    kinds: ['datasets'],
    reason: 'dataset created'
  })
  return summaryOrThrow(ctx, id)
}

/**
 * Removes a dataset from the library as ONE undoable journal batch: every image row is
 * snapshotted and deleted (captions, tags, assignments with it), then the dataset row itself
 * (with its glossary entries and cleanup rules). Source files are never touched. Up to
 * BULK_SYNC_LIMIT images this is one transaction; a bigger dataset is removed by a 'bulk' job
 * (time-sliced, resumable) whose last slice removes the row. history.undo puts everything back.
 */
export function deleteDataset(ctx: CoreContext, id: number): DatasetDeleteResult {
  const ds = findDataset(ctx.db, { id })
  if (!ds) throw new GlossaError('NOT_FOUND', `dataset ${id} does not exist`)
  const running = activeJobs(ctx.db, id)
  if (running.length)
    throw new GlossaError(
      'CONFLICT',
      `dataset "${ds.name}" has ${running.length === 1 ? 'a job' : `${running.length} jobs`} running (${running.map((j) => `${j.kind} #${j.id}`).join(', ')}); cancel or finish ${running.length === 1 ? 'it' : 'them'} first`,
      { jobs: running.map((j) => j.id) }
    )
  // the kept count decides; the ids are listed only for a small dataset (a job lists the rest)
  const count = datasetSummary(ctx.db, id)?.images ?? 0
  const label = `Delete dataset ${ds.name} (${count} image${count === 1 ? '' : 's'})`
  if (count > BULK_SYNC_LIMIT) {
    const job = ctx.jobs.create('bulk', id, {
      target: { selection: { filter: { datasetId: id } } },
      op: { kind: 'delete' },
      label,
      dropDataset: id
    })
    return { id, name: ds.name, images: count, batchId: null, jobId: job.id }
  }
  const ids = imageIdsOf(ctx.db, id)
  const out = withBatch(ctx, label, (b) => {
    for (const imageId of ids) deleteImage(b, imageId)
    return dropDatasetRow(b, id)
  })
  return { id, name: ds.name, images: ids.length, batchId: out.batchId, jobId: null }
}
