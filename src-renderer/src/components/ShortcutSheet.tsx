import type { ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import { Modal } from './Modal'

const isMac = /Mac|iPhone|iPad/.test(navigator.platform)
const MOD = isMac ? '⌘' : 'Ctrl'

export function ShortcutSheet({ onClose }: { onClose(): void }): ReactNode {
  const { t } = useTranslation()
  const rows: [string[], string][] = [
    [['↓', 'j'], t('shortcuts.next')],
    [['↑', 'k'], t('shortcuts.prev')],
    [['Enter'], t('shortcuts.edit')],
    [['Esc'], t('shortcuts.leave')],
    [['a'], t('shortcuts.approve')],
    [['r'], t('shortcuts.reject')],
    [['n'], t('shortcuts.needsWork')],
    [['u'], t('shortcuts.unreviewed')],
    [[`${MOD}+Z`], t('shortcuts.undo')],
    [[`${MOD}+Shift+Z`], t('shortcuts.redo')],
    [['/'], t('shortcuts.search')],
    [['?'], t('shortcuts.help')]
  ]
  return (
    <Modal title={t('shortcuts.title')} onClose={onClose} testId="shortcut-sheet">
      <table className="shortcut-table">
        <tbody>
          {rows.map(([keys, label]) => (
            <tr key={keys.join()}>
              <td className="keys">
                {keys.map((k, i) => (
                  <span key={k}>
                    {i > 0 && <span className="muted"> / </span>}
                    <kbd>{k}</kbd>
                  </span>
                ))}
              </td>
              <td>{label}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Modal>
  )
}
