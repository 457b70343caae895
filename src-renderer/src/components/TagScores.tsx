import type { ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import type { TagRow } from '@shared/api'
import '../styles/captioning.css'

/** Where a tag came from, for the hover title: 'model:<id>:<preset>' reads as the model id. */
function sourceLabel(source: string, manual: string): string {
  if (source === 'manual') return manual
  const m = /^model:([^:]+)/.exec(source)
  return m?.[1] ?? source
}

/**
 * Tags in order with their model scores as small bars (hover shows the source). Tags without a
 * score (typed by hand or imported) are listed without a bar. Renders nothing without tags.
 */
export function TagScores({ tags }: { tags: TagRow[] }): ReactNode {
  const { t } = useTranslation()
  if (!tags.length || !tags.some((r) => r.score != null)) return null
  return (
    <div className="field">
      <span className="field-head">{t('captioning.tags.title')}</span>
      <ul className="tag-scores" data-testid="tag-scores">
        {tags.map((r) => {
          const src = r.source
            ? t('captioning.tags.source', {
                source: sourceLabel(r.source, t('captioning.tags.manual'))
              })
            : ''
          return (
            <li
              key={r.tag}
              className="tag-score"
              title={src}
              data-testid="tag-score"
              data-tag={r.tag}
              data-source={r.source}
            >
              <span className="tag-score-name">{r.tag}</span>
              {r.score != null ? (
                <>
                  <span className="tag-score-bar" aria-hidden>
                    <span style={{ width: `${Math.round(r.score * 100)}%` }} />
                  </span>
                  <span className="tag-score-value mono">{r.score.toFixed(2)}</span>
                </>
              ) : (
                <span className="tag-score-value muted">{t('captioning.tags.noScore')}</span>
              )}
            </li>
          )
        })}
      </ul>
    </div>
  )
}
