import { useState } from 'react'
import type { FormEvent, ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import type { ExecutionProviderName, RuntimeSettings } from '@shared/api'
import { EXECUTION_PROVIDERS } from '@shared/constants'
import { useCall, useMutate } from '../api/query'
import { useToast } from './Toasts'

const EPS = EXECUTION_PROVIDERS

/** A loaded session's key (a JSON array starting with the model path) as "folder/file". */
function sessionLabel(key: string): string {
  let file = key
  try {
    const parsed: unknown = JSON.parse(key)
    if (Array.isArray(parsed) && typeof parsed[0] === 'string') file = parsed[0]
  } catch {
    // not JSON: a plain path
  }
  return file.split(/[\\/]/).slice(-2).join('/')
}

/** The inference worker: EP in use (with the fallback reason), loaded sessions, unload, settings. */
export function ModelRuntime(): ReactNode {
  const { t } = useTranslation()
  const toast = useToast()
  // the worker's state changes without library events (sessions load and idle out): poll it
  const status = useCall('models.status', {}, { refetchInterval: 5000 })
  const unloadModels = useMutate('models.unload')
  const setRuntime = useMutate('models.setRuntime')
  // the settings being edited; until the first edit, the library's
  const [edited, setForm] = useState<RuntimeSettings | null>(null)
  const form = edited ?? status.data?.runtime ?? null

  async function unload(): Promise<void> {
    try {
      await unloadModels.mutateAsync({})
      toast.info(t('captioning.models.unloaded'))
    } catch (e) {
      toast.error(e)
    }
  }

  async function save(e: FormEvent): Promise<void> {
    e.preventDefault()
    if (!form) return
    try {
      setForm(await setRuntime.mutateAsync(form))
      toast.info(t('captioning.models.runtimeSaved'))
    } catch (err) {
      toast.error(err)
    }
  }

  const s = status.data
  const threads = (v: string): number => Math.max(0, Math.min(256, Math.floor(Number(v) || 0)))
  return (
    <div className="model-runtime" data-testid="model-runtime">
      {s && (
        <div className="model-status">
          <span className={`badge ${s.running ? 'model-on' : ''}`} data-testid="model-running">
            {s.running ? t('captioning.models.running') : t('captioning.models.stopped')}
          </span>
          <span data-testid="model-ep" data-ep={s.ep ?? ''}>
            {s.ep ? t('captioning.models.epInUse', { ep: s.ep }) : t('captioning.models.epNone')}
          </span>
          {s.fallbackReason && (
            <span className="text-warn" data-testid="model-fallback">
              {t('captioning.models.fallback', { reason: s.fallbackReason })}
            </span>
          )}
          <span className="muted">
            {s.loaded.length
              ? t('captioning.models.loaded', {
                  list: s.loaded.map(sessionLabel).join(', ')
                })
              : t('captioning.models.loadedNone')}
          </span>
          <span className="muted">{t('captioning.models.starts', { count: s.starts })}</span>
          <button
            className="btn btn-small"
            onClick={() => void unload()}
            disabled={!s.running}
            data-testid="model-unload"
          >
            {t('captioning.models.unload')}
          </button>
        </div>
      )}
      {form && (
        <form className="model-runtime-form" onSubmit={(e) => void save(e)}>
          <label className="field">
            <span>{t('captioning.models.ep')}</span>
            <select
              className="select"
              value={form.ep}
              onChange={(e) => setForm({ ...form, ep: e.target.value as ExecutionProviderName })}
              data-testid="model-ep-select"
            >
              {EPS.map((ep) => (
                <option key={ep} value={ep}>
                  {ep}
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            <span>{t('captioning.models.intraThreads')}</span>
            <input
              className="input"
              type="number"
              min={0}
              max={256}
              value={form.intraOpThreads}
              onChange={(e) => setForm({ ...form, intraOpThreads: threads(e.target.value) })}
            />
          </label>
          <label className="field">
            <span>{t('captioning.models.interThreads')}</span>
            <input
              className="input"
              type="number"
              min={0}
              max={256}
              value={form.interOpThreads}
              onChange={(e) => setForm({ ...form, interOpThreads: threads(e.target.value) })}
            />
          </label>
          <button type="submit" className="btn" data-testid="model-runtime-save">
            {t('captioning.models.saveRuntime')}
          </button>
        </form>
      )}
    </div>
  )
}
