import { createContext, useContext, useEffect, useMemo, useRef } from 'react'
import type { KeyboardEvent as ReactKeyboardEvent, RefObject } from 'react'
import type { ReviewStatus } from '@shared/api'
import { useCall } from '../api/query'

/** What the current page can do from the keyboard; pages fill this in while mounted. */
export interface KeyActions {
  move?(delta: 1 | -1): void
  edit?(): void
  leave?(): void
  setStatus?(status: ReviewStatus): void
  focusSearch?(): void
  /** writes pending edits now (before undo/redo) */
  flush?(): Promise<void>
  /** selects every image matching the filter (a selection-as-query) */
  selectAll?(): void
  /** clears the multi-selection (Esc outside a field) */
  clearSelection?(): void
  openBulk?(): void
  toggleTags?(): void
  /** the editor's image full-window */
  zoom?(): void
  /** shows these images (after an undo/redo that touched them) */
  reveal?(imageIds: number[]): void
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
      flush: async () => latest.current.flush?.(),
      selectAll: () => latest.current.selectAll?.(),
      clearSelection: () => latest.current.clearSelection?.(),
      openBulk: () => latest.current.openBulk?.(),
      toggleTags: () => latest.current.toggleTags?.(),
      zoom: () => latest.current.zoom?.(),
      reveal: (ids) => latest.current.reveal?.(ids)
    }
    ref.current = proxy
    return () => {
      if (ref.current === proxy) ref.current = {}
    }
  }, [ref])
}

export function isTyping(el: Element | null): boolean {
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

// ---------------------------------------------------------------------------------------------
// Bindings: action id → key combos, defaults overridden by the settings key 'shortcuts'

export const SHORTCUT_ACTIONS = [
  'next',
  'prev',
  'edit',
  'leave',
  'approve',
  'reject',
  'needsWork',
  'unreviewed',
  'undo',
  'redo',
  'selectAll',
  'bulk',
  'tags',
  'search',
  'zoom',
  'help'
] as const
export type ShortcutAction = (typeof SHORTCUT_ACTIONS)[number]
export type Bindings = Record<ShortcutAction, string[]>

/** Combos: `Mod+` (Ctrl, or ⌘ on a Mac), `Alt+`, `Shift+` (for named keys and with Mod), then the key. */
export const DEFAULT_BINDINGS: Bindings = {
  next: ['ArrowDown', 'j'],
  prev: ['ArrowUp', 'k'],
  edit: ['Enter'],
  leave: ['Escape'],
  approve: ['a'],
  reject: ['r'],
  needsWork: ['n'],
  unreviewed: ['u'],
  undo: ['Mod+z'],
  redo: ['Mod+Shift+z', 'Mod+y'],
  selectAll: ['Mod+a'],
  bulk: ['b'],
  tags: ['t'],
  search: ['/'],
  zoom: ['z'],
  help: ['?']
}

const STATUS_OF: Partial<Record<ShortcutAction, ReviewStatus>> = {
  approve: 'approved',
  reject: 'rejected',
  needsWork: 'needs-work',
  unreviewed: 'unreviewed'
}

/** The combo a key event stands for, or null for a lone modifier. */
export function comboOf(e: KeyboardEvent | ReactKeyboardEvent): string | null {
  if (['Control', 'Meta', 'Shift', 'Alt', 'AltGraph', 'CapsLock', 'Process'].includes(e.key))
    return null
  const parts: string[] = []
  const mod = e.ctrlKey || e.metaKey
  if (mod) parts.push('Mod')
  if (e.altKey) parts.push('Alt')
  let key = e.key === ' ' ? 'Space' : e.key
  // a printable key already carries Shift ('?', 'A'); with Mod the letter is kept lower-case
  if (key.length === 1) {
    if (mod || e.altKey) {
      key = key.toLowerCase()
      if (e.shiftKey) parts.push('Shift')
    }
  } else if (e.shiftKey) parts.push('Shift')
  parts.push(key)
  return parts.join('+')
}

const isMac = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform)

/** A combo as the user reads it: Mod+Shift+z → Ctrl+Shift+Z (⌘+Shift+Z on a Mac). */
export function showCombo(combo: string): string {
  return combo
    .split('+')
    .map((p, i, all) =>
      p === 'Mod'
        ? isMac
          ? '⌘'
          : 'Ctrl'
        : p === 'ArrowDown'
          ? '↓'
          : p === 'ArrowUp'
            ? '↑'
            : p === 'Escape'
              ? 'Esc'
              : i === all.length - 1 && all.length > 1 && p.length === 1
                ? p.toUpperCase()
                : p
    )
    .join('+')
}

