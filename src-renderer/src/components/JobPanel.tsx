import type { ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import { isActive, useJobs } from './jobs'
import type { JobView } from './jobs'
import { formatBytes, RESUMABLE_KINDS } from './ModelFormat'

function formatEta(s: number | null): string {
  if (s == null || !Number.isFinite(s)) return '—'
  const sec = Math.max(0, Math.round(s))
  const h = Math.floor(sec / 3600)
  const m = Math.floor((sec % 3600) / 60)
  const r = sec % 60
  return h > 0
    ? `${h}:${String(m).padStart(2, '0')}:${String(r).padStart(2, '0')}`
    : `${m}:${String(r).padStart(2, '0')}`
}

/** Failed files are shown relative to the imported folder when they are inside it. */
function relativeTo(dir: string | null, file: string): string {
  if (!dir) return file
  const d = dir.replace(/[\\/]+$/, '')
  return file.startsWith(d) && /[\\/]/.test(file.charAt(d.length)) ? file.slice(d.length + 1) : file
}

const baseName = (dir: string | null): string =>
  dir ? (dir.split(/[\\/]/).filter(Boolean).pop() ?? dir) : ''

function JobCard({ job, onOpen }: { job: JobView; onOpen(datasetId: number): void }): ReactNode {
  const { t, i18n } = useTranslation()
  const nf = new Intl.NumberFormat(i18n.language)
  const { cancel, resume, dismiss, loadMoreErrors } = useJobs()
  const bytes = job.kind === 'download' // a download counts bytes, not images
  const kindLabel = t(`jobs.kind_${job.kind}`, {
    defaultValue: t(`captioning.jobKind_${job.kind}`, { defaultValue: job.kind })
  })
  const active = isActive(job.status)
  const finished = job.done + job.failed
  // a job that failed before it counted anything shows an empty bar, not a full one
  const pct =
    job.total > 0
      ? Math.min(100, (finished / job.total) * 100)
      : active || job.status !== 'done'
        ? 0
        : 100
  return (
    <section
      className="job-card"
      data-testid="job-card"
      data-status={job.status}
      data-job-id={job.id}
    >
      <div className="job-head">
        <strong className="job-title" title={job.dir ?? ''}>
          {kindLabel}
          {job.dir && <span className="muted"> · {baseName(job.dir)}</span>}
        </strong>
        <span className={`badge job-status-${job.status}`} data-testid="job-status">
          {t(`jobs.status_${job.status}`)}
        </span>
      </div>
      <div
        className={`progress ${active ? 'progress-live' : ''}`}
        role="progressbar"
        aria-label={kindLabel}
        aria-valuemin={0}
        aria-valuemax={job.total}
        aria-valuenow={finished}
      >
        <div className="progress-fill" style={{ width: `${pct}%` }} />
      </div>
      {job.error && !active && (
        <p className="job-error" role="alert" data-testid="job-error">
          {t(`jobs.why_${job.status === 'failed' ? 'failed' : 'stopped'}`, {
            kind: kindLabel
          })}{' '}
          {job.error}
        </p>
      )}
      <div className="job-stats">
        {active && (
          <span className="job-phase">
            {t(`jobs.phase_${job.phase}`, { defaultValue: job.phase })}
          </span>
        )}
        <span data-testid="job-count">
          {bytes
            ? t('captioning.bytesProgress', {
                done: formatBytes(job.done),
                total: formatBytes(job.total)
              })
            : t('jobs.progress', { done: nf.format(finished), total: nf.format(job.total) })}
        </span>
        {active && (
          <span data-testid="job-rate">
            {bytes
              ? t('captioning.bytesRate', { rate: formatBytes(job.rate) })
              : t('jobs.rate', { rate: job.rate.toFixed(1) })}
          </span>
        )}
        {active && <span>{t('jobs.eta', { eta: formatEta(job.etaSeconds) })}</span>}
        {job.failed > 0 && (
          <span className="text-danger" data-testid="job-failed">
            {t('jobs.failedCount', { count: job.failed })}
          </span>
        )}
      </div>
      {!active && job.errors.length > 0 && (
        <details className="job-errors" open>
          <summary>
            {t(job.kind === 'import' ? 'jobs.errorsTitle' : 'jobs.errorsTitleOther')}
          </summary>
          <div className="job-errors-scroll">
            <table data-testid="job-errors">
              <thead>
                <tr>
                  <th>{t('jobs.file')}</th>
                  <th>{t('jobs.reason')}</th>
                </tr>
              </thead>
              <tbody>
                {job.errors.map((e) => (
                  <tr key={e.seq}>
                    <td className="mono" title={e.key}>
                      {relativeTo(job.dir, e.key)}
                    </td>
                    <td>{e.error}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {job.nextSeq != null && (
            <button className="btn btn-small" onClick={() => void loadMoreErrors(job.id)}>
              {t('jobs.moreErrors')}
            </button>
          )}
        </details>
      )}
      <div className="job-actions">
        {active ? (
          <button
            className="btn btn-small"
            data-testid="job-cancel"
            onClick={() => void cancel(job.id)}
          >
            {t('jobs.cancel')}
          </button>
        ) : (
          <>
            {RESUMABLE_KINDS.includes(job.kind) &&
              ['cancelled', 'interrupted', 'failed'].includes(job.status) && (
                <button
                  className="btn btn-small"
                  data-testid="job-resume"
                  onClick={() => void resume(job.id)}
                >
                  {t('captioning.resume')}
                </button>
              )}
            {job.datasetId != null && (
              <button
                className="btn btn-small"
                data-testid="job-open"
                onClick={() => {
                  dismiss(job.id)
                  onOpen(job.datasetId!)
                }}
              >
                {t('jobs.openDataset')}
              </button>
            )}
            <button
              className="btn btn-small btn-ghost"
              data-testid="job-dismiss"
              onClick={() => dismiss(job.id)}
            >
              {t('jobs.dismiss')}
            </button>
          </>
        )}
      </div>
    </section>
  )
}

/** Bottom-right stack of jobs; lives at App level so it survives navigation. */
export function JobPanel({ onOpen }: { onOpen(datasetId: number): void }): ReactNode {
  const { jobs } = useJobs()
  const visible = jobs.filter((j) => !j.dismissed)
  if (!visible.length) return null
  return (
    <aside className="job-panel" data-testid="job-panel">
      {visible.slice(0, 4).map((j) => (
        <JobCard key={j.id} job={j} onOpen={onOpen} />
      ))}
    </aside>
  )
}
