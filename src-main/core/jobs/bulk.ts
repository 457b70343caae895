/**
 * Job kind 'bulk': one bulk operation over a big selection, as ONE undoable journal batch.
 *
 * Phase 'select' resolves the target into job items keyed by image id (the phase label 'apply'
 * is persisted only once every item is recorded, so a job killed while selecting selects again).
 * Phase 'apply' works through pending items in time-sliced transactions: each commits after at
 * most ~SLICE_MS of writes (so the event loop is never held for long), appends its journal
 * entries to the job's batch (appendToBatch + job_batches, as caption jobs do) and marks its
 * items in the same transaction — a crash loses nothing and resume never applies an item twice.
 * Items: done (changed), skipped (nothing to change, or a move conflict), failed (image gone).
 * Cancel keeps what was applied; history.undo of the batch reverts all of it.
 */
import type { BulkOp } from '../../shared/api'
import { GlossaError } from '../../shared/errors'
import { appendToBatch } from '../db/journal'
import { loadStates, planImage, prepareOp } from '../review/ops'
import { resolveTarget, yieldLoop, type BulkTarget } from '../review/bulk'
import {
  addJobItems,
  countJobItems,
  markJobItem,
  pendingJobItems,
  type JobKindImpl
} from './runner'

const SLICE_MS = 25
const FETCH = 200

interface BulkParams {
  target: BulkTarget
  op: BulkOp
  label: string
}

function parseParams(p: Record<string, unknown>): BulkParams {
  if (typeof p.target !== 'object' || p.target === null || typeof p.op !== 'object' || !p.op)
    throw new GlossaError('INVALID_ARGS', 'bulk job: params need target and op')
  return {
    target: p.target as BulkTarget,
    op: p.op as BulkOp,
    label: typeof p.label === 'string' ? p.label : 'Bulk edit'
  }
}

export const bulkJob: JobKindImpl = {
  kind: 'bulk',
  async run(ctx, job, control) {
    const { db } = ctx
    const params = parseParams(job.params)
    const prep = prepareOp(params.op)
    const persisted = db
      .prepare('SELECT phase, done, failed FROM jobs WHERE id = ?')
      .get(job.id) as {
      phase: string
      done: number
      failed: number
    }
    if (persisted.phase !== 'apply') {
      control.setPhase('select', 0)
      db.prepare('DELETE FROM job_items WHERE job_id = ?').run(job.id)
      const ids = resolveTarget(db, params.target)
      // in slices, yielding between them: 100k inserts must not hold the event loop
      for (let k = 0; k < ids.length; k += 5000) {
        addJobItems(db, job.id, ids.slice(k, k + 5000).map(String))
        await yieldLoop()
      }
      control.setPhase('apply', ids.length)
    }
    const counts = countJobItems(db, job.id)
    control.setPhase('apply', counts.total)
    control.advance(counts.done - persisted.done, counts.failed - persisted.failed)
    let afterSeq = 0
    for (;;) {
      if (control.signal.aborted || !db.open) return
      const items = pendingJobItems(db, job.id, afterSeq, FETCH)
      if (items.length === 0) break
      let done = 0
      let failed = 0
      const prev = db.prepare('SELECT batch_id FROM job_batches WHERE job_id = ?').get(job.id) as
        { batch_id: number | null } | undefined
      appendToBatch(ctx, prev?.batch_id ?? null, params.label, (b) => {
        db.prepare(
          'INSERT INTO job_batches (job_id, batch_id) VALUES (?, ?) ON CONFLICT (job_id) DO UPDATE SET batch_id = excluded.batch_id'
        ).run(job.id, b.id)
        const t0 = Date.now()
        const states = loadStates(
          db,
          items.map((it) => Number(it.key))
        )
        for (const it of items) {
          const s = states.get(Number(it.key))
          if (!s) {
            markJobItem(db, job.id, it.seq, 'failed', `image ${it.key} is no longer in the library`)
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
          if (Date.now() - t0 > SLICE_MS) break
        }
      })
      control.advance(done, failed)
      await yieldLoop()
    }
  }
}
