/**
 * The tag panel: every tag in the current filter with its count (`tags.list`), sortable by count
 * or name, with substring search. A click narrows the grid to the tag; ticked tags can be renamed
 * or merged everywhere (this dataset, or every dataset) as one undoable batch.
 */
import { useState } from 'react'
import type { ReactNode } from 'react'
import { keepPreviousData } from '@tanstack/react-query'
import { useTranslation } from 'react-i18next'
import type { ImageFilter } from '@shared/api'
import { useCall, useMutate } from '../api/query'
import { useDebounced } from '../hooks/useDebounced'
import { useJobs } from './jobs'
import { useToast } from './Toasts'
import '../styles/review.css'

type SortKey = 'count' | 'tag'

interface Props {
  datasetId: number
  filter: ImageFilter
  /** tags the grid is narrowed to */
  picked: string[]
  onPick(tag: string): void
  onClose(): void
}

export function TagPanel({ datasetId, filter, picked, onPick, onClose }: Props): ReactNode {
  const { t, i18n } = useTranslation()
  const nf = new Intl.NumberFormat(i18n.language)
  const toast = useToast()
  const jobs = useJobs()
  const renameTag = useMutate('tags.rename')
  const mergeTags = useMutate('tags.merge')
  const [search, setSearch] = useState('')
  const [sort, setSort] = useState<{ key: SortKey; dir: 'asc' | 'desc' }>({
    key: 'count',
    dir: 'desc'
  })
  const [ticked, setTicked] = useState<string[]>([])
  const [target, setTarget] = useState('')
  const [everywhere, setEverywhere] = useState(false)
  const [busy, setBusy] = useState(false)
  const q = useDebounced(search.trim(), 150)

  const list = useCall(
    'tags.list',
    { filter, sort, limit: 2000, ...(q ? { search: q } : {}) },
    { placeholderData: keepPreviousData }
  )

  const toggleSort = (key: SortKey): void =>
    setSort((s) =>
      s.key === key
        ? { key, dir: s.dir === 'asc' ? 'desc' : 'asc' }
        : { key, dir: key === 'count' ? 'desc' : 'asc' }
    )

  async function run(): Promise<void> {
    const into = target.trim()
    if (!into || !ticked.length) return
    setBusy(true)
    try {
      const scope = everywhere ? {} : { datasetId }
      const r =
        ticked.length === 1
          ? await renameTag.mutateAsync({ from: ticked[0]!, to: into, ...scope })
          : await mergeTags.mutateAsync({ tags: ticked, into, ...scope })
      if (r.jobId != null) void jobs.track(r.jobId)
      else toast.info(t('review.bulk.applied', { n: nf.format(r.changed ?? 0) }))
      setTicked([])
      setTarget('')
    } catch (e) {
      toast.error(e)
    } finally {
      setBusy(false)
    }
  }

  const arrow = (key: SortKey): string =>
    sort.key === key ? (sort.dir === 'asc' ? ' ▲' : ' ▼') : ''
  const data = list.data
  return (
    <aside className="tag-panel" data-testid="tag-panel" aria-label={t('review.tags.title')}>
      <header className="tag-panel-head">
        <strong>{t('review.tags.title')}</strong>
        {data && (
          <span className="muted" data-testid="tag-distinct" data-count={data.distinct}>
            {t('review.tags.distinct', { n: nf.format(data.distinct) })}
          </span>
        )}
        <span className="grow" />
        <button className="icon-btn" aria-label={t('review.close')} onClick={onClose}>
          ×
        </button>
      </header>
      <input
        type="search"
        className="input"
        placeholder={t('review.tags.search')}
        value={search}
        onChange={(e) => setSearch(e.target.value)}
        data-testid="tag-search"
        spellCheck={false}
      />
      <div className="tag-sort" role="group">
        <button
          className="btn btn-small btn-ghost"
          onClick={() => toggleSort('tag')}
          data-testid="tag-sort-name"
        >
          {t('review.tags.byName')}
          {arrow('tag')}
        </button>
        <button
          className="btn btn-small btn-ghost"
          onClick={() => toggleSort('count')}
          data-testid="tag-sort-count"
        >
          {t('review.tags.byCount')}
          {arrow('count')}
        </button>
      </div>
      <ul className="tag-list" data-testid="tag-list">
        {data?.tags.map((tc) => (
          <li
            key={tc.tag}
            className={`tag-item ${picked.includes(tc.tag) ? 'on' : ''}`}
            data-testid="tag-item"
            data-tag={tc.tag}
          >
            <input
              type="checkbox"
              aria-label={t('review.tags.tick', { tag: tc.tag })}
              checked={ticked.includes(tc.tag)}
              onChange={(e) =>
                setTicked((ts) =>
                  e.target.checked ? [...ts, tc.tag] : ts.filter((x) => x !== tc.tag)
                )
              }
            />
            <button
              className="tag-name"
              onClick={() => onPick(tc.tag)}
              title={t('review.tags.filterBy', { tag: tc.tag })}
              aria-pressed={picked.includes(tc.tag)}
            >
              {tc.tag}
            </button>
            <span className="tag-count mono" data-testid="tag-count">
              {nf.format(tc.count)}
            </span>
          </li>
        ))}
        {data && data.tags.length === 0 && <li className="muted">{t('review.tags.none')}</li>}
      </ul>
      {ticked.length > 0 && (
        <div className="tag-actions" data-testid="tag-actions">
          <span className="muted">
            {ticked.length === 1
              ? t('review.tags.renameLabel', { tag: ticked[0] })
              : t('review.tags.mergeLabel', { n: ticked.length })}
          </span>
          <input
            className="input"
            value={target}
            placeholder={t('review.tags.newName')}
            onChange={(e) => setTarget(e.target.value)}
            data-testid="tag-target"
            spellCheck={false}
          />
          <label className="check">
            <input
              type="checkbox"
              checked={everywhere}
              onChange={(e) => setEverywhere(e.target.checked)}
            />
            {t('review.tags.everywhere')}
          </label>
          <button
            className="btn btn-small btn-primary"
            disabled={busy || !target.trim()}
            onClick={() => void run()}
            data-testid="tag-apply"
          >
            {ticked.length === 1 ? t('review.tags.rename') : t('review.tags.merge')}
          </button>
        </div>
      )}
    </aside>
  )
}
