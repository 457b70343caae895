/** The dataset's views as tabs (links that keep their place in the history): grid, statistics, duplicates. */
import type { ReactNode } from 'react'
import { useTranslation } from 'react-i18next'

export type DatasetView = 'grid' | 'stats' | 'dupes'

export function DatasetTabs({
  datasetId,
  current
}: {
  datasetId: number
  current: DatasetView
}): ReactNode {
  const { t } = useTranslation()
  const tabs: { view: DatasetView; href: string; label: string }[] = [
    { view: 'grid', href: `#/datasets/${datasetId}`, label: t('tabs.grid') },
    { view: 'stats', href: `#/datasets/${datasetId}/stats`, label: t('stats.link') },
    { view: 'dupes', href: `#/datasets/${datasetId}/dupes`, label: t('stats.dupesLink') }
  ]
  return (
    <nav className="tabs" aria-label={t('tabs.label')}>
      {tabs.map((tab) => (
        <a
          key={tab.view}
          className={`tab ${tab.view === current ? 'tab-on' : ''}`}
          href={tab.href}
          aria-current={tab.view === current ? 'page' : undefined}
          data-testid={`nav-${tab.view}`}
        >
          {tab.label}
        </a>
      ))}
    </nav>
  )
}
