import { createContext, useContext, useEffect, useRef } from 'react'
import type { RefObject } from 'react'
import type { ReviewStatus } from '@shared/api'

/** What the current page can do from the keyboard; pages fill this in while mounted. */
export interface KeyActions {
  move?(delta: 1 | -1): void
  edit?(): void
  leave?(): void
  setStatus?(status: ReviewStatus): void
  focusSearch?(): void
  /** writes pending edits now (before undo/redo) */
  flush?(): Promise<void>
}

export const KeyActionsContext = createContext<RefObject<KeyActions> | null>(null)

/** Lets a page register its keyboard actions for as long as it is mounted. */
export function useKeyActions(actions: KeyActions): void {
  const ref = useContext(KeyActionsContext)
  const latest = useRef(actions)
  useEffect(() => {
    latest.current = actions
  })
  useEffect(() => {
    if (!ref) return
    const proxy: KeyActions = {
      move: (d) => latest.current.move?.(d),
      edit: () => latest.current.edit?.(),
      leave: () => latest.current.leave?.(),
      setStatus: (s) => latest.current.setStatus?.(s),
      focusSearch: () => latest.current.focusSearch?.(),
      flush: async () => latest.current.flush?.()
    }
    ref.current = proxy
    return () => {
      if (ref.current === proxy) ref.current = {}
    }
  }, [ref])
}

function isTyping(el: Element | null): boolean {
  if (!(el instanceof HTMLElement)) return false
  if (el.isContentEditable) return true
  if (el instanceof HTMLTextAreaElement || el instanceof HTMLSelectElement) return true
  if (el instanceof HTMLInputElement) {
    return !['checkbox', 'radio', 'button', 'submit', 'range', 'color'].includes(el.type)
  }
  return false
}

export interface GlobalHandlers {
  undo(): void
  redo(): void
  help(): void
}

const STATUS_KEYS: Record<string, ReviewStatus> = {
  a: 'approved',
  r: 'rejected',
  n: 'needs-work',
  u: 'unreviewed'
}

/**
 * The app's ONE keydown listener. Off while a modal dialog is open; while typing in a field only
 * Esc and Ctrl/Cmd combinations act.
 */
export function useGlobalKeys(actions: RefObject<KeyActions>, global: GlobalHandlers): void {
  const g = useRef(global)
  useEffect(() => {
    g.current = global
  })
  useEffect(() => {
    function onKey(e: KeyboardEvent): void {
      if (e.defaultPrevented || e.isComposing || e.key === 'Process') return
      if (document.querySelector('dialog[open]')) return
      const a = actions.current ?? {}
      const mod = e.ctrlKey || e.metaKey
      const typing = isTyping(document.activeElement)

      if (mod && !e.altKey) {
        const k = e.key.toLowerCase()
        if (k === 'z') {
          e.preventDefault()
          if (e.shiftKey) g.current.redo()
          else g.current.undo()
        } else if (k === 'y' && !e.shiftKey) {
          e.preventDefault()
          g.current.redo()
        }
        return
      }
      if (e.key === 'Escape') {
        if (a.leave) {
          e.preventDefault()
          a.leave()
        } else if (typing) (document.activeElement as HTMLElement).blur()
        return
      }
      if (typing || e.altKey) return
      switch (e.key) {
        case 'ArrowDown':
        case 'j':
          e.preventDefault()
          a.move?.(1)
          return
        case 'ArrowUp':
        case 'k':
          e.preventDefault()
          a.move?.(-1)
          return
        case 'Enter':
          if (document.activeElement instanceof HTMLButtonElement) return
          e.preventDefault()
          a.edit?.()
          return
        case '/':
          e.preventDefault()
          a.focusSearch?.()
          return
        case '?':
          e.preventDefault()
          g.current.help()
          return
      }
      const status = STATUS_KEYS[e.key]
      if (status && a.setStatus) {
        e.preventDefault()
        a.setStatus(status)
      }
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [actions])
}
