/**
 * Writing many images as ONE undoable journal batch without holding the core (issues 7 and 17):
 * the work is cut into short IMMEDIATE transactions of about SLICE_MS, each appending its journal
 * entries to the same batch (appendToBatch), with the event loop free between them — so a core
 * serving the studio answers its page reads while a million captions are rewritten.
 *
 * What a slice costs beyond its own items is kept out of the slice or bounded:
 *  - a slice stops taking items when its elapsed time plus the cost its items will add at the end
 *    (search-index flush, commit: measured per item on the previous slices) reaches SLICE_MS;
 *  - FTS5 automerge does its merge work in quanta of ~64 leaves × levels (25–150 ms at 100,000
 *    images) inside whichever statement crosses one. Each slice transaction turns automerge off
 *    for both search indexes, ends by flushing its pending index data with a small 'merge', and
 *    turns automerge back on before committing: the committed setting never changes (see
 *    migration 0009), yet no merge quantum runs inside a slice. The merging itself is done by
 *    separate short 'merge' transactions between slices, MERGE_PAGES pages a statement for at most
 *    MERGE_MS, until the indexes have nothing left worth merging;
 *  - WAL checkpoints: the connection's automatic checkpoint (run inside the commit that crosses
 *    1000 pages) is off while any sliced writer runs, and a passive checkpoint of what the slices
 *    and merge turns of the last CHECKPOINT_MS wrote runs between them instead; the setting is
 *    put back when the last writer on the connection ends;
 *  - 'library.changed' is passed on at most once a second (ChangedEvents): every event makes the
 *    studio re-read its grid and dataset counts from this same core.
 *
 * Used by the 'bulk' job (bulk-job.ts) and by the caption-wide applies that answer their call when
 * done (cleanup.apply, glossary and caption batches through captions/batch.ts writeBatch).
 */
import type { Statement } from 'better-sqlite3'
import type { WritableDB } from '../db/types'
import type { ChangeKind, Events } from '../../shared/api'
import { GlossaError } from '../../shared/errors'
import { appendToBatch, type Batch } from '../db/journal'
import type { CoreContext } from '../context'
import { FTS_AUTOMERGE, FTS_TABLES } from '../db/migrations/0009-fts-merge'
import { prepared } from '../db/statements'
import { ftsCommand } from './queries'

export const SLICE_MS = 25
const MERGE_MS = 12
const MERGE_PAGES = 16
/** Merge turns (each ≤ MERGE_MS, yielding between) allowed after one slice. */
const MERGE_TURNS = 4
/** Least time between two 'library.changed' events of a sliced writer. */
const CHANGED_MS = 1000
/**
 * Least time between two passive checkpoints of a sliced writer. Every checkpoint syncs the WAL
 * and the database file: one after each slice and merge turn made the syncs cost more than the
 * writing itself (a cleanup.apply 4× slower than one transaction at 100,000 images); a quarter
 * second of slices is still little to copy back.
 */
const CHECKPOINT_MS = 250

export const yieldLoop = (): Promise<void> => new Promise((r) => setImmediate(r))

/**
 * A sliced writer's 'library.changed' events, passed on at most every CHANGED_MS: each one makes
 * the studio re-read its grid pages and counts, and a slice every few tens of milliseconds would
 * keep it (and the core serving it) busy re-reading for the whole run. Other events pass on.
 */
export class ChangedEvents {
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
    // past 1000 images the event names none (the studio re-reads the grid): stop collecting
    if (p.imageIds === null || this.ids.size > 1000) this.ids.add(-1)
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

/** Sliced writers per connection, and the automatic checkpoint setting to put back. */
const upkeepUsers = new WeakMap<WritableDB, { users: number; autoCheckpoint: number }>()

/**
 * The search indexes' merges and the WAL's checkpoints, done in bounded steps between slices
 * instead of inside whichever statement or commit happens to cross a threshold (see above).
 */
export class IndexUpkeep {
  private readonly setAutomerge: Statement[]
  private readonly mergeSt: Statement[]
  private readonly totalChanges: Statement
  private ended = false

