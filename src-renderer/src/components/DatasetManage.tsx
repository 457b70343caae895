/**
 * Renaming and deleting a dataset (from its card on the home screen or the dataset's Actions
 * menu). Delete removes the dataset's rows from the library as one undoable batch — the image
 * files and caption files are never touched — and the toast offers Undo at once.
 */
import { useState } from 'react'
import type { FormEvent, ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import type { DatasetSummary } from '@shared/api'
import { useMutate } from '../api/query'
import { Modal } from './Modal'
import { useToast } from './Toasts'
import { useJobs } from './jobs'
import { errorText } from './errorText'

export function RenameDialog({
  dataset,
  onClose
}: {
  dataset: Pick<DatasetSummary, 'id' | 'name'>
  onClose(): void
}): ReactNode {
  const { t } = useTranslation()
  const toast = useToast()
  const rename = useMutate('datasets.rename')
  const [name, setName] = useState(dataset.name)
  const [error, setError] = useState<string | null>(null)
  const trimmed = name.trim()
  async function submit(e?: FormEvent): Promise<void> {
    e?.preventDefault()
    if (!trimmed || trimmed === dataset.name) return
    try {
      const r = await rename.mutateAsync({ id: dataset.id, name: trimmed })
      toast.info(t('datasets.renamed', { name: r.name }))
      onClose()
    } catch (err) {
      setError(errorText(t, err))
    }
  }
  return (
    <Modal
      title={t('datasets.renameTitle', { name: dataset.name })}
      onClose={onClose}
      testId="rename-dialog"
      footer={
        <>
          <button type="button" className="btn" onClick={onClose}>
            {t('import.cancel')}
          </button>
          <button
            type="button"
            className="btn btn-primary"
            disabled={!trimmed || trimmed === dataset.name || rename.isPending}
            onClick={() => void submit()}
            data-testid="rename-confirm"
          >
            {t('datasets.rename')}
          </button>
        </>
      }
    >
      <form onSubmit={(e) => void submit(e)}>
        <label className="field">
          <span>{t('datasets.newName')}</span>
          <input
            className="input"
            value={name}
            onChange={(e) => {
              setName(e.target.value)
              setError(null)
            }}
            maxLength={200}
            autoFocus
            data-testid="rename-input"
          />
        </label>
        {error && (
          <p className="text-danger" role="alert" data-testid="rename-error">
            {error}
          </p>
        )}
      </form>
    </Modal>
  )
}

export function DeleteDialog({
  dataset,
  onClose,
  onDeleted
}: {
  dataset: Pick<DatasetSummary, 'id' | 'name' | 'images'>
  onClose(): void
  /** after the delete started (navigate away from the dataset) */
  onDeleted?(): void
}): ReactNode {
  const { t, i18n } = useTranslation()
  const nf = new Intl.NumberFormat(i18n.language)
  const toast = useToast()
  const { track } = useJobs()
  const del = useMutate('datasets.delete')
  const undo = useMutate('history.undo')
  const [error, setError] = useState<string | null>(null)
  async function confirm(): Promise<void> {
    try {
      const r = await del.mutateAsync({ id: dataset.id })
      if (r.jobId !== null) void track(r.jobId)
      const batchId = r.batchId
      toast.info(t('datasets.deleted', { name: r.name, n: nf.format(r.images) }), {
        action:
          batchId === null
            ? undefined
            : {
                label: t('datasets.undoDelete'),
                run: async () => {
                  await undo.mutateAsync({ batchId })
                  toast.info(t('datasets.restored', { name: r.name }))
                }
              },
        testId: 'dataset-deleted-toast'
      })
      onClose()
      onDeleted?.()
    } catch (err) {
      setError(errorText(t, err))
    }
  }
  return (
    <Modal
      title={t('datasets.deleteTitle', { name: dataset.name })}
      onClose={onClose}
      testId="delete-dialog"
      footer={
        <>
          <button type="button" className="btn" onClick={onClose} autoFocus>
            {t('import.cancel')}
          </button>
          <button
            type="button"
            className="btn btn-danger"
            disabled={del.isPending}
            onClick={() => void confirm()}
            data-testid="delete-confirm"
          >
            {t('datasets.delete')}
          </button>
        </>
      }
    >
      <p>{t('datasets.deleteBody', { name: dataset.name, n: nf.format(dataset.images) })}</p>
      <p className="muted">{t('datasets.deleteSafe')}</p>
      {error && (
        <p className="text-danger" role="alert" data-testid="delete-error">
          {error}
        </p>
      )}
    </Modal>
  )
}
