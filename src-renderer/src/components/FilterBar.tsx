import type { ReactNode, RefObject } from 'react'
import { useTranslation } from 'react-i18next'
import { REVIEW_STATUSES } from '../api/constants'
import type { ReviewStatus } from '@shared/api'
import { useCall } from '../api/query'
import { ExtraChips } from './StatsChips'
import type { ExtraFilter } from './StatsLinks'

export type Missing = '' | 'zh' | 'en' | 'any'

export interface FilterState {
  statuses: ReviewStatus[]
  concept: string
  missing: Missing
  errorsOnly: boolean
  search: string
  /** filters a dashboard plot set (tags, sizes, caption length, bucket), shown as chips */
  extra?: ExtraFilter
}

export const EMPTY_FILTER: FilterState = {
  statuses: [],
  concept: '',
  missing: '',
  errorsOnly: false,
  search: ''
}

interface Props {
  datasetId: number
  value: FilterState
  onChange(v: FilterState): void
  searchRef: RefObject<HTMLInputElement | null>
  total: number | null
  fetching: boolean
}

export function FilterBar({
  datasetId,
  value,
  onChange,
  searchRef,
  total,
  fetching
}: Props): ReactNode {
  const { t } = useTranslation()
  const concepts = useCall('datasets.concepts', { datasetId })
  const set = (patch: Partial<FilterState>): void => onChange({ ...value, ...patch })
  const toggle = (s: ReviewStatus): void =>
    set({
      statuses: value.statuses.includes(s)
        ? value.statuses.filter((x) => x !== s)
        : [...value.statuses, s]
    })
  const dirty =
    value.statuses.length > 0 ||
    value.concept ||
    value.missing ||
    value.errorsOnly ||
    value.search ||
    value.extra

  return (
    <div className="filter-bar" data-testid="filter-bar">
      <div className="search-box">
        <svg viewBox="0 0 16 16" width="14" height="14" aria-hidden>
          <circle cx="7" cy="7" r="5" fill="none" stroke="currentColor" strokeWidth="1.6" />
          <path d="M11 11l3.5 3.5" stroke="currentColor" strokeWidth="1.6" />
        </svg>
        <input
          ref={searchRef}
          type="search"
          className="input"
          placeholder={t('filter.search')}
          value={value.search}
          onChange={(e) => set({ search: e.target.value })}
          data-testid="search"
          spellCheck={false}
        />
      </div>
      <div className="chip-group" role="group" aria-label={t('filter.status')}>
        {REVIEW_STATUSES.map((s) => (
          <button
            key={s}
            className={`chip ${value.statuses.includes(s) ? 'chip-on' : ''}`}
            aria-pressed={value.statuses.includes(s)}
            onClick={() => toggle(s)}
            data-testid={`filter-status-${s}`}
          >
            <i className={`dot status-bg-${s}`} />
            {t(`status.${s}`)}
          </button>
        ))}
      </div>
      <select
        className="select"
        aria-label={t('filter.concept')}
        value={value.concept}
        onChange={(e) => set({ concept: e.target.value })}
        data-testid="filter-concept"
      >
        <option value="">{t('filter.allConcepts')}</option>
        {concepts.data?.map((c) => (
          <option key={c.concept} value={c.concept}>
            {c.concept || '—'} ({c.count})
          </option>
        ))}
      </select>
      <select
        className="select"
        aria-label={t('filter.missing')}
        value={value.missing}
        onChange={(e) => set({ missing: e.target.value as Missing })}
        data-testid="filter-missing"
      >
        <option value="">{t('filter.missingNone')}</option>
        <option value="zh">{t('filter.missing_zh')}</option>
        <option value="en">{t('filter.missing_en')}</option>
        <option value="any">{t('filter.missing_any')}</option>
      </select>
      <label className="check">
        <input
          type="checkbox"
          checked={value.errorsOnly}
          onChange={(e) => set({ errorsOnly: e.target.checked })}
          data-testid="filter-errors"
        />
        {t('filter.errorsOnly')}
      </label>
      {value.extra && <ExtraChips value={value.extra} onChange={(extra) => set({ extra })} />}
      {dirty && (
        <button className="btn btn-small btn-ghost" onClick={() => onChange(EMPTY_FILTER)}>
          {t('filter.clear')}
        </button>
      )}
      <span className="grow" />
      <span
        className={`total ${fetching ? 'total-busy' : ''}`}
        data-testid="grid-total"
        data-count={total ?? ''}
      >
        {total == null ? t('grid.loading') : t('grid.total', { count: total })}
      </span>
    </div>
  )
}
