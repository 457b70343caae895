/**
 * The grid's footer: how many images the filter matches, the selection count (always visible),
 * select-all-matching and clear, the bulk edit dialog and the tag filter chips.
 */
import type { ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import type { SelectionApi } from '../hooks/useSelection'
import { showCombo, useBindings } from '../hooks/keyboard'
import { BulkDialog } from './BulkDialog'
import '../styles/review.css'

/** The grid header's select-all box: every image matching the filter, or none. */
export function SelectAllCheck({ sel }: { sel: SelectionApi }): ReactNode {
  const { t } = useTranslation()
  const state = sel.allMatching ? 'true' : (sel.count ?? 0) > 0 ? 'mixed' : 'false'
  return (
    <span
      className={`row-check ${state === 'true' ? 'on' : state === 'mixed' ? 'mixed' : ''}`}
      role="checkbox"
      aria-checked={state}
      aria-label={t('review.selectAll')}
      title={t('review.selectAll')}
      tabIndex={0}
      data-testid="select-all-check"
      onClick={(e) => {
        e.stopPropagation()
        if (sel.allMatching) sel.clear()
        else sel.selectAll()
      }}
      onKeyDown={(e) => {
        if (e.key !== ' ') return
        e.preventDefault()
        if (sel.allMatching) sel.clear()
        else sel.selectAll()
      }}
    />
  )
}

interface Props {
  datasetId: number
  sel: SelectionApi
  tagFilter: string[]
  onTagFilter(tags: string[]): void
  bulkOpen: boolean
  onBulkOpen(open: boolean): void
  /** images matching the filter (null while counting) */
  total: number | null
  fetching: boolean
}

export function BulkBar(p: Props): ReactNode {
  const { t, i18n } = useTranslation()
  const bindings = useBindings()
  const nf = new Intl.NumberFormat(i18n.language)
  const { sel } = p
  const keys = (a: 'selectAll' | 'bulk'): string =>
    bindings[a][0] ? ` (${showCombo(bindings[a][0])})` : ''
  return (
    <div className="review-bar" data-testid="review-bar">
      <span
        className={`total ${p.fetching ? 'total-busy' : ''}`}
        data-testid="grid-total"
        data-count={p.total ?? ''}
      >
        {p.total == null ? t('grid.loading') : t('grid.total', { count: p.total })}
      </span>
      <span className="bar-sep" aria-hidden />
      <span
        className={`sel-count ${(sel.count ?? 0) > 0 ? 'sel-count-on' : ''}`}
        data-testid="selection-count"
        data-count={sel.count ?? ''}
        data-mode={sel.mode}
        aria-live="polite"
      >
        {sel.count == null
          ? t('review.counting')
          : t('review.selected', { count: sel.count, n: nf.format(sel.count) })}
        {sel.mode === 'all' && <span className="muted"> · {t('review.allMatching')}</span>}
      </span>
      {!sel.allMatching && (
        <button
          className="btn btn-small btn-ghost"
          onClick={sel.selectAll}
          title={t('review.selectAll') + keys('selectAll')}
          data-testid="select-all"
        >
          {t('review.selectAll')}
        </button>
      )}
      {(sel.count ?? 0) > 0 && (
        <button
          className="btn btn-small btn-ghost"
          onClick={sel.clear}
          title={`${t('review.clear')} (Esc)`}
          data-testid="select-clear"
        >
          {t('review.clear')}
        </button>
      )}
      <button
        className="btn btn-small btn-primary"
        disabled={!sel.selection}
        onClick={() => p.onBulkOpen(true)}
        title={t('review.bulk.open') + keys('bulk')}
        data-testid="bulk-open"
      >
        {t('review.bulk.open')}
      </button>
      {p.tagFilter.map((tag) => (
        <span key={tag} className="chip chip-on tag-chip" data-testid="tag-filter-chip">
          {tag}
          <button
            className="chip-x"
            aria-label={t('review.tags.unfilter', { tag })}
            onClick={() => p.onTagFilter(p.tagFilter.filter((x) => x !== tag))}
          >
            ×
          </button>
        </span>
      ))}
      {p.bulkOpen && sel.selection && (
        <BulkDialog
          datasetId={p.datasetId}
          selection={sel.selection}
          count={sel.count}
          onClose={() => p.onBulkOpen(false)}
          onApplied={(kind) => {
            // the images left the view: what was selected is gone
            if (kind === 'delete' || kind === 'move') sel.clear()
          }}
        />
      )}
    </div>
  )
}
