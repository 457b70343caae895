/**
 * The curated catalogue (resources/models-catalogue.json). "Download" first asks the repository
 * what it would fetch (models.downloadPlan: the exact files the model needs at its dtype, their
 * sizes, what is already here, and any required file the repository lacks); the download starts
 * as a job only when confirmed.
 */
import { Fragment, useState } from 'react'
import type { ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import type { CatalogueEntry, DownloadPlan, ModelInfo } from '@shared/api'
import { call } from '../api/client'
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

function PlanView({
  plan,
  busy,
  onConfirm,
  onCancel
}: {
  plan: DownloadPlan
  busy: boolean
  onConfirm(): void
  onCancel(): void
}): ReactNode {
  const { t } = useTranslation()
  return (
    <div className="download-plan" data-testid="catalogue-plan">
      <strong>{t('captioning.models.plan')}</strong>{' '}
      <span className="muted">
        {t('captioning.models.planTotal', {
          count: plan.files.length,
          size: formatBytes(plan.totalBytes)
        })}
        {plan.haveBytes > 0 &&
          ` · ${t('captioning.models.planHave', { size: formatBytes(plan.haveBytes) })}`}
      </span>
      <table className="download-plan-files">
        <tbody>
          {plan.files.map((f) => (
            <tr key={f.path} data-testid="catalogue-plan-file" data-path={f.path}>
              <td className="mono">{f.path}</td>
              <td className="nowrap">{formatBytes(f.size)}</td>
              <td className="muted nowrap">
                {f.have === f.size ? t('captioning.models.planHere') : ''}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted mono">{plan.dir}</p>
      {plan.missing.length > 0 && (
        <p className="model-error" role="alert" data-testid="catalogue-plan-missing">
          {t('captioning.models.planMissing', { files: plan.missing.join(', ') })}
        </p>
      )}
      <div className="row-gap">
        <button
          className="btn btn-small btn-primary"
          disabled={busy || plan.missing.length > 0}
          onClick={onConfirm}
          data-testid="catalogue-confirm"
        >
          {t('captioning.models.confirmDownload', {
            size: formatBytes(plan.totalBytes - plan.haveBytes)
          })}
        </button>
        <button className="btn btn-small btn-ghost" onClick={onCancel}>
          {t('captioning.models.cancelPlan')}
        </button>
      </div>
    </div>
  )
}

/** The curated catalogue with download plans and downloads as jobs. */
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
  const [plans, setPlans] = useState<
    Record<string, { plan: DownloadPlan | null; loading: boolean }>
  >({})
  const cat = useCall('models.catalogue', {}, { staleTime: Infinity })
  const startDownload = useMutate('models.download')

  function mirrorBase(): string {
    const m = mirror.trim().replace(/\/+$/, '')
    try {
      localStorage.setItem(MIRROR_KEY, m)
    } catch {
      // storage unavailable: the mirror lasts for this page only
    }
    return m
  }

  async function plan(e: CatalogueEntry): Promise<void> {
    const m = mirrorBase()
    setPlans((p) => ({ ...p, [e.repoId]: { plan: null, loading: true } }))
    try {
      const r = await call('models.downloadPlan', { repoId: e.repoId, ...(m ? { mirror: m } : {}) })
      setPlans((p) => ({ ...p, [e.repoId]: { plan: r, loading: false } }))
    } catch (err) {
      setPlans((p) => {
        const { [e.repoId]: _gone, ...rest } = p
        return rest
      })
      toast.error(err)
    }
  }

  function closePlan(repoId: string): void {
    setPlans((p) => {
      const { [repoId]: _gone, ...rest } = p
      return rest
    })
  }

  async function download(e: CatalogueEntry): Promise<void> {
    const m = mirrorBase()
    closePlan(e.repoId)
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
            const planned = plans[e.repoId]
            return (
              <Fragment key={e.repoId}>
                <tr data-testid="catalogue-row" data-repo={e.repoId}>
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
                        disabled={busy || planned?.loading}
                        onClick={() => void plan(e)}
                        data-testid="catalogue-download"
                      >
                        {planned?.loading
                          ? t('captioning.models.planning')
                          : t('captioning.models.download')}
                      </button>
                    )}
                  </td>
                </tr>
                {planned?.plan && (
                  <tr className="catalogue-plan-row">
                    <td colSpan={6}>
                      <PlanView
                        plan={planned.plan}
                        busy={busy}
                        onConfirm={() => void download(e)}
                        onCancel={() => closePlan(e.repoId)}
                      />
                    </td>
                  </tr>
                )}
              </Fragment>
            )
          })}
        </tbody>
      </table>
    </div>
  )
}
