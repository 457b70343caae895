/**
 * All of the job runner's SQL (jobs, job_items, job_owners), prepared once per connection.
 */
import type { ReadableDB, WritableDB } from '../db/types'
import type { JobKind, JobStatus } from '../../shared/api'
import { prepared } from '../db/statements'

export interface JobRow {
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
  owner: string | null
  cancel_requested: number
  note: string | null
}

export interface OwnerRow {
  id: string
  host: string
  pid: number
  label: string
  started_at: number
  heartbeat_at: number
}

export function jobRow(db: ReadableDB, id: number): JobRow | undefined {
  return prepared(db, 'SELECT * FROM jobs WHERE id = ?').get(id) as JobRow | undefined
}

export function listJobRows(db: ReadableDB, statuses: readonly string[], limit: number): JobRow[] {
  if (!statuses.length)
    return prepared(db, 'SELECT * FROM jobs ORDER BY id DESC LIMIT ?').all(limit) as JobRow[]
  return prepared(
    db,
    'SELECT * FROM jobs WHERE status IN (SELECT value FROM json_each(?)) ORDER BY id DESC LIMIT ?'
  ).all(JSON.stringify(statuses), limit) as JobRow[]
}

export function insertJob(
  db: WritableDB,
  kind: JobKind,
  datasetId: number | null,
  params: string,
  owner: string,
  now: number
): number {
  return Number(
    prepared(
      db,
      `INSERT INTO jobs (kind, dataset_id, params, status, created_at, owner) VALUES (?, ?, ?, 'queued', ?, ?)`
    ).run(kind, datasetId, params, now, owner).lastInsertRowid
  )
}

/** Jobs not yet final (queued or running), with their owner (null: none recorded). */
export function activeJobs(db: ReadableDB): { id: number; owner: string | null }[] {
  return prepared(
    db,
    `SELECT id, owner FROM jobs WHERE status IN ('running','queued') ORDER BY id`
  ).all() as { id: number; owner: string | null }[]
}

/**
 * Takes a job that is not running anywhere (interrupted, failed, cancelled, or queued/running
 * for a dead owner: `from`) for `owner`, queued. Compare-and-set: false when another process
 * changed it first.
 */
export function claimJob(db: WritableDB, id: number, owner: string, from: JobRow): boolean {
  return (
    prepared(
      db,
      `UPDATE jobs SET status = 'queued', owner = ?, error = NULL, finished_at = NULL,
              cancel_requested = 0, note = NULL
        WHERE id = ? AND status = ? AND owner IS ?`
    ).run(owner, id, from.status, from.owner).changes === 1
  )
}

/** queued → running for the owner that queued it; false when it is no longer ours to run. */
export function startJobRow(db: WritableDB, id: number, owner: string, now: number): boolean {
  return (
    prepared(
      db,
      `UPDATE jobs SET status = 'running', started_at = COALESCE(started_at, ?)
        WHERE id = ? AND status = 'queued' AND owner = ?`
    ).run(now, id, owner).changes === 1
  )
}

export function persistProgress(
  db: WritableDB,
  id: number,
  owner: string,
  s: { phase: string; total: number; done: number; failed: number }
): void {
  prepared(
    db,
    'UPDATE jobs SET phase = ?, total = ?, done = ?, failed = ? WHERE id = ? AND owner = ?'
  ).run(s.phase, s.total, s.done, s.failed, id, owner)
}

/** Ends a job this owner holds; false when it was taken over meanwhile. */
export function finishJobRow(
  db: WritableDB,
  id: number,
  owner: string | null,
  status: JobStatus,
  error: string | null,
  now: number
): boolean {
  return (
    prepared(
      db,
      'UPDATE jobs SET status = ?, error = ?, finished_at = ?, cancel_requested = 0 WHERE id = ? AND owner IS ?'
    ).run(status, error, now, id, owner).changes === 1
  )
}

/** Marks the queued/running jobs of dead owners (or of none) interrupted. */
export function interruptJobs(db: WritableDB, ids: readonly number[]): void {
  prepared(
    db,
    `UPDATE jobs SET status = 'interrupted' WHERE id IN (SELECT value FROM json_each(?))
        AND status IN ('running','queued')`
  ).run(JSON.stringify(ids))
}

export function requestCancel(db: WritableDB, id: number): void {
  prepared(db, 'UPDATE jobs SET cancel_requested = 1 WHERE id = ?').run(id)
}

/** What the owner polls for its running job: still ours, and whether a cancel was asked. */
export function jobControlState(
  db: ReadableDB,
  id: number
): { owner: string | null; cancel_requested: number; status: JobStatus } | undefined {
  return prepared(db, 'SELECT owner, cancel_requested, status FROM jobs WHERE id = ?').get(id) as
    { owner: string | null; cancel_requested: number; status: JobStatus } | undefined
}

/** What a job had persisted (its phase and counts), for a run that resumes it. */
export function jobProgressRow(
  db: ReadableDB,
  id: number
): { phase: string; done: number; failed: number } {
  return prepared(db, 'SELECT phase, done, failed FROM jobs WHERE id = ?').get(id) as {
    phase: string
    done: number
    failed: number
  }
}

export function deleteJobItems(db: WritableDB, jobId: number): void {
  prepared(db, 'DELETE FROM job_items WHERE job_id = ?').run(jobId)
}

export function setJobNote(db: WritableDB, id: number, note: string | null): void {
  prepared(db, 'UPDATE jobs SET note = ? WHERE id = ?').run(note, id)
}

// ---------------------------------------------------------------------------------------------
// Owners

export function ownerRow(db: ReadableDB, id: string): OwnerRow | undefined {
  return prepared(db, 'SELECT * FROM job_owners WHERE id = ?').get(id) as OwnerRow | undefined
}

