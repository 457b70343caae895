import type { DatasetSummary } from '../../shared/api'
import { GlossaError } from '../../shared/errors'
import type { CoreContext, HandlerMap } from '../context'
import { prepared } from '../db/queries/cache'
import { concepts, datasetSummary, findDataset, listDatasets } from '../db/queries/datasets'

function isUniqueViolation(err: unknown): boolean {
  return (
    typeof err === 'object' &&
    err !== null &&
    (err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE'
  )
}

function mustExist(ctx: CoreContext, id: number): void {
  if (!findDataset(ctx.db, { id }))
    throw new GlossaError('NOT_FOUND', `dataset ${id} does not exist`)
}

function summaryOrThrow(ctx: CoreContext, id: number): DatasetSummary {
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

export const datasetHandlers = {
  'datasets.list': (ctx) => listDatasets(ctx.db),
  'datasets.create': (ctx, a) => createDataset(ctx, a.name),
  'datasets.get': (ctx, a) => {
    if (a.id === undefined && a.name === undefined)
      throw new GlossaError('INVALID_ARGS', 'datasets.get: give an id or a name')
    const row = findDataset(ctx.db, a)
    if (!row) {
      const what = a.id !== undefined ? `dataset ${a.id}` : `dataset "${a.name}"`
      throw new GlossaError('NOT_FOUND', `${what} does not exist`)
    }
    if (
      a.id !== undefined &&
      a.name !== undefined &&
      row.name.toLowerCase() !== a.name.toLowerCase()
    )
      throw new GlossaError('NOT_FOUND', `dataset ${a.id} is not named "${a.name}"`)
    return summaryOrThrow(ctx, row.id)
  },
  'datasets.rename': (ctx, a) => {
    mustExist(ctx, a.id)
    try {
      prepared(ctx.db, 'UPDATE datasets SET name = ? WHERE id = ?').run(a.name, a.id)
    } catch (err) {
      if (isUniqueViolation(err))
        throw new GlossaError('CONFLICT', `a dataset named "${a.name}" already exists`, {
          name: a.name
        })
      throw err
    }
    ctx.emit('library.changed', { datasetId: a.id, imageIds: null, reason: 'dataset renamed' })
    return summaryOrThrow(ctx, a.id)
  },
  'datasets.concepts': (ctx, a) => {
    mustExist(ctx, a.datasetId)
    return concepts(ctx.db, a.datasetId)
  }
} satisfies Partial<HandlerMap>
