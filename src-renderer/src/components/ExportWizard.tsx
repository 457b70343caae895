/**
 * The export wizard: a profile (format, caption composition, review filter — approved only by
 * default — image options; saved profiles can be loaded, saved and deleted), the destination (a
 * typed server path in browser mode), a live dry-run summary (export.plan with the destination's
 * refusal checks) → Start: the job's progress (also in the job panel) → the validation report.
 */
import { useEffect, useState } from 'react'
import type { ReactNode } from 'react'
import { keepPreviousData } from '@tanstack/react-query'
import { useTranslation } from 'react-i18next'
import type { ExportProfileData, ImageFilter } from '@shared/api'
import { client } from '../api/client'
import { useCall, useMutate } from '../api/query'
import { useDebounced } from '../hooks/useDebounced'
import { DEFAULT_EXPORT_PROFILE } from '@shared/constants'
import { ExportProfileForm } from './ExportProfileForm'
import { PlanView, ReportView } from './ExportPlanView'
import { Modal } from './Modal'
import { useToast } from './Toasts'
import { isActive, useJobs } from './jobs'
import '../styles/datatools.css'

interface Props {
  datasetId: number
  filter: ImageFilter
  onClose(): void
}

/** Whether the grid filter narrows anything beyond the dataset. */
const narrows = (f: ImageFilter): boolean => Object.keys(f).some((k) => k !== 'datasetId')

function Profiles(p: {
  profile: ExportProfileData
  onLoad(p: ExportProfileData): void
}): ReactNode {
  const { t } = useTranslation()
  const toast = useToast()
  const [id, setId] = useState<number | null>(null)
  const [name, setName] = useState('')
  const list = useCall('export.profiles.list', {})
  const saveProfile = useMutate('export.profiles.save')
  const deleteProfile = useMutate('export.profiles.delete')
  async function save(): Promise<void> {
    try {
      const rec = await saveProfile.mutateAsync({
        ...(id != null ? { id } : {}),
        name: name.trim(),
        profile: p.profile
      })
      setId(rec.id)
      toast.info(t('datatools.export.profileSaved', { name: rec.name }))
    } catch (e) {
      toast.error(e)
    }
  }
  async function remove(): Promise<void> {
    if (id == null) return
    try {
      await deleteProfile.mutateAsync({ id })
      setId(null)
      setName('')
    } catch (e) {
      toast.error(e)
    }
  }
  return (
    <fieldset className="dt-fieldset">
      <legend>{t('datatools.export.profile')}</legend>
      <select
        className="input"
        value={id ?? ''}
        onChange={(e) => {
          const rec = list.data?.find((r) => r.id === Number(e.target.value))
          setId(rec?.id ?? null)
          setName(rec?.name ?? '')
          if (rec) p.onLoad(rec.profile)
        }}
        data-testid="export-profile-select"
      >
        <option value="">{t('datatools.export.profileNone')}</option>
        {list.data?.map((r) => (
          <option key={r.id} value={r.id}>
            {r.name} ({r.profile.format})
          </option>
        ))}
      </select>
      <div className="row-gap">
        <input
          className="input grow"
          value={name}
          placeholder={t('datatools.export.profileName')}
          aria-label={t('datatools.export.profileName')}
          onChange={(e) => setName(e.target.value)}
          data-testid="export-profile-name"
        />
        <button
          type="button"
          className="btn btn-small"
          disabled={!name.trim()}
          onClick={() => void save()}
          data-testid="export-profile-save"
        >
          {t('datatools.export.saveProfile')}
        </button>
        {id != null && (
          <button type="button" className="btn btn-small btn-danger" onClick={() => void remove()}>
            {t('datatools.export.deleteProfile')}
          </button>
        )}
      </div>
    </fieldset>
  )
}

/** Progress of the running export, then its validation report. */
function Running({ jobId }: { jobId: number }): ReactNode {
  const { t } = useTranslation()
  const { jobs } = useJobs()
  const job = jobs.find((j) => j.id === jobId)
  const finished = job != null && !isActive(job.status)
  // read once the job has finished (job.finished refreshes it through the change map)
  const report = useCall('export.report', { jobId }, { enabled: finished })
  const pct = job && job.total > 0 ? Math.min(100, (job.done / job.total) * 100) : 0
  if (report.data?.report) return <ReportView report={report.data.report} />
  if (finished && report.data)
    return (
      <p className="text-danger" data-testid="export-failed">
        {t('datatools.export.failed', { error: report.data.error ?? report.data.status })}
      </p>
    )
  return (
    <section className="dt-section" data-testid="export-running">
      <strong>{t('datatools.export.running')}</strong>
      <div
        className="progress progress-live"
        role="progressbar"
        aria-label={t('datatools.export.running')}
      >
        <div className="progress-fill" style={{ width: `${pct}%` }} />
      </div>
      {job && (
        <span className="muted small">
          {t('datatools.export.progress', { phase: job.phase, done: job.done, total: job.total })}
        </span>
      )}
    </section>
  )
}

