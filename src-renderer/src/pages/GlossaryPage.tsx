/**
 * The glossary page: the global entries, or a dataset's entries together with the global ones
 * that apply to it; create, edit and delete entries; import a CSV/JSON file (a path on the
 * machine running the core) with its row-level errors; export to a file.
 */
import { useState } from 'react'
import type { ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import type { Args, GlossaryRecord, Result } from '@shared/api'
import { call } from '../api/client'
import { useCall, useMutate } from '../api/query'
import { GlossaryEntryForm } from '../components/GlossaryEntryForm'
import { useToast } from '../components/Toasts'
import '../styles/glossary.css'

type Format = 'auto' | 'csv' | 'json'

function EntryRow({
  r,
  onEdit,
  onDelete
}: {
  r: GlossaryRecord
  onEdit(): void
  onDelete(): void
}): ReactNode {
  const { t } = useTranslation()
  const e = r.entry
  const trig = [
    ...e.triggers.tags.map((x) => `${t('glossary.triggerKinds.tag')}: ${x}`),
    ...e.triggers.keywords.map((x) => `${t('glossary.triggerKinds.keyword')}: ${x}`),
    ...e.triggers.regex.map((x) => `${t('glossary.triggerKinds.regex')}: ${x}`),
    ...e.triggers.paths.map((x) => `${t('glossary.triggerKinds.path')}: ${x}`)
  ]
  if (r.assigned) trig.push(t('glossary.page.assigned', { count: r.assigned }))
  return (
    <tr data-testid="glossary-row" data-id={r.id}>
      <td>
        <span className={`scope-chip ${r.datasetId == null ? 'scope-global' : ''}`}>
          {r.datasetId == null ? t('glossary.page.global') : t('glossary.page.dataset')}
        </span>
      </td>
      <td>{t(`glossary.kinds.${e.kind}`)}</td>
      <td lang="zh">{e.name.zh ?? ''}</td>
      <td>{e.name.en ?? ''}</td>
      <td className="small">
        <div lang="zh">{e.aliases.zh.join(' | ')}</div>
        <div>{e.aliases.en.join(' | ')}</div>
      </td>
      <td className="small">{trig.join(' · ') || <span className="muted">—</span>}</td>
      <td className="small">
        {t(`glossary.fields.${e.injection.target}`)} · {t(`glossary.modes.${e.injection.mode}`)}
        {e.injection.trigger && <code> {e.injection.trigger}</code>}
        {e.fixedTraits.length > 0 && <div className="muted">{e.fixedTraits.join(' | ')}</div>}
      </td>
      <td className="actions">
        <button className="btn btn-small" onClick={onEdit} data-testid="glossary-edit">
          {t('glossary.page.edit')}
        </button>
        <button className="btn btn-small btn-danger" onClick={onDelete}>
          {t('glossary.page.delete')}
        </button>
      </td>
    </tr>
  )
}

function ImportExport({ datasetId }: { datasetId: number | null }): ReactNode {
  const { t } = useTranslation()
  const importGlossary = useMutate('glossary.import')
  const toast = useToast()
  const [file, setFile] = useState('')
  const [format, setFormat] = useState<Format>('auto')
  const [overwrite, setOverwrite] = useState(false)
  const [busy, setBusy] = useState(false)
  const [imported, setImported] = useState<Result<'glossary.import'> | null>(null)

  const base = (): Args<'glossary.import'> => ({
    file: file.trim(),
    ...(format === 'auto' ? {} : { format }),
    ...(datasetId != null ? { datasetId } : {})
  })

  async function run(kind: 'import' | 'export'): Promise<void> {
    setBusy(true)
    try {
      if (kind === 'import') {
        setImported(null)
        setImported(await importGlossary.mutateAsync(base()))
      } else {
        const r = await call('glossary.export', { ...base(), overwrite })
        toast.info(t('glossary.page.exported', { count: r.entries, file: r.file }))
      }
    } catch (e) {
      toast.error(e)
    } finally {
      setBusy(false)
    }
  }

  return (
    <section className="glossary-io">
      <div className="row-gap">
        <input
          className="input mono grow"
          value={file}
          onChange={(e) => setFile(e.target.value)}
          placeholder={t('glossary.page.filePlaceholder')}
          aria-label={t('glossary.page.file')}
          data-testid="glossary-file"
        />
        <select
          className="select"
          value={format}
          onChange={(e) => setFormat(e.target.value as Format)}
          aria-label={t('glossary.page.format')}
        >
          <option value="auto">{t('glossary.page.formatAuto')}</option>
          <option value="csv">CSV</option>
          <option value="json">JSON</option>
        </select>
        <button
          className="btn"
          disabled={busy || !file.trim()}
          onClick={() => void run('import')}
          data-testid="glossary-import"
        >
          {t('glossary.page.import')}
        </button>
        <button
          className="btn"
          disabled={busy || !file.trim()}
          onClick={() => void run('export')}
          data-testid="glossary-export"
        >
          {t('glossary.page.export')}
        </button>
        <label className="check">
          <input
            type="checkbox"
            checked={overwrite}
            onChange={(e) => setOverwrite(e.target.checked)}
          />
          {t('glossary.page.overwrite')}
        </label>
      </div>
      <small className="muted">{t('glossary.page.fileHint')}</small>
      {imported && (
        <div className="import-result" data-testid="glossary-import-result">
          <p data-errors={imported.rowErrors.length}>
            {t('glossary.page.importResult', {
              added: imported.added,
              updated: imported.updated,
              unchanged: imported.unchanged,
              errors: imported.rowErrors.length
            })}
          </p>
          {imported.rowErrors.length > 0 && (
            <table className="row-errors">
              <thead>
                <tr>
                  <th>{t('glossary.page.row')}</th>
                  <th>{t('glossary.page.column')}</th>
                  <th>{t('glossary.page.message')}</th>
                </tr>
              </thead>
              <tbody>
                {imported.rowErrors.map((e, i) => (
                  <tr key={i} data-testid="glossary-row-error">
                    <td>{e.row}</td>
                    <td className="mono">{e.column ?? ''}</td>
                    <td>{e.message}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
      )}
    </section>
  )
}

export function GlossaryPage({
  datasetId,
  onScope
}: {
  datasetId: number | null
  onScope(id: number | null): void
}): ReactNode {
  const { t } = useTranslation()
  const toast = useToast()
  const [editing, setEditing] = useState<GlossaryRecord | 'new' | null>(null)
  const datasets = useCall('datasets.list', {})
  const list = useCall('glossary.list', datasetId != null ? { datasetId } : {})
  const deleteEntry = useMutate('glossary.delete')

  async function remove(r: GlossaryRecord): Promise<void> {
    const name = r.entry.name.zh ?? r.entry.name.en ?? ''
    if (!window.confirm(t('glossary.page.confirmDelete', { name }))) return
    try {
      await deleteEntry.mutateAsync({ id: r.id })
    } catch (e) {
      toast.error(e)
    }
  }

  const rows = list.data ?? []
  return (
    <main className="glossary-page" data-testid="glossary-page">
      <header className="glossary-head">
        <h1>{t('glossary.page.title')}</h1>
        <select
          className="select"
          value={datasetId ?? ''}
          onChange={(e) => onScope(e.target.value ? Number(e.target.value) : null)}
          aria-label={t('glossary.page.scope')}
          data-testid="glossary-scope"
        >
          <option value="">{t('glossary.page.globalOnly')}</option>
          {datasets.data?.map((d) => (
            <option key={d.id} value={d.id}>
              {t('glossary.page.forDataset', { name: d.name })}
            </option>
          ))}
        </select>
        {datasetId != null && (
          <a className="btn btn-ghost" href={`#/datasets/${datasetId}`}>
            {t('glossary.page.backToDataset')}
          </a>
        )}
        <span className="grow" />
        <button
          className="btn btn-primary"
          onClick={() => setEditing('new')}
          data-testid="glossary-new"
        >
          {t('glossary.page.new')}
        </button>
      </header>
      <ImportExport datasetId={datasetId} />
      <div className="glossary-table-wrap">
        <table className="glossary-table" data-testid="glossary-table" data-count={rows.length}>
          <thead>
            <tr>
              <th>{t('glossary.page.scope')}</th>
              <th>{t('glossary.form.kind')}</th>
              <th>{t('glossary.form.nameZh')}</th>
              <th>{t('glossary.form.nameEn')}</th>
              <th>{t('glossary.page.aliases')}</th>
              <th>{t('glossary.form.triggers')}</th>
              <th>{t('glossary.form.injection')}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <EntryRow
                key={r.id}
                r={r}
                onEdit={() => setEditing(r)}
                onDelete={() => void remove(r)}
              />
            ))}
          </tbody>
        </table>
        {list.isSuccess && rows.length === 0 && <p className="empty">{t('glossary.page.empty')}</p>}
        {list.error && <p className="text-danger">{list.error.message}</p>}
      </div>
      {editing && (
        <GlossaryEntryForm
          record={editing === 'new' ? undefined : editing}
          datasetId={datasetId}
          onClose={() => setEditing(null)}
        />
      )}
    </main>
  )
}
