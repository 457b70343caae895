import crypto from 'node:crypto'
import os from 'node:os'
import type { ReadableDB, WritableDB } from '../db/types'
import type { JobInfo, JobKind, JobOwnerInfo, JobProgress, JobStatus } from '../../shared/api'
import { GlossaError } from '../../shared/errors'
import type { CoreContext } from '../context'
import {
  activeJobs,
  allOwners,
  claimJob,
  deleteOwner,
  failedItems,
  finishJobRow,
  heartbeat,
  insertItem,
  insertJob,
  interruptJobs,
  itemCounts,
  itemsByStatus,
  jobControlState,
  jobRow,
  listJobRows,
  markItem,
  maxItemSeq,
  ownerRow,
  pendingItems,
  persistProgress,
  requestCancel,
  startJobRow,
  upsertOwner,
  type JobRow,
  type OwnerRow
} from './queries'
import { describeError } from './errors'

export interface JobRecord {
  id: number
  kind: JobKind
  datasetId: number | null
  params: Record<string, unknown>
}

/** Handed to a running job: progress reporting and job-item bookkeeping. */
export interface JobControl {
  signal: AbortSignal
  /** set the phase label and total; progress events are throttled */
  setPhase(phase: string, total?: number): void
  /** counts finished items (done and failed); emits a throttled progress event */
  advance(done: number, failed?: number): void
  setTotal(total: number): void
}

/**
 * Thrown by a job that must stop but can resume later (e.g. the inference host crashed): the job
 * ends 'interrupted' with the message, not 'failed'.
 */
export class JobInterruptedError extends Error {
  override name = 'JobInterruptedError'
}

export interface JobKindImpl {
  kind: JobKind
  run(ctx: CoreContext, job: JobRecord, control: JobControl): Promise<void>
  /**
   * Called when a job of this kind that a dead process left behind is reclaimed (marked
   * interrupted): tidy what the dead run left outside the library (an export's staging folder).
   */
  reclaimed?(ctx: CoreContext, job: JobRecord): Promise<void> | void
}

export type { JobRow }

/** How often an owner refreshes its lease. */
export const HEARTBEAT_MS = 5_000
/** A lease not refreshed for this long is expired: its jobs may be reclaimed. */
export const LEASE_MS = 30_000
/** How often the running job's row is polled for a cancel from another process. */
export const POLL_MS = 1_000

const HOST = os.hostname()

