import { useState } from 'react'
import type { ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import type { CatalogueEntry, ModelInfo } from '@shared/api'
import { useCall, useMutate } from '../api/query'
import { isActive, useJobs } from './jobs'
import type { JobView } from './jobs'
import { formatBytes } from './ModelFormat'
import { useToast } from './Toasts'

const MIRROR_KEY = 'glossa.hfMirror'

function storedMirror(): string {
  try {
    return localStorage.getItem(MIRROR_KEY) ?? ''
  } catch {
    return ''
  }
}

function DownloadProgress({ job }: { job: JobView }): ReactNode {
  const { t } = useTranslation()
  const pct = job.total > 0 ? Math.min(100, (job.done / job.total) * 100) : 0
  return (
    <div className="model-dl" data-testid="catalogue-progress" data-status={job.status}>
      <div
        className="progress progress-live"
        role="progressbar"
        aria-label={t('captioning.jobKind_download', { defaultValue: 'download' })}
        aria-valuenow={job.done}
      >
        <div className="progress-fill" style={{ width: `${pct}%` }} />
      </div>
      <small className="muted">
        {t('captioning.bytesProgress', {
          done: formatBytes(job.done),
          total: formatBytes(job.total)
        })}
        {' · '}
        {t('captioning.bytesRate', { rate: formatBytes(job.rate) })}
      </small>
    </div>
  )
}

/** The curated catalogue (resources/models-catalogue.json) with downloads as jobs. */
export function ModelCatalogue({
  installed,
  busy
}: {
  installed: ModelInfo[]
  busy: boolean
}): ReactNode {
  const { t } = useTranslation()
  const toast = useToast()
  const { jobs, track } = useJobs()
  const [mirror, setMirror] = useState(storedMirror)
  const [started, setStarted] = useState<Record<string, number>>({})
  const cat = useCall('models.catalogue', {}, { staleTime: Infinity })
  const startDownload = useMutate('models.download')

  async function download(e: CatalogueEntry): Promise<void> {
    const m = mirror.trim().replace(/\/+$/, '')
    try {
      localStorage.setItem(MIRROR_KEY, m)
    } catch {
      // storage unavailable: the mirror lasts for this page only
    }
    try {
      const r = await startDownload.mutateAsync({ repoId: e.repoId, ...(m ? { mirror: m } : {}) })
      setStarted((s) => ({ ...s, [e.repoId]: r.jobId }))
      void track(r.jobId)
    } catch (err) {
      toast.error(err)
    }
  }

  return (
    <div className="model-catalogue">
      <label className="field model-mirror">
        <span>{t('captioning.models.mirror')}</span>
        <input
          className="input mono"
          value={mirror}
          onChange={(e) => setMirror(e.target.value)}
          placeholder={t('captioning.models.mirrorPlaceholder')}
          spellCheck={false}
          data-testid="catalogue-mirror"
        />
        <small className="muted">{t('captioning.models.catalogueHint')}</small>
      </label>
      <table className="catalogue-table" data-testid="catalogue">
        <thead>
          <tr>
            <th>{t('captioning.dialog.model')}</th>
            <th>{t('captioning.models.goodAt')}</th>
            <th>{t('captioning.models.size')}</th>
            <th>{t('captioning.models.licence')}</th>
            <th>{t('captioning.models.languages')}</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {cat.data?.map((e) => {
            const job = jobs.find((j) => j.id === started[e.repoId])
            const have = installed.some((m) => m.repoId === e.repoId)
            const size = formatBytes(e.sizeBytes)
            return (
              <tr key={e.repoId} data-testid="catalogue-row" data-repo={e.repoId}>
                <td>
                  <strong>{e.name}</strong>
                  <div className="muted mono">{e.repoId}</div>
                  <span className="badge model-kind">{t(`captioning.kind.${e.kind}`)}</span>
                </td>
                <td className="catalogue-good">
                  {e.goodAt}
                  {e.notes && <div className="muted">{e.notes}</div>}
                </td>
                <td className="nowrap">
                  {e.sizeApproximate ? t('captioning.models.sizeApprox', { size }) : size}
                </td>
                <td>{e.licence}</td>
                <td>{e.languages.join(', ')}</td>
                <td className="catalogue-action">
                  {have && <span className="badge">{t('captioning.models.installedBadge')}</span>}
                  {job && isActive(job.status) ? (
                    <DownloadProgress job={job} />
                  ) : (
                    <button
                      className="btn btn-small"
                      disabled={busy}
                      onClick={() => void download(e)}
                      data-testid="catalogue-download"
                    >
                      {t('captioning.models.download')}
                    </button>
                  )}
                </td>
              </tr>
            )
          })}
        </tbody>
      </table>
    </div>
  )
}
