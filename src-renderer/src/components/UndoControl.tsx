/**
 * Undo you can trust: the header says what Undo will do ("Undo: Approve img12.png") before it is
 * pressed, Ctrl+Z undoes exactly that batch (the core refuses if something else came first), and
 * the History list shows the recent batches with who did them and when.
 */
import type { ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import type { HistoryBatch } from '@shared/api'
import { showCombo, useBindings } from '../hooks/keyboard'
import { Popover } from './Menu'

/** The batch an undo would revert and the one a redo would re-apply, from the newest-first list. */
export function nextSteps(list: HistoryBatch[] | undefined): {
  undo: HistoryBatch | null
  redo: HistoryBatch | null
} {
  const all = list ?? []
  const undo = all.find((b) => !b.undone) ?? null
  // undone batches sit above the first live one; the oldest of them is redone first
  let redo: HistoryBatch | null = null
  for (const b of all) {
    if (!b.undone) break
    redo = b
  }
  return { undo, redo }
}

export function UndoControl({
  list,
  onStep
}: {
  list: HistoryBatch[] | undefined
  onStep(dir: 'undo' | 'redo'): void
}): ReactNode {
  const { t, i18n } = useTranslation()
  const bindings = useBindings()
  const { undo, redo } = nextSteps(list)
  const key = (a: 'undo' | 'redo'): string =>
    bindings[a][0] ? ` (${showCombo(bindings[a][0])})` : ''
  const time = new Intl.DateTimeFormat(i18n.language, { timeStyle: 'short', dateStyle: 'short' })
  return (
    <div className="undo-control">
      <button
        type="button"
        className="btn btn-small btn-ghost undo-button"
        disabled={!undo}
        onClick={() => onStep('undo')}
        title={
          (undo ? t('history.undoLabel', { label: undo.label }) : t('history.nothing')) +
          key('undo')
        }
        data-testid="undo-button"
      >
        <span aria-hidden>↶</span>
        <span className="undo-text">
          {undo ? t('history.undoLabel', { label: undo.label }) : t('history.undo')}
        </span>
      </button>
      <Popover
        label={<span aria-hidden>▾</span>}
        ariaLabel={t('history.title')}
        title={t('history.title')}
        testId="history-open"
        align="right"
        buttonClass="btn btn-small btn-ghost"
      >
        {
          <div className="history-popover" data-testid="history-popover">
            <strong>{t('history.title')}</strong>
            {!list?.length ? (
              <p className="muted">{t('history.empty')}</p>
            ) : (
              <ol className="history-batches">
                {list.map((b) => (
                  <li
                    key={b.id}
                    className={b.undone ? 'undone' : ''}
                    data-testid="history-batch"
                    data-undone={b.undone}
                  >
                    <span className="history-label">{b.label}</span>
                    <span className="muted small">
                      {[b.actor, time.format(b.createdAt), b.undone ? t('history.undone') : null]
                        .filter(Boolean)
                        .join(' · ')}
                    </span>
                  </li>
                ))}
              </ol>
            )}
            <div className="row-gap">
              <button
                type="button"
                className="btn btn-small"
                disabled={!undo}
                onClick={() => onStep('undo')}
                data-popover-close
                data-testid="history-undo"
              >
                {undo ? t('history.undoLabel', { label: undo.label }) : t('history.undo')}
              </button>
              <button
                type="button"
                className="btn btn-small"
                disabled={!redo}
                onClick={() => onStep('redo')}
                data-popover-close
                title={key('redo').trim()}
                data-testid="history-redo"
              >
                {redo ? t('history.redoLabel', { label: redo.label }) : t('history.redo')}
              </button>
            </div>
          </div>
        }
      </Popover>
    </div>
  )
}