export function ExportWizard({ datasetId, filter, onClose }: Props): ReactNode {
  const { t } = useTranslation()
  const toast = useToast()
  const { track } = useJobs()
  const [profile, setProfile] = useState<ExportProfileData>(DEFAULT_EXPORT_PROFILE)
  const [destination, setDestination] = useState('')
  const [onlyFilter, setOnlyFilter] = useState(false)
  const [jobId, setJobId] = useState<number | null>(null)
  const [busy, setBusy] = useState(false)
  const startExport = useMutate('export.start')

  const args = {
    datasetId,
    profile,
    ...(onlyFilter && narrows(filter) ? { filter: { ...filter, datasetId } } : {}),
    ...(destination.trim() ? { destination: destination.trim() } : {})
  }
  const key = useDebounced(JSON.stringify(args), 300)
  const plan = useCall('export.plan', JSON.parse(key) as typeof args, {
    placeholderData: keepPreviousData,
    retry: false,
    staleTime: 0,
    gcTime: 0,
    enabled: jobId === null
  })
  const stale = key !== JSON.stringify(args) || plan.isFetching
  useEffect(() => {
    if (jobId !== null) void track(jobId)
  }, [jobId, track])

  async function choose(): Promise<void> {
    const picked = await client.openFolder()
    if (picked) setDestination(picked)
  }

  async function start(): Promise<void> {
    setBusy(true)
    try {
      const r = await startExport.mutateAsync({ ...args, destination: destination.trim() })
      setJobId(r.jobId)
    } catch (e) {
      toast.error(e)
    } finally {
      setBusy(false)
    }
  }

  const ready =
    !!destination.trim() && !!plan.data && !plan.data.destinationProblem && !plan.error && !stale
  return (
    <Modal
      title={t('datatools.export.title')}
      onClose={onClose}
      testId="export-wizard"
      wide
      footer={
        <>
          <button className="btn" onClick={onClose} data-testid="export-close">
            {t('datatools.export.close')}
          </button>
          {jobId === null && (
            <button
              className="btn btn-primary"
              disabled={!ready || busy}
              onClick={() => void start()}
              data-testid="export-start"
            >
              {t('datatools.export.start')}
            </button>
          )}
        </>
      }
    >
      {jobId !== null ? (
        <Running jobId={jobId} />
      ) : (
        <div className="dt-export">
          <div className="dt-side">
            <Profiles profile={profile} onLoad={setProfile} />
            <ExportProfileForm value={profile} onChange={setProfile} />
          </div>
          <div className="dt-main">
            <label className="field">
              <span>{t('datatools.export.destination')}</span>
              <div className="row-gap">
                <input
                  className="input mono grow"
                  value={destination}
                  onChange={(e) => setDestination(e.target.value)}
                  spellCheck={false}
                  data-testid="export-destination"
                />
                {client.mode === 'electron' && (
                  <button type="button" className="btn" onClick={() => void choose()}>
                    {t('datatools.export.choose')}
                  </button>
                )}
              </div>
              <small className="muted">{t('datatools.export.destinationHint')}</small>
            </label>
            {narrows(filter) && (
              <label className="check">
                <input
                  type="checkbox"
                  checked={onlyFilter}
                  onChange={(e) => setOnlyFilter(e.target.checked)}
                  data-testid="export-only-filter"
                />
                {t('datatools.export.onlyFilter')}
              </label>
            )}
            <h3 className="dt-h">{t('datatools.export.plan')}</h3>
            {plan.isFetching && !plan.data && (
              <p className="muted">{t('datatools.export.planning')}</p>
            )}
            {plan.error && (
              <p className="text-danger" data-testid="export-plan-error">
                {plan.error.message}
              </p>
            )}
            {plan.data && !plan.error && <PlanView plan={plan.data} />}
            {!destination.trim() && (
              <p className="muted small">{t('datatools.export.needDestination')}</p>
            )}
          </div>
        </div>
      )}
    </Modal>
  )
}
