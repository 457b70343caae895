import type { Database } from 'better-sqlite3'
import type { JobInfo, JobKind, JobProgress, JobStatus } from '../../shared/api'
import { GlossaError } from '../../shared/errors'
import type { CoreContext } from '../context'
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
}

interface JobRow {
  id: number
  kind: JobKind
  dataset_id: number | null
  params: string
  status: JobStatus
  phase: string
  total: number
  done: number
  failed: number
  created_at: number
  started_at: number | null
  finished_at: number | null
  error: string | null
}

export function jobInfoFromRow(r: JobRow): JobInfo {
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
    error: r.error
  }
}

export function getJob(db: Database, id: number): JobInfo {
  const row = db.prepare('SELECT * FROM jobs WHERE id = ?').get(id) as JobRow | undefined
  if (!row) throw new GlossaError('NOT_FOUND', `job ${id} does not exist`)
  return jobInfoFromRow(row)
}

const PROGRESS_INTERVAL_MS = 250
const RATE_WINDOW_MS = 5000

/**
 * Persistent job queue. Jobs run one at a time in this process; their state lives in the `jobs`
 * and `job_items` tables so a killed process leaves them `running`, which the next open turns
 * into `interrupted`, ready to resume. Cancel keeps finished items.
 */
export class JobRunner {
  private impls = new Map<JobKind, JobKindImpl>()
  private queue: number[] = []
  private active: { id: number; abort: AbortController } | null = null
  private waiters = new Map<number, ((j: JobInfo) => void)[]>()
  private pumping = false

  constructor(private ctx: () => CoreContext) {}

  register(impl: JobKindImpl): void {
    this.impls.set(impl.kind, impl)
  }

  /** Marks jobs a dead process left running as interrupted. Returns their ids. */
  recoverInterrupted(): number[] {
    const { db } = this.ctx()
    const ids = (
      db.prepare(`SELECT id FROM jobs WHERE status IN ('running','queued') ORDER BY id`).all() as {
        id: number
      }[]
    ).map((r) => r.id)
    if (ids.length)
      db.prepare(
        `UPDATE jobs SET status = 'interrupted' WHERE status IN ('running','queued')`
      ).run()
    return ids
  }

  create(kind: JobKind, datasetId: number | null, params: Record<string, unknown>): JobInfo {
    const { db } = this.ctx()
    const info = db
      .prepare(
        `INSERT INTO jobs (kind, dataset_id, params, status, created_at) VALUES (?, ?, ?, 'queued', ?)`
      )
      .run(kind, datasetId, JSON.stringify(params), Date.now())
    const id = Number(info.lastInsertRowid)
    this.enqueue(id)
    return getJob(db, id)
  }

  resume(id: number): JobInfo {
    const { db } = this.ctx()
    const job = getJob(db, id)
    if (job.status === 'running' || job.status === 'queued') return job
    if (job.status === 'done') throw new GlossaError('CONFLICT', `job ${id} has already finished`)
    db.prepare(
      `UPDATE jobs SET status = 'queued', error = NULL, finished_at = NULL WHERE id = ?`
    ).run(id)
    this.enqueue(id)
    return getJob(db, id)
  }

  cancel(id: number): JobInfo {
    const { db } = this.ctx()
    const job = getJob(db, id)
    if (this.active?.id === id) {
      this.active.abort.abort()
      return getJob(db, id)
    }
    if (job.status === 'queued' || job.status === 'interrupted') {
      this.queue = this.queue.filter((q) => q !== id)
      this.finish(id, 'cancelled', null)
    }
    return getJob(db, id)
  }

  /** Resolves when the job reaches a final state (done, failed, cancelled). */
  wait(id: number): Promise<JobInfo> {
    const job = getJob(this.ctx().db, id)
    if (
      ['done', 'failed', 'cancelled', 'interrupted'].includes(job.status) &&
      this.active?.id !== id &&
      !this.queue.includes(id)
    )
      return Promise.resolve(job)
    return new Promise((resolve) => {
      const list = this.waiters.get(id) ?? []
      list.push(resolve)
      this.waiters.set(id, list)
    })
  }

