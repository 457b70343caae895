import { useCallback, useEffect, useMemo, useState } from 'react'
import type { ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import type { DUPES_DEFAULT_THRESHOLD, DUPES_MAX_THRESHOLD } from '@shared/api'
import { call } from '../api/client'
import { useCall, useMutate } from '../api/query'
import { DatasetTabs } from '../components/DatasetTabs'
import { DupesGroupView, isSettled } from '../components/DupesGroup'
import { isActive, useJobs } from '../components/jobs'
import { useToast } from '../components/Toasts'
import { useDebounced } from '../hooks/useDebounced'
import { isTyping, useKeyActions } from '../hooks/keyboard'
import '../styles/stats.css'

// runtime copies of the contract's constants (importing values would bundle zod)
const DEFAULT_THRESHOLD: typeof DUPES_DEFAULT_THRESHOLD = 6
const MAX_THRESHOLD: typeof DUPES_MAX_THRESHOLD = 12

type Action = 'reject' | 'delete'

/**
 * Duplicate review for one dataset: exact copies (same bytes) and near copies (perceptual hashes
 * within the threshold), each group side by side. The perceptual hashes are computed first by
 * the 'phash' job (its progress shows here and in the job panel). `k` keeps the suggested image
 * of the current group and rejects (or deletes) the others, as one undoable batch; ↑/↓ (j) move.
 */
export function DupesPage({ datasetId }: { datasetId: number }): ReactNode {
  const { t } = useTranslation()
  const toast = useToast()
  const { mutateAsync: keepDupes } = useMutate('dupes.keep')
  const jobs = useJobs()
  const [threshold, setThreshold] = useState<number>(DEFAULT_THRESHOLD)
  const th = useDebounced(threshold, 250)
  const [action, setAction] = useState<Action>('reject')
  const [showSettled, setShowSettled] = useState(false)
  const [cur, setCur] = useState(0)
  const [busy, setBusy] = useState(false)
  /** undefined: not asked yet; null: every image has a hash */
  const [hashJob, setHashJob] = useState<number | null | undefined>(undefined)

  const { track } = jobs
  useEffect(() => {
    let live = true
    call('dupes.hash', { datasetId })
      .then((r) => {
        if (!live) return
        setHashJob(r.jobId)
        if (r.jobId !== null) void track(r.jobId)
      })
      .catch((e: unknown) => {
        toast.error(e)
        if (live) setHashJob(null)
      })
    return () => {
      live = false
    }
  }, [datasetId, track, toast])

  const job = hashJob ? jobs.jobs.find((j) => j.id === hashJob) : undefined
  const hashing = hashJob === undefined || (hashJob !== null && (!job || isActive(job.status)))

  // undo/redo and edits elsewhere re-read the groups through the change map
  const q = useCall(
    'dupes.find',
    { datasetId, threshold: th },
    {
      enabled: !hashing,
      // a new threshold keeps the old groups on screen until the new ones arrive
      placeholderData: (prev) => prev
    }
  )
  const groups = useMemo(
    () => (q.data?.groups ?? []).filter((g) => showSettled || !isSettled(g)),
    [q.data, showSettled]
  )
  const settled = (q.data?.groups.length ?? 0) - groups.length
  const current = groups[Math.min(cur, groups.length - 1)]

  useEffect(() => {
    document.querySelector('.dupe-group[aria-current="true"]')?.scrollIntoView({ block: 'nearest' })
  }, [cur, groups.length])

  const keep = useCallback(
    async (groupId: string, keepId: number) => {
      const g = q.data?.groups.find((x) => x.id === groupId)
      if (!g || busy) return
      const others = g.images.map((i) => i.id).filter((id) => id !== keepId)
      setBusy(true)
      try {
        await keepDupes({ keep: [keepId], others, action })
        toast.info(
          t(action === 'delete' ? 'stats.keptDeleted' : 'stats.keptRejected', {
            count: others.length
          })
        )
      } catch (e) {
        toast.error(e)
      } finally {
        setBusy(false)
      }
    },
    [q.data, busy, action, toast, t, keepDupes]
  )

  useKeyActions({
    move: (d) => setCur((c) => Math.max(0, Math.min(groups.length - 1, c + d)))
  })
  // `k` keeps the best (the global keys bind k to "previous"; this page takes it first)
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (e.key !== 'k' || e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return
      if (isTyping(document.activeElement) || document.querySelector('dialog[open]')) return
      e.preventDefault()
      if (current) void keep(current.id, current.suggestedKeep)
    }
    window.addEventListener('keydown', onKey, true)
    return () => window.removeEventListener('keydown', onKey, true)
  }, [current, keep])

  return (
    <main className="dupes-page" data-testid="dupes-page">
      <div className="stats-head">
        <DatasetTabs datasetId={datasetId} current="dupes" />
        <h1 className="stats-h1">{t('stats.dupesTitle')}</h1>
        <label className="dupes-threshold">
          {t('stats.threshold')}
          <input
            type="range"
            min={0}
            max={MAX_THRESHOLD}
            value={threshold}
            onChange={(e) => setThreshold(Number(e.target.value))}
            data-testid="threshold"
          />
          <output>{t('stats.bits', { count: threshold })}</output>
        </label>
        <select
          className="select"
          aria-label={t('stats.dropAction')}
          value={action}
          onChange={(e) => setAction(e.target.value as Action)}
          data-testid="dupes-action"
        >
          <option value="reject">{t('stats.actionReject')}</option>
          <option value="delete">{t('stats.actionDelete')}</option>
        </select>
        <label className="check">
          <input
            type="checkbox"
            checked={showSettled}
            onChange={(e) => setShowSettled(e.target.checked)}
          />
          {t('stats.showSettled', { count: settled })}
        </label>
      </div>
      {hashing ? (
        <div className="dupes-progress" data-testid="dupes-hashing">
          <div>{t('stats.hashing', { done: job?.done ?? 0, total: job?.total ?? 0 })}</div>
          <progress max={Math.max(1, job?.total ?? 1)} value={job?.done ?? 0} />
        </div>
      ) : q.isPending ? (
        <div className="dupes-progress">{t('stats.searching')}</div>
      ) : (
        <div className="dupes-summary" data-testid="dupes-summary" data-groups={groups.length}>
          {t('stats.dupesSummary', {
            count: groups.length,
            hashed: q.data?.hashed ?? 0,
            unhashed: q.data?.unhashed ?? 0
          })}
        </div>
      )}
      <div className="dupes-list">
        {groups.map((g, i) => (
          <DupesGroupView
            key={g.id}
            group={g}
            index={i}
            active={g === current}
            onFocus={() => setCur(i)}
            onKeep={(id) => void keep(g.id, id)}
          />
        ))}
      </div>
    </main>
  )
}
