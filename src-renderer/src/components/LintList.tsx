/**
 * The "Lint" filter: images of the current filter with caption lint issues (captions.lint over a
 * target), narrowed by rule; clicking one opens it in the editor.
 */
import { useState } from 'react'
import type { ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import { LINT_RULES } from './glossaryConstants'
import type { ImageFilter, LintRule } from '@shared/api'
import { useCall } from '../api/query'
import { LintBadge } from './LintBadges'
import { useTokenizers } from './TokenBudget'
import { errorText } from './errorText'

interface Props {
  datasetId: number
  filter: ImageFilter
  selectedId: number | null
  onSelect(id: number): void
  onClose(): void
}

export function LintList({ datasetId, filter, selectedId, onSelect, onClose }: Props): ReactNode {
  const { t } = useTranslation()
  const tokenizers = useTokenizers()
  const [rules, setRules] = useState<LintRule[]>([])
  const q = useCall(
    'captions.lint',
    {
      target: { datasetId, filter: { ...filter, datasetId } },
      ...(rules.length ? { rules } : {}),
      limit: 1000,
      tokenizers
    },
    { placeholderData: (prev) => prev }
  )
  const toggle = (r: LintRule): void =>
    setRules((rs) => (rs.includes(r) ? rs.filter((x) => x !== r) : [...rs, r]))
  return (
    <section className="lint-list" data-testid="lint-list" aria-label={t('glossary.lint.filter')}>
      <header className="tag-panel-head">
        <strong>{t('glossary.lint.filter')}</strong>
        <span className="grow" />
        <button
          type="button"
          className="icon-btn"
          aria-label={t('toast.dismiss')}
          onClick={onClose}
          data-testid="lint-close"
        >
          ×
        </button>
      </header>
      <div className="lint-rules">
        {LINT_RULES.map((r) => (
          <button
            key={r}
            className={`seg ${rules.includes(r) ? 'seg-on' : ''}`}
            aria-pressed={rules.includes(r)}
            onClick={() => toggle(r)}
          >
            {t(`glossary.lint.${r}`)}
          </button>
        ))}
        <span className="total" data-testid="lint-total" data-count={q.data?.total ?? ''}>
          {q.data
            ? t('glossary.lint.total', { count: q.data.total, scanned: q.data.scanned })
            : t('grid.loading')}
        </span>
      </div>
      {q.error && <p className="text-danger">{errorText(t, q.error)}</p>}
      <ul className="lint-rows">
        {q.data?.images.map((img) => (
          <li key={img.imageId}>
            <button
              className={`lint-row ${img.imageId === selectedId ? 'lint-row-on' : ''}`}
              onClick={() => onSelect(img.imageId)}
              data-testid="lint-row"
              data-id={img.imageId}
            >
              <span className="mono">{img.fileName}</span>
              <span className="lint-badges">
                {img.issues.map((i, n) => (
                  <LintBadge key={n} issue={i} />
                ))}
              </span>
            </button>
          </li>
        ))}
      </ul>
      {q.data?.truncated && (
        <p className="muted">{t('glossary.lint.truncated', { shown: q.data.images.length })}</p>
      )}
    </section>
  )
}
