import { useCallback, useEffect, useMemo, useRef, useState } from 'react'
import type { ReactNode } from 'react'
import { useQueryClient } from '@tanstack/react-query'
import type { InfiniteData } from '@tanstack/react-query'
import type { SortingState } from '@tanstack/react-table'
import { useTranslation } from 'react-i18next'
import type { ImageDetail, ImageFilter, Page, ReviewStatus, Sort } from '@shared/api'
import { callKey, useMutate } from '../api/query'
import { GRID_KEY_ROOT, patchGridRows, useGridPages } from '../api/gridPages'
import { Editor } from '../components/Editor'
import type { EditorHandle } from '../components/Editor'
import { EMPTY_FILTER, FilterBar } from '../components/FilterBar'
import type { FilterState } from '../components/FilterBar'
import { Grid, ROW_H, SORT_KEY_OF } from '../components/Grid'
import type { RowClickMods } from '../components/Grid'
import { BulkBar, SelectAllCheck } from '../components/BulkBar'
import { TagPanel } from '../components/TagPanel'
import { useSelection } from '../hooks/useSelection'
import { useToast } from '../components/Toasts'
import { GlossaryTools } from '../components/GlossaryTools'
import { CaptionTools } from '../components/CaptionTools'
import { CleanupTools } from '../components/CleanupTools'
import { LintList } from '../components/LintList'
import { useDebounced } from '../hooks/useDebounced'
import { useKeyActions } from '../hooks/keyboard'
import { extraOf, type GridLink } from '../components/StatsLinks'

