/**
 * "Prompt sent" in the editor: per language, the exact prompt the last model run sent for this
 * image (the preset filled with the image's glossary knowledge or raw caption), the glossary
 * entries it carried, the chat template's output as a local chat VLM received it, and whether the
 * caption is still the one that prompt produced.
 */
import type { ReactNode } from 'react'
import { keepPreviousData } from '@tanstack/react-query'
import { useTranslation } from 'react-i18next'
import { useCall } from '../api/query'

export function CaptionPromptPanel({ imageId }: { imageId: number }): ReactNode {
  const { t } = useTranslation()
  // refreshed by the change map when this image's captions change
  const q = useCall('caption.prompts', { imageId }, { placeholderData: keepPreviousData })
  const records = q.data ?? []
  if (records.length === 0) return null
  return (
    <details className="knowledge caption-prompts" data-testid="caption-prompts" open>
      <summary>
        {t('captioning.prompts.title')} <span className="muted">({records.length})</span>
      </summary>
      {records.map((r) => (
        <div
          key={r.lang}
          className="field caption-prompt"
          data-testid="caption-prompt"
          data-lang={r.lang}
          data-current={r.current}
        >
          <span className="field-head">
            {r.lang === 'zh' ? t('captioning.dialog.zh') : t('captioning.dialog.en')}
            <small className="muted mono">{r.source}</small>
          </span>
          <pre className="raw" data-testid="caption-prompt-text">
            {r.prompt}
          </pre>
          {r.knowledge.length > 0 && (
            <div className="caption-knowledge">
              <span className="muted">{t('captioning.dialog.knowledge')}</span>
              {r.knowledge.map((k) => (
                <span key={k.entryId} className="chip">
                  {k.name}
                </span>
              ))}
            </div>
          )}
          {r.rendered && (
            <details className="caption-rendered">
              <summary>{t('captioning.dialog.rendered')}</summary>
              <pre className="raw mono" data-testid="caption-prompt-rendered">
                {r.rendered}
              </pre>
            </details>
          )}
          {!r.current && <small className="text-warn">{t('captioning.prompts.stale')}</small>}
        </div>
      ))}
    </details>
  )
}
