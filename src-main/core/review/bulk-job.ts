/**
 * Job kind 'bulk': one bulk operation over a big selection, as ONE undoable journal batch.
 *
 * Phase 'select' resolves the target into job items keyed by image id (the phase label 'apply'
 * is persisted only once every item is recorded, so a job killed while selecting selects again).
 * Phase 'apply' works through pending items in time-sliced transactions, each appending its
 * journal entries to the job's batch (appendToBatch + job_batches, as caption jobs do) and marking
 * its items in the same transaction — a crash loses nothing and resume never applies an item
 * twice. Items: done (changed), skipped (nothing to change, or a move conflict), failed (image
 * gone). Cancel keeps what was applied; history.undo of the batch reverts all of it.
 *
 * The event loop is never held for long (issue 7: the studio stays responsive while 100,000
 * captions are rewritten): the slices, the search-index merges and WAL checkpoints between them,
 * and the throttled 'library.changed' events are those of sliced.ts.
 */
import type { BulkOp } from '../../shared/api'
import { GlossaError } from '../../shared/errors'
import { appendToBatch } from '../db/journal'
import type { CoreContext } from '../context'
import { dropDatasetRow } from './journal-ops'
import { loadStates, planImage, prepareOp } from './ops'
import { targetChunks, type BulkTarget } from './bulk'
import { ChangedEvents, IndexUpkeep, SLICE_MS, yieldLoop } from './sliced'
import {
  addJobItems,
  countJobItems,
  markJobItem,
  pendingJobItems,
  type JobKindImpl
} from '../jobs/runner'
import { deleteJobItems, jobBatchId, jobProgressRow, setJobBatch } from '../jobs/queries'

const FETCH_MAX = 200
const FETCH_MIN = 16

interface BulkParams {
  target: BulkTarget
  op: BulkOp
  label: string
  /** datasets.delete: once every image is deleted, remove this dataset's row in the same batch */
  dropDataset?: number
}

function parseParams(p: Record<string, unknown>): BulkParams {
  if (typeof p.target !== 'object' || p.target === null || typeof p.op !== 'object' || !p.op)
    throw new GlossaError('INVALID_ARGS', 'bulk job: params need target and op')
  return {
    target: p.target as BulkTarget,
    op: p.op as BulkOp,
    label: typeof p.label === 'string' ? p.label : 'Bulk edit',
    ...(typeof p.dropDataset === 'number' ? { dropDataset: p.dropDataset } : {})
  }
}

export const bulkJob: JobKindImpl = {
  kind: 'bulk',
  async run(ctx, job, control) {
    const { db } = ctx
    const params = parseParams(job.params)
    const prep = prepareOp(params.op)
    const persisted = jobProgressRow(db, job.id)
    if (persisted.phase !== 'apply') {
      control.setPhase('select', 0)
      deleteJobItems(db, job.id)
      // listed in keyed chunks, yielding between them: a million ids are never held at once,
      // and neither the listing nor the inserts hold the event loop for long
      let total = 0
      for (const ids of targetChunks(db, params.target, 2000)) {
        if (control.signal.aborted || !db.open) return
        addJobItems(db, job.id, ids.map(String))
        total += ids.length
        control.setTotal(total)
        await yieldLoop()
      }
      control.setPhase('apply', total)
    }
    const counts = countJobItems(db, job.id)
    control.setPhase('apply', counts.total)
    control.advance(counts.done - persisted.done, counts.failed - persisted.failed)
    const upkeep = new IndexUpkeep(db)
    const changed = new ChangedEvents(ctx, params.label)
    const sliceCtx: CoreContext = { ...ctx, emit: changed.emit }
    try {
      let afterSeq = 0
      let fetch = FETCH_MIN * 4
      let tailPerItem = 0.1 // ms each item adds at the end of its slice (flush, commit)
      for (;;) {
        if (control.signal.aborted || !db.open) return
        const items = pendingJobItems(db, job.id, afterSeq, fetch)
        if (items.length === 0) break
        let done = 0
        let failed = 0
        let itemsMs = 0
        const t0 = performance.now()
        appendToBatch(sliceCtx, jobBatchId(db, job.id), params.label, (b) => {
          setJobBatch(db, job.id, b.id)
          upkeep.holdMerges()
          const states = loadStates(
            db,
            items.map((it) => Number(it.key))
          )
          for (const it of items) {
            const s = states.get(Number(it.key))
            if (!s) {
              markJobItem(
                db,
                job.id,
                it.seq,
                'failed',
                `image ${it.key} is no longer in the library`
              )
              failed++
            } else {
              const plan = planImage(db, prep, s)
              if (plan.conflict)
                markJobItem(
                  db,
                  job.id,
                  it.seq,
                  'skipped',
                  'conflict: the file is already in the target dataset'
                )
              else markJobItem(db, job.id, it.seq, plan.write?.(b) ? 'done' : 'skipped', null)
              done++
            }
            afterSeq = it.seq
            const n = done + failed
            if (performance.now() - t0 + tailPerItem * (n + 1) > SLICE_MS) break
          }
          itemsMs = performance.now() - t0
          upkeep.releaseMerges()
        })
        const n = done + failed
        if (n > 0) {
          const tail = (performance.now() - t0 - itemsMs) / n
          tailPerItem = tailPerItem * 0.7 + tail * 0.3
        }
        fetch = Math.min(FETCH_MAX, Math.max(FETCH_MIN, Math.ceil(n * 1.25) + 4))
        control.advance(done, failed)
        changed.maybeFlush()
        if (!(await upkeep.between(() => control.signal.aborted))) return
      }
      if (params.dropDataset !== undefined && !control.signal.aborted && db.open) {
        appendToBatch(sliceCtx, jobBatchId(db, job.id), params.label, (b) =>
          dropDatasetRow(b, params.dropDataset!)
        )
      }
    } finally {
      changed.flush()
      upkeep.end()
    }
  }
}
