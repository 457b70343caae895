/**
 * Undo and redo of journal batches, and job kind 'undo' for large ones.
 *
 * history.undo / history.redo of a batch of up to UNDO_SYNC_LIMIT entries is one IMMEDIATE
 * transaction, as it always was. A larger batch (a bulk edit or a model run over 100k images)
 * would hold the event loop for seconds, so instead the batch is marked `moving` (migration
 * 0008) and an 'undo' job applies its entries in short transactions: each slice applies entries
 * (undo: by id descending, restoring `before`; redo: ascending, restoring `after`) for at most
 * SLICE_MS or SLICE_MAX entries, stores the cursor (the last entry applied) in the same
 * transaction, and yields. A killed process therefore resumes exactly where the last committed
 * slice ended. `undone` flips, and `moving` clears, only in the slice that applies the last entry.
 *
 * While a batch is moving: a second undo/redo gets CONFLICT if its job is queued or running;
 * if the job was interrupted or cancelled, the same direction resumes it and the other direction
 * turns it around (only the entries already applied are put back). Edits are not blocked:
 * appendToBatch never appends to a moving batch and a new edit never discards one from the redo
 * stack.
 *
 * Undo never overwrites a newer edit (issue 11): an entry is applied only where the current value
 * is still the one the batch wrote (journal.ts revertEntry); otherwise it is skipped and counted,
 * the same for small and large batches. The sync result carries `skipped` and a `note` ("3
 * captions changed since; left as they are"); a job records each skipped entry as a 'skipped' job
 * item in the slice that met it (so a resumed job keeps the count) and ends with the note on the
 * job (JobInfo.note).
 */
import type { ReadableDB } from '../db/types'
import type { HistoryBatch } from '../../shared/api'
import { GlossaError } from '../../shared/errors'
import type { CoreContext } from '../context'
import {
  ChangeNote,
  emitChanged,
  historyBatchFrom,
  revertEntry,
  skippedNote,
  type BatchRow,
  type EntryKind,
  type EntryRow
} from '../db/journal'
import { prepared } from '../db/statements'
import { getJob, type JobKindImpl } from '../jobs/runner'
import { insertSkippedItem, setJobNote, skippedItemKeys } from '../jobs/queries'
import { jobProgressRow } from '../jobs/queries'

/** Batches with more entries than this are undone/redone by an 'undo' job. */
export const UNDO_SYNC_LIMIT = 2000
const SLICE_MS = 20
const SLICE_MAX = 500

type Direction = 'undo' | 'redo'
const yieldLoop = (): Promise<void> => new Promise((r) => setImmediate(r))

export type StepPlan =
  /** nothing to undo / redo */
  | { kind: 'none' }
  /** applied in one transaction; `skipped` entries had been changed since (left as they are) */
  | { kind: 'done'; batch: HistoryBatch; skipped: Partial<Record<EntryKind, number>> }
  /** more than `syncLimit` entries: the batch is now marked moving; an 'undo' job must do it */
  | { kind: 'large'; row: BatchRow }
  /** a batch is still moving (an earlier large undo/redo): nothing was changed */
  | { kind: 'moving'; row: BatchRow }

/**
 * One undo (newest batch not undone, entries in reverse order) or redo (oldest undone batch, in
 * order). A batch of up to `syncLimit` entries is applied in this one IMMEDIATE transaction, as
 * always; a larger one is only marked moving (jobs/undo.ts applies it in slices).
 */