export function DatasetPage({
  datasetId,
  link
}: {
  datasetId: number
  /** a filter to start with (a click on a dashboard plot) */
  link?: GridLink
}): ReactNode {
  const { t } = useTranslation()
  const toast = useToast()
  const qc = useQueryClient()
  const { mutateAsync: setStatusMany } = useMutate('images.setStatus')
  const [fs, setFs] = useState<FilterState>(() => ({
    ...EMPTY_FILTER,
    statuses: link?.status ?? [],
    search: link?.search ?? '',
    extra: extraOf(link)
  }))
  const search = useDebounced(fs.search.trim(), 200)
  const [sorting, setSorting] = useState<SortingState>([{ id: 'fileName', desc: false }])
  const [selectedId, setSelectedId] = useState<number | null>(null)
  const [lint, setLint] = useState(false)
  // review at scale: tags the grid is narrowed to, and which review panels are open
  const [tagFilter, setTagFilter] = useState<string[]>([])
  const [review, setReview] = useState({ bulk: false, tags: false })
  const scrollRef = useRef<HTMLDivElement>(null)
  const searchRef = useRef<HTMLInputElement>(null)
  const editorRef = useRef<EditorHandle | null>(null)

  const filter = useMemo<ImageFilter>(() => {
    const f: ImageFilter = { datasetId }
    if (fs.statuses.length) f.status = fs.statuses
    if (fs.concept) f.concept = fs.concept
    if (fs.missing) f.missing = fs.missing
    if (fs.errorsOnly) f.hasError = true
    if (search) f.search = search
    if (tagFilter.length) f.tags = tagFilter
    if (fs.extra) {
      // the dashboard's filters (StatsPage): tags join the tag panel's
      const { tags, ...rest } = fs.extra
      Object.assign(f, rest)
      if (tags?.length) f.tags = [...new Set([...(f.tags ?? []), ...tags])]
    }
    return f
  }, [datasetId, fs.statuses, fs.concept, fs.missing, fs.errorsOnly, search, tagFilter, fs.extra])

  const sort = useMemo<Sort>(() => {
    const s = sorting[0]
    const key = s ? SORT_KEY_OF[s.id] : undefined
    return key ? { key, dir: s?.desc ? 'desc' : 'asc' } : { key: 'name', dir: 'asc' }
  }, [sorting])

  const { q, rows } = useGridPages(filter, sort, scrollRef, ROW_H)
  useEffect(() => {
    if (q.error) toast.error(q.error)
  }, [q.error, toast])

  const total = q.data?.pages[0]?.total ?? null
  const sel = useSelection(filter, rows, total)
  const { click: selClick, follow: selFollow } = sel
  const onRowSelect = useCallback(
    (id: number, mods: RowClickMods) => {
      setSelectedId(id)
      selClick(id, mods)
    },
    [selClick]
  )

  // a new filter or sort starts at the top
  const queryKey = JSON.stringify([filter, sort])
  useEffect(() => {
    scrollRef.current?.scrollTo({ top: 0 })
  }, [queryKey])

  const setStatus = useCallback(
    async (status: ReviewStatus) => {
      if (selectedId == null) return
      const id = selectedId
      // show it at once; the 'library.changed' event brings the server's truth (gridPages.ts)
      const ids = new Set([id])
      qc.setQueriesData<InfiniteData<Page, string | null>>({ queryKey: GRID_KEY_ROOT }, (old) =>
        patchGridRows(old, ids, (r) => ({ ...r, status }))
      )
      const key = callKey('images.get', { id })
      qc.setQueryData<ImageDetail>(key, (old) => (old ? { ...old, status } : old))
      try {
        await setStatusMany({ ids: [id], status })
      } catch (e) {
        toast.error(e)
        void qc.invalidateQueries({ queryKey: key })
      }
    },
    [selectedId, qc, toast, setStatusMany]
  )

  const { hasNextPage, fetchNextPage, isFetchingNextPage } = q
  const move = useCallback(
    (delta: 1 | -1) => {
      if (!rows.length) return
      const idx = rows.findIndex((r) => r.id === selectedId)
      const next = idx < 0 ? 0 : Math.max(0, Math.min(rows.length - 1, idx + delta))
      const row = rows[next]
      if (row) {
        setSelectedId(row.id)
        selFollow(selectedId, row.id)
      }
      if (next >= rows.length - 10 && hasNextPage && !isFetchingNextPage) void fetchNextPage()
    },
    [rows, selectedId, hasNextPage, isFetchingNextPage, fetchNextPage, selFollow]
  )

  useKeyActions({
    move,
    edit: () => editorRef.current?.focusZh(),
    leave: () => {
      const el = document.activeElement
      if (el instanceof HTMLElement) el.blur()
      scrollRef.current?.focus({ preventScroll: true })
    },
    setStatus: (s) => void setStatus(s),
    focusSearch: () => {
      searchRef.current?.focus()
      searchRef.current?.select()
    },
    flush: async () => editorRef.current?.flush(),
    selectAll: sel.selectAll,
    clearSelection: sel.clear,
    openBulk: () => {
      if (sel.selection) setReview((r) => ({ ...r, bulk: true }))
    },
    toggleTags: () => setReview((r) => ({ ...r, tags: !r.tags }))
  })

  return (
    <main className="dataset-page">
      <nav className="stats-links">
        <a
          className="btn btn-small btn-ghost"
          href={`#/datasets/${datasetId}/stats`}
          data-testid="nav-stats"
        >
          {t('stats.link')}
        </a>
        <a
          className="btn btn-small btn-ghost"
          href={`#/datasets/${datasetId}/dupes`}
          data-testid="nav-dupes"
        >
          {t('stats.dupesLink')}
        </a>
      </nav>
      <FilterBar
        datasetId={datasetId}
        value={fs}
        onChange={setFs}
        searchRef={searchRef}
        total={total}
        fetching={q.isFetching && !q.isFetchingNextPage}
      />
      <GlossaryTools
        datasetId={datasetId}
        filter={filter}
        selectedId={selectedId}
        lint={lint}
        onLint={setLint}
      />
      <CaptionTools
        datasetId={datasetId}
        filter={filter}
        filterTotal={total}
        selectedId={selectedId}
        firstId={rows[0]?.id ?? null}
      />
      <CleanupTools datasetId={datasetId} filter={filter} selectedId={selectedId} />
      <BulkBar
        datasetId={datasetId}
        sel={sel}
        tagFilter={tagFilter}
        onTagFilter={setTagFilter}
        bulkOpen={review.bulk}
        onBulkOpen={(bulk) => setReview((r) => ({ ...r, bulk }))}
        tagsOpen={review.tags}
        onTagsOpen={(tags) => setReview((r) => ({ ...r, tags }))}
      />
      <div className="workspace">
        {review.tags && (
          <TagPanel
            datasetId={datasetId}
            filter={filter}
            picked={tagFilter}
            onPick={(tag) =>
              setTagFilter((ts) => (ts.includes(tag) ? ts.filter((x) => x !== tag) : [...ts, tag]))
            }
            onClose={() => setReview((r) => ({ ...r, tags: false }))}
          />
        )}
        {lint && (
          <LintList
            datasetId={datasetId}
            filter={filter}
            selectedId={selectedId}
            onSelect={setSelectedId}
          />
        )}
        <Grid
          rows={rows}
          sorting={sorting}
          onSortingChange={setSorting}
          selectedId={selectedId}
          onSelect={onRowSelect}
          isChecked={sel.isChecked}
          headerCheck={<SelectAllCheck sel={sel} />}
          scrollRef={scrollRef}
          hasNextPage={hasNextPage}
          fetchingNext={isFetchingNextPage}
          fetchNextPage={() => void fetchNextPage()}
          loading={q.isPending}
        />
        <aside className="editor" data-testid="editor">
          {selectedId == null ? (
            <div className="editor-empty">{t('editor.none')}</div>
          ) : (
            <Editor
              key={selectedId}
              imageId={selectedId}
              handleRef={editorRef}
              onSetStatus={(s) => void setStatus(s)}
            />
          )}
        </aside>
      </div>
    </main>
  )
}