export function allOwners(db: ReadableDB): OwnerRow[] {
  return prepared(db, 'SELECT * FROM job_owners ORDER BY started_at').all() as OwnerRow[]
}

export function upsertOwner(db: WritableDB, o: OwnerRow): void {
  prepared(
    db,
    `INSERT INTO job_owners (id, host, pid, label, started_at, heartbeat_at) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at`
  ).run(o.id, o.host, o.pid, o.label, o.started_at, o.heartbeat_at)
}

/** Refreshes the heartbeat; false when the row is gone (another process declared us dead). */
export function heartbeat(db: WritableDB, id: string, now: number): boolean {
  return (
    prepared(db, 'UPDATE job_owners SET heartbeat_at = ? WHERE id = ?').run(now, id).changes === 1
  )
}

export function deleteOwner(db: WritableDB, id: string): void {
  prepared(db, 'DELETE FROM job_owners WHERE id = ?').run(id)
}

// ---------------------------------------------------------------------------------------------
// Job items: the persistent unit of work. Each kind decides what a key means (a file path for
// import, an image id for captioning).

export function maxItemSeq(db: ReadableDB, jobId: number): number {
  return (
    (
      prepared(db, 'SELECT MAX(seq) AS m FROM job_items WHERE job_id = ?').get(jobId) as {
        m: number | null
      }
    ).m ?? 0
  )
}

export function insertItem(db: WritableDB, jobId: number, seq: number, key: string): void {
  prepared(db, 'INSERT INTO job_items (job_id, seq, key) VALUES (?, ?, ?)').run(jobId, seq, key)
}

export function pendingItems(
  db: ReadableDB,
  jobId: number,
  afterSeq: number,
  limit: number
): { seq: number; key: string }[] {
  return prepared(
    db,
    `SELECT seq, key FROM job_items WHERE job_id = ? AND status = 'pending' AND seq > ? ORDER BY seq LIMIT ?`
  ).all(jobId, afterSeq, limit) as { seq: number; key: string }[]
}

export function itemCounts(
  db: ReadableDB,
  jobId: number
): { total: number; done: number | null; failed: number | null; pending: number | null } {
  return prepared(
    db,
    `SELECT COUNT(*) AS total,
            SUM(status = 'done' OR status = 'skipped') AS done,
            SUM(status = 'failed') AS failed,
            SUM(status = 'pending') AS pending
       FROM job_items WHERE job_id = ?`
  ).get(jobId) as {
    total: number
    done: number | null
    failed: number | null
    pending: number | null
  }
}

export function itemsByStatus(db: ReadableDB, jobId: number): { status: string; n: number }[] {
  return prepared(
    db,
    'SELECT status, COUNT(*) AS n FROM job_items WHERE job_id = ? GROUP BY status'
  ).all(jobId) as { status: string; n: number }[]
}

export function failedItems(
  db: ReadableDB,
  jobId: number,
  afterSeq: number,
  limit: number
): { seq: number; key: string; error: string | null }[] {
  return prepared(
    db,
    `SELECT seq, key, error FROM job_items WHERE job_id = ? AND status = 'failed' AND seq > ? ORDER BY seq LIMIT ?`
  ).all(jobId, afterSeq, limit) as { seq: number; key: string; error: string | null }[]
}

/** Records an item that was met and deliberately left alone (an undo entry changed since). */
export function insertSkippedItem(
  db: WritableDB,
  jobId: number,
  seq: number,
  key: string,
  reason: string
): void {
  prepared(
    db,
    `INSERT INTO job_items (job_id, seq, key, status, error) VALUES (?, ?, ?, 'skipped', ?)
     ON CONFLICT DO NOTHING`
  ).run(jobId, seq, key, reason)
}

export function skippedItemKeys(db: ReadableDB, jobId: number): string[] {
  return prepared(db, `SELECT key FROM job_items WHERE job_id = ? AND status = 'skipped'`)
    .pluck()
    .all(jobId) as string[]
}

export function markItem(
  db: WritableDB,
  jobId: number,
  seq: number,
  status: 'done' | 'failed' | 'skipped',
  error: string | null
): void {
  prepared(db, 'UPDATE job_items SET status = ?, error = ? WHERE job_id = ? AND seq = ?').run(
    status,
    error,
    jobId,
    seq
  )
}

/** A job's items in order (seq, key). */
export function jobItemRows(db: ReadableDB, jobId: number): { seq: number; key: string }[] {
  return prepared(db, 'SELECT seq, key FROM job_items WHERE job_id = ? ORDER BY seq').all(
    jobId
  ) as { seq: number; key: string }[]
}

/** The journal batch a job's slices append to (bulk jobs), if one was started. */
export function jobBatchId(db: ReadableDB, jobId: number): number | null {
  const r = prepared(db, 'SELECT batch_id FROM job_batches WHERE job_id = ?').get(jobId) as
    { batch_id: number | null } | undefined
  return r?.batch_id ?? null
}

export function setJobBatch(db: WritableDB, jobId: number, batchId: number): void {
  prepared(
    db,
    'INSERT INTO job_batches (job_id, batch_id) VALUES (?, ?) ON CONFLICT (job_id) DO UPDATE SET batch_id = excluded.batch_id'
  ).run(jobId, batchId)
}

/** The newest queued or running perceptual-hash job covering a dataset (or all), if any. */
export function activePhashJob(db: ReadableDB, datasetId: number): number | null {
  const r = prepared(
    db,
    `SELECT id FROM jobs WHERE kind = 'phash' AND status IN ('queued','running')
       AND (dataset_id = ? OR dataset_id IS NULL) ORDER BY id DESC LIMIT 1`
  )
    .pluck()
    .get(datasetId) as number | undefined
  return r ?? null
}
