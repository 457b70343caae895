import { useCallback, useEffect, useMemo, useRef, useState } from 'react'
import type { ReactNode } from 'react'
import { useQueryClient } from '@tanstack/react-query'
import type { InfiniteData } from '@tanstack/react-query'
import type { SortingState } from '@tanstack/react-table'
import { useTranslation } from 'react-i18next'
import type { ImageDetail, ImageFilter, Page, ReviewStatus, Sort } from '@shared/api'
import { call } from '../api/client'
import { callKey, useCall, useMutate } from '../api/query'
import { GRID_KEY_ROOT, patchGridRows, useGridPages } from '../api/gridPages'
import { Editor } from '../components/Editor'
import type { EditorHandle } from '../components/Editor'
import { EMPTY_FILTER, FilterBar } from '../components/FilterBar'
import type { FilterState } from '../components/FilterBar'
import { Grid, ROW_H, SORT_KEY_OF } from '../components/Grid'
import type { RowClickMods } from '../components/Grid'
import { BulkBar, SelectAllCheck } from '../components/BulkBar'
import { DatasetActions } from '../components/DatasetActions'
import { DatasetTabs } from '../components/DatasetTabs'
import { Splitter } from '../components/Splitter'
import { TagPanel } from '../components/TagPanel'
import { useSelection } from '../hooks/useSelection'
import { useToast } from '../components/Toasts'
import { useJobs } from '../components/jobs'
import { LintList } from '../components/LintList'
import { useDebounced } from '../hooks/useDebounced'
import { showCombo, useBindings, useKeyActions } from '../hooks/keyboard'
import { useStoredNumber } from '../hooks/useStoredNumber'
import { useAdvanceOnReview } from '../hooks/useAdvance'
import { extraOf, type GridLink } from '../components/StatsLinks'

