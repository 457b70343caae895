/**
 * The models page: installed models (kind, files, warnings, remove) and OpenAI-compatible
 * endpoints (server, key source, test connection, remove), the inference runtime (EP in use with
 * the fallback reason, loaded sessions, unload, EP and thread settings), "add model folder" with
 * the validation error naming the file, "add endpoint" with a connection test, and the curated
 * catalogue with a dry-run file list before each download; downloads run as jobs (progress,
 * bytes/s and ETA in the job panel; cancel and resume there).
 */
import { useEffect, useState } from 'react'
import type { FormEvent, ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import type { ModelInfo } from '@shared/api'
import { client } from '../api/client'
import { useCall, useMutate } from '../api/query'
import { isActive, useJobs } from '../components/jobs'
import { ModelCatalogue } from '../components/ModelCatalogue'
import { AddEndpointForm, EndpointCard, ModelCardHead } from '../components/ModelEndpoints'
import { ModelRuntime } from '../components/ModelRuntime'
import { useToast } from '../components/Toasts'
import '../styles/captioning.css'

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e)
}

function ModelCard({ m, onRemove }: { m: ModelInfo; onRemove(): void }): ReactNode {
  const { t } = useTranslation()
  const details = [
    m.inputSize ? t('captioning.models.inputSize', { size: m.inputSize }) : null,
    m.numTags ? t('captioning.models.numTags', { count: m.numTags }) : null,
    m.batch !== null ? t('captioning.models.batch', { batch: m.batch }) : null,
    m.modelType
  ].filter(Boolean)
  return (
    <li className="model-card" data-testid="model-card" data-id={m.id} data-kind={m.kind}>
      <ModelCardHead m={m} detail={m.id} onRemove={onRemove} />
      <div className="mono model-dir" title={m.dir}>
        {m.dir}
      </div>
      <div className="model-meta muted">
        {details.join(' · ')}
        {m.repoId && <span> · {m.repoId}</span>}
      </div>
      <details className="model-files">
        <summary>{t('captioning.models.files', { count: m.files.length })}</summary>
        <ul className="mono">
          {m.files.map((f) => (
            <li key={f}>{f}</li>
          ))}
        </ul>
      </details>
      {m.warnings.length > 0 && (
        <ul className="model-warnings" aria-label={t('captioning.models.warnings')}>
          {m.warnings.map((w) => (
            <li key={w}>⚠ {w}</li>
          ))}
        </ul>
      )}
    </li>
  )
}

function AddModelForm(): ReactNode {
  const { t } = useTranslation()
  const toast = useToast()
  const addModel = useMutate('models.add')
  const [dir, setDir] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)

  async function submit(e: FormEvent): Promise<void> {
    e.preventDefault()
    const path = dir.trim()
    if (!path || busy) return
    setBusy(true)
    setError(null)
    try {
      const m = await addModel.mutateAsync({ dir: path })
      toast.info(t('captioning.models.added', { id: m.id }))
      setDir('')
    } catch (err) {
      setError(errorText(err))
    } finally {
      setBusy(false)
    }
  }

  return (
    <form className="form model-add" onSubmit={(e) => void submit(e)} data-testid="model-add">
      <label className="field">
        <span>{t('captioning.models.addPath')}</span>
        <div className="row-gap">
          <input
            className="input mono grow"
            value={dir}
            onChange={(e) => setDir(e.target.value)}
            placeholder={t('captioning.models.addPlaceholder')}
            spellCheck={false}
            data-testid="model-add-path"
          />
          {client.mode === 'electron' && (
            <button
              type="button"
              className="btn"
              onClick={() => void client.openFolder().then((p) => p && setDir(p))}
            >
              {t('captioning.models.choose')}
            </button>
          )}
          <button
            type="submit"
            className="btn btn-primary"
            disabled={!dir.trim() || busy}
            data-testid="model-add-submit"
          >
            {t('captioning.models.addButton')}
          </button>
        </div>
        <small className="muted">{t('captioning.models.addHint')}</small>
      </label>
      {error && (
        <p className="model-error" role="alert" data-testid="model-add-error">
          {error}
        </p>
      )}
    </form>
  )
}

export function ModelsPage(): ReactNode {
  const { t } = useTranslation()
  const toast = useToast()
  const { jobs } = useJobs()
  // a finished download registers its model (job.finished goes through the change map)
  const models = useCall('models.list', {})
  const removeModel = useMutate('models.remove')
  const status = useCall('models.status', {})
  useEffect(() => {
    if (models.error) toast.error(models.error)
  }, [models.error, toast])
  const downloading = jobs.some((j) => j.kind === 'download' && isActive(j.status))

  async function remove(id: string): Promise<void> {
    try {
      await removeModel.mutateAsync({ id })
      toast.info(t('captioning.models.removed', { id }))
    } catch (e) {
      toast.error(e)
    }
  }

  return (
    <main className="models-page" data-testid="models-page">
      <h1>{t('captioning.models.title')}</h1>
      <section className="models-section">
        <h2>{t('captioning.models.installed')}</h2>
        {models.data && models.data.length === 0 && (
          <p className="muted">{t('captioning.models.none')}</p>
        )}
        <ul className="model-list" data-testid="model-list">
          {models.data?.map((m) =>
            m.endpoint ? (
              <EndpointCard
                key={m.id}
                m={m}
                keyStorage={status.data?.keyStorage ?? false}
                onRemove={() => void remove(m.id)}
              />
            ) : (
              <ModelCard key={m.id} m={m} onRemove={() => void remove(m.id)} />
            )
          )}
        </ul>
      </section>
      <section className="models-section">
        <h2>{t('captioning.models.add')}</h2>
        <AddModelForm />
      </section>
      <section className="models-section">
        <h2>{t('captioning.endpoints.title')}</h2>
        <AddEndpointForm />
      </section>
      <section className="models-section">
        <h2>{t('captioning.models.runtime')}</h2>
        <ModelRuntime />
      </section>
      <section className="models-section">
        <h2>{t('captioning.models.catalogue')}</h2>
        <ModelCatalogue installed={models.data ?? []} busy={downloading} />
      </section>
    </main>
  )
}
