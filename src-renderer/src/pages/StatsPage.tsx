import { useMemo } from 'react'
import type { ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import type { ImageFilter } from '@shared/api'
import { useCall } from '../api/query'
import { DatasetTabs } from '../components/DatasetTabs'
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
  const filter = useMemo<ImageFilter>(() => ({ datasetId }), [datasetId])
  // every plot is refreshed by the change map (api/changes.ts) when what it reads changes
  const ds = useCall('datasets.get', { id: datasetId })

  return (
    <main className="stats-page" data-testid="stats-page">
      <div className="stats-head">
        <DatasetTabs datasetId={datasetId} current="stats" />
        <h1 className="stats-h1">{t('stats.title', { name: ds.data?.name ?? '…' })}</h1>
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
