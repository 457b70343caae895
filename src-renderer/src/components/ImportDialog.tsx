import { useState } from 'react'
import type { FormEvent, ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import { call, client } from '../api/client'
import { Modal } from './Modal'
import { useToast } from './Toasts'
import { useJobs } from './jobs'

/** Electron picks a folder natively; browser mode types a path that exists on the server. */
export function ImportDialog({ onClose }: { onClose(): void }): ReactNode {
  const { t } = useTranslation()
  const toast = useToast()
  const { track } = useJobs()
  const [dir, setDir] = useState('')
  const [name, setName] = useState('')
  const [busy, setBusy] = useState(false)

  async function choose(): Promise<void> {
    const picked = await client.openFolder()
    if (picked) setDir(picked)
  }

  async function submit(e: FormEvent): Promise<void> {
    e.preventDefault()
    const path = dir.trim()
    if (!path || busy) return
    setBusy(true)
    try {
      const r = await call('import.start', {
        dir: path,
        ...(name.trim() ? { datasetName: name.trim() } : {})
      })
      void track(r.jobId)
      onClose()
    } catch (err) {
      toast.error(err)
    } finally {
      setBusy(false)
    }
  }

  return (
    <Modal
      title={t('import.title')}
      onClose={onClose}
      testId="import-dialog"
      footer={
        <>
          <button type="button" className="btn btn-ghost" onClick={onClose}>
            {t('import.cancel')}
          </button>
          <button
            type="submit"
            form="import-form"
            className="btn btn-primary"
            disabled={!dir.trim() || busy}
            data-testid="import-start"
          >
            {t('import.start')}
          </button>
        </>
      }
    >
      <form id="import-form" className="form" onSubmit={(e) => void submit(e)}>
        <label className="field">
          <span>{t('import.pathLabel')}</span>
          <div className="row-gap">
            <input
              autoFocus
              className="input mono grow"
              value={dir}
              onChange={(e) => setDir(e.target.value)}
              placeholder={t('import.pathPlaceholder')}
              spellCheck={false}
              data-testid="import-path"
            />
            {client.mode === 'electron' && (
              <button type="button" className="btn" onClick={() => void choose()}>
                {t('import.choose')}
              </button>
            )}
          </div>
          <small className="muted">{t('import.pathHint')}</small>
        </label>
        <label className="field">
          <span>{t('import.datasetLabel')}</span>
          <input
            className="input"
            value={name}
            onChange={(e) => setName(e.target.value)}
            placeholder={t('import.datasetPlaceholder')}
            data-testid="import-name"
          />
        </label>
      </form>
    </Modal>
  )
}
