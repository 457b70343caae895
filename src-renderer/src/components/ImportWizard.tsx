/**
 * The import wizard: a folder path (typed — `~` is the home folder —, picked from the server's
 * folders in browser mode, or natively in Electron), checked as it is typed: import.detect counts
 * the whole folder (images, captioned, uncaptioned, orphan caption files, unreadable files,
 * duplicates) and shows the detected format (changeable), the Hugging Face caption and tags
 * columns when relevant, the first rows and the warnings. Import is possible once the folder is
 * known to hold images; every problem is said in words with the path.
 */
import { useState } from 'react'
import type { FormEvent, ReactNode } from 'react'
import { keepPreviousData } from '@tanstack/react-query'
import { useTranslation } from 'react-i18next'
import type {
  ImportDetectResult,
  ImportFormat,
  ImportFormatOptions,
  ImportTotals
} from '@shared/api'
import { call, client } from '../api/client'
import { useCall } from '../api/query'
import { Modal } from './Modal'
import { errorText } from './errorText'
import { FolderBrowser } from './FolderBrowser'
import { useDebounced } from '../hooks/useDebounced'
import { useJobs } from './jobs'
import '../styles/datatools.css'
import { CAPTION_KIND_MODES, IMPORT_FORMATS, type CaptionKindMode } from '@shared/constants'

