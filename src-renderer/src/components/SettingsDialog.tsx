/**
 * Settings: the reviewer name (settings 'reviewer', recorded on every journal entry from now on)
 * and the keyboard bindings (settings 'shortcuts': only what differs from the defaults is saved).
 * Rebinding: click "Change", press the new key; a key another action used moves to this one.
 */
import { useState } from 'react'
import type { ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import { useCall, useMutate } from '../api/query'
import {
  bindingOverrides,
  comboOf,
  DEFAULT_BINDINGS,
  SHORTCUT_ACTIONS,
  showCombo,
  useBindings
} from '../hooks/keyboard'
import type { Bindings, ShortcutAction } from '../hooks/keyboard'
import { Modal } from './Modal'
import { ADVANCE_KEY, useAdvanceOnReview } from '../hooks/useAdvance'
import { actionLabel } from './ShortcutSheet'
import { useToast } from './Toasts'
import '../styles/review.css'

/** The reviewer name in settings ('' when none is set: the OS user name is recorded). */
export function useReviewer(): string | null {
  const q = useCall('settings.get', { key: 'reviewer' }, { staleTime: Infinity })
  if (!q.data) return null
  return typeof q.data.value === 'string' ? q.data.value : ''
}

function BindingsEditor({
  value,
  onChange
}: {
  value: Bindings
  onChange(b: Bindings): void
}): ReactNode {
  const { t } = useTranslation()
  const [capture, setCapture] = useState<ShortcutAction | null>(null)
  const [moved, setMoved] = useState<string | null>(null)

  function bind(a: ShortcutAction, combo: string): void {
    const next = { ...value }
    let from: ShortcutAction | null = null
    for (const other of SHORTCUT_ACTIONS) {
      if (other === a || !next[other].includes(combo)) continue
      next[other] = next[other].filter((c) => c !== combo)
      from = other
    }
    next[a] = [combo]
    setMoved(
      from
        ? t('review.settings.moved', { key: showCombo(combo), action: actionLabel(t, from) })
        : null
    )
    onChange(next)
  }

  return (
    <>
      <table className="shortcut-table bindings" data-testid="bindings">
        <tbody>
          {SHORTCUT_ACTIONS.map((a) => (
            <tr key={a} data-testid={`binding-${a}`}>
              <td>{actionLabel(t, a)}</td>
              <td className="keys" data-testid="binding-keys">
                {value[a].length === 0 && <span className="muted">—</span>}
                {value[a].map((k, i) => (
                  <span key={k}>
                    {i > 0 && <span className="muted"> / </span>}
                    <kbd>{showCombo(k)}</kbd>
                  </span>
                ))}
              </td>
              <td className="binding-actions">
                <button
                  className={`btn btn-small ${capture === a ? 'btn-on' : ''}`}
                  data-testid="binding-change"
                  onClick={() => setCapture(capture === a ? null : a)}
                  onKeyDown={(e) => {
                    if (capture !== a) return
                    // Esc in capture mode cancels (and keeps the dialog open); Tab moves on
                    if (e.key === 'Tab') return
                    e.preventDefault()
                    e.stopPropagation()
                    if (e.key === 'Escape') {
                      setCapture(null)
                      return
                    }
                    const combo = comboOf(e)
                    if (!combo) return
                    bind(a, combo)
                    setCapture(null)
                  }}
                  onBlur={() => setCapture((c) => (c === a ? null : c))}
                >
                  {capture === a ? t('review.settings.pressKey') : t('review.settings.change')}
                </button>
                <button
                  className="btn btn-small btn-ghost"
                  disabled={value[a].join() === DEFAULT_BINDINGS[a].join()}
                  onClick={() => onChange({ ...value, [a]: DEFAULT_BINDINGS[a] })}
                >
                  {t('review.settings.reset')}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {moved && <p className="muted">{moved}</p>}
    </>
  )
}

export function SettingsDialog({ onClose }: { onClose(): void }): ReactNode {
  const { t } = useTranslation()
  const toast = useToast()
  const setSetting = useMutate('settings.set')
  const stored = useReviewer()
  const current = useBindings()
  const [name, setName] = useState<string | null>(null)
  const [bindings, setBindings] = useState<Bindings | null>(null)
  const [saving, setSaving] = useState(false)
  const reviewer = name ?? stored ?? ''
  const b = bindings ?? current
  const storedAdvance = useAdvanceOnReview()
  const [advance, setAdvance] = useState<boolean | null>(null)

  async function save(): Promise<void> {
    setSaving(true)
    try {
      await setSetting.mutateAsync({ key: 'reviewer', value: reviewer.trim() })
      await setSetting.mutateAsync({ key: 'shortcuts', value: bindingOverrides(b) })
      if (advance !== null) await setSetting.mutateAsync({ key: ADVANCE_KEY, value: advance })
      toast.info(t('review.settings.saved'))
      onClose()
    } catch (e) {
      toast.error(e)
    } finally {
      setSaving(false)
    }
  }

  return (
    <Modal
      title={t('review.settings.title')}
      onClose={onClose}
      testId="settings-dialog"
      wide
      footer={
        <>
          <button
            className="btn btn-ghost"
            onClick={() => setBindings({ ...DEFAULT_BINDINGS })}
            data-testid="bindings-reset-all"
          >
            {t('review.settings.resetAll')}
          </button>
          <span className="grow" />
          <button className="btn" onClick={onClose}>
            {t('review.cancel')}
          </button>
          <button
            className="btn btn-primary"
            disabled={saving || stored === null}
            onClick={() => void save()}
            data-testid="settings-save"
          >
            {t('review.settings.save')}
          </button>
        </>
      }
    >
      <label className="field">
        <span className="field-head">{t('review.settings.reviewer')}</span>
        <input
          className="input"
          value={reviewer}
          placeholder={t('review.settings.reviewerPlaceholder')}
          onChange={(e) => setName(e.target.value)}
          data-testid="settings-reviewer"
          maxLength={200}
        />
        <small className="muted">{t('review.settings.reviewerHint')}</small>
      </label>
      <label className="check settings-check">
        <input
          type="checkbox"
          checked={advance ?? storedAdvance}
          onChange={(e) => setAdvance(e.target.checked)}
          data-testid="settings-advance"
        />
        {t('review.settings.advance')}
      </label>
      <h3 className="settings-h">{t('review.settings.shortcuts')}</h3>
      <BindingsEditor value={b} onChange={setBindings} />
    </Modal>
  )
}

/** The header's settings entry, showing who edits are recorded as. */
export function SettingsButton({ onClick }: { onClick(): void }): ReactNode {
  const { t } = useTranslation()
  const reviewer = useReviewer()
  return (
    <button
      className="btn btn-ghost"
      onClick={onClick}
      title={t('review.settings.title')}
      data-testid="settings-open"
    >
      <span aria-hidden>⚙</span>{' '}
      <span data-testid="settings-reviewer-name">{reviewer || t('review.settings.title')}</span>
    </button>
  )
}
