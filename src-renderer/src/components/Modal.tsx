import { useEffect, useRef } from 'react'
import type { ReactNode, RefObject } from 'react'
import { useTranslation } from 'react-i18next'

interface Props {
  title: string
  onClose(): void
  children: ReactNode
  footer?: ReactNode
  testId?: string
  wide?: boolean
}

/**
 * Opens a native <dialog> modally while the component is mounted: Esc calls `onClose` (the latest
 * one), and focus goes back where it was when the dialog closes. Returns the latest `onClose`.
 */
export function useModalDialog(
  ref: RefObject<HTMLDialogElement | null>,
  onClose: () => void
): RefObject<() => void> {
  const close = useRef(onClose)
  useEffect(() => {
    close.current = onClose
  })
  useEffect(() => {
    const d = ref.current
    if (!d) return
    const prev = document.activeElement
    d.showModal()
    const onCancel = (e: Event): void => {
      e.preventDefault()
      close.current()
    }
    d.addEventListener('cancel', onCancel)
    return () => {
      d.removeEventListener('cancel', onCancel)
      if (d.open) d.close()
      if (prev instanceof HTMLElement) prev.focus()
    }
  }, [ref])
  return close
}

/** A native modal <dialog>: focus trap, Esc and the backdrop come from the browser. */
export function Modal({ title, onClose, children, footer, testId, wide }: Props): ReactNode {
  const { t } = useTranslation()
  const ref = useRef<HTMLDialogElement>(null)
  const close = useModalDialog(ref, onClose)
  return (
    <dialog
      ref={ref}
      className={wide ? 'modal modal-wide' : 'modal'}
      data-testid={testId}
      aria-label={title}
      onMouseDown={(e) => {
        if (e.target === ref.current) close.current()
      }}
    >
      <header className="modal-head">
        <h2>{title}</h2>
        <button
          type="button"
          className="icon-btn"
          aria-label={t('shortcuts.close')}
          onClick={() => close.current()}
        >
          ×
        </button>
      </header>
      <div className="modal-body">{children}</div>
      {footer && <footer className="modal-foot">{footer}</footer>}
    </dialog>
  )
}