const EDITOR_MIN = 360
/** room the grid keeps when the editor is widened */
const GRID_MIN = 520
/** neighbours are preloaded once the selection has rested this long */
const PRELOAD_DELAY_MS = 150

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
  const { mutateAsync: applyBulk } = useMutate('bulk.apply')
  const jobs = useJobs()
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
  const bindings = useBindings()
  const dataset = useCall('datasets.get', { id: datasetId })

  const filter = useMemo<ImageFilter>(() => {
    const f: ImageFilter = { datasetId }
    if (fs.statuses.length) f.status = fs.statuses
    if (fs.concept) f.concept = fs.concept
    if (fs.missing) f.missing = fs.missing
    if (fs.errorsOnly) f.hasError = true
    if (fs.hasText) f.hasText = true
    if (search) f.search = search
    if (search && fs.searchRaw) f.searchRaw = true
    if (tagFilter.length) f.tags = tagFilter
    if (fs.extra) {
      // the dashboard's filters (StatsPage): tags join the tag panel's
      const { tags, ...rest } = fs.extra
      Object.assign(f, rest)
      if (tags?.length) f.tags = [...new Set([...(f.tags ?? []), ...tags])]
    }
    return f
  }, [
    datasetId,
    fs.statuses,
    fs.concept,
    fs.missing,
    fs.errorsOnly,
    fs.hasText,
    search,
    fs.searchRaw,
    tagFilter,
    fs.extra
  ])

  /** "has text / watermark" on: every image it matches to `status`, one undoable batch (or job) */
  async function textAction(status: 'rejected' | 'needs-work'): Promise<void> {
    try {
      const r = await applyBulk({
        selection: { datasetId, filter },
        op: { kind: 'status', status }
      })
      if (r.jobId != null) void jobs.track(r.jobId)
      toast.info(t('filter.textDone', { n: r.changed ?? r.count, status: t(`status.${status}`) }))
    } catch (e) {
      toast.error(e)
    }
  }

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

  const advance = useAdvanceOnReview()
  const setStatus = useCallback(
    async (status: ReviewStatus, via: 'key' | 'button' = 'key') => {
      if (selectedId == null) return
      const id = selectedId
      // fast review: the next image is picked before the change (a status filter may drop this row)
      const idx = rows.findIndex((r) => r.id === id)
      const next = advance && idx >= 0 ? rows[idx + 1] : undefined
      // show it at once; the change feed brings the server's truth (gridPages.ts)
      const ids = new Set([id])
      qc.setQueriesData<InfiniteData<Page, string | null>>({ queryKey: GRID_KEY_ROOT }, (old) =>
        patchGridRows(old, ids, (r) => ({ ...r, status }))
      )
      const key = callKey('images.get', { id })
      qc.setQueryData<ImageDetail>(key, (old) => (old ? { ...old, status } : old))
      if (next) {
        setSelectedId(next.id)
        selFollow(id, next.id)
        if (via === 'button') scrollRef.current?.focus({ preventScroll: true })
      }
      try {
        await setStatusMany({ ids: [id], status })
      } catch (e) {
        toast.error(e)
        void qc.invalidateQueries({ queryKey: key })
      }
    },
    [selectedId, rows, advance, qc, toast, setStatusMany, selFollow]
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

  // the images before and after the selected one are loaded ahead, so moving on is instant
  useEffect(() => {
    if (selectedId == null) return
    const idx = rows.findIndex((r) => r.id === selectedId)
    if (idx < 0) return
    const timer = setTimeout(() => {
      for (const r of [rows[idx + 1], rows[idx - 1]]) {
        if (!r || r.error) continue
        new Image().src = `media/preview/${r.id}`
        void qc.prefetchQuery({
          queryKey: callKey('images.get', { id: r.id }),
          queryFn: () => call('images.get', { id: r.id })
        })
      }
    }, PRELOAD_DELAY_MS)
    return () => clearTimeout(timer)
  }, [selectedId, rows, qc])

  const [zoomed, setZoomed] = useState(false)
  const maxEditor = Math.max(EDITOR_MIN, Math.round(window.innerWidth - GRID_MIN))
  const [editorWidth, setEditorWidth] = useStoredNumber(
    'glossa.editorWidth',
    Math.min(760, Math.max(EDITOR_MIN, Math.round(window.innerWidth * 0.36)))
  )
  const width = Math.min(maxEditor, Math.max(EDITOR_MIN, editorWidth))

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
    toggleTags: () => setReview((r) => ({ ...r, tags: !r.tags })),
    zoom: () => {
      if (selectedId != null) setZoomed((z) => !z)
    },
    // after an undo/redo: show an image it changed (the selected one, if it was among them)
    reveal: (ids) => {
      if (selectedId != null && ids.includes(selectedId)) return
      const id = ids.find((x) => rows.some((r) => r.id === x))
      if (id !== undefined) setSelectedId(id)
    }
  })

  return (
    <main className="dataset-page">
      <div className="toolbar" role="toolbar" aria-label={t('actions.toolbar')}>
        <DatasetTabs datasetId={datasetId} current="grid" />
        <FilterBar
          datasetId={datasetId}
          value={fs}
          onChange={setFs}
          searchRef={searchRef}
          onTextAction={(status) => void textAction(status)}
        />
        <span className="grow" />
        <button
          type="button"
          className={`btn btn-small ${review.tags ? 'btn-on' : ''}`}
          aria-pressed={review.tags}
          onClick={() => setReview((r) => ({ ...r, tags: !r.tags }))}
          title={
            t('review.tags.toggle') + (bindings.tags[0] ? ` (${showCombo(bindings.tags[0])})` : '')
          }
          data-testid="tags-toggle"
        >
          {t('review.tags.toggle')}
        </button>
        <button
          type="button"
          className={`btn btn-small ${lint ? 'btn-on' : ''}`}
          aria-pressed={lint}
          onClick={() => setLint(!lint)}
          data-testid="lint-filter"
        >
          {t('glossary.lint.filter')}
        </button>
        <DatasetActions
          dataset={dataset.data}
          datasetId={datasetId}
          filter={filter}
          filterTotal={total}
          selectedId={selectedId}
          firstId={rows[0]?.id ?? null}
        />
      </div>
      <div className="workspace">
        <section className="grid-area" aria-label={t('grid.label')}>
          {review.tags && (
            <div className="side-panel" data-testid="tags-panel-overlay">
              <TagPanel
                datasetId={datasetId}
                filter={filter}
                picked={tagFilter}
                onPick={(tag) =>
                  setTagFilter((ts) =>
                    ts.includes(tag) ? ts.filter((x) => x !== tag) : [...ts, tag]
                  )
                }
                onClose={() => setReview((r) => ({ ...r, tags: false }))}
              />
            </div>
          )}
          {lint && (
            <div className="side-panel" data-testid="lint-panel-overlay">
              <LintList
                datasetId={datasetId}
                filter={filter}
                selectedId={selectedId}
                onSelect={setSelectedId}
                onClose={() => setLint(false)}
              />
            </div>
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
          <BulkBar
            datasetId={datasetId}
            sel={sel}
            tagFilter={tagFilter}
            onTagFilter={setTagFilter}
            bulkOpen={review.bulk}
            onBulkOpen={(bulk) => setReview((r) => ({ ...r, bulk }))}
            total={total}
            fetching={q.isFetching && !q.isFetchingNextPage}
          />
        </section>
        <Splitter width={width} min={EDITOR_MIN} max={maxEditor} onWidth={setEditorWidth} />
        <aside
          className="editor"
          data-testid="editor"
          style={{ width }}
          aria-label={t('editor.label')}
        >
          {selectedId == null ? (
            <div className="editor-empty">{t('editor.none')}</div>
          ) : (
            <Editor
              key={selectedId}
              imageId={selectedId}
              row={rows.find((r) => r.id === selectedId)}
              handleRef={editorRef}
              onSetStatus={(s) => void setStatus(s, 'button')}
              zoomed={zoomed}
              onZoom={setZoomed}
            />
          )}
        </aside>
      </div>
    </main>
  )
}
