import { useEffect, useMemo, useRef } from 'react'
import type { ReactNode } from 'react'
import { useQuery, useQueryClient } from '@tanstack/react-query'
import { useTranslation } from 'react-i18next'
import type { ImageFilter } from '@shared/api'
import { call } from '../api/client'
import { useEvent } from '../api/useEvent'
import { StatsBuckets } from '../components/StatsBuckets'
import { StatsCaptions } from '../components/StatsCaptions'
import type { GridLink } from '../components/StatsLinks'
import { StatsResolution } from '../components/StatsResolution'
import { StatsReview } from '../components/StatsReview'
import { StatsTags } from '../components/StatsTags'
import '../styles/stats.css'

/**
 * The statistics dashboard of one dataset: tag frequency, caption lengths against the encoder
 * budgets, resolution and aspect, kohya buckets, review progress. Every plot is a way into the
 * grid: a click opens the dataset filtered to what was clicked (`onFilter`).
 */
export function StatsPage({
  datasetId,
  onFilter
}: {
  datasetId: number
  onFilter(link: GridLink): void
}): ReactNode {
  const { t } = useTranslation()
  const qc = useQueryClient()
  const filter = useMemo<ImageFilter>(() => ({ datasetId }), [datasetId])
  const ds = useQuery({
    queryKey: ['datasets', 'get', datasetId],
    queryFn: () => call('datasets.get', { id: datasetId })
  })

  // edits elsewhere (another window, a job) refresh the plots, at most every few seconds
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null)
  useEvent('library.changed', () => {
    if (timer.current) return
    timer.current = setTimeout(() => {
      timer.current = null
      void qc.invalidateQueries({ queryKey: ['stats'] })
    }, 2000)
  })
  useEffect(
    () => () => {
      if (timer.current) clearTimeout(timer.current)
    },
    []
  )

  return (
    <main className="stats-page" data-testid="stats-page">
      <div className="stats-head">
        <h1 className="stats-h1">{t('stats.title', { name: ds.data?.name ?? '…' })}</h1>
        <span className="grow" />
        <a className="btn btn-small" href={`#/datasets/${datasetId}`} data-testid="stats-back">
          {t('stats.backToGrid')}
        </a>
        <a className="btn btn-small" href={`#/datasets/${datasetId}/dupes`}>
          {t('stats.dupesLink')}
        </a>
      </div>
      <div className="stats-grid">
        <StatsReview filter={filter} onFilter={onFilter} />
        <StatsTags filter={filter} onFilter={onFilter} />
        <StatsCaptions filter={filter} onFilter={onFilter} />
        <StatsResolution filter={filter} onFilter={onFilter} />
        <StatsBuckets filter={filter} onFilter={onFilter} />
      </div>
    </main>
  )
}
