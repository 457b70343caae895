/**
 * A menu button (WAI-ARIA menu pattern): the button opens a list of actions below it; ↑/↓ and
 * Home/End move between items, Enter/Space picks one, Esc or a click outside closes it and focus
 * returns to the button. Items are plain buttons or links, so each keeps its own test id.
 */
import { useEffect, useId, useRef, useState } from 'react'
import type { KeyboardEvent, ReactNode, RefObject } from 'react'

/** While open: focus the panel's first match of `first`; a pointer-down outside closes it. */
function useOpenPanel(
  open: boolean,
  setOpen: (o: boolean) => void,
  panel: RefObject<HTMLElement | null>,
  button: RefObject<HTMLElement | null>,
  first: string
): void {
  useEffect(() => {
    if (!open) return
    panel.current?.querySelector<HTMLElement>(first)?.focus()
    const onDown = (e: PointerEvent): void => {
      const t = e.target as Node
      if (!panel.current?.contains(t) && !button.current?.contains(t)) setOpen(false)
    }
    window.addEventListener('pointerdown', onDown)
    return () => window.removeEventListener('pointerdown', onDown)
  }, [open, setOpen, panel, button, first])
}

export interface MenuItem {
  id: string
  label: ReactNode
  /** a link (navigation) instead of an action */
  href?: string
  onSelect?(): void
  danger?: boolean
  disabled?: boolean
  /** a line above this item */
  separator?: boolean
  testId?: string
}

interface Props {
  label: ReactNode
  /** accessible name when the label is an icon */
  ariaLabel?: string
  items: MenuItem[]
  testId?: string
  className?: string
  align?: 'left' | 'right'
  title?: string
  /** show the ▾ after the label (off for an icon-only button) */
  caret?: boolean
}

export function Menu({
  label,
  ariaLabel,
  items,
  testId,
  className,
  align = 'left',
  title,
  caret = true
}: Props): ReactNode {
  const [open, setOpen] = useState(false)
  const id = useId()
  const button = useRef<HTMLButtonElement>(null)
  const list = useRef<HTMLDivElement>(null)

  useOpenPanel(open, setOpen, list, button, '[role="menuitem"]:not([aria-disabled="true"])')

  const close = (focus = true): void => {
    setOpen(false)
    if (focus) button.current?.focus()
  }

  function onKey(e: KeyboardEvent): void {
    const all = [
      ...(list.current?.querySelectorAll<HTMLElement>(
        '[role="menuitem"]:not([aria-disabled="true"])'
      ) ?? [])
    ]
    const at = all.indexOf(document.activeElement as HTMLElement)
    const go = (i: number): void => all[(i + all.length) % all.length]?.focus()
    switch (e.key) {
      case 'ArrowDown':
        e.preventDefault()
        go(at + 1)
        break
      case 'ArrowUp':
        e.preventDefault()
        go(at - 1)
        break
      case 'Home':
        e.preventDefault()
        go(0)
        break
      case 'End':
        e.preventDefault()
        go(all.length - 1)
        break
      case 'Escape':
        e.preventDefault()
        e.stopPropagation()
        close()
        break
      case 'Tab':
        close(false)
    }
  }

  return (
    <div className={`menu ${className ?? ''}`}>
      <button
        ref={button}
        type="button"
        className="btn btn-small menu-button"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? id : undefined}
        aria-label={ariaLabel}
        title={title}
        onClick={() => setOpen((o) => !o)}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown' && !open) {
            e.preventDefault()
            setOpen(true)
          }
        }}
        data-testid={testId}
      >
        {label}
        {caret && (
          <span className="menu-caret" aria-hidden>
            ▾
          </span>
        )}
      </button>
      {open && (
        <div
          ref={list}
          id={id}
          role="menu"
          className={`menu-list menu-${align}`}
          onKeyDown={onKey}
          data-testid={testId ? `${testId}-menu` : undefined}
        >
          {items.map((it) => {
            const cls = `menu-item ${it.danger ? 'menu-danger' : ''} ${it.separator ? 'menu-sep' : ''}`
            return it.href ? (
              <a
                key={it.id}
                role="menuitem"
                tabIndex={-1}
                className={cls}
                href={it.href}
                onClick={() => close(false)}
                data-testid={it.testId}
              >
                {it.label}
              </a>
            ) : (
              <button
                key={it.id}
                type="button"
                role="menuitem"
                tabIndex={-1}
                className={cls}
                aria-disabled={it.disabled || undefined}
                onClick={() => {
                  if (it.disabled) return
                  close(false)
                  it.onSelect?.()
                }}
                data-testid={it.testId}
              >
                {it.label}
              </button>
            )
          })}
        </div>
      )}
    </div>
  )
}

/**
 * A button that opens a small non-modal panel of controls below it (filters, the undo history);
 * Esc, a click outside, or a click on an element marked `data-popover-close` closes it and focus
 * returns to the button.
 */
export function Popover({
  label,
  ariaLabel,
  title,
  testId,
  className,
  align = 'left',
  buttonClass = 'btn btn-small',
  children
}: {
  label: ReactNode
  ariaLabel?: string
  title?: string
  testId?: string
  className?: string
  align?: 'left' | 'right'
  buttonClass?: string
  children: ReactNode
}): ReactNode {
  const [open, setOpen] = useState(false)
  const id = useId()
  const button = useRef<HTMLButtonElement>(null)
  const panel = useRef<HTMLDivElement>(null)
  useOpenPanel(open, setOpen, panel, button, 'button, [href], input, select, textarea')
  const close = (): void => {
    setOpen(false)
    button.current?.focus()
  }
  return (
    <div className={`menu ${className ?? ''}`}>
      <button
        ref={button}
        type="button"
        className={buttonClass}
        aria-expanded={open}
        aria-controls={open ? id : undefined}
        aria-label={ariaLabel}
        title={title}
        onClick={() => setOpen((o) => !o)}
        data-testid={testId}
      >
        {label}
      </button>
      {open && (
        <div
          ref={panel}
          id={id}
          role="dialog"
          aria-label={ariaLabel ?? (typeof label === 'string' ? label : undefined)}
          className={`popover menu-${align}`}
          onKeyDown={(e) => {
            if (e.key === 'Escape') {
              e.preventDefault()
              e.stopPropagation()
              close()
            }
          }}
          onClick={(e) => {
            if ((e.target as Element).closest('[data-popover-close]')) close()
          }}
          data-testid={testId ? `${testId}-panel` : undefined}
        >
          {children}
        </div>
      )}
    </div>
  )
}
