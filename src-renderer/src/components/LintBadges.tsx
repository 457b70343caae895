/** Lint issues of one image (captions.lint {imageId}) as badges; the offending span in the title. */
import type { ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import type { LintIssue } from '@shared/api'
import { useCall } from '../api/query'
import { useTokenizers } from './TokenBudget'

/** Re-linted by the change map whenever the image's captions or tags or the glossary change. */
export function LintBadges({ imageId }: { imageId: number }): ReactNode {
  const { t } = useTranslation()
  const tokenizers = useTokenizers()
  const q = useCall('captions.lint', { imageId, tokenizers }, { placeholderData: (prev) => prev })
  const issues = q.data?.images[0]?.issues
  if (!issues) return null
  return (
    <div className="lint-badges" data-testid="lint-badges" data-count={issues.length}>
      {issues.length === 0 ? (
        <span className="lint-ok">{t('glossary.lint.clean')}</span>
      ) : (
        issues.map((i, n) => <LintBadge key={n} issue={i} />)
      )}
    </div>
  )
}

export function LintBadge({ issue }: { issue: LintIssue }): ReactNode {
  const { t } = useTranslation()
  return (
    <span
      className={`lint-badge lint-${issue.rule}`}
      title={issue.message}
      data-testid="lint-badge"
      data-rule={issue.rule}
    >
      {t(`glossary.lint.${issue.rule}`)}
      <small>{issue.lang}</small>
    </span>
  )
}
