import { GlossaError } from '../../shared/errors'
import type { HandlerMap } from '../context'
import { applyBulk, previewBulk } from './bulk'
import { findDupes, startHashJob } from './dupes'
import { countSelection, existing } from './selection'
import {
  bucketStats,
  captionLengthStats,
  listTags,
  resolutionStats,
  reviewStats,
  tagStats
} from './stats'
import { datasetExists } from './queries'
import type { ReadableDB } from '../db/types'

function checkDataset(db: ReadableDB, id: number | undefined): void {
  if (id !== undefined && !datasetExists(db, id))
    throw new GlossaError('NOT_FOUND', `dataset ${id} does not exist`)
}

export const reviewHandlers = {
  'selection.count': (ctx, a) => ({ count: countSelection(ctx.db, a.selection) }),
  'bulk.preview': (ctx, a) => previewBulk(ctx, { selection: a.selection }, a.op, a.limit),
  'bulk.apply': (ctx, a) => applyBulk(ctx, { selection: a.selection }, a.op),

  'tags.list': (ctx, a) => listTags(ctx.db, a),
  'tags.rename': (ctx, a) => {
    checkDataset(ctx.db, a.datasetId)
    if (a.from === a.to)
      throw new GlossaError('INVALID_ARGS', 'tags.rename: from and to are the same tag')
    return applyBulk(
      ctx,
      { withTags: [a.from], datasetId: a.datasetId },
      { kind: 'tags.rename', from: a.from, to: a.to }
    )
  },
  'tags.merge': (ctx, a) => {
    checkDataset(ctx.db, a.datasetId)
    const tags = a.tags.filter((t) => t !== a.into)
    if (!tags.length)
      throw new GlossaError('INVALID_ARGS', 'tags.merge: nothing to merge into itself')
    return applyBulk(
      ctx,
      { withTags: tags, datasetId: a.datasetId },
      { kind: 'tags.merge', tags, into: a.into }
    )
  },

  'dupes.find': (ctx, a) => findDupes(ctx, a.datasetId, a.threshold, a.limit),
  'dupes.keep': (ctx, a) => {
    const keep = new Set(a.keep)
    const clash = a.others.find((id) => keep.has(id))
    if (clash !== undefined)
      throw new GlossaError('INVALID_ARGS', `dupes.keep: image ${clash} is both kept and dropped`)
    const ids = [...new Set([...a.keep, ...a.others])]
    const found = new Set(existing(ctx.db, ids))
    const missing = ids.find((id) => !found.has(id))
    if (missing !== undefined) throw new GlossaError('NOT_FOUND', `image ${missing} does not exist`)
    return applyBulk(
      ctx,
      { selection: { ids: a.others } },
      a.action === 'delete' ? { kind: 'delete' } : { kind: 'status', status: 'rejected' }
    )
  },
  'dupes.hash': (ctx, a) => {
    checkDataset(ctx.db, a.datasetId)
    return startHashJob(ctx, a.datasetId, a.redo)
  },

  'stats.tags': (ctx, a) => tagStats(ctx.db, a.filter, a.top),
  'stats.captionLengths': (ctx, a) => captionLengthStats(ctx.db, a.filter),
  'stats.resolution': (ctx, a) => resolutionStats(ctx.db, a.filter, a.maxPoints),
  'stats.buckets': (ctx, a) => bucketStats(ctx.db, a.filter, a),
  'stats.review': (ctx, a) => reviewStats(ctx.db, a.filter, a.interval, a.tzOffsetMinutes)
} satisfies Partial<HandlerMap>
