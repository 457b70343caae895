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
 * captions are rewritten). What a slice costs beyond its own items is kept out of the slice or
 * bounded:
 *  - a slice stops taking items when its elapsed time plus the cost its items will add at the
 *    end (search-index flush, commit: measured per item on the previous slices) reaches SLICE_MS,
 *    and it fetches and loads about as many items as the last slice managed;
 *  - FTS5 automerge does its merge work in quanta of ~64 leaves × levels (25–150 ms at 100,000
 *    images) inside whichever statement crosses one. Each slice transaction turns automerge off
 *    for both search indexes, ends by flushing its pending index data with a small 'merge', and
 *    turns automerge back on before committing: the committed setting never changes (see
 *    migration 0009), yet no merge quantum runs inside the job. The merging itself is done by
 *    separate short 'merge' transactions between slices, MERGE_PAGES pages a statement for at most
 *    MERGE_MS, until the indexes have nothing left worth merging;
 *  - WAL checkpoints: the connection's automatic checkpoint (run inside the commit that crosses
 *    1000 pages) is off while the job runs, and a passive checkpoint of the little the last slice
 *    or merge turn wrote runs between them instead; the setting is put back when the job ends;
 *  - 'library.changed' is passed on at most once a second (ChangedEvents): every event makes the
 *    studio re-read its grid and dataset counts from this same event loop.
 */
import type { Statement } from 'better-sqlite3'
import type { WritableDB } from '../db/types'
import type { BulkOp, ChangeKind, Events } from '../../shared/api'
import { GlossaError } from '../../shared/errors'
import { appendToBatch } from '../db/journal'
import type { CoreContext } from '../context'
import { FTS_AUTOMERGE, FTS_TABLES } from '../db/migrations/0009-fts-merge'
import { dropDatasetRow } from './journal-ops'
import { loadStates, planImage, prepareOp } from './ops'
import { targetChunks, yieldLoop, type BulkTarget } from './bulk'
import {
  addJobItems,
  countJobItems,
  markJobItem,
  pendingJobItems,
  type JobKindImpl
} from '../jobs/runner'
import { deleteJobItems, jobBatchId, jobProgressRow, setJobBatch } from '../jobs/queries'
import { prepared } from '../db/statements'
import { ftsCommand } from './queries'

const SLICE_MS = 25
const FETCH_MAX = 200
const FETCH_MIN = 16
const MERGE_MS = 12
const MERGE_PAGES = 16
/** Merge turns (each ≤ MERGE_MS, yielding between) allowed after one slice. */
const MERGE_TURNS = 4
/** Least time between two 'library.changed' events of the job. */
const CHANGED_MS = 1000

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
        await yieldLoop()
        for (let turn = 0; turn < MERGE_TURNS && upkeep.merge(); turn++) {
          if (control.signal.aborted || !db.open) return
          await yieldLoop()
          if (!db.open) return
          upkeep.checkpoint() // what the turn wrote, while it is little
          await yieldLoop()
        }
        if (!db.open) return
        upkeep.checkpoint()
        await yieldLoop()
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

/**
 * The slices' 'library.changed' events, passed on at most every CHANGED_MS: each one makes the
 * studio re-read its grid pages and counts, and a slice every few tens of milliseconds would keep
 * it (and the core serving it) busy re-reading for the whole job. Other events pass straight on.
 */
class ChangedEvents {
  private ids = new Set<number>()
  /** null = any kind / any dataset (an event that did not say) */
  private kinds: Set<ChangeKind> | null = new Set()
  private datasets: Set<number> | null = new Set()
  private last = performance.now()

  constructor(
    private readonly ctx: CoreContext,
    private readonly reason: string
  ) {}

  readonly emit: CoreContext['emit'] = (event, payload) => {
    if (event !== 'library.changed') return this.ctx.emit(event, payload)
    const p = payload as Events['library.changed']
    if (p.imageIds === null) this.ids.add(-1)
    else for (const id of p.imageIds) this.ids.add(id)
    if (!p.kinds) this.kinds = null
    else if (this.kinds) for (const k of p.kinds) this.kinds.add(k)
    const ds = p.datasetIds ?? (p.datasetId !== null ? [p.datasetId] : null)
    if (!ds) this.datasets = null
    else if (this.datasets) for (const d of ds) this.datasets.add(d)
  }

  maybeFlush(): void {
    if (performance.now() - this.last >= CHANGED_MS) this.flush()
  }

  flush(): void {
    this.last = performance.now()
    if (!this.ids.size) return
    const all = this.ids.has(-1) || this.ids.size > 1000
    const datasets = this.datasets ? [...this.datasets].sort((x, y) => x - y) : null
    this.ctx.emit('library.changed', {
      datasetId: datasets?.length === 1 ? datasets[0]! : null,
      ...(datasets ? { datasetIds: datasets } : {}),
      imageIds: all ? null : [...this.ids],
      ...(this.kinds ? { kinds: [...this.kinds] } : {}),
      reason: this.reason
    })
    this.ids = new Set()
    this.kinds = new Set()
    this.datasets = new Set()
  }
}

/**
 * The search indexes' merges and the WAL's checkpoints, done in bounded steps between slices
 * instead of inside whichever statement or commit happens to cross a threshold (see above).
 */
class IndexUpkeep {
  private readonly autoCheckpoint: number
  private readonly setAutomerge: Statement[]
  private readonly mergeSt: Statement[]
  private readonly totalChanges: Statement
  private ended = false

  constructor(private readonly db: WritableDB) {
    this.autoCheckpoint = db.pragma('wal_autocheckpoint', { simple: true }) as number
    db.pragma('wal_autocheckpoint = 0')
    this.setAutomerge = FTS_TABLES.map((t) => ftsCommand(db, t, 'automerge'))
    this.mergeSt = FTS_TABLES.map((t) => ftsCommand(db, t, 'merge'))
    this.totalChanges = prepared(db, 'SELECT total_changes()').pluck()
  }

  /** Inside a slice transaction, before its writes: no merge quantum in this transaction. */
  holdMerges(): void {
    for (const st of this.setAutomerge) st.run(0n)
  }

  /** Inside a slice transaction, after its writes: flush, then automerge back on. */
  releaseMerges(): void {
    for (const st of this.mergeSt) st.run(1n) // flushes the pending index data first
    for (const st of this.setAutomerge) st.run(BigInt(FTS_AUTOMERGE))
  }

  /** One merge turn (≤ MERGE_MS) in its own transaction; whether work is left. */
  merge(): boolean {
    const t0 = performance.now()
    let busy = false
    this.db
      .transaction(() => {
        const pending = [...this.mergeSt]
        while (pending.length && performance.now() - t0 < MERGE_MS) {
          const st = pending[0]!
          const before = this.totalChanges.get() as number
          st.run(BigInt(MERGE_PAGES))
          // FTS5: a merge that did nothing changes fewer than 2 rows
          if ((this.totalChanges.get() as number) - before < 2) pending.shift()
        }
        busy = pending.length > 0
      })
      .immediate()
    return busy
  }

  checkpoint(): void {
    this.db.pragma('wal_checkpoint(PASSIVE)')
  }

  end(): void {
    if (this.ended || !this.db.open) return
    this.ended = true
    this.db.pragma(`wal_autocheckpoint = ${this.autoCheckpoint}`)
  }
}
