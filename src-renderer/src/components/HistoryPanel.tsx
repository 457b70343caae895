/**
 * The history of one image (`history.image`): who changed what and when, with a diff, newest
 * first; any entry can be reverted (`history.revert`, itself a new undoable batch).
 */
import { useState } from 'react'
import type { ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import type { HistoryEntry } from '@shared/api'
import { useCall, useMutate } from '../api/query'
import { textDiff } from './BulkDialog'
import { DiffView } from './GlossaryApplyDialog'
import { useToast } from './Toasts'
import '../styles/review.css'

function EntryRow({ e, onRevert, busy }: { e: HistoryEntry; onRevert(): void; busy: boolean }) {
  const { t, i18n } = useTranslation()
  const when = new Date(e.createdAt).toLocaleString(i18n.language)
  const what = e.lang ? `${t(`review.field.${e.kind}`)} · ${e.lang}` : t(`review.field.${e.kind}`)
  return (
    <li
      className={`history-entry ${e.undone ? 'undone' : ''}`}
      data-testid="history-entry"
      data-entry-id={e.entryId}
      data-actor={e.actor ?? ''}
      data-kind={e.kind}
    >
      <div className="history-head">
        <strong className="history-actor" data-testid="history-actor">
          {e.actor ?? t('review.history.unknown')}
        </strong>
        <span className="badge">{what}</span>
        {e.undone && <span className="badge">{t('review.history.undone')}</span>}
        <span className="grow" />
        <time className="muted" dateTime={new Date(e.createdAt).toISOString()}>
          {when}
        </time>
      </div>
      <div className="history-label muted">{e.label}</div>
      <div className="history-diff" data-testid="history-diff">
        <DiffView
          diff={textDiff(e.beforeText, e.afterText, e.lang === 'zh')}
          lang={e.lang ?? 'en'}
        />
      </div>
      <button
        className="btn btn-small"
        disabled={busy}
        onClick={onRevert}
        title={t('review.history.revertHint')}
        data-testid="history-revert"
      >
        {t('review.history.revert')}
      </button>
    </li>
  )
}

export function HistoryPanel({ imageId }: { imageId: number }): ReactNode {
  const { t } = useTranslation()
  const toast = useToast()
  const [busy, setBusy] = useState(false)
  const q = useCall('history.image', { imageId, limit: 100 })
  const revertEntry = useMutate('history.revert')

  async function revert(entryId: number): Promise<void> {
    setBusy(true)
    try {
      const r = await revertEntry.mutateAsync({ entryId })
      toast.info(r.items ? t('review.history.reverted') : t('review.history.nothing'))
    } catch (e) {
      toast.error(e)
    } finally {
      setBusy(false)
    }
  }

  if (q.isError) return <p className="text-danger">{q.error.message}</p>
  if (!q.data) return <p className="muted">{t('grid.loading')}</p>
  if (!q.data.length) return <p className="muted">{t('review.history.empty')}</p>
  return (
    <ol className="history-list" data-testid="history-list">
      {q.data.map((e) => (
        <EntryRow key={e.entryId} e={e} busy={busy} onRevert={() => void revert(e.entryId)} />
      ))}
    </ol>
  )
}

/** Open/closed survives moving between images (the editor remounts per image). */
let historyOpen = false

/** The editor's History section: loads the image's history only while open. */
export function HistorySection({ imageId }: { imageId: number }): ReactNode {
  const { t } = useTranslation()
  const [open, setOpen] = useState(historyOpen)
  return (
    <details
      className="field history-section"
      open={open}
      onToggle={(e) => {
        historyOpen = e.currentTarget.open
        setOpen(e.currentTarget.open)
      }}
      data-testid="history-section"
    >
      <summary className="field-head" data-testid="history-toggle">
        {t('review.history.title')}
      </summary>
      {open && <HistoryPanel imageId={imageId} />}
    </details>
  )
}