export function planStep(
  ctx: CoreContext,
  direction: 'undo' | 'redo',
  syncLimit = Infinity
): StepPlan {
  const db = ctx.db
  let imageIds: number[] = []
  const note = new ChangeNote()
  const tx = db.transaction((): StepPlan => {
    const moving = prepared(
      db,
      'SELECT * FROM journal_batches WHERE moving IS NOT NULL ORDER BY id LIMIT 1'
    ).get() as BatchRow | undefined
    if (moving) return { kind: 'moving', row: moving }
    const row = prepared(
      db,
      direction === 'undo'
        ? 'SELECT * FROM journal_batches WHERE undone = 0 ORDER BY id DESC LIMIT 1'
        : 'SELECT * FROM journal_batches WHERE undone = 1 ORDER BY id ASC LIMIT 1'
    ).get() as BatchRow | undefined
    if (!row) return { kind: 'none' }
    if (row.items > syncLimit) {
      prepared(
        db,
        'UPDATE journal_batches SET moving = ?, cursor = NULL, job_id = NULL WHERE id = ?'
      ).run(direction, row.id)
      return { kind: 'large', row: { ...row, moving: direction } }
    }
    const entries = prepared(
      db,
      `SELECT id, image_id, kind, lang, before, after FROM journal_entries WHERE batch_id = ? ORDER BY id ${direction === 'undo' ? 'DESC' : 'ASC'}`
    ).all(row.id) as EntryRow[]
    const skipped: Partial<Record<EntryKind, number>> = {}
    const touched = new Set<number>()
    for (const e of entries) {
      if (revertEntry(db, e, direction)) {
        touched.add(e.image_id)
        note.add(e.kind, e.before, e.after)
      } else skipped[e.kind] = (skipped[e.kind] ?? 0) + 1
    }
    const undone = direction === 'undo' ? 1 : 0
    prepared(db, 'UPDATE journal_batches SET undone = ? WHERE id = ?').run(undone, row.id)
    imageIds = [...touched]
    return { kind: 'done', batch: historyBatchFrom({ ...row, undone }), skipped }
  })
  const out = db.inTransaction ? tx() : tx.immediate()
  if (out.kind === 'done') emitChanged(ctx, imageIds, direction, note)
  return out
}

export type StepResult = (HistoryBatch & { jobId?: number; skipped?: number; note?: string }) | null

const activeStatus = (s: string): boolean => s === 'queued' || s === 'running'

/** history.undo / history.redo: applies a small batch directly, starts (or resumes) a job for a large one. */
export function historyStep(ctx: CoreContext, direction: Direction): StepResult {
  const db = ctx.db
  const plan = planStep(ctx, direction, UNDO_SYNC_LIMIT)
  if (plan.kind === 'none') return null
  if (plan.kind === 'done') {
    const note = skippedNote(plan.skipped)
    if (!note) return plan.batch
    const skipped = Object.values(plan.skipped).reduce((a, b) => a + (b ?? 0), 0)
    return { ...plan.batch, skipped, note }
  }
  if (plan.kind === 'large')
    return { ...historyBatchFrom(plan.row), jobId: startJob(ctx, plan.row) }
  const row = plan.row
  const job = row.job_id === null ? null : safeJob(db, row.job_id)
  if (job && activeStatus(job.status))
    throw new GlossaError(
      'CONFLICT',
      `"${row.label}" is still being ${row.moving === 'undo' ? 'undone' : 'redone'} (job ${job.id}, ${job.done} of ${job.total} entries); wait for it to finish before another undo or redo`,
      { jobId: job.id, batchId: row.id }
    )
  if (row.moving !== direction) {
    // turn a stopped half-way undo (redo) around: put back only what it already applied
    if (row.cursor === null) {
      prepared(
        db,
        'UPDATE journal_batches SET moving = NULL, cursor = NULL, job_id = NULL WHERE id = ?'
      ).run(row.id)
      return historyStep(ctx, direction)
    }
    const cursor = direction === 'redo' ? row.cursor - 1 : row.cursor + 1
    prepared(
      db,
      'UPDATE journal_batches SET moving = ?, cursor = ?, job_id = NULL WHERE id = ?'
    ).run(direction, cursor, row.id)
    const turned: BatchRow = { ...row, moving: direction, cursor, job_id: null }
    return { ...historyBatchFrom(turned), jobId: startJob(ctx, turned) }
  }
  if (job) return { ...historyBatchFrom(row), jobId: ctx.jobs.resume(job.id).id }
  return { ...historyBatchFrom(row), jobId: startJob(ctx, row) }
}

function safeJob(db: ReadableDB, id: number): ReturnType<typeof getJob> | null {
  try {
    return getJob(db, id)
  } catch {
    return null
  }
}

function startJob(ctx: CoreContext, row: BatchRow): number {
  const job = ctx.jobs.create('undo', null, {
    batchId: row.id,
    direction: row.moving,
    label: row.label
  })
  // the runner may already have started it (it runs up to its first await synchronously); it
  // waits for job_id to match before applying anything, see claimed()
  prepared(ctx.db, 'UPDATE journal_batches SET job_id = ? WHERE id = ? AND moving IS NOT NULL').run(
    job.id,
    row.id
  )
  return job.id
}

interface SliceOut {
  applied: number
  finished: boolean
  imageIds: number[]
  note: ChangeNote
}

