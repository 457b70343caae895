import type { ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import type { TFunction } from 'i18next'
import { SHORTCUT_ACTIONS, showCombo, useBindings } from '../hooks/keyboard'
import type { ShortcutAction } from '../hooks/keyboard'
import { Modal } from './Modal'

type ReviewAction = 'selectAll' | 'bulk' | 'tags'
const isReviewAction = (a: ShortcutAction): a is ReviewAction =>
  a === 'selectAll' || a === 'bulk' || a === 'tags'

/** The label of a bindable action (shared by the sheet and the settings dialog). */
export function actionLabel(t: TFunction, a: ShortcutAction): string {
  return isReviewAction(a) ? t(`review.actions.${a}`) : t(`shortcuts.${a}`)
}

/** Lists the bindings in force (settings 'shortcuts' over the defaults). */
export function ShortcutSheet({
  onClose,
  onCustomise
}: {
  onClose(): void
  onCustomise?(): void
}): ReactNode {
  const { t } = useTranslation()
  const bindings = useBindings()
  return (
    <Modal
      title={t('shortcuts.title')}
      onClose={onClose}
      testId="shortcut-sheet"
      footer={
        onCustomise && (
          <button className="btn" onClick={onCustomise} data-testid="shortcuts-customise">
            {t('review.settings.customise')}
          </button>
        )
      }
    >
      <table className="shortcut-table">
        <tbody>
          {SHORTCUT_ACTIONS.map((a) => (
            <tr key={a} data-testid={`shortcut-${a}`}>
              <td className="keys">
                {bindings[a].length === 0 && <span className="muted">—</span>}
                {bindings[a].map((k, i) => (
                  <span key={k}>
                    {i > 0 && <span className="muted"> / </span>}
                    <kbd>{showCombo(k)}</kbd>
                  </span>
                ))}
              </td>
              <td>{actionLabel(t, a)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Modal>
  )
}
