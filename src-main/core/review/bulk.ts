/**
 * Preview and apply of bulk operations over a selection.
 *  - preview walks the selection in chunks of ~15 ms (yielding to the event loop between them) and returns
 *    the count, how many images would change, and the first `limit` diffs;
 *  - apply writes ONE journal batch: synchronously for selections up to BULK_SYNC_LIMIT, else as
 *    a 'bulk' job (jobs/bulk.ts) that commits in short time-sliced transactions appended to the
 *    same batch, with progress events.
 */
import type { ReadableDB } from '../db/types'
import {
  BULK_SAMPLE_CAP,
  BULK_SYNC_LIMIT,
  type BulkApplyResult,
  type BulkDiff,
  type BulkOp,
  type BulkPreview,
  type Selection
} from '../../shared/api'
import { GlossaError } from '../../shared/errors'
import type { CoreContext } from '../context'
import { withBatch } from '../db/journal'
import { prepared } from '../db/statements'
import { loadStates, opLabel, planImage, prepareOp } from './ops'
import { yieldLoop } from './sliced'
import { countSelection, resolveSelection, selectionChunks, selectionFilter } from './selection'

/** What a bulk job works on: a selection, or every image carrying some tags (tags.rename/merge). */
export type BulkTarget = { selection: Selection } | { withTags: string[]; datasetId?: number }

export const CHUNK = 500
const PREVIEW_TURN_MS = 15
export { yieldLoop }

export function resolveTarget(db: ReadableDB, t: BulkTarget): number[] {
  if ('selection' in t) return resolveSelection(db, t.selection)
  const ds =
    t.datasetId === undefined ? '' : 'AND image_id IN (SELECT id FROM images WHERE dataset_id = ?)'
  const params: (string | number)[] = [JSON.stringify(t.withTags)]
  if (t.datasetId !== undefined) params.push(t.datasetId)
  return prepared(
    db,
    `SELECT DISTINCT image_id FROM tags WHERE tag IN (SELECT value FROM json_each(?)) ${ds} ORDER BY image_id`
  )
    .pluck()
    .all(...params) as number[]
}

/** How many images a target holds, without listing them (kept counts where the filter allows). */
export function countTarget(db: ReadableDB, t: BulkTarget): number {
  if ('selection' in t) return countSelection(db, t.selection)
  const ds =
    t.datasetId === undefined ? '' : 'AND image_id IN (SELECT id FROM images WHERE dataset_id = ?)'
  const params: (string | number)[] = [JSON.stringify(t.withTags)]
  if (t.datasetId !== undefined) params.push(t.datasetId)
  return (
    prepared(
      db,
      `SELECT count(DISTINCT image_id) AS n FROM tags WHERE tag IN (SELECT value FROM json_each(?)) ${ds}`
    ).get(...params) as { n: number }
  ).n
}

/** A target's image ids in ascending chunks (keyed queries): for jobs over any number of images. */
export function* targetChunks(db: ReadableDB, t: BulkTarget, size: number): Generator<number[]> {
  if ('selection' in t) {
    yield* selectionChunks(db, t.selection, size)
    return
  }
  const ds =
    t.datasetId === undefined ? '' : 'AND image_id IN (SELECT id FROM images WHERE dataset_id = ?)'
  const st = prepared(
    db,
    `SELECT DISTINCT image_id FROM tags WHERE tag IN (SELECT value FROM json_each(?)) ${ds}
        AND image_id > ? ORDER BY image_id LIMIT ?`
  ).pluck()
  const tags = JSON.stringify(t.withTags)
  let after = 0
  for (;;) {
    const ids = st.all(
      ...(t.datasetId === undefined ? [tags] : [tags, t.datasetId]),
      after,
      size
    ) as number[]
    if (ids.length === 0) return
    after = ids[ids.length - 1]!
    yield ids
    if (ids.length < size) return
  }
}

export function targetDataset(t: BulkTarget): number | null {
  if ('selection' in t) return selectionFilter(t.selection)?.datasetId ?? null
  return t.datasetId ?? null
}

/** Checks an operation against the library (regex compiles, target dataset exists). */
export function checkOp(db: ReadableDB, op: BulkOp): void {
  prepareOp(op)
  if (op.kind === 'move' && !prepared(db, 'SELECT 1 FROM datasets WHERE id = ?').get(op.datasetId))
    throw new GlossaError('NOT_FOUND', `dataset ${op.datasetId} does not exist`)
}

export async function previewBulk(
  ctx: CoreContext,
  target: BulkTarget,
  op: BulkOp,
  limit: number
): Promise<BulkPreview> {
  const db = ctx.db
  checkOp(db, op)
  const p = prepareOp(op)
  const ids = resolveTarget(db, target)
  let changed = 0
  let conflicts = 0
  let diffs = 0
  const samples: BulkDiff[] = []
  // chunks sized to take about PREVIEW_TURN_MS each (from the last chunk's cost per image)
  let size = 100
  for (let i = 0; i < ids.length;) {
    if (ctx.closing.aborted || !db.open)
      throw new GlossaError('CANCELLED', 'the library is closing')
    const t0 = performance.now()
    const chunk = ids.slice(i, i + size)
    i += chunk.length
    const states = loadStates(db, chunk)
    for (const id of chunk) {
      const s = states.get(id)
      if (!s) continue
      const plan = planImage(db, p, s)
      if (plan.conflict) conflicts++
      if (!plan.diffs.length) continue
      changed++
      diffs += plan.diffs.length
      for (const d of plan.diffs) if (samples.length < limit) samples.push(d)
    }
    const perItem = (performance.now() - t0) / chunk.length
    size = Math.max(20, Math.min(CHUNK, Math.floor(PREVIEW_TURN_MS / Math.max(perItem, 0.001))))
    await yieldLoop()
  }
  return {
    count: ids.length,
    changed,
    conflicts,
    samples,
    sampleCap: BULK_SAMPLE_CAP,
    truncated: diffs > samples.length
  }
}

/** Applies synchronously (small selections) or starts a 'bulk' job. */
export function applyBulk(ctx: CoreContext, target: BulkTarget, op: BulkOp): BulkApplyResult {
  const db = ctx.db
  checkOp(db, op)
  // a big target goes to a job without being listed here (the job lists it in slices)
  const n = countTarget(db, target)
  if (n > BULK_SYNC_LIMIT) {
    const job = ctx.jobs.create('bulk', targetDataset(target), {
      target,
      op,
      label: opLabel(op, n)
    })
    return { count: n, jobId: job.id, batchId: null, changed: null }
  }
  const ids = resolveTarget(db, target)
  const label = opLabel(op, ids.length)
  const p = prepareOp(op)
  const out = withBatch(ctx, label, (b) => {
    let changed = 0
    for (let i = 0; i < ids.length; i += CHUNK) {
      const chunk = ids.slice(i, i + CHUNK)
      const states = loadStates(db, chunk)
      for (const id of chunk) {
        const s = states.get(id)
        if (!s) continue
        const plan = planImage(db, p, s)
        if (plan.write?.(b)) changed++
      }
    }
    return changed
  })
  return { count: ids.length, jobId: null, batchId: out.batchId, changed: out.result }
}
