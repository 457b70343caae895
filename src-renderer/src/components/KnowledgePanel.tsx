/**
 * "Knowledge for this image": the glossary entries that apply to it, the content string and
 * the Hunyuan insert_content prompt a generative captioner would get, and the context block.
 */
import type { ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import { useCall } from '../api/query'

/** Refreshed by the change map whenever the image's captions, tags or the glossary change. */
export function KnowledgePanel({ imageId }: { imageId: number }): ReactNode {
  const { t } = useTranslation()
  const q = useCall('glossary.knowledge', { imageId }, { placeholderData: (prev) => prev })
  const k = q.data
  const n = k?.entries.length ?? 0
  return (
    <details className="knowledge" data-testid="knowledge-panel" data-count={n}>
      <summary>
        {t('glossary.knowledge.title')} <span className="muted">({n})</span>
      </summary>
      {!k || n === 0 ? (
        <p className="muted">{t('glossary.knowledge.none')}</p>
      ) : (
        <div className="knowledge-body">
          <ul className="knowledge-entries">
            {k.entries.map((e) => (
              <li key={e.entryId}>
                <span className="kind-chip">{t(`glossary.kinds.${e.kind}`)}</span>{' '}
                <strong>{[e.name.zh, e.name.en].filter(Boolean).join(' / ')}</strong>
                {e.trigger && <code className="mono"> {e.trigger}</code>}
                {(e.facts.zh || e.facts.en) && (
                  <div className="muted">
                    {[e.facts.zh, e.facts.en].filter(Boolean).join(' · ')}
                  </div>
                )}
                <div className="muted small">
                  {e.triggers
                    .map((tr) => `${t(`glossary.triggerKinds.${tr.kind}`)}: ${tr.value}`)
                    .join(' · ')}
                </div>
              </li>
            ))}
          </ul>
          <div className="field">
            <span className="field-head">{t('glossary.knowledge.prompt')}</span>
            <pre className="raw" data-testid="knowledge-prompt">
              {k.prompt}
            </pre>
          </div>
          <div className="field">
            <span className="field-head">{t('glossary.knowledge.context')}</span>
            <pre className="raw" data-testid="knowledge-context">
              {k.context}
            </pre>
          </div>
        </div>
      )}
    </details>
  )
}