/**
 * Applies the next slice of a moving batch in one IMMEDIATE transaction. Returns null when the
 * batch is no longer this job's to move (gone, finished, turned around by a newer job).
 */
function applySlice(
  ctx: CoreContext,
  jobId: number,
  batchId: number,
  dir: Direction
): SliceOut | null {
  const db = ctx.db
  const tx = db.transaction((): SliceOut | null => {
    const b = prepared(db, 'SELECT * FROM journal_batches WHERE id = ?').get(batchId) as
      BatchRow | undefined
    if (!b || b.moving !== dir || b.job_id !== jobId) return null
    const rows = prepared(
      db,
      dir === 'undo'
        ? 'SELECT id, image_id, kind, lang, before, after FROM journal_entries WHERE batch_id = ? AND id < ? ORDER BY id DESC LIMIT ?'
        : 'SELECT id, image_id, kind, lang, before, after FROM journal_entries WHERE batch_id = ? AND id > ? ORDER BY id ASC LIMIT ?'
    ).all(
      batchId,
      b.cursor ?? (dir === 'undo' ? Number.MAX_SAFE_INTEGER : 0),
      SLICE_MAX
    ) as EntryRow[]
    const t0 = performance.now()
    const ids = new Set<number>()
    const note = new ChangeNote()
    let last = b.cursor
    let n = 0
    for (const e of rows) {
      if (revertEntry(db, e, dir)) {
        ids.add(e.image_id)
        note.add(e.kind, e.before, e.after)
      } else
        insertSkippedItem(
          db,
          jobId,
          e.id,
          `${e.kind}:${e.image_id}`,
          'changed since; left as it is'
        )
      last = e.id
      n++
      if (performance.now() - t0 > SLICE_MS) break
    }
    const finished = n === rows.length && rows.length < SLICE_MAX
    if (finished)
      prepared(
        db,
        'UPDATE journal_batches SET undone = ?, moving = NULL, cursor = NULL, job_id = NULL WHERE id = ?'
      ).run(dir === 'undo' ? 1 : 0, batchId)
    else prepared(db, 'UPDATE journal_batches SET cursor = ? WHERE id = ?').run(last, batchId)
    return { applied: n, finished, imageIds: [...ids], note }
  })
  return tx.immediate()
}

/** Entries of a moving batch already applied (behind its cursor). */
function appliedSoFar(db: ReadableDB, b: BatchRow): number {
  if (b.cursor === null || b.moving === null) return 0
  return (
    prepared(
      db,
      b.moving === 'undo'
        ? 'SELECT count(*) AS n FROM journal_entries WHERE batch_id = ? AND id >= ?'
        : 'SELECT count(*) AS n FROM journal_entries WHERE batch_id = ? AND id <= ?'
    ).get(b.id, b.cursor) as { n: number }
  ).n
}

function parseParams(p: Record<string, unknown>): { batchId: number; direction: Direction } {
  if (typeof p.batchId !== 'number' || (p.direction !== 'undo' && p.direction !== 'redo'))
    throw new GlossaError('INVALID_ARGS', 'undo job: params need batchId and direction')
  return { batchId: p.batchId, direction: p.direction }
}

export const undoJob: JobKindImpl = {
  kind: 'undo',
  async run(ctx, job, control) {
    const { db } = ctx
    const { batchId, direction } = parseParams(job.params)
    // startJob records job_id right after creating the job: give it that turn
    await yieldLoop()
    const b = prepared(db, 'SELECT * FROM journal_batches WHERE id = ?').get(batchId) as
      BatchRow | undefined
    if (!b || b.moving !== direction || b.job_id !== job.id) return
    const persisted = jobProgressRow(db, job.id)
    control.setPhase(direction, b.items)
    control.advance(appliedSoFar(db, b) - persisted.done)
    for (;;) {
      if (control.signal.aborted || !db.open) return
      const out = applySlice(ctx, job.id, batchId, direction)
      if (!out) return
      control.advance(out.applied)
      if (out.imageIds.length) emitChanged(ctx, out.imageIds, direction, out.note)
      if (out.finished) {
        const counts: Partial<Record<EntryKind, number>> = {}
        for (const key of skippedItemKeys(db, job.id)) {
          const kind = key.slice(0, key.indexOf(':')) as EntryKind
          counts[kind] = (counts[kind] ?? 0) + 1
        }
        setJobNote(db, job.id, skippedNote(counts))
        return
      }
      await yieldLoop()
    }
  }
}
