import type { ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import type { CaptionPreview } from '@shared/api'

/**
 * The result of "Try it": tags with score bars, or the text and the prompt that produced it — the
 * glossary knowledge it carried, and for local chat VLMs the chat template's output as the model
 * received it.
 */
export function CaptionPreviewView({
  preview,
  imageId
}: {
  preview: CaptionPreview
  imageId: number | null
}): ReactNode {
  const { t } = useTranslation()
  return (
    <div className="caption-preview" data-testid="caption-preview">
      {imageId != null && (
        <img className="caption-preview-img" src={`media/thumb/${imageId}`} alt="" />
      )}
      <div className="caption-preview-body">
        {preview.prompt && (
          <div className="field">
            <span className="field-head">{t('captioning.dialog.prompt')}</span>
            <pre className="raw" data-testid="caption-preview-prompt">
              {preview.prompt}
            </pre>
            {preview.knowledge.length > 0 && (
              <div className="caption-knowledge" data-testid="caption-preview-knowledge">
                <span className="muted">{t('captioning.dialog.knowledge')}</span>
                {preview.knowledge.map((k) => (
                  <span key={k.entryId} className="chip">
                    {k.name}
                  </span>
                ))}
              </div>
            )}
            {preview.rendered && (
              <details className="caption-rendered">
                <summary>{t('captioning.dialog.rendered')}</summary>
                <pre className="raw mono" data-testid="caption-preview-rendered">
                  {preview.rendered}
                </pre>
              </details>
            )}
          </div>
        )}
        <div className="field">
          <span className="field-head">
            {t('captioning.dialog.result')}
            {preview.ep && (
              <small className="muted">{t('captioning.dialog.ep', { ep: preview.ep })}</small>
            )}
          </span>
          {preview.tags ? (
            preview.tags.length ? (
              <ul className="tag-scores" data-testid="caption-preview-tags">
                {preview.tags.map((tag) => (
                  <li
                    key={tag.tag}
                    className="tag-score"
                    title={tag.kind}
                    data-testid="preview-tag"
                    data-tag={tag.tag}
                  >
                    <span className="tag-score-name">{tag.tag}</span>
                    <span className="tag-score-bar" aria-hidden>
                      <span style={{ width: `${Math.round(tag.score * 100)}%` }} />
                    </span>
                    <span className="tag-score-value mono">{tag.score.toFixed(2)}</span>
                  </li>
                ))}
              </ul>
            ) : (
              <p className="muted">{t('captioning.dialog.noTags')}</p>
            )
          ) : (
            <pre className="raw" data-testid="caption-preview-text">
              {preview.text}
            </pre>
          )}
        </div>
        {preview.fallbackReason && <p className="text-warn">{preview.fallbackReason}</p>}
        <p
          className={preview.wouldWrite === 'write' ? 'muted' : 'text-warn'}
          data-testid="caption-would-write"
          data-would-write={preview.wouldWrite}
        >
          {t(`captioning.dialog.wouldWrite_${preview.wouldWrite}`)}
        </p>
      </div>
    </div>
  )
}
