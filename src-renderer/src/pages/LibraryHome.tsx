import { useEffect, useState } from 'react'
import type { ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import { REVIEW_STATUSES } from '../api/constants'
import type { DatasetSummary } from '@shared/api'
import { useCall } from '../api/query'
import { ImportDialog } from '../components/ImportDialog'
import { useToast } from '../components/Toasts'

function ReviewBar({ d }: { d: DatasetSummary }): ReactNode {
  const total = Math.max(1, d.images)
  return (
    <div className="stack-bar" aria-hidden>
      {REVIEW_STATUSES.filter((s) => s !== 'unreviewed').map((s) => (
        <div
          key={s}
          className={`stack-seg status-bg-${s}`}
          style={{ width: `${(d.byStatus[s] / total) * 100}%` }}
        />
      ))}
    </div>
  )
}

function DatasetCard({ d, onOpen }: { d: DatasetSummary; onOpen(): void }): ReactNode {
  const { t, i18n } = useTranslation()
  const reviewed = d.byStatus.approved + d.byStatus.rejected + d.byStatus['needs-work']
  const nf = new Intl.NumberFormat(i18n.language)
  return (
    <button className="dataset-card" onClick={onOpen} data-testid="dataset-card" data-name={d.name}>
      <div className="dataset-card-head">
        <h3>{d.name}</h3>
        <span className="muted">{t('home.images', { count: d.images })}</span>
      </div>
      <ReviewBar d={d} />
      <div className="dataset-card-meta">
        <span data-testid="dataset-reviewed">
          {t('home.reviewed', { done: nf.format(reviewed), total: nf.format(d.images) })}
        </span>
        <span>
          {t('home.captioned', { zh: nf.format(d.captioned.zh), en: nf.format(d.captioned.en) })}
        </span>
        {d.errors > 0 && (
          <span className="text-danger">{t('home.errors', { count: d.errors })}</span>
        )}
      </div>
      <div className="dataset-card-legend">
        {REVIEW_STATUSES.map((s) => (
          <span key={s} className="legend-item">
            <i className={`dot status-bg-${s}`} />
            {t(`status.${s}`)} {nf.format(d.byStatus[s])}
          </span>
        ))}
      </div>
    </button>
  )
}

export function LibraryHome({ onOpen }: { onOpen(id: number): void }): ReactNode {
  const { t } = useTranslation()
  const [importing, setImporting] = useState(false)
  const toast = useToast()
  const q = useCall('datasets.list', {})
  useEffect(() => {
    if (q.error) toast.error(q.error)
  }, [q.error, toast])
  return (
    <main className="home">
      <div className="home-head">
        <h1>{t('home.title')}</h1>
        <button
          className="btn btn-primary"
          onClick={() => setImporting(true)}
          data-testid="import-open"
        >
          {t('home.importFolder')}
        </button>
      </div>
      {q.data && q.data.length === 0 && <p className="empty">{t('home.empty')}</p>}
      <div className="dataset-grid" data-testid="dataset-list">
        {q.data?.map((d) => (
          <DatasetCard key={d.id} d={d} onOpen={() => onOpen(d.id)} />
        ))}
      </div>
      {importing && <ImportDialog onClose={() => setImporting(false)} />}
    </main>
  )
}