/** Reads the stored overrides (action → combo or combos); unknown actions are ignored. */
export function mergeBindings(stored: unknown): Bindings {
  const out: Bindings = { ...DEFAULT_BINDINGS }
  if (!stored || typeof stored !== 'object') return out
  for (const [k, v] of Object.entries(stored as Record<string, unknown>)) {
    if (!(SHORTCUT_ACTIONS as readonly string[]).includes(k)) continue
    const list = (Array.isArray(v) ? v : [v]).filter(
      (x): x is string => typeof x === 'string' && x.length > 0
    )
    out[k as ShortcutAction] = list
  }
  return out
}

/** Only what differs from the defaults is saved (one combo as a string, several as a list). */
export function bindingOverrides(b: Bindings): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {}
  for (const a of SHORTCUT_ACTIONS) {
    const v = b[a]
    if (v.join('\n') === DEFAULT_BINDINGS[a].join('\n')) continue
    out[a] = v.length === 1 ? v[0]! : v
  }
  return out
}

/** The bindings in force: settings 'shortcuts' over the defaults. */
export function useBindings(): Bindings {
  const q = useCall('settings.get', { key: 'shortcuts' }, { staleTime: Infinity })
  const value = q.data?.value
  return useMemo(() => mergeBindings(value), [value])
}

/**
 * The app's ONE keydown listener. Off while a modal dialog is open; while typing in a field only
 * Esc and Ctrl/Cmd combinations act (Ctrl/Cmd+A keeps selecting the field's text).
 */
export function useGlobalKeys(actions: RefObject<KeyActions>, global: GlobalHandlers): void {
  const g = useRef(global)
  useEffect(() => {
    g.current = global
  })
  const bindings = useBindings()
  const byCombo = useMemo(() => {
    const m = new Map<string, ShortcutAction>()
    for (const a of SHORTCUT_ACTIONS) for (const c of bindings[a]) if (!m.has(c)) m.set(c, a)
    return m
  }, [bindings])
  const map = useRef(byCombo)
  useEffect(() => {
    map.current = byCombo
  })
  useEffect(() => {
    function onKey(e: KeyboardEvent): void {
      if (e.defaultPrevented || e.isComposing || e.key === 'Process') return
      if (document.querySelector('dialog[open]')) return
      const combo = comboOf(e)
      const action = combo ? map.current.get(combo) : undefined
      if (!action) return
      const a = actions.current ?? {}
      const typing = isTyping(document.activeElement)
      const withMod = combo!.startsWith('Mod+')
      // a text box keeps its own typing undo: Ctrl+Z there is the browser's, not the library's
      if (typing && (action === 'undo' || action === 'redo')) return
      // in an open menu or popover, keys move between its items
      if (!withMod && document.activeElement?.closest('[role="menu"], .popover')) return

      if (action === 'leave') {
        if (!typing) a.clearSelection?.()
        if (a.leave) {
          e.preventDefault()
          a.leave()
        } else if (typing) (document.activeElement as HTMLElement).blur()
        return
      }
      if (typing && (!withMod || action === 'selectAll')) return
      const status = STATUS_OF[action]
      if (status) {
        if (!a.setStatus) return
        e.preventDefault()
        a.setStatus(status)
        return
      }
      switch (action) {
        case 'undo':
          e.preventDefault()
          g.current.undo()
          return
        case 'redo':
          e.preventDefault()
          g.current.redo()
          return
        case 'help':
          e.preventDefault()
          g.current.help()
          return
        case 'next':
        case 'prev':
          e.preventDefault()
          a.move?.(action === 'next' ? 1 : -1)
          return
        case 'edit':
          if (document.activeElement instanceof HTMLButtonElement) return
          e.preventDefault()
          a.edit?.()
          return
        case 'search':
          e.preventDefault()
          a.focusSearch?.()
          return
        case 'selectAll':
          if (!a.selectAll) return
          e.preventDefault()
          a.selectAll()
          return
        case 'bulk':
          if (!a.openBulk) return
          e.preventDefault()
          a.openBulk()
          return
        case 'tags':
          if (!a.toggleTags) return
          e.preventDefault()
          a.toggleTags()
          return
        case 'zoom':
          if (!a.zoom) return
          e.preventDefault()
          a.zoom()
      }
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [actions])
}