  /** Aborts the running job (it becomes interrupted, resumable) and drops the queue. */
  async shutdown(): Promise<void> {
    const active = this.active
    this.queue = []
    if (active) {
      active.abort.abort('shutdown')
      await this.wait(active.id)
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
    const row = db.prepare('SELECT * FROM jobs WHERE id = ?').get(id) as JobRow | undefined
    if (!row || row.status !== 'queued') return
    const impl = this.impls.get(row.kind)
    if (!impl) {
      this.finish(id, 'failed', `no runner for job kind "${row.kind}"`)
      return
    }
    const abort = new AbortController()
    const onClose = () => abort.abort('shutdown')
    ctx.closing.addEventListener('abort', onClose)
    this.active = { id, abort }
    db.prepare(
      `UPDATE jobs SET status = 'running', started_at = COALESCE(started_at, ?) WHERE id = ?`
    ).run(Date.now(), id)

    const state = { phase: row.phase, total: row.total, done: row.done, failed: row.failed }
    const samples: { t: number; n: number }[] = [{ t: Date.now(), n: state.done + state.failed }]
    let lastEmit = 0
    const persist = db.prepare(
      'UPDATE jobs SET phase = ?, total = ?, done = ?, failed = ? WHERE id = ?'
    )
    const emit = (force = false) => {
      const now = Date.now()
      if (!force && now - lastEmit < PROGRESS_INTERVAL_MS) return
      lastEmit = now
      persist.run(state.phase, state.total, state.done, state.failed, id)
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
    const job: JobRecord = {
      id,
      kind: row.kind,
      datasetId: row.dataset_id,
      params: JSON.parse(row.params) as Record<string, unknown>
    }
    try {
      await impl.run(ctx, job, control)
      persist.run(state.phase, state.total, state.done, state.failed, id)
      if (abort.signal.aborted) {
        this.finish(id, abort.signal.reason === 'shutdown' ? 'interrupted' : 'cancelled', null)
      } else this.finish(id, 'done', null)
    } catch (err) {
      persist.run(state.phase, state.total, state.done, state.failed, id)
      if (abort.signal.aborted) {
        this.finish(id, abort.signal.reason === 'shutdown' ? 'interrupted' : 'cancelled', null)
      } else if (err instanceof JobInterruptedError) {
        this.finish(id, 'interrupted', err.message)
      } else {
        this.finish(id, 'failed', describeError(err))
      }
    } finally {
      ctx.closing.removeEventListener('abort', onClose)
      this.active = null
    }
  }

  private finish(id: number, status: JobStatus, error: string | null): void {
    const ctx = this.ctx()
    if (!ctx.db.open) return
    ctx.db
      .prepare('UPDATE jobs SET status = ?, error = ?, finished_at = ? WHERE id = ?')
      .run(status, error, Date.now(), id)
    const info = getJob(ctx.db, id)
    ctx.emit('job.progress', {
      jobId: id,
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
    const ws = this.waiters.get(id)
    this.waiters.delete(id)
    ws?.forEach((w) => w(info))
  }
}

// ---------------------------------------------------------------------------------------------
// Job items: the persistent unit of work. Each kind decides what a key means (a file path for
// import, an image id for captioning).

const ITEM_CHUNK = 500

/** Appends items in chunks inside transactions; returns how many were added. */
export function addJobItems(db: Database, jobId: number, keys: string[]): number {
  const maxSeq =
    (
      db.prepare('SELECT MAX(seq) AS m FROM job_items WHERE job_id = ?').get(jobId) as {
        m: number | null
      }
    ).m ?? 0
  const ins = db.prepare('INSERT INTO job_items (job_id, seq, key) VALUES (?, ?, ?)')
  let seq = maxSeq
  const tx = db.transaction((chunk: string[]) => {
    for (const k of chunk) ins.run(jobId, ++seq, k)
  })
  for (let i = 0; i < keys.length; i += ITEM_CHUNK) tx(keys.slice(i, i + ITEM_CHUNK))
  return keys.length
}

export interface PendingItem {
  seq: number
  key: string
}

export function pendingJobItems(
  db: Database,
  jobId: number,
  afterSeq: number,
  limit: number
): PendingItem[] {
  return db
    .prepare(
      `SELECT seq, key FROM job_items WHERE job_id = ? AND status = 'pending' AND seq > ? ORDER BY seq LIMIT ?`
    )
    .all(jobId, afterSeq, limit) as PendingItem[]
}

export function countJobItems(
  db: Database,
  jobId: number
): { total: number; done: number; failed: number; pending: number } {
  const r = db
    .prepare(
      `SELECT COUNT(*) AS total,
              SUM(status = 'done' OR status = 'skipped') AS done,
              SUM(status = 'failed') AS failed,
              SUM(status = 'pending') AS pending
         FROM job_items WHERE job_id = ?`
    )
    .get(jobId) as {
    total: number
    done: number | null
    failed: number | null
    pending: number | null
  }
  return { total: r.total, done: r.done ?? 0, failed: r.failed ?? 0, pending: r.pending ?? 0 }
}

/** Must be called inside the same transaction that stores the item's results. */
export function markJobItem(
  db: Database,
  jobId: number,
  seq: number,
  status: 'done' | 'failed' | 'skipped',
  error: string | null = null
): void {
  db.prepare('UPDATE job_items SET status = ?, error = ? WHERE job_id = ? AND seq = ?').run(
    status,
    error,
    jobId,
    seq
  )
}
