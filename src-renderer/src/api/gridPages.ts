/**
 * The grid's rows: keyed pages from the core (`images.page`), loaded as the grid scrolls, and
 * kept current by refreshing only the pages an edit touched.
 *
 * TanStack Query refetches every loaded page of an infinite query when it is invalidated, one
 * after another; 10,000 rows down that is 50 requests and a re-render of everything for one
 * status change. So this query lives under its own key (`['grid', …]`, which the change map in
 * ./changes.ts leaves alone) and follows the change feed itself, when a change can affect
 * `images.page` under this filter (./changes.ts `affectsCall`):
 * - ids known (edits, undo, redo): re-read just the loaded pages holding those ids;
 * - ids unknown (imports, bulk edits): re-read the pages in view, or all if only a few are loaded;
 * and in both cases the filter's total, read after the rows are drawn (as on the first load: the
 * first page is asked for without its count, and the count follows once it is on screen). Each page is re-read with its own keyed cursor, so the
 * rows keep their places and the scroll position stays where the user left it.
 */
import { useCallback, useEffect, useMemo, useRef } from 'react'
import type { RefObject } from 'react'
import { keepPreviousData, useInfiniteQuery, useQueryClient } from '@tanstack/react-query'
import type { InfiniteData, QueryKey } from '@tanstack/react-query'
import type { ImageFilter, ImageRow, Page, Sort } from '@shared/api'
import { call } from './client'
import { affectsCall } from './changes'
import { useChanges } from './query'

export const GRID_PAGE_SIZE = 200
/** Retry delay when a page load is in flight (the change feed has coalesced bursts already). */
const COALESCE_MS = 50
/** With no ids to go by, re-read everything loaded only up to this many pages. */
const REREAD_ALL_PAGES = 3

type GridData = InfiniteData<Page, string | null>

export function gridKey(filter: ImageFilter, sort: Sort): QueryKey {
  return ['grid', filter, sort]
}

/** Every grid query, for optimistic updates: `qc.setQueriesData({ queryKey: GRID_KEY_ROOT }, …)`. */
export const GRID_KEY_ROOT: QueryKey = ['grid']

/** Updates matching rows in every loaded grid page (optimistic edits). */
export function patchGridRows(
  old: GridData | undefined,
  ids: ReadonlySet<number>,
  patch: (r: ImageRow) => ImageRow
): GridData | undefined {
  if (!old) return old
  return {
    ...old,
    pages: old.pages.map((p) =>
      p.rows.some((r) => ids.has(r.id))
        ? { ...p, rows: p.rows.map((r) => (ids.has(r.id) ? patch(r) : r)) }
        : p
    )
  }
}

/** Page indexes holding rows `first..last` (row indexes as drawn). */
function pagesInRange(pages: Page[], first: number, last: number): number[] {
  const out: number[] = []
  let start = 0
  pages.forEach((p, k) => {
    const end = start + p.rows.length - 1
    if (end >= first && start <= last) out.push(k)
    start = end + 1
  })
  return out
}