/** A fresh owner id: host, pid and a random part (a restarted core host gets a new one). */
export function newOwnerId(): string {
  return `${HOST}:${process.pid}:${crypto.randomBytes(6).toString('hex')}`
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * Whether an owner's lease is current: its heartbeat is younger than LEASE_MS and, on this host,
 * its process exists (a dead pid is reclaimable at once). Another owner id in THIS process (a
 * core host that was restarted) is judged by its heartbeat only; `reclaim()` ends it at once.
 */
export function ownerLive(o: OwnerRow | undefined, now = Date.now()): boolean {
  if (!o) return false
  if (now - o.heartbeat_at >= LEASE_MS) return false
  if (o.host === HOST && o.pid !== process.pid) return pidAlive(o.pid)
  return true
}

export function describeOwner(o: Pick<OwnerRow, 'label' | 'pid' | 'host'>): string {
  return `${o.label} (pid ${o.pid} on ${o.host})`
}

export function jobInfoFromRow(r: JobRow, owner: JobOwnerInfo | null = null): JobInfo {
  return {
    id: r.id,
    kind: r.kind,
    status: r.status,
    datasetId: r.dataset_id,
    params: JSON.parse(r.params) as Record<string, unknown>,
    phase: r.phase,
    done: r.done,
    failed: r.failed,
    total: r.total,
    createdAt: r.created_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    error: r.error,
    owner,
    note: r.note ?? null
  }
}

function ownerInfo(db: ReadableDB, r: JobRow, selfId: string | null): JobOwnerInfo | null {
  if (!r.owner || (r.status !== 'queued' && r.status !== 'running')) return null
  const o = ownerRow(db, r.owner)
  if (!o) return null
  return {
    label: o.label,
    host: o.host,
    pid: o.pid,
    self: o.id === selfId,
    live: o.id === selfId || ownerLive(o)
  }
}

/** A job as the API shows it, with its owner while it is queued or running. */
export function getJob(db: ReadableDB, id: number, selfId: string | null = null): JobInfo {
  const row = jobRow(db, id)
  if (!row) throw new GlossaError('NOT_FOUND', `job ${id} does not exist`)
  return jobInfoFromRow(row, ownerInfo(db, row, selfId))
}

export function listJobs(
  db: ReadableDB,
  statuses: readonly string[],
  limit: number,
  selfId: string | null = null
): JobInfo[] {
  return listJobRows(db, statuses, limit).map((r) => jobInfoFromRow(r, ownerInfo(db, r, selfId)))
}

const PROGRESS_INTERVAL_MS = 250
const RATE_WINDOW_MS = 5000
const FINAL: readonly JobStatus[] = ['done', 'failed', 'cancelled', 'interrupted']

export interface RunnerOptions {
  /** what this process is, for other processes' messages ('glossa serve', 'Glossa app', …) */
  label?: string
  /** default: newOwnerId() */
  ownerId?: string
}

/**
 * Persistent job queue. Jobs run one at a time in this process; their state lives in the `jobs`
 * and `job_items` tables so a killed process leaves them `running`. Cancel keeps finished items.
 *
 * Ownership (issue 11): a job belongs to the process that queued or resumed it (`jobs.owner`,
 * an owner row with a heartbeat in `job_owners`). Only jobs whose owner is dead (its lease
 * expired, or its pid is gone on this host) are reclaimed — marked interrupted — at open and by
 * the heartbeat's sweep; a job another live process runs is never resumed here: `resume` answers
 * CONFLICT naming that process, and `cancel` sets a flag the owner polls every POLL_MS. The
 * owner row is written only once this process queues a job, so a process that only reads (or
 * makes single edits) never writes to the jobs tables.
 */
export class JobRunner {
  readonly ownerId: string
  readonly label: string
  private impls = new Map<JobKind, JobKindImpl>()
  private queue: number[] = []
  private active: { id: number; abort: AbortController } | null = null
  private waiters = new Map<number, ((j: JobInfo) => void)[]>()
  private pumping = false
  private registered = false
  private startedAt = Date.now()
  private lastBeat = 0
  private timer: NodeJS.Timeout | null = null
  private stopped = false

  constructor(
    private ctx: () => CoreContext,
    opts: RunnerOptions = {}
  ) {
    this.ownerId = opts.ownerId ?? newOwnerId()
    this.label = opts.label ?? 'Glossa'
  }

  register(impl: JobKindImpl): void {
    this.impls.set(impl.kind, impl)
  }

  /** This job as the API shows it (its owner marked `self` when it is this process). */
  info(id: number): JobInfo {
    return getJob(this.ctx().db, id, this.ownerId)
  }

  list(statuses: readonly string[], limit: number): JobInfo[] {
    return listJobs(this.ctx().db, statuses, limit, this.ownerId)
  }

  /**
   * Marks the queued or running jobs of dead owners (and of none: jobs from before owners were
   * recorded) interrupted; a live process's jobs are left alone. Writes nothing when there is
   * nothing to reclaim. Returns the ids it marked.
   */
  recover(): number[] {
    const { db } = this.ctx()
    const now = Date.now()
    const owners = new Map(allOwners(db).map((o) => [o.id, o]))
    const dead = activeJobs(db).filter(
      (j) => j.owner === null || (j.owner !== this.ownerId && !ownerLive(owners.get(j.owner), now))
    )
    const deadOwners = [...owners.values()].filter(
      (o) => o.id !== this.ownerId && !ownerLive(o, now)
    )
    if (!dead.length && !deadOwners.length) return []
    const ids = dead.map((j) => j.id)
    db.transaction(() => {
      if (ids.length) interruptJobs(db, ids)
      for (const o of deadOwners) deleteOwner(db, o.id)
    }).immediate()
    this.afterReclaim(ids)
    return ids
  }

  /** @deprecated the name before leases: same as recover() */
  recoverInterrupted(): number[] {
    return this.recover()
  }

  /**
   * Declares `ownerId` dead now (a core host that was restarted in this process reclaims the
   * jobs of its previous incarnation without waiting for the lease): its queued and running jobs
   * become interrupted and its owner row goes. Returns the job ids, ready for resume().
   */
  reclaim(ownerId: string): number[] {
    if (ownerId === this.ownerId)
      throw new GlossaError('CONFLICT', 'a runner cannot reclaim its own jobs')
    const { db } = this.ctx()
    const ids = activeJobs(db)
      .filter((j) => j.owner === ownerId)
      .map((j) => j.id)
    db.transaction(() => {
      if (ids.length) interruptJobs(db, ids)
      deleteOwner(db, ownerId)
    }).immediate()
    this.afterReclaim(ids)
    return ids
  }

  private afterReclaim(ids: number[]): void {
    const ctx = this.ctx()
    for (const id of ids) {
      const row = jobRow(ctx.db, id)
      if (!row) continue
      const impl = this.impls.get(row.kind)
      if (impl?.reclaimed) {
        const rec = recordOf(row)
        void Promise.resolve()
          .then(() => impl.reclaimed!(ctx, rec))
          .catch(() => undefined)
      }
      this.notifyFinal(row)
    }
  }

  /** Registers this process as an owner (first job it queues) and starts its heartbeat. */
  private ensureOwner(): void {
    if (this.registered) return
    const now = Date.now()
    this.writeOwner(now)
    this.registered = true
    this.lastBeat = now
    this.startTimer()
  }

  /** This process's owner row (inserted, or its heartbeat refreshed). */
  private writeOwner(now: number): void {
    upsertOwner(this.ctx().db, {
      id: this.ownerId,
      host: HOST,
      pid: process.pid,
      label: this.label,
      started_at: this.startedAt,
      heartbeat_at: now
    })
  }

  private startTimer(): void {
    if (this.timer || this.stopped) return
    this.timer = setInterval(() => this.tick(), POLL_MS)
    this.timer.unref()
  }

  /**
   * Every POLL_MS: the running job stops when another process asked to cancel it or took it over
   * (our lease had expired); waiters on other processes' jobs hear of their end; every
   * HEARTBEAT_MS the lease is refreshed and dead owners' jobs are swept to interrupted.
   */
  private tick(): void {
    const ctx = this.ctx()
    const { db } = ctx
    if (!db.open) return
    try {
      const active = this.active
      if (active) {
        const s = jobControlState(db, active.id)
        if (!s || s.owner !== this.ownerId) active.abort.abort('lost')
        else if (s.cancel_requested) active.abort.abort('cancel')
      }
      for (const id of [...this.waiters.keys()]) {
        if (this.active?.id === id || this.queue.includes(id)) continue
        const row = jobRow(db, id)
        if (!row || FINAL.includes(row.status)) this.resolveWaiters(id)
      }
      const now = Date.now()
      if (this.registered && now - this.lastBeat >= HEARTBEAT_MS) {
        this.lastBeat = now
        withShortBusy(db, () => {
          if (!heartbeat(db, this.ownerId, now)) this.writeOwner(now)
          this.recover()
        })
      }
      if (!this.registered && !this.waiters.size && this.timer) {
        clearInterval(this.timer)
        this.timer = null
      }
    } catch {
      // a busy, read-only or closing library: the next tick tries again
    }
  }

  create(kind: JobKind, datasetId: number | null, params: Record<string, unknown>): JobInfo {
    const { db } = this.ctx()
    this.ensureOwner()
    const id = insertJob(db, kind, datasetId, JSON.stringify(params), this.ownerId, Date.now())
    this.enqueue(id)
    return this.info(id)
  }

  /**
   * Queues a job that is not running anywhere. A job another live process holds is refused
   * (CONFLICT naming that process); a dead owner's job is taken over.
   */
  resume(id: number): JobInfo {
    const { db } = this.ctx()
    const row = jobRow(db, id)
    if (!row) throw new GlossaError('NOT_FOUND', `job ${id} does not exist`)
    if (row.status === 'done') throw new GlossaError('CONFLICT', `job ${id} has already finished`)
    if (row.status === 'running' || row.status === 'queued') {
      if (this.active?.id === id || this.queue.includes(id)) return this.info(id)
      const o = row.owner ? ownerRow(db, row.owner) : undefined
      if (row.owner !== this.ownerId && o && ownerLive(o)) throw heldElsewhere(row, o)
    }
    this.ensureOwner()
    if (!claimJob(db, id, this.ownerId, row)) {
      const now = jobRow(db, id)
      const o = now?.owner ? ownerRow(db, now.owner) : undefined
      if (now && o && o.id !== this.ownerId) throw heldElsewhere(now, o)
      throw new GlossaError('CONFLICT', `job ${id} changed while it was being resumed; try again`)
    }
    this.enqueue(id)
    return this.info(id)
  }

  /**
   * Cancels a job: at once when this process runs or queued it; by a flag that its owner polls
   * (within POLL_MS) when another live process runs it; directly when nobody does.
   */
  cancel(id: number): JobInfo {
    const { db } = this.ctx()
    const row = jobRow(db, id)
    if (!row) throw new GlossaError('NOT_FOUND', `job ${id} does not exist`)
    if (this.active?.id === id) {
      this.active.abort.abort('cancel')
      return this.info(id)
    }
    if (this.queue.includes(id)) {
      this.queue = this.queue.filter((q) => q !== id)
      this.finish(id, 'cancelled', null)
      return this.info(id)
    }
    if (row.status === 'queued' || row.status === 'running') {
      const o = row.owner ? ownerRow(db, row.owner) : undefined
      if (row.owner !== this.ownerId && o && ownerLive(o)) {
        requestCancel(db, id)
        return this.info(id)
      }
      this.finish(id, 'cancelled', null, row.owner)
    } else if (row.status === 'interrupted') {
      this.finish(id, 'cancelled', null, row.owner)
    }
    return this.info(id)
  }

  /** Resolves when the job reaches a final state (done, failed, cancelled, interrupted). */
  wait(id: number): Promise<JobInfo> {
    const job = this.info(id)
    if (FINAL.includes(job.status) && this.active?.id !== id && !this.queue.includes(id))
      return Promise.resolve(job)
    return new Promise((resolve) => {
      const list = this.waiters.get(id) ?? []
      list.push(resolve)
      this.waiters.set(id, list)
      if (this.active?.id !== id && !this.queue.includes(id)) this.startTimer()
    })
  }

  /**
   * Aborts the running job (it becomes interrupted, resumable), drops the local queue (those
   * jobs stay queued under this owner and are reclaimed by the next process that opens the
   * library) and gives the lease up.
   */
  async shutdown(): Promise<void> {
    this.stopped = true
    if (this.timer) clearInterval(this.timer)
    this.timer = null
    const active = this.active
    this.queue = []
    if (active) {
      active.abort.abort('shutdown')
      await this.wait(active.id)
    }
    const { db } = this.ctx()
    if (this.registered && db.open) {
      try {
        withShortBusy(db, () => deleteOwner(db, this.ownerId))
      } catch {
        // read-only or busy: the lease simply expires
      }
      this.registered = false
    }
  }

  private enqueue(id: number): void {
    if (!this.queue.includes(id)) this.queue.push(id)
    void this.pump()
  }

  private async pump(): Promise<void> {
    if (this.pumping) return
    this.pumping = true
    try {
      while (this.queue.length) {
        const id = this.queue.shift()!
        await this.runOne(id)
      }
    } finally {
      this.pumping = false
    }
  }

  private async runOne(id: number): Promise<void> {
    const ctx = this.ctx()
    const { db } = ctx
    const row = jobRow(db, id)
    if (!row || row.status !== 'queued' || row.owner !== this.ownerId) {
      this.resolveWaiters(id)
      return
    }
    if (row.cancel_requested) {
      this.finish(id, 'cancelled', null)
      return
    }
    const impl = this.impls.get(row.kind)
    if (!impl) {
      this.finish(id, 'failed', `no runner for job kind "${row.kind}"`)
      return
    }
    if (!startJobRow(db, id, this.ownerId, Date.now())) {
      this.resolveWaiters(id)
      return
    }
    const abort = new AbortController()
    const onClose = () => abort.abort('shutdown')
    ctx.closing.addEventListener('abort', onClose)
    this.active = { id, abort }
    this.startTimer()

    const owner = this.ownerId
    const state = { phase: row.phase, total: row.total, done: row.done, failed: row.failed }
    const samples: { t: number; n: number }[] = [{ t: Date.now(), n: state.done + state.failed }]
    let lastEmit = 0
    const persist = () => {
      if (db.open) persistProgress(db, id, owner, state)
    }
    // The throttled saves while the job runs never wait for another connection's write (the
    // import's writer thread holds the lock for a transaction at a time, and this thread drives
    // the file work): a save that finds the library busy is skipped, the next one catches up, and
    // the save after the run always waits.
    const persistIfFree = () => {
      if (!db.open) return
      try {
        withBusyTimeout(db, 0, persist)
      } catch (err) {
        if ((err as { code?: unknown } | null)?.code !== 'SQLITE_BUSY') throw err
      }
    }
    const emit = (force = false) => {
      const now = Date.now()
      if (!force && now - lastEmit < PROGRESS_INTERVAL_MS) return
      lastEmit = now
      persistIfFree()
      const n = state.done + state.failed
      samples.push({ t: now, n })
      while (samples.length > 2 && now - samples[0]!.t > RATE_WINDOW_MS) samples.shift()
      const first = samples[0]!
      const dt = (now - first.t) / 1000
      const rate = dt > 0 ? (n - first.n) / dt : 0
      const remaining = Math.max(0, state.total - n)
      const progress: JobProgress = {
        jobId: id,
        kind: row.kind,
        status: 'running',
        phase: state.phase,
        done: state.done,
        failed: state.failed,
        total: state.total,
        rate,
        etaSeconds: rate > 0 && state.total > 0 ? remaining / rate : null
      }
      ctx.emit('job.progress', progress)
    }
    const control: JobControl = {
      signal: abort.signal,
      setPhase(phase, total) {
        state.phase = phase
        if (total !== undefined) state.total = total
        emit(true)
      },
      setTotal(total) {
        state.total = total
        emit()
      },
      advance(done, failed = 0) {
        state.done += done
        state.failed += failed
        emit()
      }
    }
    const stopped = (): JobStatus | null => {
      if (!abort.signal.aborted) return null
      const reason: unknown = abort.signal.reason
      if (reason === 'lost') return null
      return reason === 'shutdown' ? 'interrupted' : 'cancelled'
    }
    try {
      await impl.run(ctx, recordOf(row), control)
      persist()
      if (abort.signal.aborted) this.endAborted(id, stopped())
      else this.finish(id, 'done', null)
    } catch (err) {
      try {
        persist()
      } catch {
        // the error below is what matters
      }
      if (abort.signal.aborted) this.endAborted(id, stopped())
      else if (err instanceof JobInterruptedError) this.finish(id, 'interrupted', err.message)
      else this.finish(id, 'failed', describeError(err))
    } finally {
      ctx.closing.removeEventListener('abort', onClose)
      this.active = null
    }
  }

  /** An aborted run: cancelled / interrupted, or (lease lost) left to its new owner. */
  private endAborted(id: number, status: JobStatus | null): void {
    if (status) this.finish(id, status, null)
    else this.resolveWaiters(id)
  }

  private finish(
    id: number,
    status: JobStatus,
    error: string | null,
    owner: string | null = this.ownerId
  ): void {
    const ctx = this.ctx()
    if (!ctx.db.open) return
    try {
      finishJobRow(ctx.db, id, owner, status, error, Date.now())
    } catch {
      // a read-only or damaged library: the waiters still hear of the end
    }
    const row = jobRow(ctx.db, id)
    if (row) this.notifyFinal(row, status)
    else this.resolveWaiters(id)
  }

  private notifyFinal(row: JobRow, status: JobStatus = row.status): void {
    const ctx = this.ctx()
    const info = jobInfoFromRow(row)
    ctx.emit('job.progress', {
      jobId: row.id,
      kind: info.kind,
      status,
      phase: info.phase,
      done: info.done,
      failed: info.failed,
      total: info.total,
      rate: 0,
      etaSeconds: 0
    })
    ctx.emit('job.finished', info)
    this.resolveWaiters(row.id, info)
  }

  private resolveWaiters(id: number, info?: JobInfo): void {
    const ws = this.waiters.get(id)
    if (!ws) return
    this.waiters.delete(id)
    let value = info
    if (!value) {
      try {
        value = this.info(id)
      } catch {
        return
      }
    }
    for (const w of ws) w(value)
  }
}

function recordOf(row: JobRow): JobRecord {
  return {
    id: row.id,
    kind: row.kind,
    datasetId: row.dataset_id,
    params: JSON.parse(row.params) as Record<string, unknown>
  }
}

function heldElsewhere(row: JobRow, o: OwnerRow): GlossaError {
  return new GlossaError(
    'CONFLICT',
    `job ${row.id} (${row.kind}) is ${row.status} in ${describeOwner(o)}; it is not resumed here. Wait for it there, or cancel it (jobs.cancel asks that process to stop).`,
    { jobId: row.id, owner: { label: o.label, pid: o.pid, host: o.host } }
  )
}

/** Runs `fn` with a short busy timeout: housekeeping never blocks the event loop for long. */
function withShortBusy(db: WritableDB, fn: () => void): void {
  withBusyTimeout(db, 200, fn)
}

function withBusyTimeout(db: WritableDB, ms: number, fn: () => void): void {
  db.pragma(`busy_timeout = ${ms}`)
  try {
    fn()
  } finally {
    db.pragma('busy_timeout = 5000')
  }
}

// ---------------------------------------------------------------------------------------------
// Job items: the persistent unit of work. Each kind decides what a key means (a file path for
// import, an image id for captioning).

const ITEM_CHUNK = 500

/** Appends items in chunks inside transactions; returns how many were added. */
export function addJobItems(db: WritableDB, jobId: number, keys: string[]): number {
  let seq = maxItemSeq(db, jobId)
  const tx = db.transaction((chunk: string[]) => {
    for (const k of chunk) insertItem(db, jobId, ++seq, k)
  })
  for (let i = 0; i < keys.length; i += ITEM_CHUNK) tx(keys.slice(i, i + ITEM_CHUNK))
  return keys.length
}

export interface PendingItem {
  seq: number
  key: string
}

export function pendingJobItems(
  db: ReadableDB,
  jobId: number,
  afterSeq: number,
  limit: number
): PendingItem[] {
  return pendingItems(db, jobId, afterSeq, limit)
}

export function countJobItems(
  db: ReadableDB,
  jobId: number
): { total: number; done: number; failed: number; pending: number } {
  const r = itemCounts(db, jobId)
  return { total: r.total, done: r.done ?? 0, failed: r.failed ?? 0, pending: r.pending ?? 0 }
}

/** Job items by outcome (jobs.get). */
export function jobItemsByStatus(db: ReadableDB, jobId: number): { status: string; n: number }[] {
  return itemsByStatus(db, jobId)
}

/** A page of failed items (jobs.errors). */
export function failedJobItems(
  db: ReadableDB,
  jobId: number,
  afterSeq: number,
  limit: number
): { seq: number; key: string; error: string | null }[] {
  return failedItems(db, jobId, afterSeq, limit)
}

/** Must be called inside the same transaction that stores the item's results. */
export function markJobItem(
  db: WritableDB,
  jobId: number,
  seq: number,
  status: 'done' | 'failed' | 'skipped',
  error: string | null = null
): void {
  markItem(db, jobId, seq, status, error)
}
