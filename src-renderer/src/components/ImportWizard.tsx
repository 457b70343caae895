/**
 * The import wizard: a folder path (typed on the server in browser mode, picked natively in
 * Electron) → import.detect shows the detected format (changeable), the Hugging Face caption and
 * tags columns when relevant, the first rows (image, caption, tags, concept/repeats) and the
 * warnings → Import starts the job (progress and the per-file error list live in the job panel).
 * "Import" works without a preview too: the format is then detected by the import itself.
 */
import { useState } from 'react'
import type { FormEvent, ReactNode } from 'react'
import { keepPreviousData } from '@tanstack/react-query'
import { useTranslation } from 'react-i18next'
import type { ImportDetectResult, ImportFormat, ImportFormatOptions } from '@shared/api'
import { call, client } from '../api/client'
import { useCall } from '../api/query'
import { Modal } from './Modal'
import { useToast } from './Toasts'
import { useJobs } from './jobs'
import '../styles/datatools.css'
import { IMPORT_FORMATS } from '@shared/constants'

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
              <td className="dt-caption">{row.caption ?? '—'}</td>
              <td className="dt-tags">{row.tags.join(', ')}</td>
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
  const { t } = useTranslation()
  const toast = useToast()
  const { track } = useJobs()
  const [dir, setDir] = useState('')
  const [name, setName] = useState('')
  const [busy, setBusy] = useState(false)
  /** the folder last previewed (null = no preview asked for yet) */
  const [previewDir, setPreviewDir] = useState<string | null>(null)
  const [format, setFormat] = useState<ImportFormat>('auto')
  const [captionColumn, setCaptionColumn] = useState<string | null>(null)
  const [tagsColumn, setTagsColumn] = useState<string | null>(null)

  const formatOptions: ImportFormatOptions = {
    ...(captionColumn ? { captionColumn } : {}),
    ...(tagsColumn !== null ? { tagsColumn } : {})
  }
  const detect = useCall(
    'import.detect',
    { dir: previewDir ?? '', format, formatOptions, limit: 12 },
    {
      enabled: previewDir !== null,
      placeholderData: keepPreviousData,
      retry: false,
      staleTime: 0,
      gcTime: 0
    }
  )
  const r = previewDir !== null ? detect.data : undefined
  const showColumns = r && r.format === 'hf' && r.columns.length > 0

  async function choose(): Promise<void> {
    const picked = await client.openFolder()
    if (picked) {
      setDir(picked)
      setPreviewDir(picked)
    }
  }

  function preview(): void {
    const path = dir.trim()
    if (!path) return
    if (path === previewDir) {
      void detect.refetch()
      return
    }
    setCaptionColumn(null)
    setTagsColumn(null)
    setPreviewDir(path)
  }

  async function submit(e: FormEvent): Promise<void> {
    e.preventDefault()
    const path = dir.trim()
    if (!path || busy) return
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
              onBlur={() => {
                if (previewDir !== null && dir.trim() && dir.trim() !== previewDir) preview()
              }}
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
                setCaptionColumn(null)
                setTagsColumn(null)
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
        {previewDir !== null && detect.isFetching && !r && (
          <p className="muted">{t('datatools.import.detecting')}</p>
        )}
        {previewDir !== null && detect.error && (
          <p className="text-danger" data-testid="import-detect-error">
            {detect.error.message}
          </p>
        )}
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
    </Modal>
  )
}