export function useGridPages(
  filter: ImageFilter,
  sort: Sort,
  scrollRef: RefObject<HTMLElement | null>,
  rowHeight: number
) {
  const qc = useQueryClient()
  const queryKey = useMemo(() => gridKey(filter, sort), [filter, sort])
  const q = useInfiniteQuery({
    queryKey,
    queryFn: ({ pageParam }) =>
      call('images.page', {
        filter,
        sort,
        cursor: pageParam,
        limit: GRID_PAGE_SIZE,
        // the count comes after the first page is on screen (below), never before it
        withTotal: false
      }),
    initialPageParam: null as string | null,
    getNextPageParam: (last: Page) => last.nextCursor,
    placeholderData: keepPreviousData,
    // changes are followed only while the grid is open: a grid opened later reads afresh
    gcTime: 0
  })

  // A page re-read after an edit may now share a row with its neighbour (sort keys move); the
  // first occurrence wins, so ids stay unique.
  const rows = useMemo(() => {
    const pages = q.data?.pages ?? []
    if (pages.length === 1) return pages[0]!.rows
    const seen = new Set<number>()
    const out: ImageRow[] = []
    for (const p of pages)
      for (const r of p.rows) {
        if (seen.has(r.id)) continue
        seen.add(r.id)
        out.push(r)
      }
    return out
  }, [q.data])

  /** Reads the filter's count (a COUNT over the filter) and puts it on the first page. */
  const loadTotal = useCallback(async (): Promise<void> => {
    const p = await call('images.page', { filter, sort, cursor: null, limit: 1, withTotal: true })
    qc.setQueryData<GridData>(queryKey, (old) =>
      old && old.pages[0] && old.pages[0].total !== p.total
        ? { ...old, pages: old.pages.map((pg, k) => (k === 0 ? { ...pg, total: p.total } : pg)) }
        : old
    )
  }, [qc, queryKey, filter, sort])

  // The total arrives after the first page: the page query asks for rows only, and once they are
  // rendered (this effect runs after the commit that drew them) the count is read on its own.
  const needTotal =
    !q.isPlaceholderData && q.data?.pages[0] !== undefined && q.data.pages[0].total === null
  useEffect(() => {
    if (!needTotal) return
    loadTotal().catch(() => undefined)
  }, [needTotal, loadTotal, q.dataUpdatedAt])

  const pending = useRef<{ all: boolean; ids: Set<number> }>({ all: false, ids: new Set() })
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null)

  /** Re-reads what the pending changes touched; false when a page load is in flight. */
  const reread = useCallback(async (): Promise<boolean> => {
    const data = qc.getQueryData<GridData>(queryKey)
    if (!data) return true
    // a page is loading: let it land first, then re-read on top of it
    if (qc.isFetching({ queryKey }) > 0) return false
    const { all, ids } = pending.current
    pending.current = { all: false, ids: new Set() }
    const targets = new Set<number>()
    data.pages.forEach((p, k) => {
      if (p.rows.some((r) => ids.has(r.id))) targets.add(k)
    })
    if (all) {
      const el = scrollRef.current
      const first = el ? Math.floor(el.scrollTop / rowHeight) : 0
      const last = el ? Math.ceil((el.scrollTop + el.clientHeight) / rowHeight) : 0
      const inView =
        data.pages.length <= REREAD_ALL_PAGES
          ? data.pages.map((_, k) => k)
          : pagesInRange(data.pages, first, last)
      for (const k of inView) targets.add(k)
    }
    const fresh = new Map<number, Page>()
    await Promise.all(
      [...targets].map(async (k) => {
        const page = await call('images.page', {
          filter,
          sort,
          cursor: data.pageParams[k] ?? null,
          limit: GRID_PAGE_SIZE,
          withTotal: false
        })
        fresh.set(k, page)
      })
    )
    // the rows first; the count follows once they are drawn
    qc.setQueryData<GridData>(queryKey, (old) =>
      old
        ? {
            ...old,
            pages: old.pages.map((p, k) => {
              const f = fresh.get(k)
              return f ? { ...p, rows: f.rows, nextCursor: f.nextCursor } : p
            })
          }
        : old
    )
    await loadTotal()
    // a page load that began meanwhile lands on the data it started from, dropping this
    // update: ask for the same re-read once it is done
    if (qc.isFetching({ queryKey }) > 0) {
      for (const id of ids) pending.current.ids.add(id)
      pending.current.all ||= all
      return false
    }
    return true
  }, [qc, queryKey, filter, sort, scrollRef, rowHeight, loadTotal])

  const schedule = useRef<() => void>(() => undefined)
  useEffect(() => {
    schedule.current = () => {
      timer.current ??= setTimeout(() => {
        timer.current = null
        reread().then(
          (done) => {
            if (!done) schedule.current()
          },
          // if a re-read fails, fall back to TanStack's full refetch (which reports its error)
          () => void qc.invalidateQueries({ queryKey })
        )
      }, COALESCE_MS)
    }
  })
  useChanges((c) => {
    if (!affectsCall('images.page', { filter, sort }, c)) return
    if (c.imageIds) for (const id of c.imageIds) pending.current.ids.add(id)
    else pending.current.all = true
    schedule.current()
  })
  useEffect(
    () => () => {
      if (timer.current) clearTimeout(timer.current)
    },
    []
  )
  // a new filter or sort starts from fresh pages: drop what was pending for the old one
  useEffect(() => {
    pending.current = { all: false, ids: new Set() }
  }, [queryKey])

  return { q, rows, queryKey }
}