function PreviewTable({ r }: { r: ImportDetectResult }): ReactNode {
  const { t } = useTranslation()
  if (!r.rows.length) return <p className="muted">{t('datatools.import.noRows')}</p>
  return (
    <div className="dt-table-wrap">
      <table className="dt-table" data-testid="import-preview">
        <thead>
          <tr>
            <th>{t('datatools.import.colImage')}</th>
            <th>{t('datatools.import.colCaption')}</th>
            <th>{t('datatools.import.colTags')}</th>
            <th>{t('datatools.import.colConcept')}</th>
          </tr>
        </thead>
        <tbody>
          {r.rows.map((row, i) => (
            <tr key={`${row.key}-${i}`} data-testid="import-preview-row">
              <td className="mono" title={row.key}>
                {row.image ?? (
                  <span className="text-danger">
                    {row.key} · {t('datatools.import.missingImage')}
                  </span>
                )}
              </td>
              <td className="dt-caption" data-kind={row.captionKind}>
                {(row.captionTags?.length ? row.captionText : row.caption) || '—'}
              </td>
              <td className="dt-tags">{[...row.tags, ...(row.captionTags ?? [])].join(', ')}</td>
              <td>
                {row.concept ?? ''}
                {row.repeats != null && ` × ${row.repeats}`}
                {row.isReg && <span className="badge">{t('datatools.import.reg')}</span>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

export function ImportWizard({ onClose }: { onClose(): void }): ReactNode {
  const { t, i18n } = useTranslation()

  const { track } = useJobs()
  const [dir, setDir] = useState('')
  const [name, setName] = useState('')
  const [busy, setBusy] = useState(false)
  const [startError, setStartError] = useState<string | null>(null)
  const [format, setFormat] = useState<ImportFormat>('auto')
  /** how tag-list captions are read: auto-detected, all tags, all text */
  const [captionKind, setCaptionKind] = useState<CaptionKindMode>('auto')
  // the folder is checked as it is typed (once the typing pauses)
  const typed = useDebounced(dir.trim(), 400)
  const previewDir = typed || null
  /** the Hugging Face columns chosen, for the folder they were chosen for */
  const [cols, setCols] = useState<{
    dir: string | null
    caption: string | null
    tags: string | null
  }>({ dir: null, caption: null, tags: null })
  const captionColumn = cols.dir === previewDir ? cols.caption : null
  const tagsColumn = cols.dir === previewDir ? cols.tags : null
  const setCaptionColumn = (caption: string | null): void =>
    setCols({ dir: previewDir, caption, tags: tagsColumn })
  const setTagsColumn = (tags: string | null): void =>
    setCols({ dir: previewDir, caption: captionColumn, tags })

  const formatOptions: ImportFormatOptions = {
    ...(captionColumn ? { captionColumn } : {}),
    ...(tagsColumn !== null ? { tagsColumn } : {}),
    ...(captionKind !== 'auto' ? { captionKind } : {})
  }
  const detect = useCall(
    'import.detect',
    { dir: previewDir ?? '', format, formatOptions, limit: 12, totals: true },
    {
      enabled: previewDir !== null,
      placeholderData: keepPreviousData,
      retry: false,
      staleTime: 0,
      gcTime: 0
    }
  )
  const current = previewDir !== null && previewDir === dir.trim()
  const r = current ? detect.data : undefined
  const showColumns = r && r.format === 'hf' && r.columns.length > 0
  const [browsing, setBrowsing] = useState(false)
  const ready = !!r?.totals && r.totals.images + r.totals.unreadable > 0 && !detect.isFetching

  async function choose(): Promise<void> {
    if (client.mode === 'browser') {
      setBrowsing(true)
      return
    }
    const picked = await client.openFolder()
    if (picked) setDir(picked)
  }

  function preview(): void {
    if (dir.trim() && dir.trim() === previewDir) void detect.refetch()
  }

  async function submit(e: FormEvent): Promise<void> {
    e.preventDefault()
    const path = dir.trim()
    if (!path || busy || !ready) return
    setBusy(true)
    try {
      // the previewed format is what the user saw; without a preview the import detects it
      const chosen: ImportFormat = r && previewDir === path ? r.format : format
      const res = await call('import.start', {
        dir: path,
        format: chosen,
        formatOptions,
        ...(name.trim() ? { datasetName: name.trim() } : {})
      })
      void track(res.jobId)
      onClose()
    } catch (err) {
      setStartError(errorText(t, err))
    } finally {
      setBusy(false)
    }
  }

  return (
    <Modal
      title={t('import.title')}
      onClose={onClose}
      testId="import-dialog"
      wide={previewDir !== null}
      footer={
        <>
          <button type="button" className="btn btn-ghost" onClick={onClose}>
            {t('import.cancel')}
          </button>
          <button
            type="button"
            className="btn"
            onClick={preview}
            disabled={!dir.trim()}
            data-testid="import-detect"
          >
            {t('datatools.import.detect')}
          </button>
          <button
            type="submit"
            form="import-form"
            className="btn btn-primary"
            disabled={!dir.trim() || busy || !ready}
            data-testid="import-start"
          >
            {r?.totals
              ? t('import.startN', {
                  count: r.totals.images,
                  n: new Intl.NumberFormat(i18n.language).format(r.totals.images)
                })
              : t('import.start')}
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
              onChange={(e) => {
                setDir(e.target.value)
                setStartError(null)
              }}
              placeholder={t('import.pathPlaceholder')}
              spellCheck={false}
              aria-describedby="import-path-state"
              data-testid="import-path"
            />
            <button
              type="button"
              className="btn"
              onClick={() => void choose()}
              data-testid="import-browse"
            >
              {t('import.choose')}
            </button>
          </div>
          <small className="muted" id="import-path-state" data-testid="import-path-state">
            {!dir.trim()
              ? t('import.pathHint')
              : !current || (detect.isFetching && !r)
                ? t('import.checking')
                : detect.error
                  ? ''
                  : r?.totals && r.totals.images + r.totals.unreadable === 0
                    ? t('import.noImages')
                    : t('import.pathHint')}
          </small>
        </label>
        <div className="dt-cols">
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
          <label className="field">
            <span>{t('datatools.import.format')}</span>
            <select
              className="input"
              value={r && format === 'auto' ? r.format : format}
              onChange={(e) => {
                setFormat(e.target.value as ImportFormat)
                setCols({ dir: previewDir, caption: null, tags: null })
              }}
              data-testid="import-format"
            >
              {IMPORT_FORMATS.map((f) => (
                <option key={f} value={f}>
                  {t(`datatools.import.format_${f}`)}
                </option>
              ))}
            </select>
          </label>
        </div>
        {current && detect.error && (
          <p className="text-danger" role="alert" data-testid="import-detect-error">
            {errorText(t, detect.error)}
          </p>
        )}
        {startError && (
          <p className="text-danger" role="alert" data-testid="import-start-error">
            {startError}
          </p>
        )}
        {r?.totals && <Totals totals={r.totals} />}
        {r && (
          <section className="dt-section" data-testid="import-detected" data-format={r.format}>
            <p>
              <strong>
                {t('datatools.import.detected', {
                  format: t(`datatools.import.format_${r.format}`)
                })}
              </strong>
              {r.candidates.length > 1 && (
                <span className="muted">
                  {' · '}
                  {t('datatools.import.candidates', {
                    list: r.candidates
                      .filter((c) => c.format !== r.format)
                      .map((c) => `${c.format} (${c.reason})`)
                      .join('; ')
                  })}
                </span>
              )}
            </p>
            {r.metadataFiles.length > 0 && (
              <p className="muted mono small">
                {t('datatools.import.metadataFiles', { files: r.metadataFiles.join(', ') })}
              </p>
            )}
            {showColumns && (
              <div className="dt-cols">
                <label className="field">
                  <span>{t('datatools.import.captionColumn')}</span>
                  <select
                    className="input"
                    value={captionColumn ?? (r.columns.includes('text') ? 'text' : '')}
                    onChange={(e) => setCaptionColumn(e.target.value)}
                    data-testid="import-caption-column"
                  >
                    {!r.columns.includes('text') && <option value="">text</option>}
                    {r.columns
                      .filter((c) => c !== 'file_name')
                      .map((c) => (
                        <option key={c} value={c}>
                          {c}
                        </option>
                      ))}
                  </select>
                </label>
                <label className="field">
                  <span>{t('datatools.import.tagsColumn')}</span>
                  <select
                    className="input"
                    value={tagsColumn ?? (r.columns.includes('tags') ? 'tags' : '')}
                    onChange={(e) => setTagsColumn(e.target.value)}
                    data-testid="import-tags-column"
                  >
                    <option value="">{t('datatools.import.noTags')}</option>
                    {r.columns
                      .filter((c) => c !== 'file_name')
                      .map((c) => (
                        <option key={c} value={c}>
                          {c}
                        </option>
                      ))}
                  </select>
                </label>
              </div>
            )}
            <div className="dt-cols" data-testid="import-caption-kinds">
              <label className="field">
                <span>{t('datatools.import.captionKind')}</span>
                <select
                  className="input"
                  value={captionKind}
                  onChange={(e) => setCaptionKind(e.target.value as CaptionKindMode)}
                  data-testid="import-caption-kind"
                >
                  {CAPTION_KIND_MODES.map((m) => (
                    <option key={m} value={m}>
                      {t(`datatools.import.captionKind_${m}`)}
                    </option>
                  ))}
                </select>
              </label>
              <p
                className="muted small"
                data-testid="import-caption-kind-count"
                data-tags={(r.totals?.captionKinds ?? r.captionKinds).tags}
                data-mixed={(r.totals?.captionKinds ?? r.captionKinds).mixed}
              >
                {t(
                  r.totals
                    ? 'datatools.import.captionKindTotal'
                    : 'datatools.import.captionKindCount',
                  r.totals?.captionKinds ?? r.captionKinds
                )}
              </p>
            </div>
            {r.warnings.length > 0 && (
              <details className="dt-warnings" open data-testid="import-warnings">
                <summary>
                  {t('datatools.import.warnings')} ({r.warnings.length})
                </summary>
                <ul>
                  {r.warnings.map((w, i) => (
                    <li key={i}>{w}</li>
                  ))}
                </ul>
              </details>
            )}
            <h3 className="dt-h">{t('datatools.import.preview')}</h3>
            <PreviewTable r={r} />
          </section>
        )}
      </form>
      {browsing && (
        <FolderBrowser
          start={dir.trim() || undefined}
          onClose={() => setBrowsing(false)}
          onPick={(p) => {
            setBrowsing(false)
            setDir(p)
          }}
        />
      )}
    </Modal>
  )
}

/** What the import will bring in, counted before anything is written. */
function Totals({ totals: x }: { totals: ImportTotals }): ReactNode {
  const { t, i18n } = useTranslation()
  const nf = new Intl.NumberFormat(i18n.language)
  const cells: { key: string; label: string; n: number; warn?: boolean }[] = [
    { key: 'images', label: t('import.totals.images'), n: x.images },
    { key: 'captioned', label: t('import.totals.captioned'), n: x.captioned },
    { key: 'uncaptioned', label: t('import.totals.uncaptioned'), n: x.uncaptioned },
    { key: 'orphans', label: t('import.totals.orphans'), n: x.orphanCaptions, warn: true },
    { key: 'unreadable', label: t('import.totals.unreadable'), n: x.unreadable, warn: true },
    { key: 'duplicates', label: t('import.totals.duplicates'), n: x.duplicates, warn: true }
  ]
  const examples = [
    ...x.examples.unreadable.map((u) => `${u.path}: ${u.reason}`),
    ...x.examples.orphanCaptions.map((p) => t('import.totals.orphanExample', { path: p })),
    ...x.examples.duplicates.map((d) =>
      t('import.totals.duplicateExample', { list: d.join(' = ') })
    )
  ]
  return (
    <section
      className="import-totals"
      data-testid="import-totals"
      aria-label={t('import.totals.title')}
    >
      <dl className="totals-grid">
        {cells.map((c) => (
          <div
            key={c.key}
            className={`totals-cell ${c.warn && c.n > 0 ? 'totals-warn' : ''}`}
            data-testid={`total-${c.key}`}
            data-count={c.n}
          >
            <dt>{c.label}</dt>
            <dd>{nf.format(c.n)}</dd>
          </div>
        ))}
      </dl>
      {examples.length > 0 && (
        <details className="dt-warnings" data-testid="import-total-examples">
          <summary>{t('import.totals.examples')}</summary>
          <ul>
            {examples.map((e, i) => (
              <li key={i} className="mono small">
                {e}
              </li>
            ))}
          </ul>
        </details>
      )}
    </section>
  )
}
