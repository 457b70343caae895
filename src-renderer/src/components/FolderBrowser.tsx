/**
 * Browser mode's folder picker: the folders of the machine running Glossa, from the allowed
 * roots (the home folder and GLOSSA_BROWSE_ROOTS) down. Only folder names and image counts come
 * back (fs.list); nothing outside the roots can be opened.
 */
import { useState } from 'react'
import type { ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import { useCall } from '../api/query'
import { errorText } from './errorText'
import { Modal } from './Modal'

export function FolderBrowser({
  start,
  onPick,
  onClose
}: {
  /** where to open (a folder inside the roots), else the roots */
  start?: string
  onPick(path: string): void
  onClose(): void
}): ReactNode {
  const { t, i18n } = useTranslation()
  const nf = new Intl.NumberFormat(i18n.language)
  const [path, setPath] = useState<string | undefined>(start)
  const q = useCall('fs.list', path ? { path } : {}, { retry: false })
  // a start folder outside the roots (or gone) falls back to the roots
  const failedStart = q.isError && path === start && start !== undefined
  const l = q.data
  return (
    <Modal
      title={t('browse.title')}
      onClose={onClose}
      testId="folder-browser"
      footer={
        <>
          <span className="muted small grow">
            {l?.path ? t('browse.images', { count: l.images, n: nf.format(l.images) }) : ''}
          </span>
          <button type="button" className="btn" onClick={onClose}>
            {t('import.cancel')}
          </button>
          <button
            type="button"
            className="btn btn-primary"
            disabled={!l?.path}
            onClick={() => l?.path && onPick(l.path)}
            data-testid="browse-pick"
          >
            {t('browse.pick')}
          </button>
        </>
      }
    >
      <div className="browse-head">
        <button
          type="button"
          className="btn btn-small"
          disabled={!l?.path}
          onClick={() => setPath(l?.parent ?? undefined)}
          data-testid="browse-up"
        >
          ↑ {t('browse.up')}
        </button>
        <span className="mono browse-path" data-testid="browse-path">
          {l?.path ?? t('browse.roots')}
        </span>
      </div>
      {q.isError && (
        <p className="text-danger" role="alert" data-testid="browse-error">
          {errorText(t, q.error)}{' '}
          {failedStart && (
            <button type="button" className="btn btn-small" onClick={() => setPath(undefined)}>
              {t('browse.toRoots')}
            </button>
          )}
        </p>
      )}
      <ul className="browse-list" data-testid="browse-list">
        {l?.dirs.map((d) => (
          <li key={d.path}>
            <button
              type="button"
              className="browse-item"
              onClick={() => setPath(d.path)}
              onDoubleClick={() => onPick(d.path)}
              data-testid="browse-dir"
            >
              <span aria-hidden>📁</span> {l.path ? d.name : d.path}
            </button>
          </li>
        ))}
        {l && l.dirs.length === 0 && <li className="muted">{t('browse.noFolders')}</li>}
        {l && l.truncated > 0 && (
          <li className="muted">{t('browse.more', { n: nf.format(l.truncated) })}</li>
        )}
      </ul>
      {!l?.path && l && <p className="muted small">{t('browse.rootsHint')}</p>}
    </Modal>
  )
}