  constructor(private readonly db: WritableDB) {
    const u = upkeepUsers.get(db)
    if (u) u.users++
    else {
      const autoCheckpoint = db.pragma('wal_autocheckpoint', { simple: true }) as number
      upkeepUsers.set(db, { users: 1, autoCheckpoint })
      db.pragma('wal_autocheckpoint = 0')
    }
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

  /** Merge turns and a checkpoint (at most every CHECKPOINT_MS) after a slice, yielding between them; false once stopped or closing. */
  async between(stop: () => boolean): Promise<boolean> {
    await yieldLoop()
    for (let turn = 0; turn < MERGE_TURNS; turn++) {
      if (stop() || !this.db.open) return false
      if (!this.merge()) break
      await yieldLoop()
    }
    if (stop() || !this.db.open) return false
    if (performance.now() - this.lastCheckpoint >= CHECKPOINT_MS) {
      this.checkpoint()
      this.lastCheckpoint = performance.now()
      await yieldLoop()
    }
    return true
  }

  private lastCheckpoint = 0

  end(): void {
    if (this.ended) return
    this.ended = true
    const u = upkeepUsers.get(this.db)
    if (!u) return
    if (--u.users > 0) return
    upkeepUsers.delete(this.db)
    if (this.db.open) this.db.pragma(`wal_autocheckpoint = ${u.autoCheckpoint}`)
  }
}

/**
 * Writes items into ONE journal batch in time-sliced transactions (see the file comment). For
 * each slice: `load` reads the state of the slice's items inside its transaction (so an edit made
 * between slices is never lost), then `write` is called per item. Resolves once every item is
 * written; throws CANCELLED when the library closes midway (what was written stays, undoable).
 */
export class SlicedBatch {
  batchId: number | null = null
  private readonly upkeep: IndexUpkeep
  private readonly changed: ChangedEvents
  private readonly sliceCtx: CoreContext
  private fetch = 64
  private tailPerItem = 0.1 // ms each item adds at the end of its slice (flush, commit)

  constructor(
    private readonly ctx: CoreContext,
    private readonly label: string
  ) {
    this.upkeep = new IndexUpkeep(ctx.db)
    this.changed = new ChangedEvents(ctx, label)
    this.sliceCtx = { ...ctx, emit: this.changed.emit }
  }

  private readonly closing = (): boolean => this.ctx.closing.aborted || !this.ctx.db.open

  /** Writes every item of `ids` (in order), `fetch` at most per slice. */
  async write<S>(
    ids: readonly number[],
    load: (db: WritableDB, ids: number[]) => Map<number, S>,
    write: (b: Batch, id: number, state: S) => void
  ): Promise<void> {
    const db = this.ctx.db
    for (let i = 0; i < ids.length;) {
      if (this.closing()) throw new GlossaError('CANCELLED', 'the library is closing')
      const take = ids.slice(i, i + this.fetch)
      let n = 0
      let itemsMs = 0
      const t0 = performance.now()
      const out = appendToBatch(this.sliceCtx, this.batchId, this.label, (b) => {
        this.upkeep.holdMerges()
        const states = load(db, take)
        for (const id of take) {
          const s = states.get(id)
          if (s !== undefined) write(b, id, s)
          n++
          if (performance.now() - t0 + this.tailPerItem * (n + 1) > SLICE_MS) break
        }
        itemsMs = performance.now() - t0
        this.upkeep.releaseMerges()
      })
      if (out.batchId !== null) this.batchId = out.batchId
      i += n
      const tail = (performance.now() - t0 - itemsMs) / n
      this.tailPerItem = this.tailPerItem * 0.7 + tail * 0.3
      this.fetch = Math.min(200, Math.max(16, Math.ceil(n * 1.25) + 4))
      this.changed.maybeFlush()
      if (!(await this.upkeep.between(this.closing)))
        throw new GlossaError('CANCELLED', 'the library is closing')
    }
  }

  /** Sends the last change event and puts the connection's settings back. Call in `finally`. */
  end(): void {
    this.changed.flush()
    this.upkeep.end()
  }
}
