import { useEffect, useState } from 'react'
import type { ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import { REVIEW_STATUSES } from '../api/constants'
import type { DatasetSummary } from '@shared/api'
import { useCall } from '../api/query'
import { ImportDialog } from '../components/ImportDialog'
import { DeleteDialog, RenameDialog } from '../components/DatasetManage'
import { Menu } from '../components/Menu'
import { useJobs } from '../components/jobs'
import { useToast } from '../components/Toasts'

function ReviewBar({ d }: { d: DatasetSummary }): ReactNode {
  const total = Math.max(1, d.images - d.errors)
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

/** how an import that is not running any more ended */
type Stopped = 'cancelled' | 'interrupted' | 'failed'

function DatasetCard({ d, onOpen }: { d: DatasetSummary; onOpen(): void }): ReactNode {
  const { t, i18n } = useTranslation()
  const { resume } = useJobs()
  const [dialog, setDialog] = useState<'rename' | 'delete' | null>(null)
  const reviewed = d.byStatus.approved + d.byStatus.rejected + d.byStatus['needs-work']
  const good = d.images - d.errors
  const nf = new Intl.NumberFormat(i18n.language)
  const inc = d.incompleteImport
  const running = inc && (inc.status === 'running' || inc.status === 'queued')
  return (
    <article
      className={`dataset-card ${inc && !running ? 'dataset-card-incomplete' : ''}`}
      data-testid="dataset-card"
      data-name={d.name}
      data-incomplete={inc ? inc.status : undefined}
      onClick={(e) => {
        // the whole card opens the dataset, except its own controls
        if (!(e.target as Element).closest('button, a, input, [role="menu"], dialog')) onOpen()
      }}
    >
      <div className="dataset-card-head">
        <h3>
          <button
            type="button"
            className="dataset-open"
            onClick={onOpen}
            data-testid="dataset-open"
          >
            {d.name}
          </button>
        </h3>
        <span className="muted" data-testid="dataset-images">
          {t('home.images', { count: good })}
          {d.errors > 0 && (
            <span className="text-danger"> · {t('home.unreadable', { count: d.errors })}</span>
          )}
        </span>
        <Menu
          label={<span aria-hidden>⋯</span>}
          ariaLabel={t('datasets.menu', { name: d.name })}
          testId="dataset-menu"
          align="right"
          caret={false}
          items={[
            {
              id: 'rename',
              label: t('datasets.renameItem'),
              testId: 'dataset-rename',
              onSelect: () => setDialog('rename')
            },
            {
              id: 'delete',
              label: t('datasets.deleteItem'),
              testId: 'dataset-delete',
              danger: true,
              onSelect: () => setDialog('delete')
            }
          ]}
        />
      </div>
      <ReviewBar d={d} />
      <div className="dataset-card-meta">
        <span data-testid="dataset-reviewed">
          {t('home.reviewed', { done: nf.format(reviewed), total: nf.format(good) })}
        </span>
        <span>
          {t('home.captioned', { zh: nf.format(d.captioned.zh), en: nf.format(d.captioned.en) })}
        </span>
      </div>
      <div className="dataset-card-legend">
        {REVIEW_STATUSES.map((s) => (
          <span key={s} className="legend-item">
            <i className={`dot status-bg-${s}`} />
            {t(`status.${s}`)} {nf.format(d.byStatus[s])}
          </span>
        ))}
      </div>
      {inc && (
        <div className="dataset-card-import" data-testid="dataset-incomplete" role="status">
          <span>
            {running
              ? t('home.importing', {
                  done: nf.format(inc.done + inc.failed),
                  total: nf.format(inc.total)
                })
              : inc.total === 0
                ? t('home.incompleteEarly', { status: t(`home.st_${inc.status as Stopped}`) })
                : t('home.incomplete', {
                    status: t(`home.st_${inc.status as Stopped}`),
                    done: nf.format(inc.done + inc.failed),
                    total: nf.format(inc.total)
                  })}
            {inc.error && <span className="muted"> — {inc.error}</span>}
          </span>
          {!running && (
            <button
              type="button"
              className="btn btn-small"
              onClick={() => void resume(inc.jobId)}
              data-testid="dataset-resume"
            >
              {t('home.resume')}
            </button>
          )}
        </div>
      )}
      {dialog === 'rename' && <RenameDialog dataset={d} onClose={() => setDialog(null)} />}
      {dialog === 'delete' && <DeleteDialog dataset={d} onClose={() => setDialog(null)} />}
    </article>
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
