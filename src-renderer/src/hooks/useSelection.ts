/**
 * The grid's multi-selection, kept apart from the cursor (the row open in the editor):
 *  - explicit ids (click, Ctrl/Cmd-click toggles, Shift-click ranges over the rows as drawn), or
 *  - "all matching the filter" minus an exclude set: a selection AS A QUERY, so select-all means
 *    every image the filter matches, not just the loaded pages.
 * The count is local for ids and `selection.count` for the query form. A new filter starts an
 * empty selection. `isChecked` changes identity only when the selection does, so the grid's
 * memoised rows re-render only where their `checked` flag flips.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react'
import type { ImageFilter, ImageRow, Selection } from '@shared/api'
import { useCall } from '../api/query'

type SelState =
  | { mode: 'ids'; ids: ReadonlySet<number>; key: string }
  | { mode: 'all'; exclude: ReadonlySet<number>; key: string }

export interface ClickMods {
  /** Shift: a range from the anchor */
  shift?: boolean
  /** Ctrl/Cmd (or the row's checkbox): toggle one row, keep the rest */
  toggle?: boolean
}

export interface SelectionApi {
  mode: 'ids' | 'all'
  /** images selected; null while the query form is being counted for the first time */
  count: number | null
  /** true when every image matching the filter is selected (no exclusions) */
  allMatching: boolean
  isChecked(id: number): boolean
  click(id: number, mods?: ClickMods): void
  /** the cursor moved with the keyboard: a single selection follows it */
  follow(from: number | null, to: number): void
  selectAll(): void
  clear(): void
  /** the selection as the contract's query, or null when nothing is selected */
  selection: Selection | null
}

const EMPTY: ReadonlySet<number> = new Set()

export function useSelection(
  filter: ImageFilter,
  rows: ImageRow[],
  total: number | null
): SelectionApi {
  const key = JSON.stringify(filter)
  const [raw, setRaw] = useState<SelState>({ mode: 'ids', ids: EMPTY, key })
  // a selection made under another filter is dropped (no effect needed: derived here)
  const state = useMemo<SelState>(
    () => (raw.key === key ? raw : { mode: 'ids', ids: EMPTY, key }),
    [raw, key]
  )
  const anchor = useRef<number | null>(null)
  const rowsRef = useRef(rows)
  const keyRef = useRef(key)
  useEffect(() => {
    rowsRef.current = rows
    keyRef.current = key
  })

  const update = useCallback((f: (s: SelState) => SelState) => {
    setRaw((prev) => {
      const k = keyRef.current
      const cur: SelState = prev.key === k ? prev : { mode: 'ids', ids: EMPTY, key: k }
      return f(cur)
    })
  }, [])

  const click = useCallback(
    (id: number, mods: ClickMods = {}) => {
      if (mods.shift && anchor.current != null) {
        const list = rowsRef.current
        const a = list.findIndex((r) => r.id === anchor.current)
        const b = list.findIndex((r) => r.id === id)
        if (a >= 0 && b >= 0) {
          const range = list.slice(Math.min(a, b), Math.max(a, b) + 1).map((r) => r.id)
          update((s) => {
            if (!mods.toggle) return { mode: 'ids', ids: new Set(range), key: s.key }
            if (s.mode === 'all') {
              const exclude = new Set(s.exclude)
              for (const r of range) exclude.delete(r)
              return { ...s, exclude }
            }
            return { ...s, ids: new Set([...s.ids, ...range]) }
          })
          return
        }
      }
      anchor.current = id
      if (!mods.toggle) {
        update((s) => ({ mode: 'ids', ids: new Set([id]), key: s.key }))
        return
      }
      update((s) => {
        if (s.mode === 'all') {
          const exclude = new Set(s.exclude)
          if (!exclude.delete(id)) exclude.add(id)
          return { ...s, exclude }
        }
        const ids = new Set(s.ids)
        if (!ids.delete(id)) ids.add(id)
        return { ...s, ids }
      })
    },
    [update]
  )

  const follow = useCallback(
    (from: number | null, to: number) => {
      update((s) => {
        if (s.mode !== 'ids' || s.ids.size > 1) return s
        if (s.ids.size === 1 && (from == null || !s.ids.has(from))) return s
        anchor.current = to
        return { mode: 'ids', ids: new Set([to]), key: s.key }
      })
    },
    [update]
  )

  const selectAll = useCallback(
    () => update((s) => ({ mode: 'all', exclude: EMPTY, key: s.key })),
    [update]
  )
  const clear = useCallback(() => {
    anchor.current = null
    update((s) =>
      s.mode === 'ids' && s.ids.size === 0 ? s : { mode: 'ids', ids: EMPTY, key: s.key }
    )
  }, [update])

  const isChecked = useMemo(
    () =>
      state.mode === 'all'
        ? (id: number) => !state.exclude.has(id)
        : (id: number) => state.ids.has(id),
    [state]
  )

  const selection = useMemo<Selection | null>(() => {
    if (state.mode === 'ids') return state.ids.size ? { ids: [...state.ids] } : null
    return state.exclude.size ? { filter, exclude: [...state.exclude] } : { filter }
  }, [state, filter])

  // the query form is counted by the core (and recounted by the change map)
  const counted = useCall(
    'selection.count',
    { selection: selection ?? { ids: [0] } },
    { enabled: state.mode === 'all' && selection != null }
  )
  const count =
    state.mode === 'ids'
      ? state.ids.size
      : (counted.data?.count ?? (total == null ? null : Math.max(0, total - state.exclude.size)))

  return {
    mode: state.mode,
    count,
    allMatching: state.mode === 'all' && state.exclude.size === 0,
    isChecked,
    click,
    follow,
    selectAll,
    clear,
    selection
  }
}
