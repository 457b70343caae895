import type { ReactNode, RefObject } from 'react'
import { useTranslation } from 'react-i18next'
import { REVIEW_STATUSES } from '../api/constants'
import type { ReviewStatus } from '@shared/api'
import { useCall } from '../api/query'
import { ExtraChips } from './StatsChips'
import { Popover } from './Menu'
import type { ExtraFilter } from './StatsLinks'

export type Missing = '' | 'zh' | 'en' | 'any'

export interface FilterState {
  statuses: ReviewStatus[]
  concept: string
  missing: Missing
  errorsOnly: boolean
  /** images with in-image text (the structured text field) or an OCR watermark mark */
  hasText?: boolean
  search: string
  /** the search also matches the raw imported caption */
  searchRaw?: boolean
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
  /** with "has text / watermark" on: set every matching image to this status (one undoable batch) */
  onTextAction?(status: 'rejected' | 'needs-work'): void
}

/** The toolbar's filters: search, review status chips, and the rest behind "Filters". */
export function FilterBar({
  datasetId,
  value,
  onChange,
  searchRef,
  onTextAction
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
  const more =
    (value.concept ? 1 : 0) +
    (value.missing ? 1 : 0) +
    (value.errorsOnly ? 1 : 0) +
    (value.hasText ? 1 : 0)
  const dirty = value.statuses.length > 0 || more > 0 || value.search || value.extra

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
          aria-label={t('filter.search')}
          value={value.search}
          onChange={(e) => set({ search: e.target.value })}
          data-testid="search"
          spellCheck={false}
        />
      </div>
      {/* shown while searching: the raw imported caption is searched only when asked */}
      {value.search.trim() !== '' && (
        <label className="check small" title={t('filter.searchRawHint')}>
          <input
            type="checkbox"
            checked={value.searchRaw === true}
            onChange={(e) => set({ searchRaw: e.target.checked })}
            data-testid="search-raw"
          />
          {t('filter.searchRaw')}
        </label>
      )}
      <div className="chip-group" role="group" aria-label={t('filter.status')}>
        {REVIEW_STATUSES.map((s) => (
          <button
            key={s}
            type="button"
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
      <Popover
        label={
          <>
            {t('filter.more')}
            {more > 0 && <span className="count-badge">{more}</span>}
          </>
        }
        ariaLabel={t('filter.more')}
        testId="filter-more"
        buttonClass={`btn btn-small ${more ? 'btn-on' : ''}`}
      >
        {
          <div className="filter-panel">
            <label className="field">
              <span>{t('filter.concept')}</span>
              <select
                className="select"
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
            </label>
            <label className="field">
              <span>{t('filter.missing')}</span>
              <select
                className="select"
                value={value.missing}
                onChange={(e) => set({ missing: e.target.value as Missing })}
                data-testid="filter-missing"
              >
                <option value="">{t('filter.missingNone')}</option>
                <option value="zh">{t('filter.missing_zh')}</option>
                <option value="en">{t('filter.missing_en')}</option>
                <option value="any">{t('filter.missing_any')}</option>
              </select>
            </label>
            <label className="check">
              <input
                type="checkbox"
                checked={value.errorsOnly}
                onChange={(e) => set({ errorsOnly: e.target.checked })}
                data-testid="filter-errors"
              />
              {t('filter.errorsOnly')}
            </label>
            <label className="check" title={t('filter.hasTextHint')}>
              <input
                type="checkbox"
                checked={Boolean(value.hasText)}
                onChange={(e) => set({ hasText: e.target.checked })}
                data-testid="filter-has-text"
              />
              {t('filter.hasText')}
            </label>
            {value.hasText && onTextAction && (
              <div className="row-gap">
                <button
                  type="button"
                  className="btn btn-small"
                  onClick={() => onTextAction('rejected')}
                  data-testid="filter-text-reject"
                >
                  {t('filter.textReject')}
                </button>
                <button
                  type="button"
                  className="btn btn-small"
                  onClick={() => onTextAction('needs-work')}
                  data-testid="filter-text-flag"
                >
                  {t('filter.textFlag')}
                </button>
              </div>
            )}
          </div>
        }
      </Popover>
      {value.extra && <ExtraChips value={value.extra} onChange={(extra) => set({ extra })} />}
      {dirty && (
        <button
          type="button"
          className="btn btn-small btn-ghost"
          onClick={() => onChange(EMPTY_FILTER)}
          data-testid="filter-clear"
        >
          {t('filter.clear')}
        </button>
      )}
    </div>
  )
}
