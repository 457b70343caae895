import { createContext, useCallback, useContext, useEffect, useMemo, useState } from 'react'
import type { ReactNode } from 'react'
import type { JobInfo, JobItemError, JobProgress, JobStatus } from '@shared/api'
import { call } from '../api/client'
import { useEvent } from '../api/useEvent'
import { useToast } from './Toasts'

export interface JobView {
  id: number
  kind: string
  status: JobStatus
  phase: string
  done: number
  failed: number
  total: number
  rate: number
  etaSeconds: number | null
  datasetId: number | null
  dir: string | null
  /** why the job failed or stopped, in words (null while it runs or when it ended well) */
  error: string | null
  errors: JobItemError[]
  nextSeq: number | null
  dismissed: boolean
}

export const isActive = (s: JobStatus): boolean => s === 'queued' || s === 'running'

interface JobsApi {
  jobs: JobView[]
  track(jobId: number): Promise<void>
  cancel(jobId: number): Promise<void>
  resume(jobId: number): Promise<void>
  dismiss(jobId: number): void
  loadMoreErrors(jobId: number): Promise<void>
}

const Ctx = createContext<JobsApi | null>(null)
export function useJobs(): JobsApi {
  const v = useContext(Ctx)
  if (!v) throw new Error('useJobs outside JobsProvider')
  return v
}

function fromInfo(info: JobInfo, prev?: JobView): JobView {
  // an import job keeps its folder in params.root, an export its destination
  const p = info.params
  const dir =
    typeof p.root === 'string'
      ? p.root
      : typeof p.dir === 'string'
        ? p.dir
        : typeof p.destination === 'string'
          ? p.destination
          : (prev?.dir ?? null)
  return {
    id: info.id,
    kind: info.kind,
    status: info.status,
    phase: info.phase,
    done: info.done,
    failed: info.failed,
    total: info.total,
    rate: isActive(info.status) ? (prev?.rate ?? 0) : 0,
    etaSeconds: isActive(info.status) ? (prev?.etaSeconds ?? null) : null,
    datasetId: info.datasetId,
    dir,
    error: info.error,
    errors: prev?.errors ?? [],
    nextSeq: prev?.nextSeq ?? null,
    dismissed: prev?.dismissed ?? false
  }
}

/** Keeps every job the session has seen, so the panel survives navigation. */
export function JobsProvider({ children }: { children: ReactNode }): ReactNode {
  const [jobs, setJobs] = useState<Map<number, JobView>>(new Map())
  const toast = useToast()

  const upsert = useCallback((id: number, f: (prev: JobView | undefined) => JobView | null) => {
    setJobs((m) => {
      const v = f(m.get(id))
      if (!v) return m
      const next = new Map(m)
      next.set(id, v)
      return next
    })
  }, [])

  const fetchErrors = useCallback(
    async (id: number, afterSeq = 0) => {
      try {
        const r = await call('jobs.errors', { id, afterSeq, limit: 200 })
        upsert(id, (p) =>
          p
            ? {
                ...p,
                errors: afterSeq === 0 ? r.items : [...p.errors, ...r.items],
                nextSeq: r.nextSeq
              }
            : null
        )
      } catch (e) {
        toast.error(e)
      }
    },
    [upsert, toast]
  )

  const applyInfo = useCallback(
    (info: JobInfo) => {
      // a response that left the server before the job ended must not undo the final state
      upsert(info.id, (p) =>
        p && !isActive(p.status) && isActive(info.status) ? p : fromInfo(info, p)
      )
      // what a finished job changed is refreshed by the change map (api/query.ts)
      if (!isActive(info.status) && (info.failed > 0 || info.status === 'failed'))
        void fetchErrors(info.id)
    },
    [upsert, fetchErrors]
  )

  useEffect(() => {
    let live = true
    call('jobs.list', { status: ['queued', 'running'], limit: 20 })
      .then((list) => {
        if (live) list.forEach(applyInfo)
      })
      .catch((e: unknown) => toast.error(e))
    return () => {
      live = false
    }
  }, [applyInfo, toast])

  useEvent('job.progress', (p: JobProgress) => {
    upsert(p.jobId, (prev) => {
      // a final state already seen wins over a late progress event
      if (prev && !isActive(prev.status) && isActive(p.status)) return prev
      const base: JobView = prev ?? {
        id: p.jobId,
        kind: p.kind,
        status: p.status,
        phase: p.phase,
        done: 0,
        failed: 0,
        total: 0,
        rate: 0,
        etaSeconds: null,
        datasetId: null,
        dir: null,
        error: null,
        errors: [],
        nextSeq: null,
        dismissed: false
      }
      return {
        ...base,
        status: p.status,
        phase: p.phase,
        done: p.done,
        failed: p.failed,
        total: p.total,
        rate: p.rate,
        etaSeconds: p.etaSeconds
      }
    })
  })
  useEvent('job.finished', applyInfo)

  const api = useMemo<JobsApi>(
    () => ({
      jobs: [...jobs.values()].sort((a, b) => b.id - a.id),
      async track(id) {
        try {
          applyInfo(await call('jobs.get', { id }))
        } catch (e) {
          toast.error(e)
        }
      },
      async cancel(id) {
        try {
          applyInfo(await call('jobs.cancel', { id }))
        } catch (e) {
          toast.error(e)
        }
      },
      async resume(id) {
        try {
          const info = await call('jobs.resume', { id })
          // a resumed job is active again: let it replace the final state shown
          upsert(id, (p) => fromInfo(info, p ? { ...p, status: info.status } : p))
        } catch (e) {
          toast.error(e)
        }
      },
      dismiss(id) {
        upsert(id, (p) => (p ? { ...p, dismissed: true } : null))
      },
      loadMoreErrors: async (id) => {
        const j = jobs.get(id)
        if (j?.nextSeq != null) await fetchErrors(id, j.nextSeq)
      }
    }),
    [jobs, upsert, applyInfo, fetchErrors, toast]
  )

  return <Ctx.Provider value={api}>{children}</Ctx.Provider>
}
