/**
 * The contract of jobs.* (persistent jobs: list, progress, cancel, resume, per-item errors).
 * Environment-free (zod only); merged into ../api.ts. Import building blocks from ../schemas or
 * sibling contract files, never from ../api.
 */
import { z } from 'zod'
import { Id, JOB_STATUSES, JobKind, JobStatus } from '../schemas'

export interface JobInfo {
  id: number
  kind: JobKind
  status: JobStatus
  datasetId: number | null
  params: Record<string, unknown>
  phase: string
  done: number
  failed: number
  total: number
  createdAt: number
  startedAt: number | null
  finishedAt: number | null
  error: string | null
  /**
   * the process that holds (or last held) the job: shown while the job is queued or running, so
   * a second process can say where it runs; null when none is recorded
   */
  owner?: JobOwnerInfo | null
  /** a short outcome to read (e.g. an undo that left newer edits as they were) */
  note?: string | null
  /** job items by outcome (skipped = nothing to do, e.g. an unchanged file); filled by jobs.get */
  items?: JobItemCounts
}

/** A process that runs jobs on the library (see README, "Two processes on one library"). */
export interface JobOwnerInfo {
  /** what it is: 'Glossa app', 'glossa serve', 'glossa import', … */
  label: string
  host: string
  pid: number
  /** this process */
  self: boolean
  /** its lease is current (its heartbeat is fresh and, on this host, its pid is alive) */
  live: boolean
}

export interface JobItemCounts {
  pending: number
  done: number
  skipped: number
  failed: number
}

export interface JobItemError {
  seq: number
  key: string
  error: string
}

// ---------------------------------------------------------------------------------------------
// Push events
export interface JobProgress {
  jobId: number
  kind: JobKind
  status: JobStatus
  phase: string
  done: number
  failed: number
  total: number
  /** items per second over the recent window */
  rate: number
  /** seconds to completion, null while unknown */
  etaSeconds: number | null
}

// ---------------------------------------------------------------------------------------------
// Methods
export const jobsArgs = {
  'jobs.list': z
    .object({
      status: z.array(z.enum(JOB_STATUSES)).optional(),
      limit: z.number().int().min(1).max(500).default(50)
    })
    .strict(),
  'jobs.get': z.object({ id: Id }).strict(),
  'jobs.cancel': z.object({ id: Id }).strict(),
  'jobs.resume': z.object({ id: Id }).strict(),
  'jobs.errors': z
    .object({
      id: Id,
      afterSeq: z.number().int().min(0).default(0),
      limit: z.number().int().min(1).max(1000).default(200)
    })
    .strict()
} satisfies Record<string, z.ZodType>

// ---------------------------------------------------------------------------------------------
// Results
export interface JobsResults {
  'jobs.list': JobInfo[]
  'jobs.get': JobInfo
  'jobs.cancel': JobInfo
  'jobs.resume': JobInfo
  'jobs.errors': { items: JobItemError[]; nextSeq: number | null }
}
