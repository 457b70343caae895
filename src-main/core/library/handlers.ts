/** library.*, datasets.* and settings.*. */
import type { HandlerMap } from '../context'
import { GlossaError } from '../../shared/errors'
import { backupLibrary } from './backup'
import {
  createDataset,
  deleteDataset,
  isUniqueViolation,
  mustExist,
  summaryOrThrow
} from './datasets'
import {
  concepts,
  findDataset,
  libraryStats,
  listDatasets,
  readSetting,
  sqliteVersion,
  writeSetting
} from './queries'
import { prepared } from '../db/statements'

export const libraryHandlers = {
  'library.info': (ctx) => ({
    file: ctx.libraryFile,
    dataDir: ctx.dataDir,
    schemaVersion: ctx.db.pragma('user_version', { simple: true }) as number,
    sqliteVersion: sqliteVersion(ctx.db)
  }),
  'library.stats': (ctx, a) => {
    if (a.datasetId !== undefined && !findDataset(ctx.db, { id: a.datasetId }))
      throw new GlossaError('NOT_FOUND', `dataset ${a.datasetId} does not exist`)
    return libraryStats(ctx.db, a.datasetId)
  },
  'library.backup': (ctx) => backupLibrary(ctx),

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
    ctx.emit('library.changed', {
      datasetId: a.id,
      datasetIds: [a.id],
      imageIds: null,
      kinds: ['datasets'],
      reason: 'dataset renamed'
    })
    return summaryOrThrow(ctx, a.id)
  },
  'datasets.delete': (ctx, a) => deleteDataset(ctx, a.id),
  'datasets.concepts': (ctx, a) => {
    mustExist(ctx, a.datasetId)
    return concepts(ctx.db, a.datasetId)
  },

  'settings.get': (ctx, a) => ({ key: a.key, value: readSetting(ctx.db, a.key) }),
  'settings.set': (ctx, a) => {
    writeSetting(ctx.db, a.key, a.value)
    return { key: a.key, value: a.value }
  }
} satisfies Partial<HandlerMap>
